/*
 * sf instruqt install end to end: the real sf CLI, this plugin linked, against a local org. The org state is checked
 * the way an admin would, with `sf data query`; idempotence by the org's own records and API counter.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { Ajv } from 'ajv';
import { makeUser } from '../helpers/users.js';
import { startE2EOrg, loginAs, type E2EOrg } from '../helpers/org.js';
import { repoRoot, type SfResult } from '../helpers/sf.js';
import type { InstallResult } from '../../src/install/types.js';
import type { AuditResult } from '../../src/perms/index.js';

type ErrorJson = { status: number; name: string; message: string; actions?: string[]; data?: InstallResult };

const schema = (name: string): object => JSON.parse(readFileSync(join(repoRoot, 'schemas', name), 'utf8')) as object;
const validate = new Ajv({ allErrors: true, strict: false })
  .addSchema(schema('instruqt-perms-check.json'))
  .compile(schema('instruqt-install.json'));

async function installCmd(o: E2EOrg, extra: string[] = [], alias = o.alias): Promise<SfResult<InstallResult>> {
  return o.sf.run<InstallResult>(['instruqt', 'install', '--target-org', alias, '--json', ...extra], { timeoutMs: 180_000 });
}

const errorOf = (r: SfResult<InstallResult>): ErrorJson => r.json as unknown as ErrorJson;

async function query<T = Record<string, unknown>>(o: E2EOrg, soql: string): Promise<T[]> {
  const r = await o.sf.run<{ records: T[] }>(['data', 'query', '--target-org', o.alias, '--query', soql, '--json']);
  expect(r.code, r.stdout + r.stderr).to.equal(0);
  return r.json?.result.records ?? [];
}

/** Everything install could write, as one string: equal before and after means no write happened. */
function fingerprint(o: E2EOrg): string {
  const objects = ['User', 'PermissionSet', 'PermissionSetAssignment', 'PermissionSetLicenseAssign', 'ObjectPermissions', 'FieldPermissions'];
  return JSON.stringify({
    schema: o.local.org
      .listObjects()
      .map((d) => `${d.name}:${[...d.fields.keys()].sort().join(',')}`)
      .sort(),
    records: objects.map((name) => o.local.org.query(name)),
  });
}

describe('sf instruqt install (e2e)', function () {
  this.timeout(600_000);
  const orgs: E2EOrg[] = [];
  const start = async (options: Parameters<typeof startE2EOrg>[0] = {}): Promise<E2EOrg> => {
    const o = await startE2EOrg(options);
    orgs.push(o);
    return o;
  };
  after(async () => {
    await Promise.all(orgs.map((o) => o.local.stop()));
  });

  describe('a fresh org', () => {
    let o: E2EOrg;
    let first: SfResult<InstallResult>;

    before(async () => {
      o = await start();
      first = await installCmd(o);
    });

    it('installs with exit 0 and a result that matches its JSON schema', () => {
      expect(first.code, first.stdout + first.stderr).to.equal(0);
      const valid = validate(first.json?.result);
      expect(validate.errors ?? [], JSON.stringify(validate.errors)).to.deep.equal([]);
      expect(valid).to.equal(true);
      expect(first.json?.result.stages.map((s) => `${s.name}:${s.status}`)).to.deep.equal([
        'plan:done',
        'deploy:done',
        'user:done',
        'assign:done',
        'wait:done',
        'converge:unchanged',
        'verify:unchanged',
      ]);
    });

    it('creates an active integration user with the Salesforce Integration licence and API-only profile', async () => {
      const username = first.json?.result.user?.username ?? '';
      const [user] = await query<{ IsActive: boolean; Profile: { Name: string; UserLicense: { Name: string } } }>(
        o,
        `SELECT Id, IsActive, Profile.Name, Profile.UserLicense.Name FROM User WHERE Username = '${username}'`
      );
      expect(user.IsActive).to.equal(true);
      expect(user.Profile.Name).to.equal('Minimum Access - API Only Integrations');
      expect(user.Profile.UserLicense.Name).to.equal('Salesforce Integration');
    });

    it('assigns the Salesforce API Integration PSL and the Instruqt_Integration permission set', async () => {
      const id = first.json?.result.user?.id ?? '';
      const psl = await query(o, `SELECT Id FROM PermissionSetLicenseAssign WHERE AssigneeId = '${id}' AND PermissionSetLicense.MasterLabel = 'Salesforce API Integration'`);
      expect(psl).to.have.length(1);
      const ps = await query(o, `SELECT Id FROM PermissionSetAssignment WHERE AssigneeId = '${id}' AND PermissionSet.Name = 'Instruqt_Integration'`);
      expect(ps).to.have.length(1);
    });

    it('deploys both objects with their fields', async () => {
      await query(o, 'SELECT Id, Name, Track_Slug__c FROM Instruqt_Track__c');
      await query(
        o,
        'SELECT Id, Name, Contact__c, Lead__c, Instruqt_Track__c, Feedback__c, Invitation_Link__c, Participant_ID__c, ' +
          'Score__c, Time_Spent__c, Time_Spent_Seconds__c, Play_ID__c, User_ID__c FROM Instruqt_Play__c'
      );
      const fields = await query<{ Field: string; PermissionsEdit: boolean }>(
        o,
        "SELECT Field, PermissionsEdit FROM FieldPermissions WHERE Parent.Name = 'Instruqt_Integration' AND SobjectType = 'Instruqt_Play__c'"
      );
      expect(fields.map((f) => f.Field)).to.have.length(11);
      expect(fields.every((f) => f.PermissionsEdit)).to.equal(true);
    });

    it('leaves no forbidden or install-time permission on the integration permission set', async () => {
      const [ps] = await query(
        o,
        'SELECT PermissionsViewAllData, PermissionsModifyAllData, PermissionsCustomizeApplication, PermissionsModifyMetadata, ' +
          "PermissionsViewSetup, PermissionsManageUsers FROM PermissionSet WHERE Name = 'Instruqt_Integration'"
      );
      expect(Object.entries(ps).filter(([k, v]) => k.startsWith('Permissions') && v !== false)).to.deep.equal([]);
      const audit = first.json?.result.audit as AuditResult;
      expect(audit.verdict).to.equal('pass');
      expect(audit.summary).to.include({ forbidden: 0, installOnly: 0, missing: 0 });
    });

    it('stays within 30 API calls besides deploy polling', () => {
      const calls = first.json?.result.apiCalls;
      expect((calls?.total ?? 99) - (calls?.deployPolls ?? 0)).to.be.at.most(30);
    });

    it('changes nothing the second time: no write, at most 10 API calls', async () => {
      const before = fingerprint(o);
      o.local.resetApiCalls();
      const again = await installCmd(o);
      expect(again.code, again.stdout + again.stderr).to.equal(0);
      expect(fingerprint(o)).to.equal(before);
      const result = again.json?.result;
      expect(result?.apiCalls.writes).to.equal(0);
      expect(result?.apiCalls.total).to.be.at.most(10);
      // The org counts every call of the run, the CLI's own included.
      expect(o.local.apiCalls()).to.be.at.least(result?.apiCalls.total ?? 0);
      expect(result?.stages.filter((s) => s.name !== 'plan').every((s) => s.status === 'unchanged')).to.equal(true);
    });

    it('shows the plan and the stages to a person', async () => {
      const human = await o.sf.run(['instruqt', 'install', '--target-org', o.alias]);
      expect(human.code, human.stderr).to.equal(0);
      const out = human.stdout + human.stderr;
      expect(out).to.include('Plan for');
      expect(out).to.include('production');
      for (const stage of ['Deploy footprint', 'Integration user', 'Converge to least privilege', 'Verify']) {
        expect(out).to.include(stage);
      }
      expect(out).to.include('Nothing to change');
    });

    it('reactivates an inactive integration user only with --no-prompt when nobody can answer', async () => {
      const id = first.json?.result.user?.id ?? '';
      o.local.org.update('User', id, { IsActive: false });
      const refused = await installCmd(o);
      expect(refused.code).to.equal(1);
      expect(errorOf(refused).name).to.equal('UserInactiveError');
      expect(errorOf(refused).actions?.join(' ')).to.include('--no-prompt');
      const reactivated = await installCmd(o, ['--no-prompt']);
      expect(reactivated.code, reactivated.stdout).to.equal(0);
      const [user] = await query<{ IsActive: boolean }>(o, `SELECT IsActive FROM User WHERE Id = '${id}'`);
      expect(user.IsActive).to.equal(true);
    });
  });

  it('--dry-run plans and validates without writing', async () => {
    const o = await start();
    const before = fingerprint(o);
    const r = await installCmd(o, ['--dry-run']);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(fingerprint(o)).to.equal(before);
    expect(r.json?.result.deploy).to.include({ checkOnly: true, success: true });
    expect(r.json?.result.apiCalls.writes).to.equal(0);
    expect(r.json?.result.plan?.footprint.changes).to.include('create object Instruqt_Play__c (11 fields)');
  });

  it('an activation delay longer than --wait fails with the resume advice (exit 68); a re-run finishes', async () => {
    const o = await start({ activationDelayMs: 8000 });
    const started = Date.now();
    const r = await installCmd(o, ['--wait', '0']);
    expect(r.code).to.equal(68);
    const error = errorOf(r);
    expect(error.name).to.equal('ObjectsNotUsableError');
    expect(error.message).to.include('not usable within 0 minute');
    expect(error.actions?.join(' ')).to.include(`sf instruqt install -o ${o.local.adminUsername}`);
    expect(error.data?.stages.at(-1)).to.include({ name: 'wait', status: 'failed' });
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 8000 - (Date.now() - started))));
    const again = await installCmd(o);
    expect(again.code, again.stdout + again.stderr).to.equal(0);
    expect(again.json?.result.plan?.footprint.deploy).to.equal(false);
  });

  it('a failing deploy lists the component failure and leaves the org unchanged', async () => {
    const o = await start();
    // Stands in for any component Salesforce refuses: a permission set cannot grant access to a required field.
    const title = o.local.org.getObject('Lead')?.fields.get('title');
    if (!title) throw new Error('Lead.Title missing');
    o.local.org.defineField('Lead', { ...title, nillable: false });
    const before = fingerprint(o);
    const r = await installCmd(o);
    expect(r.code).to.equal(1);
    const error = errorOf(r);
    expect(error.name).to.equal('DeployFailedError');
    expect(error.message).to.include('PermissionSet Instruqt_Integration: You cannot deploy to a required field: Lead.Title');
    expect(error.message).to.include('nothing was changed');
    expect(fingerprint(o)).to.equal(before);
  });

  describe('admin errors, each with its message and fix', () => {
    it('no free Salesforce Integration licence', async () => {
      const o = await start();
      for (let i = 0; i < 5; i++) makeUser(o.local.org, 'Minimum Access - API Only Integrations');
      const r = await installCmd(o);
      expect(r.code).to.equal(1);
      expect(errorOf(r)).to.include({ name: 'NoFreeIntegrationLicenceError' });
      expect(errorOf(r).message).to.include('No Salesforce Integration user licence is free');
      expect(errorOf(r).actions?.join(' ')).to.include('--profile');
    });

    it('username taken (DUPLICATE_USERNAME)', async () => {
      const other = await start();
      const takenId = makeUser(other.local.org, 'Standard User');
      const taken = String(other.local.org.get('User', takenId)?.Username);
      const o = await start();
      const r = await installCmd(o, ['--username', taken, '--no-prompt']);
      expect(r.code).to.equal(68);
      expect(errorOf(r).name).to.equal('DuplicateUsernameError');
      expect(errorOf(r).message).to.include(`The username ${taken} is already taken`);
      expect(errorOf(r).actions?.join(' ')).to.include('--username');
    });

    it('running user lacks Modify Metadata', async () => {
      const o = await start();
      const alias = await loginAs(o, makeUser(o.local.org, 'Standard User', ['ViewSetup', 'ManageUsers']));
      const r = await installCmd(o, [], alias);
      expect(r.code).to.equal(1);
      expect(errorOf(r).name).to.equal('MissingModifyMetadataError');
      expect(errorOf(r).message).to.include('Modify Metadata Through Metadata API Functions');
    });

    it('running user lacks Manage Users', async () => {
      const o = await start();
      const alias = await loginAs(o, makeUser(o.local.org, 'Standard User', ['ViewSetup', 'ModifyMetadata']));
      const r = await installCmd(o, [], alias);
      expect(r.code).to.equal(1);
      expect(errorOf(r).name).to.equal('MissingManageUsersError');
      expect(errorOf(r).message).to.include('"Manage Users" is missing');
    });

    it('API disabled', async () => {
      const o = await start();
      const userId = makeUser(o.local.org, 'Standard User');
      const alias = await loginAs(o, userId);
      const { org } = o.local;
      const profileSet = org.query('PermissionSet', (p) => p.ProfileId === org.get('User', userId)?.ProfileId)[0];
      org.update('PermissionSet', profileSet.Id, { PermissionsApiEnabled: false });
      const r = await installCmd(o, [], alias);
      expect(r.code).to.equal(1);
      expect(errorOf(r).name).to.equal('ApiDisabledError');
      expect(errorOf(r).actions?.join(' ')).to.include('API Enabled');
    });
  });

  it('sf project deploy start -d force-app deploys the footprint on its own', async () => {
    const o = await start();
    const r = await o.sf.run(['project', 'deploy', 'start', '--source-dir', 'force-app', '--target-org', o.alias, '--json'], {
      cwd: repoRoot,
      timeoutMs: 180_000,
    });
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    const [ps] = await query<{ Label: string }>(o, "SELECT Label FROM PermissionSet WHERE Name = 'Instruqt_Integration'");
    expect(ps.Label).to.equal('Instruqt Integration');
    expect(o.local.org.getObject('Instruqt_Play__c')?.fields.size).to.be.greaterThan(10);
  });
});
