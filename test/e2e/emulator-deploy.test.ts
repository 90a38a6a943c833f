/* eslint-disable camelcase -- Salesforce API names (Track_Slug__c...) are used as they are */
/*
 * End to end: force-app source deployed to the local org with the real `sf project deploy start` (and --dry-run),
 * read back with `sf data query`, `sf sobject describe` and `sf project retrieve start`, as a user would against
 * Salesforce (Salesforce CLI Command Reference: "project deploy start", "project retrieve start", "data query",
 * "sobject describe").
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { loginAs, startE2EOrg, type E2EOrg } from '../helpers/org.js';
import { repoRoot } from '../helpers/sf.js';

type DeployJson = {
  status: string;
  success: boolean;
  checkOnly: boolean;
  files: Array<{ state: string; type: string; fullName: string; error?: string }>;
  details?: { componentFailures?: Array<{ problem: string }> | { problem: string } };
};
type QueryJson = { totalSize: number; records: Array<Record<string, unknown>> };
type DescribeJson = { keyPrefix: string; label: string; fields: Array<{ name: string; type: string; length: number }> };

function projectCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'deploy-project-'));
  cpSync(join(repoRoot, 'test', 'fixtures', 'deploy-project'), dir, { recursive: true });
  return dir;
}

describe('sf project deploy start against the local org (e2e)', function () {
  this.timeout(300_000);
  let e2e: E2EOrg;
  before(async () => {
    e2e = await startE2EOrg({ deployStepMs: 20 });
  });
  after(async () => e2e?.local.stop());

  const sf = <T>(args: string[], cwd?: string): Promise<{ code: number; json?: { status: number; result: T; message?: string } }> =>
    e2e.sf.run<T>([...args, '--target-org', e2e.alias, '--json'], { cwd });

  it('validates with --dry-run without changing the org', async () => {
    const res = await sf<DeployJson>(['project', 'deploy', 'start', '--dry-run'], projectCopy());
    expect(res.code, JSON.stringify(res.json)).to.equal(0);
    expect(res.json?.result).to.include({ status: 'Succeeded', checkOnly: true });
    expect(e2e.local.org.getObject('Instruqt_Track__c')).to.equal(undefined);
    expect(e2e.local.org.query('PermissionSet', (p) => p.Name === 'Deploy_Fixture')).to.have.length(0);
  });

  it('fails a deploy that breaks a permission dependency, with the dependency message, and changes nothing', async () => {
    const dir = projectCopy();
    writeFileSync(
      join(dir, 'force-app', 'main', 'default', 'permissionsets', 'Broken.permissionset-meta.xml'),
      '<?xml version="1.0" encoding="UTF-8"?>\n<PermissionSet xmlns="http://soap.sforce.com/2006/04/metadata">\n' +
        '    <label>Broken</label>\n    <userPermissions>\n        <enabled>true</enabled>\n        <name>ModifyMetadata</name>\n' +
        '    </userPermissions>\n</PermissionSet>\n'
    );
    const res = await sf<DeployJson>(['project', 'deploy', 'start'], dir);
    expect(res.code).to.equal(1);
    expect(JSON.stringify(res.json)).to.include('Permission ModifyMetadata depends on permission(s): ViewSetup');
    expect(e2e.local.org.getObject('Instruqt_Track__c')).to.equal(undefined);
    expect(e2e.local.org.query('PermissionSet', (p) => p.Name === 'Deploy_Fixture' || p.Name === 'Broken')).to.have.length(0);
  });

  it('deploys objects, fields, a permission set and a layout, then reads them back with sf data query and sf sobject describe', async () => {
    const res = await sf<DeployJson>(['project', 'deploy', 'start'], projectCopy());
    expect(res.code, JSON.stringify(res.json)).to.equal(0);
    expect(res.json?.result.status).to.equal('Succeeded');
    expect(res.json?.result.files.map((f) => `${f.state} ${f.type} ${f.fullName}`)).to.include.members([
      'Created CustomObject Instruqt_Track__c',
      'Created CustomField Instruqt_Track__c.Track_Slug__c',
      'Created CustomField Lead.Instruqt_Source__c',
      'Created PermissionSet Deploy_Fixture',
      'Created Layout Instruqt_Track__c-Instruqt Track Layout',
    ]);

    const describe = await sf<DescribeJson>(['sobject', 'describe', '--sobject', 'Instruqt_Track__c']);
    expect(describe.code).to.equal(0);
    expect(describe.json?.result.label).to.equal('Instruqt Track');
    expect(describe.json?.result.keyPrefix).to.match(/^a\w{2}$/);
    const fields = Object.fromEntries((describe.json?.result.fields ?? []).map((f) => [f.name, f.type]));
    expect(fields).to.include({ Name: 'string', Track_Slug__c: 'string', Score__c: 'double', Lead__c: 'reference', OwnerId: 'reference' });

    const ps = await sf<QueryJson>(['data', 'query', '--query', "SELECT Id, Label, PermissionsApiEnabled FROM PermissionSet WHERE Name = 'Deploy_Fixture'"]);
    expect(ps.json?.result.records[0]).to.include({ Label: 'Deploy Fixture', PermissionsApiEnabled: true });
    const psId = String(ps.json?.result.records[0].Id);
    const fls = await sf<QueryJson>([
      'data',
      'query',
      '--query',
      `SELECT Field, PermissionsRead, PermissionsEdit FROM FieldPermissions WHERE ParentId = '${psId}' ORDER BY Field`,
    ]);
    expect(fls.json?.result.records.map((r) => [r.Field, r.PermissionsRead, r.PermissionsEdit])).to.deep.equal([
      ['Instruqt_Track__c.Track_Slug__c', true, true],
      ['Lead.Instruqt_Source__c', true, false],
    ]);
  });

  it('retrieves the permission set as REST left it and the layout as deployed (sf project retrieve start)', async () => {
    const { org } = e2e.local;
    const ps = org.query('PermissionSet', (p) => p.Name === 'Deploy_Fixture')[0];
    org.update('PermissionSet', ps.Id, { PermissionsViewSetup: true });
    const dir = projectCopy();
    rmSync(join(dir, 'force-app', 'main', 'default', 'permissionsets'), { recursive: true });
    const res = await sf<DeployJson>(
      ['project', 'retrieve', 'start', '--metadata', 'PermissionSet:Deploy_Fixture', '--metadata', 'Layout:Instruqt_Track__c-Instruqt Track Layout'],
      dir
    );
    expect(res.code, JSON.stringify(res.json)).to.equal(0);
    const retrieved = readFileSync(join(dir, 'force-app', 'main', 'default', 'permissionsets', 'Deploy_Fixture.permissionset-meta.xml'), 'utf8');
    expect(retrieved).to.include('<name>ViewSetup</name>').and.include('<field>Lead.Instruqt_Source__c</field>');
    const layoutPath = join('force-app', 'main', 'default', 'layouts', 'Instruqt_Track__c-Instruqt Track Layout.layout-meta.xml');
    expect(readFileSync(join(dir, layoutPath), 'utf8')).to.equal(readFileSync(join(repoRoot, 'test', 'fixtures', 'deploy-project', layoutPath), 'utf8'));
  });

  it('lets a user holding only the deployed permission set do what it allows and nothing else', async () => {
    const { org } = e2e.local;
    const profile = org.query('Profile', (p) => p.Name === 'Minimum Access - API Only Integrations')[0];
    const username = `deploy-e2e-${Date.now()}@example.test`;
    const user = org.insert('User', {
      Username: username,
      Email: username,
      LastName: 'Integration',
      Alias: 'integ',
      TimeZoneSidKey: 'GMT',
      LocaleSidKey: 'en_US',
      EmailEncodingKey: 'UTF-8',
      LanguageLocaleKey: 'en_US',
      ProfileId: profile.Id,
    });
    const ps = org.query('PermissionSet', (p) => p.Name === 'Deploy_Fixture')[0];
    org.insert('PermissionSetAssignment', { AssigneeId: user.Id, PermissionSetId: ps.Id });
    const alias = await loginAs(e2e, user.Id);
    const run = <T>(args: string[]): ReturnType<typeof e2e.sf.run<T>> => e2e.sf.run<T>([...args, '--target-org', alias, '--json']);

    const created = await run(['data', 'create', 'record', '--sobject', 'Instruqt_Track__c', '--values', 'Name=Intro Track_Slug__c=intro']);
    expect(created.code, created.stdout).to.equal(0);
    const tracks = await run<QueryJson>(['data', 'query', '--query', 'SELECT Name, Track_Slug__c FROM Instruqt_Track__c']);
    expect(tracks.json?.result.records[0]).to.include({ Name: 'Intro', Track_Slug__c: 'intro' });
    const hidden = await run(['data', 'query', '--query', 'SELECT Score__c FROM Instruqt_Track__c']);
    expect(hidden.code).to.equal(1);
    expect(hidden.stdout).to.include('INVALID_FIELD');
    const leads = await run(['data', 'query', '--query', 'SELECT Id FROM Lead']);
    expect(leads.code).to.equal(1);
    expect(leads.stdout).to.include('INVALID_TYPE');
  });
});
