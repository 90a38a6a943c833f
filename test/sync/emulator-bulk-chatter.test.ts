/* eslint-disable camelcase -- Salesforce API names */
/*
 * The local org's Bulk API 2.0 ingest and Chatter feed elements, driven through the plugin's own clients
 * (src/salesforce/bulk2.ts, SalesforceClient) as the integration user.
 */
import { expect } from 'chai';
import { Bulk2, toCsv, parseCsv } from '../../src/salesforce/bulk2.js';
import { SalesforceApiError } from '../../src/salesforce/errors.js';
import { startSyncOrg, seedPerson, type SyncOrg } from './org-fixture.js';

describe('local org: Bulk API 2.0 ingest', function () {
  this.timeout(60_000);
  let o: SyncOrg;
  before(async () => {
    o = await startSyncOrg();
  });
  after(async () => o.stop());

  it('runs a job through Open, UploadComplete and JobComplete with successful and failed results', async () => {
    const client = await o.client();
    const bulk = new Bulk2(client, { pollMs: 10 });
    const result = await bulk.ingest('Lead', 'insert', [
      { LastName: 'Ok', Company: 'A, "quoted" Inc', Email: 'ok@example.com' },
      { LastName: 'Missing company' },
      { LastName: 'Multi\nline', Company: 'B' },
    ]);
    expect(result.job.state).to.equal('JobComplete');
    expect(result.job).to.include({ numberRecordsProcessed: 3, numberRecordsFailed: 1 });
    expect(result.successful.map((r) => r.LastName).sort()).to.deep.equal(['Multi\nline', 'Ok']);
    expect(result.successful[0].sf__Id).to.match(/^00Q\w{15}$/);
    expect(result.successful[0].sf__Created).to.equal('true');
    expect(result.failed).to.have.length(1);
    expect(result.failed[0].sf__Error).to.match(/^REQUIRED_FIELD_MISSING:/);
    expect(o.records('Lead').find((l) => l.LastName === 'Ok')).to.include({ Company: 'A, "quoted" Inc' });
  });

  it('upserts by external id, and #N/A sets a field to null', async () => {
    const client = await o.client();
    const bulk = new Bulk2(client, { pollMs: 10 });
    await bulk.ingest('Instruqt_Play__c', 'upsert', [{ Play_ID__c: 'b-1', Name: 'One', Score__c: 3 }], { externalIdFieldName: 'Play_ID__c' });
    const again = await bulk.ingest('Instruqt_Play__c', 'upsert', [{ Play_ID__c: 'b-1', Score__c: null }], { externalIdFieldName: 'Play_ID__c' });
    expect(again.successful[0].sf__Created).to.equal('false');
    expect(o.records('Instruqt_Play__c').filter((p) => p.Play_ID__c === 'b-1')).to.have.length(1);
    expect(o.records('Instruqt_Play__c').find((p) => p.Play_ID__c === 'b-1')).to.include({ Name: 'One', Score__c: null });
  });

  it('fails a job whose CSV names an unknown field, with its rows unprocessed', async () => {
    const client = await o.client();
    const bulk = new Bulk2(client, { pollMs: 10 });
    const r = await bulk.ingest('Lead', 'insert', [{ LastName: 'X', Company: 'Y', Nope__c: 1 }]);
    expect(r.job.state).to.equal('Failed');
    expect(r.job.errorMessage).to.contain('Field name not found : Nope__c');
    expect(r.unprocessed).to.have.length(1);
  });

  it('refuses an object the user cannot see and a second upload', async () => {
    const client = await o.client();
    const bulk = new Bulk2(client);
    const refused = await bulk.createJob('Opportunity', 'insert').catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(SalesforceApiError);
    expect((refused as SalesforceApiError).errorCode).to.equal('INVALIDJOB');
    const job = await bulk.createJob('Lead', 'insert');
    await bulk.upload(job.id, toCsv([{ LastName: 'A', Company: 'B' }]));
    await bulk.upload(job.id, toCsv([{ LastName: 'C', Company: 'D' }]));
    await bulk.setState(job.id, 'UploadComplete');
    const done = await new Bulk2(client, { pollMs: 10 }).waitForJob(job.id);
    expect(done.state).to.equal('Failed');
    expect(done.errorMessage).to.contain('Found multiple contents for job');
  });

  it('writes CSV that round-trips quotes, commas and newlines', () => {
    const rows = [{ A: 'x, "y"\nz', B: undefined, C: null }];
    expect(parseCsv(toCsv(rows))).to.deep.equal([{ A: 'x, "y"\nz', B: '', C: '#N/A' }]);
  });
});

describe('local org: Chatter feed elements', function () {
  this.timeout(60_000);
  let o: SyncOrg;
  before(async () => {
    o = await startSyncOrg();
  });
  after(async () => o.stop());

  it('posts a feed element and a batch as FeedItems on the subject record, and reads one back', async () => {
    const client = await o.client();
    const lead = seedPerson(o.local, 'Lead', { LastName: 'Lovelace', Email: 'ada@example.com' });
    const one = await client.request<{ id: string; body: { text: string }; parent: { id: string } }>('POST', '/chatter/feed-elements', {
      body: { messageSegments: [{ type: 'Text', text: 'Started the Instruqt track "K".' }] },
      feedElementType: 'FeedItem',
      subjectId: lead.Id,
    });
    expect(one.id).to.match(/^0D5/);
    expect(one.body.text).to.equal('Started the Instruqt track "K".');
    expect(one.parent.id).to.equal(lead.Id);
    const batch = await client.request<{ hasErrors: boolean; results: Array<{ statusCode: number }> }>('POST', '/chatter/feed-elements/batch', {
      inputs: [
        { richInput: { body: { messageSegments: [{ type: 'Text', text: 'two' }] }, feedElementType: 'FeedItem', subjectId: lead.Id } },
        { richInput: { body: { messageSegments: [] }, feedElementType: 'FeedItem', subjectId: lead.Id } },
      ],
    });
    expect(batch.hasErrors).to.equal(true);
    expect(batch.results.map((r) => r.statusCode)).to.deep.equal([201, 400]);
    const items = await client.query<{ Body: string }>(`SELECT Id, Body FROM LeadFeed WHERE ParentId = '${lead.Id}'`);
    expect(items.map((i) => i.Body).sort()).to.deep.equal(['Started the Instruqt track "K".', 'two']);
    const read = await client.request<{ id: string }>('GET', `/chatter/feed-elements/${one.id}`);
    expect(read.id).to.equal(one.id);
  });
});
