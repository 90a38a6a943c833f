/*
 * Conformance: where Salesforce refuses what a lenient stand-in would accept. Each rule names the documentation page
 * it follows; the requests go through the plugin's own SalesforceClient as the integration user or the admin.
 */
import { expect } from 'chai';
import { SalesforceClient } from '../../src/salesforce/client.js';
import { connectAs } from '../helpers/connection.js';
import { Bulk2 } from '../../src/salesforce/bulk2.js';
import { SalesforceApiError } from '../../src/salesforce/errors.js';
import { makeUser } from '../helpers/users.js';
import { clientFor, seedPerson, startSyncOrg, type SyncOrg } from '../sync/org-fixture.js';

const post = (o: SyncOrg, parentId: string, body: string): void => {
  o.local.org.insert('FeedItem', { ParentId: parentId, Body: body, Type: 'TextPost' });
};

describe('local org: Salesforce strictness', function () {
  this.timeout(60_000);
  let o: SyncOrg;
  before(async () => {
    o = await startSyncOrg();
  });
  after(async () => o.stop());

  describe('Object Reference for the Salesforce Platform: FeedItem and the record feeds LeadFeed / ContactFeed', () => {
    it('refuses FeedItem filtered by ParentId to a user without View All Data: "FeedItem requires a filter by Id"', async () => {
      const lead = seedPerson(o.local, 'Lead', { LastName: 'Feed', Email: 'feed@example.com' });
      post(o, lead.Id, 'hello');
      const client = await o.client();
      const refused = await client.query(`SELECT Id, Body FROM FeedItem WHERE ParentId = '${lead.Id}'`).catch((e: unknown) => e);
      expect(refused).to.be.instanceOf(SalesforceApiError);
      expect(refused).to.include({ status: 400, errorCode: 'MALFORMED_QUERY', message: 'Implementation restriction: FeedItem requires a filter by Id' });
    });

    it('answers FeedItem filtered by Id to that user, and any FeedItem query to a user with View All Data', async () => {
      const lead = seedPerson(o.local, 'Lead', { LastName: 'Feed2', Email: 'feed2@example.com' });
      post(o, lead.Id, 'by id');
      const [item] = o.records('FeedItem').filter((f) => f.ParentId === lead.Id);
      const client = await o.client();
      const byId = await client.query<{ Body: string }>(`SELECT Id, Body FROM FeedItem WHERE Id IN ('${item.Id}')`);
      expect(byId.map((r) => r.Body)).to.deep.equal(['by id']);
      const admin = await clientFor(o.local.instanceUrl, o.local.adminToken);
      const all = await admin.query<{ Body: string }>(`SELECT Id, Body FROM FeedItem WHERE ParentId = '${lead.Id}'`);
      expect(all.map((r) => r.Body)).to.deep.equal(['by id']);
    });

    it('reads the posts of Leads through LeadFeed and of Contacts through ContactFeed, filtered by ParentId', async () => {
      const lead = seedPerson(o.local, 'Lead', { LastName: 'Feed3', Email: 'feed3@example.com' });
      const contact = seedPerson(o.local, 'Contact', { LastName: 'Feed3', Email: 'feed3@example.com' });
      post(o, lead.Id, 'on the lead');
      post(o, contact.Id, 'on the contact');
      const client = await o.client();
      const leadPosts = await client.query<{ Body: string; ParentId: string; attributes: { type: string } }>(
        `SELECT Id, ParentId, Body FROM LeadFeed WHERE ParentId IN ('${lead.Id}', '${contact.Id}')`
      );
      expect(leadPosts.map((r) => [r.attributes.type, r.ParentId, r.Body])).to.deep.equal([['LeadFeed', lead.Id, 'on the lead']]);
      const contactPosts = await client.query<{ Body: string }>(`SELECT Id, Body FROM ContactFeed WHERE ParentId = '${contact.Id}'`);
      expect(contactPosts.map((r) => r.Body)).to.deep.equal(['on the contact']);
    });

    it('hides a record feed from a user who cannot read its records (INVALID_TYPE)', async () => {
      const userId = makeUser(o.local.org, 'Minimum Access - API Only Integrations', ['ApiEnabled']);
      const client = await clientFor(o.local.instanceUrl, o.local.tokenFor(userId));
      const refused = await client.query('SELECT Id FROM LeadFeed WHERE ParentId = null').catch((e: unknown) => e);
      expect(refused).to.be.instanceOf(SalesforceApiError);
      expect((refused as SalesforceApiError).errorCode).to.equal('INVALID_TYPE');
    });
  });

  describe('Salesforce Developer Limits and Allocations Quick Reference: API Request Limits (Platform API URI and header length)', () => {
    const path = (bytes: number): string => {
      const head = '/services/data/v65.0/query?q=SELECT+Id+FROM+Lead+WHERE+LastName+IN+(';
      return head + 'x'.repeat(bytes - head.length - 1) + ')';
    };
    const send = async (target: string, headers: Record<string, string> = {}): Promise<{ status: number; type: string; body: string }> => {
      const res = await fetch(o.local.instanceUrl + target, { headers: { Authorization: `Bearer ${o.local.adminToken}`, ...headers } });
      return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
    };

    it('answers 414 URI Too Long, with the front end\'s page, for a URI over 16,384 bytes', async () => {
      const r = await send(path(16_385));
      expect(r).to.deep.equal({ status: 414, type: 'text/html;charset=iso-8859-1', body: '<h1>Bad Message 414</h1><pre>reason: URI Too Long</pre>' });
    });

    it('answers 431 when URI plus headers pass 16,384 bytes, and serves a URI that fits with its headers', async () => {
      const r = await send(path(15_000), { 'X-Padding': 'p'.repeat(1500) });
      expect(r).to.deep.equal({
        status: 431,
        type: 'text/html;charset=iso-8859-1',
        body: '<h1>Bad Message 431</h1><pre>reason: Request Header Fields Too Large</pre>',
      });
      const ok = await send(path(15_000));
      expect(ok.status).to.equal(400); // parsed and answered by the query resource (xxx... is not a literal)
      const huge = await send('/services/data/v65.0/limits', { 'X-Padding': 'p'.repeat(300_000) });
      expect(huge.status).to.equal(431);
    });

    it('does not count a refused URI as an API call', async () => {
      const before = o.local.apiCalls();
      await send(path(20_000));
      expect(o.local.apiCalls()).to.equal(before);
    });
  });

  describe('REST API Developer Guide: Composite (collateSubrequests, API 49.0 and later)', () => {
    type Sub = { httpStatusCode: number; body: unknown; referenceId: string };
    const composite = async (version: string, body: Record<string, unknown>): Promise<Sub[]> => {
      const res = await fetch(`${o.local.instanceUrl}/services/data/v${version}/composite`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${o.local.adminToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).to.equal(200);
      return ((await res.json()) as { compositeResponse: Sub[] }).compositeResponse;
    };
    // The second subrequest reads what the first writes, without referring to it: only request order makes it work.
    const dependentByOrder = (name: string, v: string): Array<Record<string, unknown>> => [
      { method: 'POST', url: `/services/data/v${v}/sobjects/Account`, referenceId: 'acct', body: { Name: name } },
      { method: 'GET', url: `/services/data/v${v}/query?q=${encodeURIComponent(`SELECT Id FROM Account WHERE Name = '${name}'`)}`, referenceId: 'q' },
    ];
    const found = (subs: Sub[]): number => (subs[1].body as { totalSize: number }).totalSize;

    it('does not keep the order of unrelated subrequests when they are collated (the default)', async () => {
      const subs = await composite('65.0', { compositeRequest: dependentByOrder('Collated Co', '65.0') });
      expect(subs.map((s) => s.referenceId)).to.deep.equal(['acct', 'q']);
      expect(subs[0].httpStatusCode).to.equal(201);
      expect(found(subs)).to.equal(0);
    });

    it('keeps request order with collateSubrequests false, and before API 49.0', async () => {
      expect(found(await composite('65.0', { collateSubrequests: false, compositeRequest: dependentByOrder('Ordered Co', '65.0') }))).to.equal(1);
      expect(found(await composite('48.0', { compositeRequest: dependentByOrder('Old Co', '48.0') }))).to.equal(1);
    });

    it('runs a subrequest after the ones it refers to, collated or not', async () => {
      const subs = await composite('65.0', {
        compositeRequest: [
          { method: 'POST', url: '/services/data/v65.0/sobjects/Account', referenceId: 'acct', body: { Name: 'Ref Co' } },
          { method: 'POST', url: '/services/data/v65.0/sobjects/Contact', referenceId: 'ct', body: { LastName: 'Ref', AccountId: '@{acct.id}' } },
        ],
      });
      expect(subs.map((s) => s.httpStatusCode)).to.deep.equal([201, 201]);
    });
  });

  describe('REST API Developer Guide: Duplicate Rule Header (Sforce-Duplicate-Rule-Header), with an active Lead duplicate rule', () => {
    let d: SyncOrg;
    before(async () => {
      d = await startSyncOrg({ leadDuplicateRule: true });
      seedPerson(d.local, 'Lead', { FirstName: 'Bob', LastName: 'Smith', Email: 'bob@example.com' });
      seedPerson(d.local, 'Contact', { FirstName: 'Rob', LastName: 'Smith', Email: 'BOB@example.com' });
    });
    after(async () => d.stop());
    const lead = { LastName: 'Smith', FirstName: 'Robert', Company: 'Acme', Email: 'Bob@Example.com' };
    type Result = { success: boolean; id?: string; errors: Array<{ statusCode: string; message: string; duplicateResult?: Record<string, unknown> }> };

    it('refuses a matching Lead insert with DUPLICATES_DETECTED, naming the matching Lead and Contact', async () => {
      const client = await d.client();
      const [r] = (await client.insert('Lead', [lead])) as Result[];
      expect(r.success).to.equal(false);
      expect(r.errors[0]).to.include({ statusCode: 'DUPLICATES_DETECTED', message: 'Use one of these records?' });
      const dup = r.errors[0].duplicateResult as { allowSave: boolean; duplicateRuleEntityType: string; matchResults: Array<{ entityType: string; matchRecords: Array<{ record: Record<string, unknown> }> }> };
      expect(dup).to.include({ allowSave: false, duplicateRuleEntityType: 'Lead' });
      const ids = dup.matchResults.map((m) => [m.entityType, m.matchRecords.map((x) => x.record.Id)]);
      const seededLead = d.records('Lead').find((l) => l.Email === 'bob@example.com')!;
      const seededContact = d.records('Contact').find((c) => c.Email === 'BOB@example.com')!;
      expect(ids).to.deep.equal([['Lead', [seededLead.Id]], ['Contact', [seededContact.Id]]]);
      expect(dup.matchResults[0].matchRecords[0].record).to.not.have.property('Email');
      expect(d.records('Lead').filter((l) => String(l.Email).toLowerCase() === 'bob@example.com')).to.have.length(1);
    });

    it('refuses the same through sObject Rows (errorCode) and Bulk API 2.0 (sf__Error)', async () => {
      const client = await d.client();
      const refused = await client.create('Lead', lead).catch((e: unknown) => e);
      expect(refused).to.be.instanceOf(SalesforceApiError);
      expect(refused).to.include({ status: 400, errorCode: 'DUPLICATES_DETECTED' });
      const bulk = await new Bulk2(client, { pollMs: 10 }).ingest('Lead', 'insert', [lead]);
      expect(bulk.failed.map((f) => f.sf__Error)).to.deep.equal(['DUPLICATES_DETECTED:Use one of these records?: --']);
    });

    it('includes the matching records\' fields with includeRecordDetails=true, and saves with allowSave=true', async () => {
      const client = await d.client();
      const details = await client.request<Result[]>(
        'POST',
        '/composite/sobjects',
        { allOrNone: false, records: [{ attributes: { type: 'Lead' }, ...lead }] },
        { 'Sforce-Duplicate-Rule-Header': 'includeRecordDetails=true' }
      );
      const dup = details[0].errors[0].duplicateResult as { matchResults: Array<{ matchRecords: Array<{ record: Record<string, unknown> }> }> };
      expect(dup.matchResults[0].matchRecords[0].record).to.include({ Email: 'bob@example.com', FirstName: 'Bob' });
      const saved = await client.request<Result[]>(
        'POST',
        '/composite/sobjects',
        { allOrNone: false, records: [{ attributes: { type: 'Lead' }, ...lead }] },
        { 'Sforce-Duplicate-Rule-Header': 'allowSave=true; includeRecordDetails=true' }
      );
      expect(saved[0].success).to.equal(true);
    });

    it('lets a Lead without a match be saved, and has no rule unless the org is started with one', async () => {
      const client = await d.client();
      const [ok] = await client.insert('Lead', [{ ...lead, Email: 'someone.else@example.com' }]);
      expect(ok.success).to.equal(true);
      seedPerson(o.local, 'Lead', { LastName: 'Smith', Email: 'bob@example.com' });
      const [plain] = await (await o.client()).insert('Lead', [lead]);
      expect(plain.success).to.equal(true);
    });
  });

  describe('Object Reference for the Salesforce Platform: ObjectPermissions (PermissionsViewAllFields, API 63.0 and later)', () => {
    const soql = 'SELECT Id, PermissionsViewAllFields FROM ObjectPermissions LIMIT 1';
    const admin = async (version: string): Promise<SalesforceClient> => {
      const connection = await connectAs(o.local.instanceUrl, o.local.adminToken, version);
      return new SalesforceClient(connection);
    };

    it('refuses the field in a query made with API 62.0 or older (INVALID_FIELD), and answers it from 63.0', async () => {
      const refused = await (await admin('60.0')).query(soql).catch((e: unknown) => e);
      expect(refused).to.be.instanceOf(SalesforceApiError);
      expect(refused).to.include({ errorCode: 'INVALID_FIELD' });
      expect((refused as SalesforceApiError).message).to.contain("No such column 'PermissionsViewAllFields'");
      expect(await (await admin('63.0')).query(soql)).to.have.length(1);
    });

    it('describes ObjectPermissions without the field before 63.0 and with it from 63.0', async () => {
      const names = async (version: string): Promise<string[]> =>
        (await (await admin(version)).describe('ObjectPermissions')).fields.map((f) => f.name);
      expect(await names('62.0')).to.not.include('PermissionsViewAllFields');
      expect(await names('63.0')).to.include('PermissionsViewAllFields');
    });
  });
});
