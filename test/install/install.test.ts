/*
 * The install against a local org, in-process (no CLI): every stage's effect on the org, idempotence measured by
 * the org's own records, and each error an admin meets with its message and exit code.
 */
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Ajv } from 'ajv';
import { SfError, type Connection } from '@salesforce/core';
import { makeUser } from '../helpers/users.js';
import { install, type InstallOptions } from '../../src/install/install.js';
import { assign } from '../../src/install/assignments.js';
import { defaultFootprintDir } from '../../src/footprint/footprint.js';
import { deployFootprint } from '../../src/install/deploy.js';
import type { SalesforceClient, CompositeSubrequest } from '../../src/salesforce/client.js';
import type { InstallResult } from '../../src/install/types.js';
import type { AuditResult } from '../../src/perms/index.js';
import { connectAs, FAST_POLLING, startOrg, type LocalOrg } from './local-org.js';

const schemaFile = (name: string): object =>
  JSON.parse(readFileSync(join(defaultFootprintDir(), '..', 'schemas', name), 'utf8')) as object;
const validateResult = new Ajv({ allErrors: true, strict: false })
  .addSchema(schemaFile('instruqt-perms-check.json'))
  .compile(schemaFile('instruqt-install.json'));
const schemaErrors = (value: unknown): unknown[] => (validateResult(value) ? [] : validateResult.errors ?? []);

const options = (overrides: Partial<InstallOptions> = {}): InstallOptions => ({
  dryRun: false,
  waitMinutes: 1,
  keepInstallPermissions: false,
  noPrompt: false,
  targetOrg: 'acme',
  ...FAST_POLLING,
  ...overrides,
});

/** Everything install could write, as one string: equal before and after means no write happened. */
function fingerprint(local: LocalOrg): string {
  const objects = ['User', 'PermissionSet', 'PermissionSetAssignment', 'PermissionSetLicenseAssign', 'ObjectPermissions', 'FieldPermissions'];
  return JSON.stringify({
    schema: local.org
      .listObjects()
      .map((o) => `${o.name}:${[...o.fields.keys()].sort().join(',')}`)
      .sort(),
    records: objects.map((o) => local.org.query(o)),
  });
}

async function failure(promise: Promise<unknown>): Promise<SfError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof SfError) return error;
    throw error;
  }
  throw new Error('expected the install to fail');
}

const integrationUser = (local: LocalOrg): Record<string, unknown> | undefined =>
  local.org.query('User', (u) => String(u.Username).startsWith('instruqt.integration.'))[0];

const setByName = (local: LocalOrg, name: string): Record<string, unknown> =>
  local.org.query('PermissionSet', (p) => p.Name === name)[0];

describe('install against a local org', function () {
  this.timeout(120_000);
  let local: LocalOrg;
  let connection: Connection;

  afterEach(async () => {
    await local?.stop();
  });

  describe('in a fresh org', () => {
    let result: InstallResult;
    let before: string;

    beforeEach(async () => {
      ({ local, connection } = await startOrg());
      before = fingerprint(local);
      local.resetApiCalls();
      result = await install(connection, options());
    });

    it('deploys both objects with every field of the footprint', () => {
      const play = local.org.getObject('Instruqt_Play__c');
      const track = local.org.getObject('Instruqt_Track__c');
      expect(play?.fields.get('score__c')).to.include({ type: 'double', precision: 1, scale: 0 });
      expect(play?.fields.get('lead__c')?.referenceTo).to.deep.equal(['Lead']);
      expect(track?.fields.get('track_slug__c')).to.include({ externalId: true, unique: true, length: 255 });
      expect(result.deploy).to.include({ success: true, checkOnly: false });
    });

    it('creates the integration user with the Salesforce Integration licence profile and the admin email', () => {
      const user = integrationUser(local);
      const profile = local.org.get('Profile', String(user?.ProfileId));
      expect(profile?.Name).to.equal('Minimum Access - API Only Integrations');
      expect(user).to.include({ IsActive: true, Email: local.org.get('User', local.adminUserId)?.Email });
      expect(result.user).to.include({ id: user?.Id, licence: 'Salesforce Integration', active: true });
    });

    it('assigns the Salesforce API Integration licence and the Instruqt_Integration permission set', () => {
      const userId = String(integrationUser(local)?.Id);
      const psl = local.org.query('PermissionSetLicense', (p) => p.MasterLabel === 'Salesforce API Integration')[0];
      expect(local.org.query('PermissionSetLicenseAssign', (a) => a.AssigneeId === userId && a.PermissionSetLicenseId === psl.Id)).to.have.length(1);
      const ps = setByName(local, 'Instruqt_Integration');
      expect(local.org.query('PermissionSetAssignment', (a) => a.AssigneeId === userId && a.PermissionSetId === ps.Id)).to.have.length(1);
    });

    it('leaves the integration user least-privileged, as the audit confirms', () => {
      const ps = setByName(local, 'Instruqt_Integration');
      for (const p of ['ViewAllData', 'CustomizeApplication', 'ModifyMetadata', 'ViewSetup', 'ModifyAllData']) {
        expect(ps[`Permissions${p}`], p).to.equal(false);
      }
      const audit = result.audit as AuditResult;
      expect(audit.verdict).to.equal('pass');
      expect(audit.users.map((u) => u.username)).to.deep.equal([integrationUser(local)?.Username]);
    });

    it('reports each stage, and stays within 30 API calls besides deploy polling', () => {
      expect(result.success).to.equal(true);
      expect(result.stages.map((s) => `${s.name}:${s.status}`)).to.deep.equal([
        'plan:done',
        'deploy:done',
        'user:done',
        'assign:done',
        'wait:done',
        'converge:unchanged',
        'verify:unchanged',
      ]);
      expect(result.apiCalls.total - result.apiCalls.deployPolls).to.be.at.most(30);
      // Every call the org counted, the Metadata API deploy and its polls included.
      expect(result.apiCalls.total).to.equal(local.apiCalls());
      expect(fingerprint(local)).to.not.equal(before);
      expect(schemaErrors(result)).to.deep.equal([]);
    });

    it('changes nothing and writes nothing the second time, in at most 10 API calls', async () => {
      const installed = fingerprint(local);
      local.resetApiCalls();
      const again = await install(connection, options());
      expect(fingerprint(local)).to.equal(installed);
      expect(again.apiCalls.writes).to.equal(0);
      expect(again.apiCalls.total).to.be.at.most(10);
      expect(local.apiCalls()).to.equal(again.apiCalls.total);
      expect(again.stages.filter((s) => s.name !== 'plan').map((s) => s.status)).to.deep.equal(Array(6).fill('unchanged'));
      expect(again.plan?.changeCount).to.equal(0);
    });

    it('completes a run interrupted before the assignments, finding the user it created', async () => {
      const userId = String(integrationUser(local)?.Id);
      for (const a of local.org.query('PermissionSetAssignment', (x) => x.AssigneeId === userId && x.PermissionSetId === setByName(local, 'Instruqt_Integration').Id)) {
        local.org.delete('PermissionSetAssignment', a.Id);
      }
      const again = await install(connection, options());
      expect(again.plan?.user).to.include({ action: 'use', foundBy: 'default-username', id: userId });
      expect(again.stages.find((s) => s.name === 'assign')?.changes).to.deep.equal(['assigned permission set Instruqt_Integration']);
      expect(local.org.query('User', (u) => String(u.Username).startsWith('instruqt.integration.'))).to.have.length(1);
    });

    it('reactivates an inactive integration user only with consent', async () => {
      const userId = String(integrationUser(local)?.Id);
      local.org.update('User', userId, { IsActive: false });
      const refused = await failure(install(connection, options()));
      expect(refused.name).to.equal('UserInactiveError');
      expect(refused.actions?.join(' ')).to.include('--no-prompt');
      expect(refused.exitCode).to.equal(1);
      expect(integrationUser(local)?.IsActive).to.equal(false);

      const asked: string[] = [];
      await install(connection, options({ confirm: (m) => (asked.push(m), Promise.resolve(true)) }));
      expect(asked).to.have.length(1);
      expect(integrationUser(local)?.IsActive).to.equal(true);
    });

    it('adds the install-time permissions with --keep-install-permissions, and a later run removes them', async () => {
      const kept = await install(connection, options({ keepInstallPermissions: true }));
      const ps = setByName(local, 'Instruqt_Integration');
      expect(ps).to.include({ PermissionsViewAllData: true, PermissionsModifyMetadata: true, PermissionsCustomizeApplication: true });
      expect(kept.warnings.join(' ')).to.include('sf instruqt perms reduce -o acme');
      expect((kept.audit as AuditResult).summary.failing).to.equal(0);

      const reduced = await install(connection, options());
      expect(reduced.stages.find((s) => s.name === 'converge')?.status).to.equal('done');
      expect(setByName(local, 'Instruqt_Integration')).to.include({ PermissionsViewAllData: false, PermissionsModifyMetadata: false });
      expect((reduced.audit as AuditResult).verdict).to.equal('pass');
    });
  });

  it('validates with a check-only deploy and changes nothing with --dry-run', async () => {
    ({ local, connection } = await startOrg());
    const before = fingerprint(local);
    const result = await install(connection, options({ dryRun: true }));
    expect(fingerprint(local)).to.equal(before);
    expect(result.deploy).to.include({ checkOnly: true, success: true });
    expect(result.apiCalls.writes).to.equal(0);
    expect(result.stages.slice(2).map((s) => s.status)).to.deep.equal(Array(5).fill('skipped'));
    expect(result.plan?.user.action).to.equal('create');
    expect(schemaErrors(result)).to.deep.equal([]);
  });

  it('stops with the resume advice when the objects are not usable within --wait, and a re-run finishes', async () => {
    ({ local, connection } = await startOrg({ activationDelayMs: 2500 }));
    const error = await failure(install(connection, options({ waitMinutes: 0 })));
    expect(error.name).to.equal('ObjectsNotUsableError');
    expect(error.message).to.include('Instruqt_Play__c, Instruqt_Track__c');
    expect(error.actions?.join(' ')).to.include('sf instruqt install -o acme');
    expect(error.exitCode).to.equal(68);
    const partial = error.data as InstallResult;
    expect(schemaErrors(partial)).to.deep.equal([]);
    expect(partial.error?.name).to.equal('ObjectsNotUsableError');
    expect(partial.stages.map((s) => s.status)).to.deep.equal(['done', 'done', 'done', 'done', 'failed']);

    const resumed = await install(connection, options({ waitMinutes: 1 }));
    expect(resumed.plan?.footprint).to.include({ deploy: false });
    expect(resumed.plan?.footprint.pendingActivation).to.have.length(2);
    expect(resumed.stages.map((s) => s.status)).to.deep.equal(['done', 'unchanged', 'unchanged', 'unchanged', 'done', 'unchanged', 'unchanged']);
  });

  it('lists deploy component failures plainly and leaves the org unchanged', async () => {
    ({ local, connection } = await startOrg());
    const broken = mkdtempSync(join(tmpdir(), 'footprint-'));
    cpSync(defaultFootprintDir(), join(broken, 'force-app'), { recursive: true });
    const field = join(broken, 'force-app/main/default/objects/Instruqt_Play__c/fields/Lead__c.field-meta.xml');
    writeFileSync(field, readFileSync(field, 'utf8').replace('<referenceTo>Lead</referenceTo>', '<referenceTo>Leed</referenceTo>'));
    const before = fingerprint(local);
    const error = await failure(install(connection, options({ footprintDir: join(broken, 'force-app') })));
    expect(error.name).to.equal('DeployFailedError');
    expect(error.message).to.include("CustomField Instruqt_Play__c.Lead__c: referenceTo value of 'Leed' does not resolve");
    expect(error.exitCode).to.equal(1);
    expect(fingerprint(local)).to.equal(before);
  });

  it('refuses when no Salesforce Integration licence is free, before changing anything', async () => {
    ({ local, connection } = await startOrg());
    for (let i = 0; i < 5; i++) makeUser(local.org, 'Minimum Access - API Only Integrations');
    const before = fingerprint(local);
    const error = await failure(install(connection, options()));
    expect(error.name).to.equal('NoFreeIntegrationLicenceError');
    expect(error.message).to.include('5 of 5 used');
    expect(error.exitCode).to.equal(1);
    expect(fingerprint(local)).to.equal(before);
  });

  it('refuses --profile naming an administrator profile before changing anything, and creates no user', async () => {
    ({ local, connection } = await startOrg());
    const before = fingerprint(local);
    const error = await failure(install(connection, options({ profile: 'system administrator' })));
    expect(error.name).to.equal('UnsuitableProfileError');
    expect(error.message).to.include('Modify All Data');
    expect(error.message).to.include('profile System Administrator');
    expect(error.exitCode).to.equal(1);
    expect(fingerprint(local)).to.equal(before);
    expect(integrationUser(local)).to.equal(undefined);
  });

  it('names a username taken in another org (DUPLICATE_USERNAME), and a re-run with another one completes', async () => {
    const other = await startOrg();
    try {
      const taken = 'instruqt@taken.example.com';
      const otherProfile = other.local.org.query('Profile', (p) => p.Name === 'Standard User')[0];
      other.local.org.insert('User', {
        Username: taken,
        Email: 'x@taken.example.com',
        LastName: 'Taken',
        Alias: 'taken',
        TimeZoneSidKey: 'Europe/Amsterdam',
        LocaleSidKey: 'en_US',
        EmailEncodingKey: 'UTF-8',
        LanguageLocaleKey: 'en_US',
        ProfileId: otherProfile.Id,
      });
      ({ local, connection } = await startOrg());
      const error = await failure(install(connection, options({ username: taken })));
      expect(error.name).to.equal('DuplicateUsernameError');
      expect(error.message).to.include(taken);
      expect(error.actions?.join(' ')).to.include('--username');
      // The deploy already changed the org: partial.
      expect(error.exitCode).to.equal(68);

      const result = await install(connection, options({ username: 'instruqt@free.example.com' }));
      expect(result.plan?.footprint.deploy).to.equal(false);
      expect(result.user?.username).to.equal('instruqt@free.example.com');
    } finally {
      await other.local.stop();
    }
  });

  it('refuses a running user without Modify Metadata, naming the permission', async () => {
    ({ local } = await startOrg());
    const userId = makeUser(local.org, 'Standard User', ['ViewSetup', 'ManageUsers']);
    const error = await failure(install(await connectAs(local, local.tokenFor(userId)), options()));
    expect(error.name).to.equal('MissingModifyMetadataError');
    expect(error.message).to.include('Modify Metadata Through Metadata API Functions');
    expect(error.exitCode).to.equal(1);
  });

  it('refuses a running user without Manage Users, naming the permission', async () => {
    ({ local } = await startOrg());
    const userId = makeUser(local.org, 'Standard User', ['ViewSetup', 'ModifyMetadata']);
    const error = await failure(install(await connectAs(local, local.tokenFor(userId)), options()));
    expect(error.name).to.equal('MissingManageUsersError');
    expect(error.message).to.include('Manage Users');
  });

  it('says the API is disabled when Salesforce refuses API access', async () => {
    ({ local } = await startOrg());
    const userId = makeUser(local.org, 'Standard User');
    const asUser = await connectAs(local, local.tokenFor(userId));
    // Switched off after sign-in, as when an admin removes API Enabled from a profile.
    const profileSet = local.org.query('PermissionSet', (p) => p.ProfileId === local.org.get('User', userId)?.ProfileId)[0];
    local.org.update('PermissionSet', profileSet.Id, { PermissionsApiEnabled: false });
    const error = await failure(install(asUser, options()));
    expect(error.name).to.equal('ApiDisabledError');
    expect(error.message).to.include('API_DISABLED_FOR_ORG');
    expect(error.actions?.join(' ')).to.include('API Enabled');
  });
});

describe('assignments', () => {
  it('sends the permission set licence before the permission set, in one call that keeps request order', async () => {
    const sent: CompositeSubrequest[][] = [];
    const orders: unknown[] = [];
    const client = {
      composite: (subs: CompositeSubrequest[], _allOrNone: boolean, order: unknown) => {
        sent.push(subs);
        orders.push(order);
        return Promise.resolve(subs.map((s) => ({ referenceId: s.referenceId, httpStatusCode: 201, body: { id: 'x' } })));
      },
    } as unknown as SalesforceClient;
    const outcome = await assign(client, {
      userId: '005A',
      username: 'u',
      pslId: '0PLA',
      pslLabel: 'Salesforce API Integration',
      permissionSetId: '0PSA',
      permissionSetName: 'Instruqt_Integration',
      adminUsername: 'admin',
    });
    expect(sent).to.have.length(1);
    expect(sent[0].map((s) => s.url)).to.deep.equal(['/sobjects/PermissionSetLicenseAssign', '/sobjects/PermissionSetAssignment']);
    expect(orders).to.deep.equal([{ inOrder: true }]);
    expect(outcome).to.deep.equal({ psl: 'assigned', permissionSet: 'assigned' });
  });

  it('treats a duplicate assignment as already done', async () => {
    const client = {
      composite: (subs: CompositeSubrequest[]) =>
        Promise.resolve(
          subs.map((s) => ({
            referenceId: s.referenceId,
            httpStatusCode: 400,
            body: [{ errorCode: 'DUPLICATE_VALUE', message: 'Duplicate PermissionSetAssignment' }],
          }))
        ),
    } as unknown as SalesforceClient;
    const outcome = await assign(client, {
      userId: '005A',
      username: 'u',
      permissionSetId: '0PSA',
      pslLabel: 'Salesforce API Integration',
      permissionSetName: 'Instruqt_Integration',
      adminUsername: 'admin',
    });
    expect(outcome).to.deep.equal({ psl: 'none', permissionSet: 'present' });
  });
});

describe('deploy status polling', () => {
  it('keeps polling the same deploy every 2 s once the first 2 s of quick polls are over', async () => {
    // Each deploy step takes 1.5 s in this org: the deploy outlasts the quick phase.
    const { local, connection } = await startOrg({ deployStepMs: 1500 });
    try {
      const outcome = await deployFootprint(connection, { dir: defaultFootprintDir(), checkOnly: true, adminUsername: local.adminUsername });
      expect(outcome).to.include({ success: true, checkOnly: true });
      // Quick polls at 0, 0.5, 1 and 1.5 s, then at least one more in the 2 s phase.
      expect(outcome.polls).to.be.at.least(5);
    } finally {
      await local.stop();
    }
  });
});
