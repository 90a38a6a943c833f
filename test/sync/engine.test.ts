/* eslint-disable camelcase -- Salesforce API names (Play_ID__c...) are used as they are */
import { Readable } from 'node:stream';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { DEFAULT_CONFIG, type SyncConfig } from '../../src/sync/config.js';
import { runSync, type SyncResult } from '../../src/sync/engine.js';
import { startSyncOrg, seedPerson, type SyncOrg } from './org-fixture.js';
import { completedRaw, inviteRaw, ndjson, reviewRaw, startedRaw, type Person } from './fixtures.js';

const ada: Person = { id: 'p-ada', email: "ada.o'brien@example.com", firstName: 'Ada', lastName: "O'Brien", company: 'Analytical Engines' };

async function sync(o: SyncOrg, text: string, patch: Partial<SyncConfig> = {}, extra: { dryRun?: boolean; journalDir?: string } = {}): Promise<SyncResult> {
  const client = await o.client();
  return runSync({
    client,
    orgId: o.local.orgId,
    input: Readable.from([Buffer.from(text)]),
    config: { ...structuredClone(DEFAULT_CONFIG), ...patch },
    journalDir: extra.journalDir ?? mkdtempSync(join(tmpdir(), 'journal-')),
    dryRun: extra.dryRun,
  });
}

describe('sync engine against a local org', function () {
  this.timeout(120_000);
  let o: SyncOrg;
  beforeEach(async () => {
    o = await startSyncOrg();
  });
  afterEach(async () => o.stop());

  it('creates a Lead, a Track, a linked Play and four posts from one play', async () => {
    const input = ndjson([
      inviteRaw(ada),
      startedRaw(ada, 'play-77'),
      completedRaw(ada, 'play-77', 1834),
      reviewRaw(ada, 'play-77', { score: 4, comment: 'Great lab' }),
    ]);
    const r = await sync(o, input);
    expect(r.failures, JSON.stringify(r)).to.equal(0);
    const leads = o.records('Lead').filter((l) => l.Email === ada.email);
    expect(leads).to.have.length(1);
    expect(leads[0]).to.include({ FirstName: 'Ada', LastName: "O'Brien", Company: 'Analytical Engines', Status: 'Open - Not Contacted', LeadSource: 'Instruqt' });
    const plays = o.records('Instruqt_Play__c');
    expect(plays).to.have.length(1);
    expect(plays[0]).to.include({
      Name: "Kubernetes 101 - Ada O'Brien",
      Play_ID__c: 'play-77',
      Lead__c: leads[0].Id,
      Participant_ID__c: 'p-ada',
      Time_Spent__c: '30m 34s',
      Time_Spent_Seconds__c: 1834,
      Score__c: 4,
      Feedback__c: 'Great lab',
    });
    const track = o.records('Instruqt_Track__c');
    expect(track.map((t) => [t.Name, t.Track_Slug__c])).to.deep.equal([['Kubernetes 101', 'kubernetes-101']]);
    expect(plays[0].Instruqt_Track__c).to.equal(track[0].Id);
    const posts = o.records('FeedItem').filter((f) => f.ParentId === leads[0].Id);
    expect(posts).to.have.length(4);

    // Again, from "another machine" (a fresh journal): nothing new.
    const again = await sync(o, input);
    expect(again.leads.created + again.plays.created + again.plays.updated + again.posts.total).to.equal(0);
    expect(o.records('FeedItem')).to.have.length(4);
    expect(o.records('Lead').filter((l) => l.Email === ada.email)).to.have.length(1);
  });

  it('links a play to an existing Contact matched by email and names, case and spaces aside', async () => {
    const c = seedPerson(o.local, 'Contact', { FirstName: ' ada', LastName: "o'brien ", Email: ada.email.toUpperCase() });
    const r = await sync(o, ndjson([inviteRaw(ada), startedRaw(ada, 'play-1')]));
    expect(r.leads.created).to.equal(0);
    expect(o.records('Instruqt_Play__c')[0]).to.include({ Contact__c: c.Id });
  });

  it('uses Bulk API 2.0 above the threshold and ends in the same state', async () => {
    const raws: Array<Record<string, unknown>> = [];
    for (let i = 0; i < 30; i++) {
      const p: Person = { id: `p-${i}`, email: `u${i}@example.com`, firstName: `F${i}`, lastName: `L${i}` };
      raws.push(inviteRaw(p), startedRaw(p, `play-${i}`), completedRaw(p, `play-${i}`, 60 + i));
    }
    const r = await sync(o, ndjson(raws), { bulkThreshold: 10, bulkPollMs: 20 });
    expect(r.failures, JSON.stringify(r)).to.equal(0);
    expect(r.bulkJobs).to.be.greaterThan(0);
    expect(o.records('Lead')).to.have.length(30);
    expect(o.records('Instruqt_Play__c').filter((p) => p.Lead__c)).to.have.length(30);
    expect(o.records('FeedItem')).to.have.length(60);
  });
});

describe('sync engine: matching rules in-process', function () {
  this.timeout(60_000);
  it('matches by email alone with the email rule', async () => {
    const o = await startSyncOrg();
    try {
      const other = seedPerson(o.local, 'Contact', { FirstName: 'Augusta', LastName: 'King', Email: ada.email });
      const r = await sync(o, ndjson([inviteRaw(ada), startedRaw(ada, 'play-1')]), { matching: { rule: 'email', contactFirst: true } });
      expect(r.leads.created, JSON.stringify(r)).to.equal(0);
      expect(o.records('Instruqt_Play__c')[0]).to.include({ Contact__c: other.Id });
    } finally {
      await o.stop();
    }
  });
});

describe('sync engine: faults in-process', function () {
  this.timeout(120_000);

  it('survives one expired session (refreshed), lock errors and a write that was applied before the connection dropped', async () => {
    const o = await startSyncOrg();
    try {
      const client = await o.client();
      // A refreshable session, as a JWT or web login gives (an access-token login has nothing to refresh with).
      const conn = client.conn as unknown as { refreshAuth: () => Promise<void>; accessToken: string | null };
      let refreshed = 0;
      conn.refreshAuth = async (): Promise<void> => {
        refreshed++;
        conn.accessToken = o.local.tokenFor(o.integrationUserId);
        return Promise.resolve();
      };
      o.local.injectFault({ kind: 'expire-session', times: 1, afterCalls: 5 });
      o.local.injectFault({ kind: 'UNABLE_TO_LOCK_ROW', path: /composite\/sobjects/, times: 2 });
      o.local.injectFault({ kind: 'drop', method: 'POST', path: /composite\/sobjects$/, times: 1, phase: 'after' });
      const raws: Array<Record<string, unknown>> = [];
      for (let i = 0; i < 8; i++) {
        const p: Person = { id: `p-${i}`, email: `u${i}@example.com`, firstName: `F${i}`, lastName: `L${i}` };
        raws.push(inviteRaw(p), startedRaw(p, `play-${i}`), completedRaw(p, `play-${i}`, 60 + i));
      }
      const r = await runSync({
        client,
        orgId: o.local.orgId,
        input: Readable.from([Buffer.from(ndjson(raws))]),
        config: { ...structuredClone(DEFAULT_CONFIG), batchSize: 6 },
        journalDir: mkdtempSync(join(tmpdir(), 'journal-')),
      });
      expect(r.failures, JSON.stringify(r)).to.equal(0);
      expect(refreshed).to.equal(1);
      expect(o.records('Lead')).to.have.length(8);
      expect(o.records('Instruqt_Play__c').filter((p) => p.Lead__c)).to.have.length(8);
      expect(o.records('FeedItem')).to.have.length(16);
    } finally {
      await o.stop();
    }
  });

  it('stops cleanly at --max-api-calls with a resumable state, and the resumed run completes', async () => {
    const o = await startSyncOrg();
    try {
      const raws: Array<Record<string, unknown>> = [];
      for (let i = 0; i < 12; i++) {
        const p: Person = { id: `p-${i}`, email: `u${i}@example.com`, firstName: `F${i}`, lastName: `L${i}` };
        raws.push(inviteRaw(p), startedRaw(p, `play-${i}`));
      }
      const journalDir = mkdtempSync(join(tmpdir(), 'journal-'));
      const run = async (maxApiCalls?: number): Promise<SyncResult> =>
        runSync({
          client: await o.client({ maxApiCalls }),
          orgId: o.local.orgId,
          input: Readable.from([Buffer.from(ndjson(raws))]),
          config: { ...structuredClone(DEFAULT_CONFIG), batchSize: 4 },
          journalDir,
        });
      const first = await run(12);
      expect(first.status).to.equal('stopped');
      expect(first.stoppedReason).to.equal('max-api-calls');
      expect(first.apiCalls).to.be.at.most(12);
      const second = await run();
      expect(second.status).to.equal('complete');
      expect(second.resumedAfterLine).to.be.greaterThan(0);
      expect(o.records('Lead')).to.have.length(12);
      expect(o.records('FeedItem')).to.have.length(12);
    } finally {
      await o.stop();
    }
  });
});

describe('sync engine: journal', function () {
  this.timeout(60_000);

  it('skips what the journal says is applied only for the same input, and processes appended lines', async () => {
    const o = await startSyncOrg();
    try {
      const journalDir = mkdtempSync(join(tmpdir(), 'journal-'));
      const people = Array.from({ length: 6 }, (_, i): Person => ({ id: `p-${i}`, email: `u${i}@example.com`, firstName: `F${i}`, lastName: `L${i}` }));
      const run = async (text: string): Promise<SyncResult> =>
        runSync({
          client: await o.client(),
          orgId: o.local.orgId,
          input: Readable.from([Buffer.from(text)]),
          config: { ...structuredClone(DEFAULT_CONFIG), batchSize: 2 },
          journalDir,
        });
      const first = ndjson(people.slice(0, 3).map((p) => inviteRaw(p)));
      expect((await run(first)).events.skipped).to.equal(0);
      // The same export with more lines appended: only the new lines are processed.
      const appended = await run(first + ndjson(people.slice(3).map((p) => inviteRaw(p))));
      expect(appended.resumedAfterLine).to.equal(3);
      expect(appended.events.skipped).to.equal(3);
      expect(appended.leads.created).to.equal(3);
      // Another export (different head): nothing is skipped; the org state makes it a no-op.
      const other = await run(ndjson([startedRaw(people[0], 'play-x'), ...people.map((p) => inviteRaw(p))]));
      expect(other.resumedAfterLine).to.equal(undefined);
      expect(other.events.skipped).to.equal(0);
      expect(other.leads.created).to.equal(0);
      expect(o.records('Lead')).to.have.length(6);
    } finally {
      await o.stop();
    }
  });
});

describe('sync engine: API limit reserve', function () {
  this.timeout(60_000);

  it('stops before the org daily limit, reading Sforce-Limit-Info, and keeps a resumable journal', async () => {
    const o = await startSyncOrg({ dailyApiLimit: 200 });
    try {
      const raws: Array<Record<string, unknown>> = [];
      for (let i = 0; i < 40; i++) {
        const p: Person = { id: `p-${i}`, email: `u${i}@example.com`, firstName: `F${i}`, lastName: `L${i}` };
        raws.push(inviteRaw(p), startedRaw(p, `play-${i}`));
      }
      const journalDir = mkdtempSync(join(tmpdir(), 'journal-'));
      const r = await runSync({
        client: await o.client(),
        orgId: o.local.orgId,
        input: Readable.from([Buffer.from(ndjson(raws))]),
        // Keep 90% of the org's 200 daily calls for everyone else: stop once 20 are used.
        config: { ...structuredClone(DEFAULT_CONFIG), batchSize: 4, apiReservePercent: 90 },
        journalDir,
      });
      expect(r.status).to.equal('stopped');
      expect(r.stoppedReason).to.equal('api-limit-reserve');
      expect(r.apiUsage?.max).to.equal(200);
      expect(r.apiUsage?.used).to.be.lessThan(40);
      expect(r.batches).to.be.greaterThan(0);
      const journal = JSON.parse(readFileSync(r.journalFile!, 'utf8')) as { status: string; committedLine: number };
      expect(journal.status).to.equal('stopped');
      expect(journal.committedLine).to.equal(r.batches * 4);
    } finally {
      await o.stop();
    }
  });
});

describe('sync engine: out-of-order input across batches', function () {
  this.timeout(60_000);

  it('ends like the ordered input when the form submission comes batches after the play', async () => {
    const { snapshot } = await import('./snapshot.js');
    const raws = [
      startedRaw(ada, 'play-1'),
      completedRaw(ada, 'play-1', 100),
      reviewRaw(ada, 'play-1', { score: 3, comment: 'ok' }),
      startedRaw({ ...ada, id: 'p-x', email: 'x@example.com' }, 'play-2'),
      inviteRaw(ada),
    ];
    const ordered = [raws[4], ...raws.slice(0, 4)];
    const run = async (o: SyncOrg, list: Array<Record<string, unknown>>): Promise<void> => {
      const r = await runSync({
        client: await o.client(),
        orgId: o.local.orgId,
        input: Readable.from([Buffer.from(ndjson(list))]),
        config: { ...structuredClone(DEFAULT_CONFIG), batchSize: 2 },
        journalDir: mkdtempSync(join(tmpdir(), 'journal-')),
      });
      expect(r.failures).to.equal(0);
    };
    const late = await startSyncOrg();
    const clean = await startSyncOrg();
    try {
      await run(late, raws);
      await run(clean, ordered);
      expect(snapshot(late)).to.deep.equal(snapshot(clean));
      expect(late.records('FeedItem')).to.have.length(4);
    } finally {
      await late.stop();
      await clean.stop();
    }
  });
});

describe('sync engine: records Salesforce refuses', function () {
  this.timeout(60_000);

  it('reports a refused Lead with the reason, writes it to the failed-records file and goes on with the rest', async () => {
    const o = await startSyncOrg();
    try {
      const dir = mkdtempSync(join(tmpdir(), 'failed-'));
      const file = join(dir, 'failed.ndjson');
      const tooLong: Person = { id: 'p-long', email: 'long@example.com', firstName: 'L', lastName: 'X'.repeat(81) };
      const r = await runSync({
        client: await o.client(),
        orgId: o.local.orgId,
        input: Readable.from([Buffer.from(ndjson([inviteRaw(tooLong), startedRaw(tooLong, 'play-1'), inviteRaw(ada), startedRaw(ada, 'play-2')]))]),
        config: structuredClone(DEFAULT_CONFIG),
        journalDir: join(dir, 'journal'),
        failedRecordsFile: file,
      });
      expect(r.failures).to.equal(1);
      expect(r.failedRecords).to.have.length(1);
      expect(r.failedRecords[0]).to.include({ object: 'Lead', key: 'long@example.com' });
      expect(r.failedRecords[0].errors[0]).to.match(/^STRING_TOO_LONG: /);
      expect(r.failedRecordsFile).to.equal(file);
      const entries = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; object: string });
      expect(entries).to.deep.equal([{ ...entries[0], kind: 'record', object: 'Lead' }]);
      // The rest went on: Ada's Lead and both Plays exist; the refused person's play is stored unlinked.
      expect(o.records('Lead').map((l) => l.Email)).to.deep.equal([ada.email]);
      const plays = new Map(o.records('Instruqt_Play__c').map((p) => [p.Play_ID__c, p]));
      expect(plays.get('play-1')).to.include({ Lead__c: null, Contact__c: null });
      expect(plays.get('play-2')?.Lead__c).to.be.a('string');
    } finally {
      await o.stop();
    }
  });
});
