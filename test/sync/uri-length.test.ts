/*
 * The sync's reads stay within Salesforce's URI limits (414 past 16,384 bytes of URI, 431 past 16,384 bytes of URI
 * plus headers) when emails are full of apostrophes: encodeURIComponent leaves ' alone, the URL sent carries %27.
 * 184 such emails make a Contact/Lead IN-list query that encodeURIComponent sizes under 12,000 characters and that
 * goes out past 16,384 bytes.
 */
import { Readable } from 'node:stream';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { DEFAULT_CONFIG } from '../../src/sync/config.js';
import { runSync, type SyncResult } from '../../src/sync/engine.js';
import { startSyncOrg, type SyncOrg } from './org-fixture.js';
import { inviteRaw, ndjson, startedRaw, type Person } from './fixtures.js';

const people: Person[] = Array.from({ length: 184 }, (_, i) => ({
  id: `p-${i}`,
  email: `o'o'o'o'o'o'o'o'o'o'${i}@x.co`,
  firstName: 'O',
  lastName: `O'Hara${i}`,
}));

async function sync(o: SyncOrg, text: string): Promise<SyncResult> {
  return runSync({
    client: await o.client(),
    orgId: o.local.orgId,
    input: Readable.from([Buffer.from(text)]),
    config: structuredClone(DEFAULT_CONFIG),
    journalDir: mkdtempSync(join(tmpdir(), 'journal-')),
  });
}

describe('sync: query URLs sized as sent', function () {
  this.timeout(120_000);
  let o: SyncOrg;
  before(async () => {
    o = await startSyncOrg();
  });
  after(async () => o.stop());

  it('syncs 184 participants whose emails are mostly apostrophes, and finds them all again on a second run', async () => {
    const input = ndjson(people.flatMap((p, i) => [inviteRaw(p), startedRaw(p, `uri-play-${i}`)]));
    const first = await sync(o, input);
    expect(first.failures, JSON.stringify(first.failedRecords.slice(0, 3))).to.equal(0);
    expect(first.leads.created).to.equal(184);
    const again = await sync(o, input);
    expect({ leads: again.leads.created, plays: again.plays.created, posts: again.posts.total }).to.deep.equal({ leads: 0, plays: 0, posts: 0 });
    expect(o.records('Lead')).to.have.length(184);
    expect(o.records('FeedItem')).to.have.length(184);
  });
});
