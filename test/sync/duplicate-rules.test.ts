/* eslint-disable camelcase -- Salesforce API names (Play_ID__c...) are used as they are */
/*
 * The sync in an org with an active Lead duplicate rule: a new Lead the rule refuses (DUPLICATES_DETECTED) is not
 * lost; the play and its posts go to the record Salesforce names, and the result reports it. Collections and Bulk.
 */
import { Readable } from 'node:stream';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { Ajv } from 'ajv';
import { DEFAULT_CONFIG, type SyncConfig } from '../../src/sync/config.js';
import { runSync, type SyncResult } from '../../src/sync/engine.js';
import { startSyncOrg, seedPerson, type SyncOrg } from './org-fixture.js';
import { completedRaw, inviteRaw, ndjson, startedRaw, type Person } from './fixtures.js';

async function sync(o: SyncOrg, text: string, patch: Partial<SyncConfig> = {}): Promise<SyncResult> {
  return runSync({
    client: await o.client(),
    orgId: o.local.orgId,
    input: Readable.from([Buffer.from(text)]),
    config: { ...structuredClone(DEFAULT_CONFIG), ...patch },
    journalDir: mkdtempSync(join(tmpdir(), 'journal-')),
  });
}

// Same email as a record in the org, other first name: the sync's own matching (email + names) plans a new Lead.
const robert: Person = { id: 'p-robert', email: "Bob.O'Neil@Example.com", firstName: 'Robert', lastName: "O'Neil" };

describe('sync with an active Lead duplicate rule', function () {
  this.timeout(120_000);
  let o: SyncOrg;
  beforeEach(async () => {
    o = await startSyncOrg({ leadDuplicateRule: true });
  });
  afterEach(async () => o.stop());

  it('links the play and its posts to the Lead the rule names, reports it, and fails nothing', async () => {
    const bob = seedPerson(o.local, 'Lead', { FirstName: 'Bob', LastName: "O'Neil", Email: "bob.o'neil@example.com" });
    const r = await sync(o, ndjson([inviteRaw(robert), startedRaw(robert, 'play-1'), completedRaw(robert, 'play-1', 90)]));
    expect(r.failures, JSON.stringify(r.failedRecords)).to.equal(0);
    expect(r.leads.created).to.equal(0);
    expect(r.duplicateLeads).to.deep.equal([
      { email: robert.email, lines: [1, 2, 3], linkedTo: bob.Id, object: 'Lead', rule: 'Lead_Email_Duplicate_Rule' },
    ]);
    expect(o.records('Lead')).to.have.length(1);
    expect(o.records('Instruqt_Play__c').map((p) => [p.Play_ID__c, p.Lead__c, p.Contact__c ?? null])).to.deep.equal([['play-1', bob.Id, null]]);
    expect(o.records('FeedItem').filter((f) => f.ParentId === bob.Id)).to.have.length(2);
    const schema = JSON.parse(readFileSync('schemas/instruqt-sync.json', 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate(JSON.parse(JSON.stringify(r))), JSON.stringify(validate.errors)).to.equal(true);

    // A second run finds the play linked and posts nothing twice.
    const again = await sync(o, ndjson([inviteRaw(robert), startedRaw(robert, 'play-1'), completedRaw(robert, 'play-1', 90)]));
    expect(again.posts.total + again.leads.created + again.duplicateLeads.length).to.equal(0);
    expect(o.records('FeedItem')).to.have.length(2);
  });

  it('links to the Contact the rule names (contactFirst), also when the Leads go through Bulk API 2.0', async () => {
    const contact = seedPerson(o.local, 'Contact', { FirstName: 'Bobby', LastName: "O'Neil", Email: robert.email });
    const others: Person[] = Array.from({ length: 4 }, (_, i) => ({ id: `p-${i}`, email: `new${i}@example.com`, firstName: 'N', lastName: `L${i}` }));
    const raws = [robert, ...others].flatMap((p) => [inviteRaw(p), startedRaw(p, `play-${p.id}`)]);
    const r = await sync(o, ndjson(raws), { bulkThreshold: 2, bulkPollMs: 20 });
    expect(r.failures, JSON.stringify(r.failedRecords)).to.equal(0);
    expect(r.bulkJobs).to.be.greaterThan(0);
    expect(r.leads.created).to.equal(4);
    expect(r.duplicateLeads.map((d) => [d.object, d.linkedTo])).to.deep.equal([['Contact', contact.Id]]);
    const play = o.records('Instruqt_Play__c').find((p) => p.Play_ID__c === 'play-p-robert');
    expect(play).to.include({ Contact__c: contact.Id });
    expect(play?.Lead__c ?? null).to.equal(null);
    expect(o.records('FeedItem').filter((f) => f.ParentId === contact.Id)).to.have.length(1);
  });
});
