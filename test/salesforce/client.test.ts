import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
// eslint-disable-next-line import/no-extraneous-dependencies -- jsforce's own refresh delegate, as @salesforce/core installs it
import { SessionRefreshDelegate } from '@jsforce/jsforce-node/lib/session-refresh-delegate.js';
import { startLocalOrg, type LocalOrg } from '../../emulator/index.js';
import { BudgetExceededError, DailyLimitError, SalesforceClient } from '../../src/salesforce/client.js';
import { SalesforceApiError } from '../../src/salesforce/errors.js';
import { soqlLiteral } from '../../src/salesforce/soql.js';
import { clientAs, connectAs } from '../helpers/connection.js';

describe('SalesforceClient, the one door to the org', () => {
  let local: LocalOrg;
  beforeEach(async () => {
    local = await startLocalOrg();
  });
  afterEach(async () => local.stop());

  it('reads every page of a query larger than one 2,000-record batch', async () => {
    const client = await clientAs(local.instanceUrl, local.adminToken);
    const leads = Array.from({ length: 2500 }, (_, i) => ({ LastName: `L${i}`, Company: 'Acme', Email: `l${i}@example.com` }));
    const results = await client.insert('Lead', leads);
    expect(results.every((r) => r.success)).to.equal(true);
    expect(client.apiCalls).to.equal(13); // 2,500 records in collections of 200
    const rows = await client.query<{ Email: string }>("SELECT Email FROM Lead WHERE Company = 'Acme'");
    expect(rows).to.have.length(2500);
    expect(new Set(rows.map((r) => r.Email)).size).to.equal(2500);
  });

  it('returns per-record errors of a collection instead of failing the batch', async () => {
    const client = await clientAs(local.instanceUrl, local.adminToken);
    const results = await client.insert('Lead', [{ LastName: 'Ok', Company: 'Acme' }, { LastName: 'NoCompany' }]);
    expect(results[0].success).to.equal(true);
    expect(results[1].success).to.equal(false);
    expect(results[1].errors[0].statusCode).to.equal('REQUIRED_FIELD_MISSING');
    expect(local.org.query('Lead', (r) => r.LastName === 'Ok')).to.have.length(1);
  });

  it('finds a person whose email has an apostrophe and mixed case', async () => {
    const client = await clientAs(local.instanceUrl, local.adminToken);
    await client.insert('Contact', [{ LastName: "O'Hara", Email: "Grace.O'Hara@Example.com" }]);
    const rows = await client.query(`SELECT Id FROM Contact WHERE Email = ${soqlLiteral("grace.o'hara@example.com")}`);
    expect(rows).to.have.length(1);
  });

  it('retries a call refused with UNABLE_TO_LOCK_ROW and with 503, then succeeds', async () => {
    const client = await clientAs(local.instanceUrl, local.adminToken);
    local.injectFault({ kind: 'UNABLE_TO_LOCK_ROW', method: 'PATCH', times: 1 });
    local.injectFault({ kind: '503', method: 'POST', times: 1 });
    const created = await client.insert('Account', [{ Name: 'Locked Co' }]);
    expect(created[0].success).to.equal(true);
    await client.update('Account', [{ Id: created[0].id, Name: 'Renamed Co' }]);
    expect(local.org.query('Account', (r) => r.Name === 'Renamed Co')).to.have.length(1);
    expect(local.org.query('Account', (r) => r.Name === 'Locked Co')).to.have.length(0);
  });

  it('retries a query whose connection dropped', async () => {
    const client = await clientAs(local.instanceUrl, local.adminToken);
    local.injectFault({ kind: 'drop', method: 'GET', times: 2 });
    const rows = await client.query('SELECT Id FROM User');
    expect(rows.length).to.be.greaterThan(0);
  });

  it('repeats a write refused with 403 ConcurrentPerOrgLongTxn (nothing was done), so each record is created once', async () => {
    const client = await clientAs(local.instanceUrl, local.adminToken, { maxRetries: 8 });
    local.setFaults({ concurrent: 0.4, unavailable: 0.2, seed: 4 });
    for (let i = 0; i < 8; i++) await client.create('Account', { Name: `Busy ${i}` });
    local.setFaults({});
    const names = local.org.query('Account', (a) => String(a.Name).startsWith('Busy ')).map((a) => a.Name);
    expect(names).to.have.length(8);
    expect(new Set(names).size).to.equal(8);
    expect(client.apiCalls).to.be.greaterThan(8);
  });

  it('stops at the daily API limit (403 TotalRequests Limit exceeded) with a DailyLimitError, without repeating', async () => {
    const client = await clientAs(local.instanceUrl, local.adminToken);
    local.org.options.dailyApiLimit = local.apiCalls() + 1;
    await client.query('SELECT Id FROM User');
    const before = client.apiCalls;
    try {
      await client.query('SELECT Id FROM Profile');
      expect.fail('the daily limit was not reported');
    } catch (error) {
      expect(error).to.be.instanceOf(DailyLimitError);
      expect((error as DailyLimitError).message).to.include('TotalRequests Limit exceeded');
    }
    expect(client.apiCalls).to.equal(before + 1);
  });

  it('counts Metadata API calls made through the same connection', async () => {
    const client = await clientAs(local.instanceUrl, local.adminToken);
    await client.conn.metadata.list({ type: 'CustomObject' }, client.apiVersion);
    expect(client.apiCalls).to.equal(1);
    expect(client.apiCalls).to.equal(local.apiCalls());
  });

  it('follows a session refresh to a moved instance URL (the old instance refuses the session)', async () => {
    // The old instance: every request is refused with 401 INVALID_SESSION_ID.
    const old = http.createServer((req, res) => {
      req.resume();
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]));
    });
    await new Promise<void>((resolve) => old.listen(0, '127.0.0.1', resolve));
    try {
      const oldUrl = `http://127.0.0.1:${(old.address() as AddressInfo).port}`;
      const conn = await connectAs(local.instanceUrl, local.adminToken);
      conn.getAuthInfo().update({ instanceUrl: oldUrl, accessToken: 'stale-token' });
      conn.instanceUrl = oldUrl;
      conn.accessToken = 'stale-token';
      // What the sf CLI's refresh does: new token and instance URL into the auth info, the token to jsforce.
      // eslint-disable-next-line no-underscore-dangle -- the delegate jsforce consults on a 401
      conn._refreshDelegate = new SessionRefreshDelegate(conn, (c, callback) => {
        conn.getAuthInfo().update({ instanceUrl: local.instanceUrl, accessToken: local.adminToken });
        callback(null, local.adminToken);
      });
      const client = new SalesforceClient(conn, { baseDelayMs: 5 });
      const rows = await client.query('SELECT Id FROM User');
      expect(rows.length).to.be.greaterThan(0);
      expect(conn.instanceUrl).to.equal(local.instanceUrl);
      expect(client.instanceUrl).to.equal(local.instanceUrl);
    } finally {
      old.close();
    }
  });

  it('surfaces an expired session it cannot refresh as INVALID_SESSION_ID', async () => {
    const client = await clientAs(local.instanceUrl, local.adminToken);
    local.injectFault({ kind: 'expire-session', times: 1 });
    try {
      await client.query('SELECT Id FROM User');
      expect.fail('the expired session was not reported');
    } catch (error) {
      expect(error).to.be.instanceOf(SalesforceApiError);
      expect((error as SalesforceApiError).errorCode).to.equal('INVALID_SESSION_ID');
    }
  });

  it('stops before a call that would exceed its API budget', async () => {
    const client = await clientAs(local.instanceUrl, local.adminToken, { maxApiCalls: 2 });
    await client.query('SELECT Id FROM User');
    await client.query('SELECT Id FROM Profile');
    const before = local.apiCalls();
    try {
      await client.query('SELECT Id FROM Lead');
      expect.fail('the budget was not enforced');
    } catch (error) {
      expect(error).to.be.instanceOf(BudgetExceededError);
    }
    expect(local.apiCalls()).to.equal(before);
  });

  it('reads the org API usage from Sforce-Limit-Info', async () => {
    const client = await clientAs(local.instanceUrl, local.adminToken);
    await client.query('SELECT Id FROM User');
    expect(client.apiUsage?.max).to.equal(100_000);
    expect(client.apiUsage?.used).to.be.greaterThan(0);
  });
});
