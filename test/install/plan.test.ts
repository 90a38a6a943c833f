/*
 * The install plan computed from org snapshots (no org needed): what a fresh org, an installed org and the orgs an
 * admin meets in between (a hand-made field, an interrupted run, no licences, a non-admin) lead to.
 */
import { expect } from 'chai';
import { SfError } from '@salesforce/core';
import { readFootprint, integrationPermissionSet } from '../../src/footprint/footprint.js';
import type { DescribeSObject } from '../../src/salesforce/client.js';
import { computePlan, describePlan, type PlanOptions } from '../../src/install/plan.js';
import { defaultUsername, sandboxNameFromUrl } from '../../src/install/integration-user.js';
import { waitIntervalMs } from '../../src/install/wait.js';
import { pollPhases } from '../../src/salesforce/metadata.js';
import type { InstallSnapshot, UserRecord } from '../../src/install/types.js';

const footprint = readFootprint();
const ps = integrationPermissionSet(footprint);
const DESCRIBE_TYPE: Record<string, string> = { Text: 'string', TextArea: 'textarea', Url: 'url', Number: 'double', Lookup: 'reference' };

const PLAY = 'Instruqt_Play__c';
const TRACK = 'Instruqt_Track__c';
const ORG_ID = '00D5g000004AbCdEAA';
const ADMIN = 'admin@acme.com';
const DEFAULT_USERNAME = defaultUsername(ORG_ID, ADMIN);
const PROFILE_ID = '00e5g000000IntEAA';
const USER_ID = '0055g00000IntUsAAA';

/** A fresh org: nothing installed, licences free, the running user a System Administrator. */
function freshOrg(): InstallSnapshot {
  return {
    org: { id: ORG_ID, name: 'Acme', isSandbox: false, instanceUrl: 'https://acme.my.salesforce.com' },
    runningUser: {
      id: '0055g00000AdminAAA',
      username: ADMIN,
      email: 'admin@acme.com',
      isActive: true,
      timeZoneSidKey: 'Europe/Amsterdam',
      localeSidKey: 'nl_NL',
      emailEncodingKey: 'UTF-8',
      languageLocaleKey: 'en_US',
      canModifyMetadata: true,
      canManageUsers: true,
    },
    objects: { [PLAY]: undefined, [TRACK]: undefined },
    objectPermissions: [],
    fieldPermissions: [],
    assigneeIds: [],
    users: [],
    psl: { id: '0PL5g000000PslAAA', masterLabel: 'Salesforce API Integration', developerName: 'x', total: 5, used: 0 },
    pslAssigneeIds: [],
    profiles: [
      {
        id: PROFILE_ID,
        name: 'Minimum Access - API Only Integrations',
        licence: { id: '1005g000000LicAAA', name: 'Salesforce Integration', total: 5, used: 1 },
      },
    ],
  };
}

function describeOf(name: string): DescribeSObject {
  const object = footprint.objects.find((o) => o.name === name);
  if (!object) throw new Error(name);
  return {
    name,
    label: object.label,
    keyPrefix: 'a01',
    createable: true,
    updateable: true,
    queryable: true,
    fields: object.fields.map((f) => ({
      name: f.name,
      label: f.label,
      type: DESCRIBE_TYPE[f.type],
      length: f.type === 'Text' ? f.length : 0,
      precision: f.precision ?? 0,
      scale: f.scale ?? 0,
      nillable: true,
      createable: true,
      updateable: true,
      externalId: f.externalId,
      unique: f.unique,
      referenceTo: f.referenceTo ? [f.referenceTo] : [],
    })),
  };
}

const integrationUser = (overrides: Partial<UserRecord> = {}): UserRecord => ({
  id: USER_ID,
  username: DEFAULT_USERNAME,
  email: 'admin@acme.com',
  isActive: true,
  profileId: PROFILE_ID,
  profileName: 'Minimum Access - API Only Integrations',
  licenceName: 'Salesforce Integration',
  ...overrides,
});

/** An org where a previous install completed. */
function installedOrg(): InstallSnapshot {
  return {
    ...freshOrg(),
    objects: { [PLAY]: describeOf(PLAY), [TRACK]: describeOf(TRACK) },
    permissionSet: { id: '0PS5g000000InsAAA', label: ps.label, permissions: {} },
    objectPermissions: ps.objectPermissions.map((o) => ({
      object: o.object,
      read: o.allowRead,
      create: o.allowCreate,
      edit: o.allowEdit,
      delete: o.allowDelete,
      viewAllRecords: o.viewAllRecords,
      modifyAllRecords: o.modifyAllRecords,
      viewAllFields: o.viewAllFields,
    })),
    fieldPermissions: ps.fieldPermissions.map((f) => ({ field: f.field, read: f.readable, edit: f.editable })),
    assigneeIds: [USER_ID],
    users: [integrationUser()],
    pslAssigneeIds: [USER_ID],
  };
}

const options = (overrides: Partial<PlanOptions> = {}): PlanOptions => ({
  keepInstallPermissions: false,
  defaultUsername: DEFAULT_USERNAME,
  targetOrg: 'acme',
  ...overrides,
});

function planError(snapshot: InstallSnapshot, opts: PlanOptions = options()): SfError {
  try {
    computePlan(footprint, snapshot, opts);
  } catch (error) {
    if (error instanceof SfError) return error as SfError;
    throw error;
  }
  throw new Error('expected the plan to be refused');
}

describe('install plan', () => {
  describe('footprint', () => {
    it('deploys both objects and the permission set into a fresh org', () => {
      const plan = computePlan(footprint, freshOrg(), options());
      expect(plan.footprint.deploy).to.equal(true);
      expect(plan.footprint.changes).to.deep.equal([
        'create object Instruqt_Play__c (11 fields)',
        'create object Instruqt_Track__c (1 fields)',
        'create permission set Instruqt_Integration',
      ]);
    });

    it('plans nothing at all for an org where the install completed', () => {
      const plan = computePlan(footprint, installedOrg(), options());
      expect(plan.footprint).to.deep.equal({ deploy: false, changes: [], pendingActivation: [] });
      expect(plan.user).to.include({ action: 'use', id: USER_ID, foundBy: 'assignment' });
      expect(plan.assignments).to.include({ permissionSetLicence: 'present', permissionSet: 'present' });
      expect(plan.changeCount).to.equal(0);
    });

    it('redeploys when a field differs from force-app (Text(15) shortened by hand)', () => {
      const org = installedOrg();
      const play = org.objects[PLAY] as DescribeSObject;
      play.fields = play.fields.map((f) => (f.name === 'Participant_ID__c' ? { ...f, length: 10 } : f));
      const plan = computePlan(footprint, org, options());
      expect(plan.footprint.changes).to.deep.equal(['update field Instruqt_Play__c.Participant_ID__c: length 10 -> 15']);
    });

    it('redeploys when a field is missing', () => {
      const org = installedOrg();
      const play = org.objects[PLAY] as DescribeSObject;
      play.fields = play.fields.filter((f) => f.name !== 'Score__c');
      org.fieldPermissions = org.fieldPermissions.filter((f) => f.field !== 'Instruqt_Play__c.Score__c');
      const plan = computePlan(footprint, org, options());
      expect(plan.footprint.changes).to.include('create field Instruqt_Play__c.Score__c');
      expect(plan.footprint.changes).to.include(
        'update permission set Instruqt_Integration: Instruqt_Play__c.Score__c field access (read & edit)'
      );
    });

    it('does not redeploy a field the admin cannot see but the permission set grants', () => {
      const org = installedOrg();
      const play = org.objects[PLAY] as DescribeSObject;
      play.fields = play.fields.filter((f) => f.name !== 'Feedback__c');
      expect(computePlan(footprint, org, options()).footprint.deploy).to.equal(false);
    });

    it('redeploys the permission set when someone removed its Lead access or added other access', () => {
      const org = installedOrg();
      org.objectPermissions = org.objectPermissions
        .map((o) => (o.object === 'Lead' ? { ...o, create: false } : o))
        .concat({ object: 'Account', read: true, create: false, edit: false, delete: false, viewAllRecords: false, modifyAllRecords: false, viewAllFields: false });
      const plan = computePlan(footprint, org, options());
      expect(plan.footprint.changes).to.deep.equal([
        'update permission set Instruqt_Integration: Lead object access (create)',
        'update permission set Instruqt_Integration: remove Account object access',
      ]);
    });

    it('waits instead of redeploying objects that are deployed but not active yet', () => {
      const org = installedOrg();
      org.objects = { [PLAY]: undefined, [TRACK]: undefined };
      const plan = computePlan(footprint, org, options());
      expect(plan.footprint.deploy).to.equal(false);
      expect(plan.footprint.pendingActivation).to.deep.equal(['Instruqt_Play__c', 'Instruqt_Track__c']);
    });
  });

  describe('integration user', () => {
    it('creates a user with the integration profile, the admin email and the default username in a fresh org', () => {
      const plan = computePlan(footprint, freshOrg(), options());
      expect(plan.user).to.deep.equal({
        action: 'create',
        username: DEFAULT_USERNAME,
        email: 'admin@acme.com',
        profile: { id: PROFILE_ID, name: 'Minimum Access - API Only Integrations', licence: 'Salesforce Integration' },
        needsPsl: true,
      });
      expect(plan.assignments).to.deep.equal({
        permissionSetLicence: 'assign',
        permissionSet: 'assign',
        pslId: '0PL5g000000PslAAA',
      });
    });

    it('uses --username and --email for a new user', () => {
      const plan = computePlan(footprint, freshOrg(), options({ username: 'instruqt@acme.com', email: 'it@acme.com' }));
      expect(plan.user).to.include({ action: 'create', username: 'instruqt@acme.com', email: 'it@acme.com' });
    });

    it('finds an existing user by --username', () => {
      const org = freshOrg();
      org.users = [integrationUser({ username: 'Instruqt@Acme.com' })];
      const plan = computePlan(footprint, org, options({ username: 'instruqt@acme.com' }));
      expect(plan.user).to.include({ action: 'use', id: USER_ID, foundBy: 'username' });
    });

    it('finds the user an interrupted run created under the default username, and assigns it', () => {
      const org = freshOrg();
      org.users = [integrationUser()];
      const plan = computePlan(footprint, org, options());
      expect(plan.user).to.include({ action: 'use', foundBy: 'default-username' });
      expect(plan.assignments).to.include({ permissionSetLicence: 'assign', permissionSet: 'assign' });
    });

    it('prefers the active Salesforce Integration user among several assignees', () => {
      const org = installedOrg();
      const admin = integrationUser({ id: '0055g00000OtherAAA', username: 'bob@acme.com', licenceName: 'Salesforce' });
      org.users.push(admin);
      org.assigneeIds.push(admin.id);
      expect(computePlan(footprint, org, options()).user).to.include({ id: USER_ID });
    });

    it('refuses to guess between two integration users holding the permission set', () => {
      const org = installedOrg();
      const second = integrationUser({ id: '0055g00000SecndAAA', username: 'second@acme.com' });
      org.users.push(second);
      org.assigneeIds.push(second.id);
      const error = planError(org);
      expect(error.name).to.equal('AmbiguousIntegrationUserError');
      expect(error.message).to.include('second@acme.com');
      expect(error.actions?.join(' ')).to.include('--username');
    });

    it('reactivates an inactive integration user', () => {
      const org = installedOrg();
      org.users = [integrationUser({ isActive: false })];
      expect(computePlan(footprint, org, options()).user).to.include({ action: 'reactivate', id: USER_ID });
    });

    it('refuses to reactivate when no Salesforce Integration licence is free', () => {
      const org = installedOrg();
      org.users = [integrationUser({ isActive: false })];
      org.profiles[0].licence = { id: 'x', name: 'Salesforce Integration', total: 5, used: 5 };
      expect(planError(org).name).to.equal('NoFreeIntegrationLicenceError');
    });

    it('refuses to create the user when no Salesforce Integration licence is free, and says how to free one', () => {
      const org = freshOrg();
      org.profiles[0].licence = { id: 'x', name: 'Salesforce Integration', total: 5, used: 5 };
      const error = planError(org);
      expect(error.name).to.equal('NoFreeIntegrationLicenceError');
      expect(error.message).to.include('5 of 5 used');
      expect(error.actions?.join('\n')).to.include('deactivate');
      expect(error.exitCode).to.equal(1);
    });

    it('says to use --profile when the org has no Salesforce Integration profile', () => {
      const org = freshOrg();
      org.profiles = [];
      const error = planError(org);
      expect(error.name).to.equal('NoIntegrationProfileError');
      expect(error.actions?.join(' ')).to.include('--profile');
    });

    it('uses --profile with a warning, and then does not assign the integration PSL', () => {
      const org = freshOrg();
      org.profiles.push({ id: '00e5g000000ApiAAA', name: 'API User', licence: { id: 'l', name: 'Salesforce', total: 10, used: 2 } });
      const plan = computePlan(footprint, org, options({ profile: 'API User' }));
      expect(plan.user.profile).to.deep.equal({ id: '00e5g000000ApiAAA', name: 'API User', licence: 'Salesforce' });
      expect(plan.assignments.permissionSetLicence).to.equal('not-applicable');
      expect(plan.warnings.join(' ')).to.include('instead of a Salesforce Integration profile');
    });

    it('names an unknown --profile', () => {
      expect(planError(freshOrg(), options({ profile: 'Nope' })).name).to.equal('ProfileNotFoundError');
    });

    it('warns when a sandbox username lacks the sandbox suffix', () => {
      const org = freshOrg();
      org.org = { ...org.org, isSandbox: true, sandboxName: 'uat' };
      const plan = computePlan(footprint, org, options({ username: 'instruqt@acme.com' }));
      expect(plan.warnings.join(' ')).to.include('.uat');
      expect(computePlan(footprint, org, options({ username: 'instruqt@acme.com.uat' })).warnings).to.deep.equal([]);
    });
  });

  describe('permission set licence', () => {
    it('refuses when the org has no Salesforce API Integration PSL', () => {
      const org = freshOrg();
      org.psl = undefined;
      expect(planError(org).name).to.equal('PslNotFoundError');
    });

    it('refuses when every Salesforce API Integration PSL is in use', () => {
      const org = freshOrg();
      org.psl = { id: 'p', masterLabel: 'Salesforce API Integration', developerName: 'x', total: 5, used: 5 };
      const error = planError(org);
      expect(error.name).to.equal('NoFreePslError');
      expect(error.message).to.include('5 of 5');
    });

    it('assigns only the permission set when the PSL is already assigned', () => {
      const org = installedOrg();
      org.assigneeIds = [];
      org.users = [integrationUser()];
      expect(computePlan(footprint, org, options()).assignments).to.include({
        permissionSetLicence: 'present',
        permissionSet: 'assign',
      });
    });
  });

  describe('running user', () => {
    it('refuses a deploy when the running user lacks Modify Metadata', () => {
      const org = freshOrg();
      org.runningUser.canModifyMetadata = false;
      const error = planError(org);
      expect(error.name).to.equal('MissingModifyMetadataError');
      expect(error.message).to.include(ADMIN);
    });

    it('refuses to create the user when the running user lacks Manage Users', () => {
      const org = freshOrg();
      org.runningUser.canManageUsers = false;
      expect(planError(org).name).to.equal('MissingManageUsersError');
    });

    it('needs neither permission when everything is installed', () => {
      const org = installedOrg();
      org.runningUser.canManageUsers = false;
      org.runningUser.canModifyMetadata = false;
      expect(computePlan(footprint, org, options()).changeCount).to.equal(0);
    });
  });

  describe('printed plan', () => {
    it('shows whether the org is a sandbox and each planned change', () => {
      const org = freshOrg();
      org.org.isSandbox = true;
      const lines = describePlan(computePlan(footprint, org, options()));
      expect(lines[0]).to.equal(`Plan for Acme (${ORG_ID}, sandbox):`);
      expect(lines.join('\n')).to.include('Assign permission set licence Salesforce API Integration');
      expect(lines.join('\n')).to.include(`create ${DEFAULT_USERNAME}`);
    });
  });
});

describe('default integration username', () => {
  it('is unique per org and keeps the admin domain', () => {
    expect(defaultUsername(ORG_ID, ADMIN)).to.equal('instruqt.integration.00d5g000004abcdeaa@acme.com');
    expect(defaultUsername('00D5g000004XyZaBCD', ADMIN)).to.not.equal(defaultUsername(ORG_ID, ADMIN));
  });

  it('carries the sandbox suffix, from the admin username or the sandbox name', () => {
    expect(defaultUsername(ORG_ID, 'admin@acme.com.uat', 'uat')).to.equal('instruqt.integration.00d5g000004abcdeaa@acme.com.uat');
    expect(defaultUsername(ORG_ID, 'admin@acme.com', 'uat')).to.equal('instruqt.integration.00d5g000004abcdeaa@acme.com.uat');
  });

  it('stays within the 80 characters Salesforce allows', () => {
    const long = `admin@${'a'.repeat(60)}.com`;
    expect(defaultUsername(ORG_ID, long).length).to.be.at.most(80);
  });

  it('reads the sandbox name from a sandbox My Domain URL', () => {
    expect(sandboxNameFromUrl('https://acme--uat.sandbox.my.salesforce.com')).to.equal('uat');
    expect(sandboxNameFromUrl('https://acme.my.salesforce.com')).to.equal(undefined);
  });
});

describe('polling the deploy', () => {
  it('polls every 500 ms for the first 2 s, then every 2 s until the timeout (each poll is an API call)', () => {
    expect(pollPhases(30 * 60_000)).to.deep.equal([
      { intervalMs: 500, seconds: 2 },
      { intervalMs: 2000, seconds: 1798 },
    ]);
    expect(pollPhases(1500)).to.deep.equal([{ intervalMs: 500, seconds: 2 }]);
    expect(pollPhases(60_000, 50)).to.deep.equal([{ intervalMs: 50, seconds: 60 }]);
  });
});

describe('waiting for objects', () => {
  it('backs off from 5 s to at most 30 s between checks, so a 10-minute wait costs about 20 calls', () => {
    expect([1, 2, 3, 4, 5, 10].map((n) => waitIntervalMs(n))).to.deep.equal([5000, 10_000, 20_000, 30_000, 30_000, 30_000]);
  });
});
