/*
 * The Instruqt source against the local Instruqt stand-in (emulator/instruqt, serving the schema subset of
 * ../shared/instruqt/schema.graphql as used by the public client isovalent/instruqt-go): the query's shape, paging,
 * re-reading a window that changed, retries on 429/5xx, refusals, and the mapping of plays onto sync events.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { parse, validate } from 'graphql';
import { seedData, userId, type StandInData, type StandInPlay } from '../../emulator/instruqt/data.js';
import { standInSchema, startInstruqtStandIn, type InstruqtStandIn } from '../../emulator/instruqt/server.js';
import { InstruqtApiError, InstruqtClient, retryAfterMs } from '../../src/sync/instruqt/client.js';
import { PLAY_REPORTS_QUERY, readWindow, type PlayReport, type PullStats } from '../../src/sync/instruqt/pull.js';
import { playEvents } from '../../src/sync/instruqt/mapping.js';
import { openInstruqtSource } from '../../src/sync/instruqt/source.js';
import { validateEvent } from '../../src/sync/events.js';

const NOW = Date.UTC(2026, 10, 28, 12);
const stats = (): PullStats => ({ windows: 0, pages: 0, rereads: 0, plays: 0 });

function manyPlays(n: number): StandInData {
  const data = seedData(NOW);
  data.plays = Array.from({ length: n }, (_, i): StandInPlay => ({
    id: `play-${String(i).padStart(3, '0')}`,
    trackId: 'trk-k8s',
    userId: data.users[i % 2].id,
    mode: 'NORMAL',
    startedAt: new Date(NOW - (i + 1) * 60_000).toISOString(),
    timeSpent: 60,
    completionPercent: 50,
  }));
  return data;
}

describe('Instruqt source (against the local Instruqt stand-in)', () => {
  let standIn: InstruqtStandIn;
  const client = (o: Partial<ConstructorParameters<typeof InstruqtClient>[0]> = {}): InstruqtClient =>
    new InstruqtClient({ apiKey: standIn.apiKey, url: standIn.url, backoffMs: 1, ...o });

  beforeEach(async () => {
    standIn = await startInstruqtStandIn({ data: seedData(NOW) });
  });
  afterEach(async () => standIn.stop());

  it('declares only String, Time, Int and PlayType variables and writes input objects inline (schema.graphql, instruqt-go play.go)', () => {
    expect(validate(standInSchema(), parse(PLAY_REPORTS_QUERY))).to.deep.equal([]);
    const declared = [...PLAY_REPORTS_QUERY.matchAll(/\$\w+: (\w+)!/g)].map((m) => m[1]);
    expect([...new Set(declared)].sort()).to.deep.equal(['Int', 'PlayType', 'String', 'Time']);
  });

  it('reads a window a page at a time and returns every play once', async () => {
    standIn.data = manyPlays(7);
    const s = stats();
    const plays = await readWindow(client(), { team: 'acme', from: new Date(NOW - 86_400_000), to: new Date(NOW), playType: 'NORMAL', pageSize: 3 }, new Date(NOW - 86_400_000), new Date(NOW), s);
    expect(plays.map((p) => p.id).sort()).to.deep.equal(standIn.data.plays.map((p) => p.id).sort());
    expect(s.pages).to.equal(3);
    expect(standIn.log[0].variables).to.include({ teamSlug: 'acme', skip: 0, take: 3, playType: 'NORMAL' });
  });

  it('reads a window again when its totalItems changed while it was read', async () => {
    standIn.data = manyPlays(6);
    let pages = 0;
    standIn.beforePlayReports = (): void => {
      // A new play arrives after the first page: it sorts first, so every later page shifts by one.
      if (++pages === 2) standIn.data.plays.push({ ...standIn.data.plays[0], id: 'play-000-new', startedAt: new Date(NOW - 1000).toISOString() });
    };
    const s = stats();
    const plays = await readWindow(client(), { team: 'acme', from: new Date(0), to: new Date(NOW), playType: 'NORMAL', pageSize: 2 }, new Date(0), new Date(NOW), s);
    expect(s.rereads).to.equal(1);
    expect(plays.map((p) => p.id).sort()).to.deep.equal(standIn.data.plays.map((p) => p.id).sort());
  });

  it('survives two 429s, honouring Retry-After, and a 503', async () => {
    standIn.faults.push({ status: 429, retryAfterSeconds: 0 }, { status: 429, retryAfterSeconds: 0 }, { status: 503 });
    const c = client();
    const data = await c.query<{ user: { id: string } }>('query($id: String!) { user(userID: $id) { id } }', { id: userId('ada') });
    expect(data.user.id).to.equal(userId('ada'));
    expect(c.retries).to.equal(3);
    expect(c.requests).to.equal(4);
    expect(retryAfterMs('2')).to.equal(2000);
    expect(retryAfterMs(new Date(NOW + 5000).toUTCString(), NOW)).to.equal(5000);
  });

  it('abandons a request that gets no answer in time and asks again', async () => {
    standIn.faults.push({ delayMs: 400 });
    const c = client({ timeoutMs: 100 });
    const data = await c.query<{ user: { id: string } }>('query($id: String!) { user(userID: $id) { id } }', { id: userId('ada') });
    expect(data.user.id).to.equal(userId('ada'));
    expect(c.retries).to.equal(1);
  });

  it('stops at once on a refused key, without retrying and without the key in the message', async () => {
    const c = client({ apiKey: 'wrong-key-123' });
    const e = await c.query('{ user(userID: "x") { id } }', {}).then(
      () => undefined,
      (err: unknown) => err
    );
    expect(e).to.be.instanceOf(InstruqtApiError);
    expect((e as InstruqtApiError).code).to.equal('Unauthorized');
    expect((e as Error).message).to.not.contain('wrong-key-123');
    expect(standIn.requests).to.equal(1);
  });

  it('treats GraphQL errors in a 200 answer as errors, with their message', async () => {
    const e = await client()
      .query('{ noSuchField }', {})
      .then(
        () => undefined,
        (err: unknown) => err as InstruqtApiError
      );
    expect(e?.code).to.equal('GraphQL');
    expect(e?.message).to.contain('noSuchField');
  });

  it('maps a play onto a form submission, start, completion and review, and skips developer plays unless asked', () => {
    const play: PlayReport = {
      id: 'play-1',
      startedAt: '2026-11-27T10:00:00Z',
      timeSpent: 1834,
      completionPercent: 100,
      mode: 'NORMAL',
      track: { id: 't', slug: 'kubernetes-101', title: 'Kubernetes 101' },
      user: { id: userId('ada'), details: { email: 'Ada@Example.com', firstName: 'Ada', lastName: 'Lovelace', companyName: 'AE', jobTitle: 'CTO' } },
      playReview: { id: 'r', score: 4, content: 'Great lab' },
    };
    const events = playEvents(play, false);
    expect(events.map((e) => e.type)).to.deep.equal(['invite.submitted', 'track.started', 'track.completed', 'review.submitted']);
    for (const [i, raw] of events.entries()) expect(validateEvent(raw, i + 1).ok, JSON.stringify(raw)).to.equal(true);
    expect(events[0].participant).to.deep.equal({ id: userId('ada'), email: 'Ada@Example.com', firstName: 'Ada', lastName: 'Lovelace', company: 'AE', title: 'CTO' });
    expect(events[2]).to.deep.include({ timestamp: '2026-11-27T10:30:34.000Z', play: { id: 'play-1', timeSpentSeconds: 1834 } });
    const anonymous = playEvents({ ...play, completionPercent: 60, playReview: null, user: { id: userId('anon'), details: null } }, false);
    expect(anonymous.map((e) => e.type)).to.deep.equal(['track.started']);
    expect(anonymous[0].participant).to.deep.equal({ id: userId('anon') });
    expect(playEvents({ ...play, mode: 'DEVELOPER' }, false)).to.deep.equal([]);
    expect(playEvents({ ...play, mode: 'DEVELOPER' }, true)).to.have.length(4);
  });

  it('needs --since on the first pull, then continues from the last end minus the lookback', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'iq-state-'));
    const base = { apiKey: standIn.apiKey, url: standIn.url, team: 'acme', orgId: '00D000000000001', lookbackDays: 7, includeDeveloperPlays: false, stateDir };
    const noSince = await openInstruqtSource(base).then(
      () => undefined,
      (e: unknown) => e as Error
    );
    expect(noSince?.name).to.equal('InstruqtSourceError');
    const first = await openInstruqtSource({ ...base, since: new Date(NOW - 3 * 86_400_000), now: new Date(NOW) });
    let text = '';
    for await (const chunk of first.input) text += String(chunk);
    // Three plays are NORMAL (one anonymous), one is a developer play.
    expect(text.split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { id: string }).id)).to.include.members(['instruqt:play-ada-1:review', 'instruqt:play-anon-1:started']);
    expect(first.summary).to.include({ plays: 3, anonymousPlays: 1, windows: 3 });
    await first.commit();
    const second = await openInstruqtSource({ ...base, now: new Date(NOW + 3_600_000) });
    expect(second.summary.from).to.equal(new Date(NOW - 7 * 86_400_000).toISOString());
    expect(second.summary.continuedFrom).to.equal(new Date(NOW).toISOString());
  });

  it('refuses a wrong key while opening (before the engine runs), and ends the input early on a later failure, keeping what was read', async () => {
    const base = { url: standIn.url, team: 'acme', orgId: '00D000000000001', lookbackDays: 7, includeDeveloperPlays: false, stateDir: mkdtempSync(join(tmpdir(), 'iq-state-')) };
    const since = new Date(NOW - 2 * 86_400_000);
    const refused = await openInstruqtSource({ ...base, apiKey: 'nope', since, now: new Date(NOW) }).then(
      () => undefined,
      (e: unknown) => e as InstruqtApiError
    );
    expect(refused?.code).to.equal('Unauthorized');
    const source = await openInstruqtSource({ ...base, apiKey: standIn.apiKey, since, now: new Date(NOW), client: { maxRetries: 0 } });
    standIn.faults.push({ status: 500 });
    let text = '';
    for await (const chunk of source.input) text += String(chunk);
    // The first day (plays from 30 h ago) was read; the second day's read failed.
    expect(text).to.contain('instruqt:play-ada-1:started');
    expect(text).to.not.contain('play-grace-1');
    expect(source.failure()?.message).to.contain('HTTP 500');
    expect(source.summary.error).to.contain('HTTP 500');
  });
});
