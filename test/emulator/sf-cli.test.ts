/*
 * The real sf CLI against the local org, as a user types it (Salesforce CLI Command Reference: org login
 * access-token, org display, data query, data create record, data update record).
 */
import { expect } from 'chai';
import { startE2EOrg, type E2EOrg } from '../helpers/org.js';

type QueryJson = { totalSize: number; records: Array<Record<string, unknown>> };

describe('the real sf CLI against the local org', () => {
  let e2e: E2EOrg;

  before(async () => {
    e2e = await startE2EOrg();
  });
  after(() => e2e?.local.stop());

  it('sf org display shows the org Connected as its admin', async () => {
    const res = await e2e.sf.run<{ connectedStatus: string; username: string; id: string }>(['org', 'display', '-o', e2e.alias, '--json']);
    expect(res.code, res.stderr).to.equal(0);
    expect(res.json?.result).to.include({ connectedStatus: 'Connected', username: e2e.local.adminUsername, id: e2e.local.orgId });
  });

  it('sf data query reads a relationship field and filters with an IN list', async () => {
    const res = await e2e.sf.run<QueryJson>([
      'data',
      'query',
      '-q',
      "SELECT Id, Username, Profile.Name FROM User WHERE Alias IN ('admin', 'nobody')",
      '-o',
      e2e.alias,
      '--json',
    ]);
    expect(res.code, res.stderr).to.equal(0);
    expect(res.json?.result.totalSize).to.equal(1);
    const [admin] = res.json!.result.records;
    expect(admin.Username).to.equal(e2e.local.adminUsername);
    expect((admin.Profile as { Name: string }).Name).to.equal('System Administrator');
  });

  it('sf data create record and sf data update record write a Lead', async () => {
    const created = await e2e.sf.run<{ id: string }>(['data', 'create', 'record', '-s', 'Lead', '-v', "LastName=Lovelace Company='Analytical Engines'", '-o', e2e.alias, '--json']);
    expect(created.code, created.stdout).to.equal(0);
    const id = created.json!.result.id;
    expect(e2e.local.org.get('Lead', id)).to.include({ LastName: 'Lovelace', Company: 'Analytical Engines', Status: 'Open - Not Contacted' });
    const updated = await e2e.sf.run(['data', 'update', 'record', '-s', 'Lead', '-i', id, '-v', "Status='Working - Contacted'", '-o', e2e.alias, '--json']);
    expect(updated.code, updated.stdout).to.equal(0);
    expect(e2e.local.org.get('Lead', id)?.Status).to.equal('Working - Contacted');
  });

  it('shows the Salesforce error of a refused create', async () => {
    const res = await e2e.sf.run(['data', 'create', 'record', '-s', 'Lead', '-v', 'LastName=NoCompany', '-o', e2e.alias]);
    expect(res.code).to.equal(1);
    expect(res.stderr).to.include('Required fields are missing: [Company]');
  });
});
