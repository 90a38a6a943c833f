/*
 * perms check / perms reduce end to end: the real sf CLI against a local org set up by hand as seed 000 describes,
 * each test asserting the audit's findings AND the permission set, group or profile it names as their source.
 */
/* eslint-disable camelcase -- Salesforce API names (Play_ID__c...) are used as they are */
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { XMLParser } from 'fast-xml-parser';
import { Ajv } from 'ajv';
import { AuthInfo, Connection } from '@salesforce/core';
import { startE2EOrg, loginAs, type E2EOrg } from '../helpers/org.js';
import { repoRoot, type SfResult } from '../helpers/sf.js';
import { SalesforceClient } from '../../src/salesforce/client.js';
import type { AuditResult, Finding, ReduceResult } from '../../src/perms/index.js';
import { INSTALL_PERMISSIONS } from '../perms/fixtures.js';

/** View All Data and the permissions Salesforce requires with it. */
const VIEW_ALL_DATA = [
  'ViewAllData',
  'ViewSetup',
  'ViewPlatformEvents',
  'ViewPublicReports',
  'ViewEventLogFiles',
  'ViewPublicDashboards',
  'ViewDataLeakageEvents',
];
const flags = (names: string[]): Record<string, boolean> => Object.fromEntries(names.map((n) => [`Permissions${n}`, true]));

type SeedOrg = E2EOrg & { userId: string; username: string; permissionSetId: string };

/**
 * A local org as seed 000 leaves it after the install step, done by hand: the Instruqt objects deployed (Instruqt's
 * connector creates them), an integration user with the Salesforce Integration licence, the API-only profile and the
 * Salesforce API Integration PSL, and the Instruqt_Integration permission set with the seed's object and field
 * access plus Customize Application, Modify Metadata and View All Data (and what they require). `steady` applies the
 * seed's post-install step instead: full access to the Instruqt objects, no install-time permission.
 */
async function seedOrg(state: 'install' | 'steady'): Promise<SeedOrg> {
  const e2e = await startE2EOrg();
  const deployed = await e2e.sf.run(
    ['project', 'deploy', 'start', '--source-dir', 'force-app/main/default/objects', '--target-org', e2e.alias, '--json'],
    { cwd: repoRoot, timeoutMs: 180_000 }
  );
  expect(deployed.code, deployed.stdout + deployed.stderr).to.equal(0);
  const { org } = e2e.local;
  const profile = org.query('Profile', (r) => r.Name === 'Minimum Access - API Only Integrations')[0];
  const username = `instruqt-${Date.now()}@example.com`;
  const user = org.insert('User', {
    Username: username,
    Email: 'integration@example.com',
    LastName: 'Instruqt Integration',
    Alias: 'instruqt',
    TimeZoneSidKey: 'America/Los_Angeles',
    LocaleSidKey: 'en_US',
    EmailEncodingKey: 'UTF-8',
    LanguageLocaleKey: 'en_US',
    ProfileId: profile.Id,
  });
  const psl = org.query('PermissionSetLicense', (r) => r.DeveloperName === 'SalesforceAPIIntegrationPsl')[0];
  org.insert('PermissionSetLicenseAssign', { AssigneeId: user.Id, PermissionSetLicenseId: psl.Id });
  const ps = org.insert('PermissionSet', {
    Name: 'Instruqt_Integration',
    Label: 'Instruqt Integration',
    ...(state === 'install' ? flags(INSTALL_PERMISSIONS) : {}),
  });
  const objectAccess = (SobjectType: string, access: string[]): void => {
    org.insert('ObjectPermissions', { ParentId: ps.Id, SobjectType, ...flags(access) });
  };
  const fieldAccess = (Field: string, edit: boolean): void => {
    org.insert('FieldPermissions', {
      ParentId: ps.Id,
      SobjectType: Field.split('.')[0],
      Field,
      PermissionsRead: true,
      PermissionsEdit: edit,
    });
  };
  objectAccess('Contact', ['Read', 'ViewAllRecords']);
  objectAccess('Lead', ['Read', 'Create', 'Edit', 'ViewAllRecords']);
  for (const f of ['Email', 'Phone', 'Title']) fieldAccess(`Contact.${f}`, false);
  for (const f of ['Email', 'Phone', 'Title', 'LeadSource']) fieldAccess(`Lead.${f}`, true);
  if (state === 'steady') {
    const all = ['Read', 'Create', 'Edit', 'Delete', 'ViewAllRecords', 'ModifyAllRecords', 'ViewAllFields'];
    for (const object of ['Instruqt_Track__c', 'Instruqt_Play__c']) {
      objectAccess(object, all);
      for (const field of org.getObject(object)?.fields.values() ?? []) {
        if (field.custom && field.nillable) fieldAccess(`${object}.${field.name}`, true);
      }
    }
  }
  org.insert('PermissionSetAssignment', { AssigneeId: user.Id, PermissionSetId: ps.Id });
  return { ...e2e, userId: user.Id, username, permissionSetId: ps.Id };
}

async function check(o: SeedOrg, extra: string[] = []): Promise<SfResult<AuditResult>> {
  return o.sf.run<AuditResult>(['instruqt', 'perms', 'check', '--target-org', o.alias, '--json', ...extra]);
}

const schemaValid = (file: string, data: unknown): string | true => {
  const validate = new Ajv({ allErrors: true, strict: false }).compile(
    JSON.parse(readFileSync(join(repoRoot, 'schemas', file), 'utf8')) as object
  );
  return validate(data) ? true : JSON.stringify(validate.errors);
};

const findings = (r: SfResult<AuditResult>): Finding[] => r.json?.result.users.flatMap((u) => u.findings) ?? [];
const find = (r: SfResult<AuditResult>, id: string): Finding | undefined => findings(r).find((f) => f.id === id);
const sourcesOf = (f: Finding | undefined): string[] =>
  (f?.sources ?? []).map((s) => `${s.kind}:${s.name}${s.permissionSet ? `/${s.permissionSet.name}` : ''}`);

/** A REST client acting as the integration user (a token for that user, as the connected app would hold). */
async function integrationClient(o: SeedOrg): Promise<SalesforceClient> {
  const authInfo = await AuthInfo.create({
    accessTokenOptions: {
      accessToken: o.local.tokenFor(o.userId),
      instanceUrl: o.local.instanceUrl,
      loginUrl: o.local.instanceUrl,
    },
  });
  return new SalesforceClient(await Connection.create({ authInfo }));
}

describe('sf instruqt perms (e2e)', function () {
  this.timeout(600_000);
  const orgs: SeedOrg[] = [];
  const start = async (state: 'install' | 'steady'): Promise<SeedOrg> => {
    const o = await seedOrg(state);
    orgs.push(o);
    return o;
  };
  after(async () => {
    await Promise.all(orgs.map((o) => o.local.stop()));
  });

  describe('an org set up by hand as seed 000 install step describes', () => {
    let o: SeedOrg;
    before(async () => {
      o = await start('install');
    });

    it('check fails naming View All Data, Customize Application, Modify Metadata and the five global permissions, granted by Instruqt_Integration', async () => {
      const r = await check(o);
      expect(r.code, r.stderr).to.equal(1);
      expect(r.json?.status).to.equal(1);
      const installOnly = findings(r).filter((f) => f.kind === 'installOnly');
      expect(installOnly.map((f) => f.permission.label)).to.include.members([
        'View All Data',
        'Customize Application',
        'Modify Metadata Through Metadata API Functions',
        'View Login Forensics Events',
        'View Reports in Public Folders',
        'View Event Log Files',
        'View Dashboards in Public Folders',
        'View Real-Time Event Monitoring Data',
      ]);
      for (const f of installOnly) expect(sourcesOf(f), f.id).to.deep.equal(['permissionSet:Instruqt_Integration']);
      expect(find(r, 'missing:object:Instruqt_Play__c')?.workflows.map((w) => w.id)).to.deep.equal(['plays']);
      expect(r.json?.result.apiCalls).to.be.at.most(8);
      expect(schemaValid('instruqt-perms-check.json', r.json?.result)).to.equal(true);
    });

    it('the human output names each finding, its source and the fix', async () => {
      const r = await o.sf.run(['instruqt', 'perms', 'check', '--target-org', o.alias]);
      expect(r.code).to.equal(1);
      expect(r.stdout).to.match(new RegExp(`${o.username}: FAIL`));
      expect(r.stdout).to.include('View All Data');
      expect(r.stdout).to.include('permission set "Instruqt_Integration"');
      expect(r.stdout).to.include('sf instruqt perms reduce');
    });

    it('reduce --dry-run plans dependents before what they require and changes nothing', async () => {
      const r = await o.sf.run<ReduceResult>(['instruqt', 'perms', 'reduce', '--target-org', o.alias, '--dry-run', '--json']);
      expect(r.code, r.stdout).to.equal(0);
      const removals = r.json?.result.plan.actions.filter((a) => a.type === 'removeUserPermissions') ?? [];
      expect(removals.map((a) => (a.type === 'removeUserPermissions' ? [a.step, a.permissions.map((p) => p.name)] : [])))
        .to.deep.equal([
          [1, ['CustomizeApplication', 'ModifyMetadata', 'ViewAllData']],
          [2, ['ManageCustomPermissions', 'ViewDataLeakageEvents', 'ViewEventLogFiles', 'ViewPlatformEvents', 'ViewPublicDashboards', 'ViewPublicReports', 'ViewSetup']],
        ]);
      expect(o.local.org.get('PermissionSet', o.permissionSetId)?.PermissionsViewAllData).to.equal(true);
    });

    it('reduce fixes it and includes the passing re-audit', async () => {
      const r = await o.sf.run<ReduceResult>(['instruqt', 'perms', 'reduce', '--target-org', o.alias, '--no-prompt', '--json']);
      expect(r.code, r.stdout).to.equal(0);
      const result = r.json?.result;
      expect(result?.applied.every((a) => a.status === 'done'), JSON.stringify(result?.applied)).to.equal(true);
      expect(result?.after?.verdict).to.equal('pass');
      expect(schemaValid('instruqt-perms-reduce.json', result)).to.equal(true);
      const ps: Record<string, unknown> = o.local.org.get('PermissionSet', o.permissionSetId) ?? {};
      for (const p of INSTALL_PERMISSIONS) expect(ps[`Permissions${p}`], p).to.not.equal(true);
    });

    it('check passes afterwards', async () => {
      const r = await check(o, ['--strict']);
      expect(r.code, JSON.stringify(findings(r))).to.equal(0);
      expect(r.json?.result.verdict).to.equal('pass');
      expect(findings(r)).to.deep.equal([]);
    });

    it('reduce run again changes nothing', async () => {
      const r = await o.sf.run<ReduceResult>(['instruqt', 'perms', 'reduce', '--target-org', o.alias, '--no-prompt', '--json']);
      expect(r.code).to.equal(0);
      expect(r.json?.result.plan.actions).to.deep.equal([]);
      expect(r.json?.result.changed).to.equal(false);
    });

    it('reduce without a terminal needs no --no-prompt: a pipeline gets the printed plan applied', async () => {
      // Put the seed's broad set back, then converge with the command exactly as a pipeline types it.
      const broad = Object.fromEntries(INSTALL_PERMISSIONS.map((p) => [`Permissions${p}`, true]));
      o.local.org.update('PermissionSet', o.permissionSetId, broad);
      const r = await o.sf.run(['instruqt', 'perms', 'reduce', '--target-org', o.alias]);
      expect(r.code, r.stdout + r.stderr).to.equal(0);
      expect(r.stdout).to.include('View All Data');
      const ps: Record<string, unknown> = o.local.org.get('PermissionSet', o.permissionSetId) ?? {};
      for (const p of INSTALL_PERMISSIONS) expect(ps[`Permissions${p}`], p).to.not.equal(true);
    });

    it('the integration user can still create a Lead and upsert a Play, and can no longer see Accounts', async () => {
      const alias = await loginAs(o, o.userId);
      const lead = await o.sf.run<{ id: string }>([
        'data', 'create', 'record', '--sobject', 'Lead', '--target-org', alias, '--json',
        '--values', "LastName='Lovelace' FirstName='Ada' Company='Analytical Engines' Email='ada@example.com' Title='CTO'",
      ]);
      expect(lead.code, lead.stdout).to.equal(0);
      const leadId = lead.json?.result.id as string;
      const client = await integrationClient(o);
      const track = await client.upsert('Instruqt_Track__c', 'Track_Slug__c', [{ Track_Slug__c: 'k8s-101', Name: 'Kubernetes 101' }]);
      expect(track[0].success, JSON.stringify(track)).to.equal(true);
      const play = await client.upsert('Instruqt_Play__c', 'Play_ID__c', [
        { Play_ID__c: 'play-77', Name: 'Kubernetes 101 - Ada Lovelace', Lead__c: leadId, Instruqt_Track__c: track[0].id, Score__c: 4 },
      ]);
      expect(play[0].success, JSON.stringify(play)).to.equal(true);
      const again = await client.upsert('Instruqt_Play__c', 'Play_ID__c', [{ Play_ID__c: 'play-77', Score__c: 5 }]);
      expect(again[0]).to.include({ success: true, created: false });
      let refused: unknown;
      try {
        await client.query('SELECT Id FROM Account');
      } catch (error) {
        refused = error;
      }
      expect(refused, 'View All Data is gone').to.be.instanceOf(Error);
    });
  });

  describe('where View All Data comes from', () => {
    it('names a second permission set as the source', async () => {
      const o = await start('steady');
      const { org } = o.local;
      const other = org.insert('PermissionSet', { Name: 'Data_Team', Label: 'Data Team', ...flags(VIEW_ALL_DATA) });
      org.insert('PermissionSetAssignment', { AssigneeId: o.userId, PermissionSetId: other.Id });
      const r = await check(o);
      expect(r.code).to.equal(1);
      expect(sourcesOf(find(r, 'installOnly:user:ViewAllData'))).to.deep.equal(['permissionSet:Data_Team']);
      expect(find(r, 'installOnly:user:ViewAllData')?.fixes.join('\n')).to.match(/--unassign-foreign/);

      // reduce never edits the foreign set: it reports it; with --unassign-foreign it removes the assignment.
      const reduce = await o.sf.run<ReduceResult>(['instruqt', 'perms', 'reduce', '--target-org', o.alias, '--no-prompt', '--json']);
      // It changed nothing it could, and the org still fails the audit: exit 1.
      expect(reduce.code).to.equal(1);
      expect(reduce.json?.result.plan.actions).to.deep.equal([]);
      expect(reduce.json?.result.plan.foreign.map((f) => f.source.name)).to.include('Data_Team');
      expect(org.get('PermissionSet', other.Id)?.PermissionsViewAllData).to.equal(true);
      const unassign = await o.sf.run<ReduceResult>([
        'instruqt', 'perms', 'reduce', '--target-org', o.alias, '--no-prompt', '--unassign-foreign', '--json',
      ]);
      expect(unassign.code, unassign.stdout).to.equal(0);
      expect(unassign.json?.result.after?.verdict).to.equal('pass');
      expect(org.query('PermissionSetAssignment', (a) => a.PermissionSetId === other.Id)).to.deep.equal([]);
      expect(org.get('PermissionSet', other.Id)?.PermissionsViewAllData).to.equal(true);
    });

    it('names the permission set group and its member set as the source, and honours the group muting set', async () => {
      const o = await start('steady');
      const { org } = o.local;
      const member = org.insert('PermissionSet', { Name: 'Analytics', Label: 'Analytics', ...flags(VIEW_ALL_DATA) });
      const group = org.insert('PermissionSetGroup', { DeveloperName: 'Analysts', MasterLabel: 'Analysts' });
      org.insert('PermissionSetGroupComponent', { PermissionSetGroupId: group.Id, PermissionSetId: member.Id });
      org.insert('PermissionSetAssignment', { AssigneeId: o.userId, PermissionSetGroupId: group.Id });
      const r = await check(o);
      expect(r.code).to.equal(1);
      expect(sourcesOf(find(r, 'installOnly:user:ViewAllData'))).to.deep.equal(['permissionSetGroup:Analysts/Analytics']);
      expect(find(r, 'installOnly:user:ViewAllData')?.fixes.join('\n')).to.match(/Permission Set Groups > Analysts > Muting/);

      const muting = org.insert('MutingPermissionSet', { DeveloperName: 'Analysts_Muting', MasterLabel: 'Analysts Muting', PermissionsViewAllData: true });
      org.insert('PermissionSetGroupComponent', { PermissionSetGroupId: group.Id, PermissionSetId: muting.Id });
      const muted = await check(o);
      expect(find(muted, 'installOnly:user:ViewAllData'), 'muted').to.equal(undefined);
      // Muting is per permission: what the group still grants is still reported, with the group as its source.
      expect(sourcesOf(find(muted, 'installOnly:user:ViewSetup'))).to.deep.equal(['permissionSetGroup:Analysts/Analytics']);
      expect(muted.json?.result.users[0].muted.map((m) => `${m.key}:${m.mutingSet.name}`)).to.deep.equal([
        'ViewAllData:Analysts_Muting',
      ]);
    });

    it('names the profile as the source', async () => {
      const o = await start('steady');
      const { org } = o.local;
      const user = org.get('User', o.userId);
      const profileSet = org.query('PermissionSet', (p) => p.IsOwnedByProfile === true && p.ProfileId === user?.ProfileId)[0];
      org.update('PermissionSet', profileSet.Id, flags(VIEW_ALL_DATA));
      const r = await check(o, ['--user', o.username]);
      expect(r.code).to.equal(1);
      expect(sourcesOf(find(r, 'installOnly:user:ViewAllData'))).to.deep.equal([
        'profile:Minimum Access - API Only Integrations',
      ]);
      expect(find(r, 'installOnly:user:ViewAllData')?.fixes[0]).to.match(/^Setup > Profiles > Minimum Access - API Only Integrations/);
      // A profile is never edited: reduce reports it.
      const reduce = await o.sf.run<ReduceResult>(['instruqt', 'perms', 'reduce', '--target-org', o.alias, '--no-prompt', '--unassign-foreign', '--json']);
      expect(reduce.json?.result.plan.foreign.map((f) => f.source.kind)).to.include('profile');
      expect(reduce.code).to.equal(1);
      expect(org.get('PermissionSet', profileSet.Id)?.PermissionsViewAllData).to.equal(true);
    });
  });

  describe('a policy of your own', () => {
    it('is validated before use: a broken --policy file fails with every problem listed', async () => {
      const o = orgs[0] ?? (await start('steady'));
      const dir = mkdtempSync(join(tmpdir(), 'perms-policy-'));
      const policy = JSON.parse(readFileSync(join(repoRoot, 'policy', 'instruqt-integration.policy.json'), 'utf8')) as {
        required: { userPermissions: Array<{ workflows: string[] }> };
      };
      policy.required.userPermissions[0].workflows = ['no-such-workflow'];
      writeFileSync(join(dir, 'policy.json'), JSON.stringify(policy));
      const r = await check(o, ['--policy', join(dir, 'policy.json')]);
      expect(r.code).to.equal(1);
      expect(r.json?.name).to.equal('PolicyError');
      expect(JSON.stringify(r.json)).to.include('names unknown workflow \\"no-such-workflow\\"');
    });
  });

  describe('a required field permission removed', () => {
    it('is reported as missing with the workflow it breaks, also in the JUnit report', async () => {
      const o = await start('steady');
      const { org } = o.local;
      const email = org.query('FieldPermissions', (f) => f.ParentId === o.permissionSetId && f.Field === 'Lead.Email')[0];
      org.delete('FieldPermissions', email.Id);
      const junit = join(mkdtempSync(join(tmpdir(), 'perms-junit-')), 'perms.xml');
      const r = await check(o, ['--junit', junit]);
      expect(r.code).to.equal(1);
      const missing = find(r, 'missing:field:Lead.Email');
      expect(missing?.permission).to.include({ type: 'field', field: 'Lead.Email', access: 'Edit' });
      expect(missing?.workflows.map((w) => w.description)).to.include('Create Lead on form submission');
      expect(missing?.fixes.join('\n')).to.match(/sf instruqt perms reduce/);

      const xml = new XMLParser({ ignoreAttributes: false, isArray: (n: string): boolean => ['testsuite', 'testcase'].includes(n) }).parse(
        readFileSync(junit, 'utf8')
      ) as { testsuites: { testsuite: Array<{ '@_name': string; '@_failures': string; testcase: Array<{ '@_name': string; failure?: { '#text': string } }> }> } };
      const suite = xml.testsuites.testsuite[0];
      expect(suite['@_name']).to.equal(o.username);
      expect(suite['@_failures']).to.equal('1');
      const testcase = suite.testcase.find((c) => c['@_name'] === 'missing: Lead.Email (Edit)');
      expect(testcase?.failure?.['#text']).to.match(/Breaks: .*Create Lead on form submission/);
    });
  });
});
