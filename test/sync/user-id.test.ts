/* eslint-disable camelcase -- Salesforce API names */
/*
 * Instruqt_Play__c.User_ID__c as the person key across plays: a participant id of any length (Instruqt's user ids have
 * 28 characters) is stored whole there and links later plays; plays written before the field existed still match by
 * Participant_ID__c; an org whose footprint lacks the field is told to install, before anything is written.
 */
import { Readable } from 'node:stream';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { DEFAULT_CONFIG } from '../../src/sync/config.js';
import { runSync, SyncError, type SyncResult } from '../../src/sync/engine.js';
import { startSyncOrg, seedPerson, type SyncOrg } from './org-fixture.js';
import { ndjson, startedRaw, type Person } from './fixtures.js';

async function run(o: SyncOrg, raws: Array<Record<string, unknown>>): Promise<SyncResult> {
  return runSync({
    client: await o.client(),
    orgId: o.local.orgId,
    input: Readable.from([Buffer.from(ndjson(raws))]),
    config: structuredClone(DEFAULT_CONFIG),
    journalDir: mkdtempSync(join(tmpdir(), 'journal-')),
    failedRecordsFile: join(mkdtempSync(join(tmpdir(), 'failed-')), 'failed.ndjson'),
  });
}

describe('sync: Instruqt user ids (User_ID__c)', function () {
  this.timeout(60_000);
  let o: SyncOrg;
  beforeEach(async () => {
    o = await startSyncOrg();
  });
  afterEach(async () => o.stop());

  it('stores a 28-character user id whole and links a later play of that user to the same person, whatever its email', async () => {
    const id = 'Xy7'.repeat(9) + 'Z';
    const contact = seedPerson(o.local, 'Contact', { FirstName: 'Ada', LastName: 'Lovelace', Email: 'ada@example.com' });
    const ada: Person = { id, email: 'ada@example.com' };
    expect((await run(o, [startedRaw(ada, 'play-1')])).failures).to.equal(0);
    const moved: Person = { id, email: 'ada@new-employer.example' };
    expect((await run(o, [startedRaw(moved, 'play-2', 'terraform-101')])).failures).to.equal(0);
    const plays = o.records('Instruqt_Play__c');
    expect(plays.map((p) => [p.Play_ID__c, p.User_ID__c, p.Participant_ID__c, p.Contact__c]).sort()).to.deep.equal([
      ['play-1', id, null, contact.Id],
      ['play-2', id, null, contact.Id],
    ]);
  });

  it('still links by Participant_ID__c a play written before User_ID__c existed', async () => {
    const contact = seedPerson(o.local, 'Contact', { FirstName: 'Ada', LastName: 'Lovelace', Email: 'ada@example.com' });
    const track = o.local.org.insert('Instruqt_Track__c', { Name: 'K', Track_Slug__c: 'k' });
    o.local.org.insert('Instruqt_Play__c', { Name: 'old', Play_ID__c: 'play-old', Participant_ID__c: 'p-ada', Contact__c: contact.Id, Instruqt_Track__c: track.Id });
    expect((await run(o, [startedRaw({ id: 'p-ada', email: 'other@example.com' }, 'play-new')])).failures).to.equal(0);
    const play = o.records('Instruqt_Play__c').find((p) => p.Play_ID__c === 'play-new');
    expect(play).to.include({ Contact__c: contact.Id, User_ID__c: 'p-ada', Participant_ID__c: 'p-ada' });
  });

  it('asks to install when the org lacks User_ID__c, writing nothing', async () => {
    o.local.org.removeField('Instruqt_Play__c', 'User_ID__c');
    const error = await run(o, [startedRaw({ id: 'p-ada', email: 'ada@example.com' }, 'play-1')]).then(
      () => undefined,
      (e: unknown) => e
    );
    expect(error).to.be.instanceOf(SyncError);
    expect((error as SyncError).code).to.equal('MissingFootprint');
    expect((error as SyncError).message).to.equal('Instruqt_Play__c.User_ID__c');
    expect(o.records('Instruqt_Play__c')).to.have.length(0);
    expect(o.records('Instruqt_Track__c')).to.have.length(0);
  });
});
