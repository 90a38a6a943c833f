/*
 * Faults on demand (a contract other checks rely on): `--faults name=value,...` at start and PUT /local/faults
 * while running, each fault shaped as Salesforce answers it:
 * - unavailable: REST API Developer Guide, Status Codes and Error Responses (503: the server is unavailable)
 * - concurrent: Salesforce Developer Limits and Allocations Quick Reference, API Request Limits and Allocations
 *   (concurrent long-running requests: 403 REQUEST_LIMIT_EXCEEDED "ConcurrentPerOrgLongTxn Limit exceeded")
 * - lock: REST API Developer Guide, sObject Collections (per-record results, HTTP 200) and Composite (per
 *   subrequest); Bulk API 2.0 Developer Guide, Organize Data to Minimize Lock Contention and Get Job Failed Record
 *   Results (failed rows carry sf__Error; "any failed records must be resubmitted")
 * - expire: REST API Developer Guide, Status Codes and Error Responses (401 INVALID_SESSION_ID)
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { startLocalOrg, type LocalOrg } from '../../emulator/index.js';
import { parseFaultList } from '../../emulator/http/chaos.js';
import { apiFor, type Api, type ErrorBody, type SaveResult } from './http.js';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const accounts = (n: number, prefix = 'Acct'): Array<Record<string, unknown>> =>
  Array.from({ length: n }, (_, i) => ({ attributes: { type: 'Account' }, Name: `${prefix} ${i}` }));

describe('local org: faults on demand', () => {
  let local: LocalOrg;
  let api: Api;

  beforeEach(async () => {
    local = await startLocalOrg();
    api = apiFor(local);
  });
  afterEach(() => local.stop());

  const setFaults = (body: unknown, token = local.adminToken): Promise<Response> =>
    fetch(`${local.instanceUrl}/local/faults`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('PUT /local/faults switches faults on with the admin token, and {} switches them off', async () => {
    expect((await setFaults({ unavailable: 1 })).status).to.be.oneOf([200, 204]);
    const refused = await api.get<ErrorBody>('/limits');
    expect(refused.status).to.equal(503);
    expect(refused.body[0].errorCode).to.equal('SERVER_UNAVAILABLE');
    expect((await setFaults({})).status).to.be.oneOf([200, 204]);
    expect((await api.get('/limits')).status).to.equal(200);
  });

  it('refuses unknown fault names and out-of-range values, naming them, and any token but the admin', async () => {
    const unknown = await setFaults({ lightning: 0.5 });
    expect(unknown.status).to.equal(400);
    expect(JSON.stringify(await unknown.json())).to.include('lightning');
    const range = await setFaults({ lock: 2 });
    expect(range.status).to.equal(400);
    expect(JSON.stringify(await range.json())).to.include("'lock'");
    const userId = local.org.query('User', (u) => u.Id !== local.adminUserId && u.IsActive === true)[0]?.Id;
    if (typeof userId === 'string') expect((await setFaults({ lock: 1 }, local.tokenFor(userId))).status).to.equal(403);
  });

  it('never faults the OAuth endpoints or the versions list', async () => {
    local.setFaults({ unavailable: 1, drop: 1 });
    const token = await fetch(`${local.instanceUrl}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=refresh_token&refresh_token=unknown&client_id=x',
    });
    expect(token.status).to.not.equal(503);
    expect((await fetch(`${local.instanceUrl}/services/data`)).status).to.equal(200);
  });

  it('concurrent: 403 REQUEST_LIMIT_EXCEEDED "ConcurrentPerOrgLongTxn Limit exceeded", nothing done', async () => {
    local.setFaults({ concurrent: 1 });
    const refused = await api.post<ErrorBody>('/sobjects/Account', { Name: 'Never' });
    expect(refused.status).to.equal(403);
    expect(refused.body[0]).to.deep.include({ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'ConcurrentPerOrgLongTxn Limit exceeded.' });
    expect(local.org.query('Account', (a) => a.Name === 'Never')).to.have.length(0);
  });

  it('lock: Collections answer UNABLE_TO_LOCK_ROW per record, HTTP 200, and write only the others', async () => {
    local.setFaults({ lock: 0.5, seed: 11 });
    const res = await api.post<SaveResult[]>('/composite/sobjects', { allOrNone: false, records: accounts(40) });
    expect(res.status).to.equal(200);
    expect(res.body).to.have.length(40);
    const locked = res.body.filter((r) => !r.success);
    expect(locked.length).to.be.within(1, 39);
    for (const r of locked) expect(r.errors[0]).to.deep.include({ statusCode: 'UNABLE_TO_LOCK_ROW' });
    const written = new Set(local.org.query('Account', (a) => String(a.Name).startsWith('Acct ')).map((a) => a.Name));
    res.body.forEach((r, i) => expect(written.has(`Acct ${i}`), `record ${i}`).to.equal(r.success));
  });

  it('lock: a Composite write subrequest fails with UNABLE_TO_LOCK_ROW and is not applied', async () => {
    local.setFaults({ lock: 1 });
    const res = await api.post<{ compositeResponse: Array<{ httpStatusCode: number; body: ErrorBody }> }>('/composite', {
      allOrNone: false,
      compositeRequest: [{ method: 'POST', url: `/services/data/v${api.version}/sobjects/Account`, referenceId: 'a', body: { Name: 'Locked' } }],
    });
    expect(res.status).to.equal(200);
    expect(res.body.compositeResponse[0].httpStatusCode).to.equal(400);
    expect(res.body.compositeResponse[0].body[0].errorCode).to.equal('UNABLE_TO_LOCK_ROW');
    expect(local.org.query('Account', (a) => a.Name === 'Locked')).to.have.length(0);
  });

  it('lock: Bulk API 2.0 rows fail with UNABLE_TO_LOCK_ROW in failedResults and are not written', async () => {
    local.setFaults({ lock: 1 });
    const job = await api.post<{ id: string }>('/jobs/ingest', { object: 'Account', operation: 'insert', contentType: 'CSV', lineEnding: 'LF' });
    await api.call('PUT', `/jobs/ingest/${job.body.id}/batches`, 'Name\nBulk A\nBulk B\n', { 'Content-Type': 'text/csv' });
    await api.patch(`/jobs/ingest/${job.body.id}`, { state: 'UploadComplete' });
    let state = '';
    for (let i = 0; i < 100 && state !== 'JobComplete'; i++) {
      state = (await api.get<{ state: string }>(`/jobs/ingest/${job.body.id}`)).body.state;
      if (state !== 'JobComplete') await new Promise((r) => setTimeout(r, 10));
    }
    expect(state).to.equal('JobComplete');
    const failed = await api.call<string>('GET', `/jobs/ingest/${job.body.id}/failedResults/`, undefined, { Accept: 'text/csv' });
    const lines = String(failed.body).trim().split('\n');
    expect(lines).to.have.length(3);
    expect(lines[1]).to.match(/^"?"?,?"?UNABLE_TO_LOCK_ROW:/);
    expect(local.org.query('Account', (a) => String(a.Name).startsWith('Bulk '))).to.have.length(0);
  });

  it('drop: closes the connection unanswered; a write is applied about half of the time', async () => {
    local.setFaults({ drop: 1, seed: 5 });
    let dropped = 0;
    for (let i = 0; i < 12; i++) {
      await api.post('/sobjects/Account', { Name: `Dropped ${i}` }).catch(() => dropped++);
    }
    expect(dropped).to.equal(12);
    local.setFaults({});
    const applied = local.org.query('Account', (a) => String(a.Name).startsWith('Dropped ')).length;
    expect(applied).to.be.within(1, 11);
  });

  it('expire: a token answers INVALID_SESSION_ID after that many requests, and stays expired', async () => {
    local.setFaults({ expire: 2 });
    expect((await api.get('/limits')).status).to.equal(200);
    expect((await api.get('/limits')).status).to.equal(200);
    const expired = await api.get<ErrorBody>('/limits');
    expect(expired.status).to.equal(401);
    expect(expired.body[0].errorCode).to.equal('INVALID_SESSION_ID');
    local.setFaults({});
    expect((await api.get('/limits')).status).to.equal(401);
  });

  it('seed: the same seed gives the same faults for the same requests', async () => {
    const outcomes = async (): Promise<number[]> => {
      local.setFaults({ unavailable: 0.5, seed: 42 });
      const statuses: number[] = [];
      for (let i = 0; i < 16; i++) statuses.push((await api.get('/limits')).status);
      return statuses;
    };
    const first = await outcomes();
    expect(first).to.include(503).and.to.include(200);
    expect(await outcomes()).to.deep.equal(first);
  });

  it('npm run org -- --faults starts with faults on, and refuses a bad list naming the fault', async () => {
    const start = (faults: string): ReturnType<typeof spawn> =>
      spawn(process.execPath, ['--import', 'tsx', 'emulator/cli.ts', '--port', '0', '--json', '--faults', faults], {
        cwd: repo,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    // The list --faults reads (a bad one makes the command exit 2 with this message).
    expect(() => parseFaultList('lock=0.1,bogus=1')).to.throw(/bogus/);
    expect(() => parseFaultList('lock')).to.throw(/'lock' is not name=value/);
    expect(parseFaultList('lock=0.05,unavailable=0.02,drop=0.01,concurrent=0.01,seed=7')).to.deep.equal({
      lock: 0.05,
      unavailable: 0.02,
      drop: 0.01,
      concurrent: 0.01,
      seed: 7,
    });
    const child = start('unavailable=1,seed=3');
    try {
      let out = '';
      child.stdout?.setEncoding('utf8');
      while (!out.includes('\n')) {
        const [chunk] = (await once(child.stdout!, 'data')) as [string];
        out += chunk;
      }
      const info = JSON.parse(out.split('\n')[0]) as { instanceUrl: string; accessToken: string };
      const res = await fetch(`${info.instanceUrl}/services/data/v65.0/limits`, { headers: { Authorization: `Bearer ${info.accessToken}` } });
      expect(res.status).to.equal(503);
      const off = await fetch(`${info.instanceUrl}/local/faults`, {
        method: 'PUT',
        headers: { Authorization: `Bearer ${info.accessToken}`, 'Content-Type': 'application/json' },
        body: '{}',
      });
      expect(off.status).to.be.oneOf([200, 204]);
      expect((await fetch(`${info.instanceUrl}/services/data/v65.0/limits`, { headers: { Authorization: `Bearer ${info.accessToken}` } })).status).to.equal(200);
    } finally {
      child.kill('SIGTERM');
    }
    await once(child, 'exit');
  });
});
