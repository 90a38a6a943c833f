/*
 * Bulk API 2.0 through the client against the local org. Rows a job refuses with UNABLE_TO_LOCK_ROW were not
 * written and must be resubmitted (Bulk API 2.0 Developer Guide: General Guidelines for Data Loads, Organize Data to
 * Minimize Lock Contention); the local org's `lock` fault produces them in the job's failedResults.
 */
import { expect } from 'chai';
import { startLocalOrg, type LocalOrg } from '../../emulator/index.js';
import { Bulk2 } from '../../src/salesforce/bulk2.js';
import { clientAs } from '../helpers/connection.js';

describe('Bulk API 2.0 ingest', () => {
  let local: LocalOrg;
  beforeEach(async () => {
    local = await startLocalOrg();
  });
  afterEach(async () => local.stop());

  it('sends rows refused with UNABLE_TO_LOCK_ROW again in a new job until every row is written once', async () => {
    const client = await clientAs(local.instanceUrl, local.adminToken);
    const bulk = new Bulk2(client, { pollMs: 5, pollMaxMs: 20 });
    local.setFaults({ lock: 0.3, seed: 9 });
    const jobs: string[] = [];
    const records = Array.from({ length: 60 }, (_, i) => ({ Name: `Bulk Co ${i}`, Description: i % 2 ? "O'Hara, \"quoted\"" : null }));
    const result = await bulk.ingest('Account', 'insert', records, { onJob: (id) => void jobs.push(id) });
    expect(result.failed).to.deep.equal([]);
    expect(result.successful).to.have.length(60);
    expect(jobs.length).to.be.greaterThan(1);
    const names = local.org.query('Account', (a) => String(a.Name).startsWith('Bulk Co ')).map((a) => String(a.Name));
    expect(names.sort()).to.deep.equal(records.map((r) => r.Name).sort());
    expect(local.org.query('Account', (a) => a.Name === 'Bulk Co 1')[0].Description).to.equal("O'Hara, \"quoted\"");
  });

  it('reports rows still locked after its retries as failed, with the lock error', async () => {
    const client = await clientAs(local.instanceUrl, local.adminToken);
    const bulk = new Bulk2(client, { pollMs: 5, pollMaxMs: 20, lockRetries: 1 });
    local.setFaults({ lock: 1 });
    const result = await bulk.ingest('Account', 'insert', [{ Name: 'Always Locked' }]);
    expect(result.failed).to.have.length(1);
    expect(result.failed[0].sf__Error).to.match(/^UNABLE_TO_LOCK_ROW/);
    expect(result.failed[0].Name).to.equal('Always Locked');
    expect(local.org.query('Account', (a) => a.Name === 'Always Locked')).to.have.length(0);
  });
});
