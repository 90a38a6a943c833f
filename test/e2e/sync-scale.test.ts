/* eslint-disable camelcase -- Salesforce API names */
/*
 * `sf instruqt sync` at scale through the real sf CLI, as the integration user (no View All Data): 5,000 plays of
 * 2,000 distinct participants whose emails hold apostrophes. The org reads (IN lists of quoted emails, play ids,
 * parent ids) pass Salesforce's 16,384-byte URI limit unless they are sized as sent; existing posts are read through
 * the record feeds, since FeedItem by ParentId is refused to this user. A second run from another machine (a fresh
 * journal directory) finds everything and posts nothing twice.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { SfRunner } from '../helpers/sf.js';
import type { SyncResult } from '../../src/sync/engine.js';
import { startSyncOrg, type SyncOrg } from '../sync/org-fixture.js';
import { completedRaw, inviteRaw, startedRaw, type Person } from '../sync/fixtures.js';

const PEOPLE = 2000;
const PLAYS = 5000;
const POSTS = PLAYS + PLAYS / 10;

function input(): string {
  const people: Person[] = Array.from({ length: PEOPLE }, (_, i) => ({
    id: `p-${i}`,
    email: `o'brien.d'arcy.${i}@example.com`,
    firstName: `Ann${i}`,
    lastName: 'O\'Brien',
  }));
  const lines: string[] = people.map((p) => JSON.stringify(inviteRaw(p)));
  for (let i = 0; i < PLAYS; i++) {
    const p = people[i % PEOPLE];
    lines.push(JSON.stringify(startedRaw(p, `scale-play-${i}`, `track-${i % 7}`)));
    // A few completions, so both milestones' posts are looked up again.
    if (i % 10 === 0) lines.push(JSON.stringify(completedRaw(p, `scale-play-${i}`, 60 + i, `track-${i % 7}`)));
  }
  return lines.join('\n') + '\n';
}

describe('sf instruqt sync at scale (end to end)', function () {
  this.timeout(600_000);
  let o: SyncOrg;
  let alias: string;
  let dir: string;
  before(async () => {
    o = await startSyncOrg();
    alias = `scale-${o.local.orgId.slice(-6)}`;
    await SfRunner.get().login(o.local.instanceUrl, o.integrationToken, alias);
    dir = mkdtempSync(join(tmpdir(), 'sync-scale-'));
    writeFileSync(join(dir, 'plays.ndjson'), input());
  });
  after(async () => o?.stop());

  const run = (machine: string): ReturnType<SfRunner['run']> =>
    SfRunner.get().run<SyncResult>(
      ['instruqt', 'sync', '-o', alias, '--file', join(dir, 'plays.ndjson'), '--json', '--journal-dir', join(dir, machine), '--failed-records', join(dir, `${machine}.failed.ndjson`)],
      { timeoutMs: 300_000 }
    );

  it('writes 5,000 plays of 2,000 apostrophe-email participants, and a run from another machine posts nothing twice', async () => {
    const first = await run('machine-a');
    expect(first.code, first.stdout.slice(0, 2000) + first.stderr.slice(0, 2000)).to.equal(0);
    const r1 = first.json?.result as SyncResult;
    expect(r1).to.deep.include({ leads: { created: PEOPLE }, failures: 0 });
    expect(r1.posts.total).to.equal(POSTS);
    const leads = o.records('Lead');
    expect(leads).to.have.length(PEOPLE);
    expect(leads.filter((l) => String(l.Email).includes("'"))).to.have.length(PEOPLE);
    expect(o.records('Instruqt_Play__c').filter((p) => p.Lead__c)).to.have.length(PLAYS);
    expect(o.records('FeedItem')).to.have.length(POSTS);

    const second = await run('machine-b');
    expect(second.code, second.stdout.slice(0, 2000) + second.stderr.slice(0, 2000)).to.equal(0);
    const r2 = second.json?.result as SyncResult;
    expect(r2.resumedAfterLine).to.equal(undefined);
    expect({ leads: r2.leads.created, plays: r2.plays.created, posts: r2.posts.total, failures: r2.failures }).to.deep.equal({
      leads: 0,
      plays: 0,
      posts: 0,
      failures: 0,
    });
    expect(o.records('FeedItem')).to.have.length(POSTS);
    expect(o.records('Lead')).to.have.length(PEOPLE);
  });
});
