/*
 * Conformance: where Salesforce refuses what a lenient stand-in would accept. Each rule names the documentation page
 * it follows; the requests go through the plugin's own SalesforceClient as the integration user or the admin.
 */
import { expect } from 'chai';
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
});
