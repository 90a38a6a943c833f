/* eslint-disable camelcase -- Salesforce API names */
/*
 * `npm run bench -- sync`: API calls per event, wall time and peak memory of `sf instruqt sync` against a local org
 * that answers every request after 50 ms and holds 50,000 Leads and Contacts, next to a naive per-event workflow
 * (query person, create lead, upsert track, upsert play, post) on the same data; then 1,000,000 events streamed
 * through the engine to show its memory stays flat.
 */
import { Readable } from 'node:stream';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SalesforceClient } from '../src/salesforce/client.js';
import { soqlLiteral } from '../src/salesforce/soql.js';
import { DEFAULT_CONFIG } from '../src/sync/config.js';
import { runSync, type SyncResult } from '../src/sync/engine.js';
import { formatTimeSpent, playName } from '../src/sync/fields.js';
import { postBody } from '../src/sync/posts.js';
import { startSyncOrg, type SyncOrg } from '../test/sync/org-fixture.js';

export type BenchSyncOptions = {
  plays?: number;
  people?: number;
  latencyMs?: number;
  /** Plays the naive per-event baseline runs (its cost is then given per event and for all plays). */
  naivePlays?: number;
  naiveConcurrency?: number;
  streamEvents?: number;
  quiet?: boolean;
};

export type BenchSyncReport = {
  events: number;
  plays: number;
  ours: { apiCalls: number; apiCallsPerEvent: number; wallSeconds: number; peakRssMb: number; result: SyncResult };
  naive: { sampleEvents: number; apiCalls: number; apiCallsPerEvent: number; wallSeconds: number; projectedApiCalls: number; projectedWallSeconds: number };
  stream: { events: number; wallSeconds: number; peakRssMb: number; heapMb: number };
  targets: { apiCalls: boolean; wall: boolean; memory: boolean };
};

type Raw = Record<string, unknown>;
const TRACKS = Array.from({ length: 20 }, (_, i) => ({ slug: `track-${i}`, title: `Track ${i}: Hands-on Lab` }));

/** Deterministic events for `plays` plays: a form submission for 40%, a start for all, 70% complete, 40% review. */
function* events(plays: number, knownPeople: number): Generator<Raw> {
  const at = (n: number): string => new Date(Date.UTC(2026, 10, 1) + n * 1000).toISOString();
  for (let i = 0; i < plays; i++) {
    // Every third play is a person the org already knows (a seeded Lead or Contact); others are new people.
    const known = i % 3 === 0;
    const k = known ? (i * 7) % knownPeople : i;
    const person = known
      ? { id: `k-${k}`, email: `person${k}@bench.example`, firstName: `Known${k}`, lastName: 'Person' }
      : { id: `n-${Math.floor(i / 2)}`, email: `new${Math.floor(i / 2)}@bench.example`, firstName: `New${Math.floor(i / 2)}`, lastName: 'Player' };
    const track = TRACKS[i % TRACKS.length];
    const base = { participant: { id: person.id, email: person.email }, track, play: { id: `bench-play-${i}` } };
    if (i % 5 < 2) {
      yield { id: `e-${i}-f`, type: 'invite.submitted', timestamp: at(i * 4), participant: { ...person, company: 'Bench Co' }, invite: { id: `inv-${i}`, url: `https://play.instruqt.com/i/${i}` } };
    }
    yield { id: `e-${i}-s`, type: 'track.started', timestamp: at(i * 4 + 1), ...base };
    if (i % 10 < 7) yield { id: `e-${i}-c`, type: 'track.completed', timestamp: at(i * 4 + 2), ...base, play: { id: `bench-play-${i}`, timeSpentSeconds: 300 + (i % 3000) } };
    if (i % 5 < 2) yield { id: `e-${i}-r`, type: 'review.submitted', timestamp: at(i * 4 + 3), ...base, review: { score: i % 10, comment: `Review ${i}` } };
  }
}

function ndjsonStream(gen: Generator<Raw>): Readable {
  return Readable.from(
    (function* (): Generator<string> {
      let chunk = '';
      for (const e of gen) {
        chunk += JSON.stringify(e) + '\n';
        if (chunk.length > 64_000) {
          yield chunk;
          chunk = '';
        }
      }
      if (chunk) yield chunk;
    })()
  );
}

function seedPeople(o: SyncOrg, people: number): void {
  for (let k = 0; k < people; k++) {
    const fields = { FirstName: `Known${k}`, LastName: 'Person', Email: `person${k}@bench.example` };
    if (k % 2 === 0) o.local.org.insert('Contact', fields);
    else o.local.org.insert('Lead', { ...fields, Company: 'Seeded' });
  }
}

/** Peak RSS sampler (the process's own high-water mark is in resourceUsage().maxRSS, in KB). */
function rssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}

/** The per-event workflow a webhook integration runs: every event on its own, no batching. */
async function naiveEvent(client: SalesforceClient, e: Raw): Promise<void> {
  const p = e.participant as { id: string; email: string; firstName?: string; lastName?: string; company?: string };
  const found = await client.query<{ Id: string }>(`SELECT Id FROM Contact WHERE Email = ${soqlLiteral(p.email)} LIMIT 1`);
  let personId = found[0]?.Id;
  let isLead = false;
  if (!personId) {
    const leads = await client.query<{ Id: string }>(`SELECT Id FROM Lead WHERE Email = ${soqlLiteral(p.email)} LIMIT 1`);
    personId = leads[0]?.Id;
    isLead = true;
  }
  if (e.type === 'invite.submitted') {
    if (!personId) await client.create('Lead', { FirstName: p.firstName, LastName: p.lastName ?? 'Unknown', Email: p.email, Company: p.company ?? '[not provided]' });
    return;
  }
  const track = e.track as { slug: string; title: string };
  const play = e.play as { id: string; timeSpentSeconds?: number };
  const trackResult = await client.request<{ id: string }>('PATCH', `/sobjects/Instruqt_Track__c/Track_Slug__c/${encodeURIComponent(track.slug)}`, { Name: track.title });
  const fields: Record<string, unknown> = { Name: playName(track.title, p.email), User_ID__c: p.id };
  if (trackResult?.id) fields.Instruqt_Track__c = trackResult.id;
  if (personId) fields[isLead ? 'Lead__c' : 'Contact__c'] = personId;
  if (play.timeSpentSeconds !== undefined) {
    fields.Time_Spent_Seconds__c = play.timeSpentSeconds;
    fields.Time_Spent__c = formatTimeSpent(play.timeSpentSeconds);
  }
  await client.request('PATCH', `/sobjects/Instruqt_Play__c/Play_ID__c/${encodeURIComponent(play.id)}`, fields);
  if (personId) {
    const milestone = e.type === 'track.started' ? 'started' : e.type === 'track.completed' ? 'completed' : 'score';
    const body = postBody({ milestone, playId: play.id, trackTitle: track.title, timeSpentSeconds: play.timeSpentSeconds, score: 4 });
    await client.create('FeedItem', { ParentId: personId, Body: body });
  }
}

async function runNaive(o: SyncOrg, plays: number, concurrency: number): Promise<{ events: number; apiCalls: number; wallSeconds: number }> {
  const client = await o.client();
  const all = [...events(plays, 50_000)].map((e) => ({ ...e, play: e.play ? { ...(e.play as object), id: `naive-${String((e.play as { id: string }).id)}` } : undefined }));
  const started = Date.now();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < all.length) {
      const e = all[next++];
      await naiveEvent(client, e).catch(() => undefined);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { events: all.length, apiCalls: client.apiCalls, wallSeconds: (Date.now() - started) / 1000 };
}

/** A client that answers like an empty org, for the streaming memory run (the engine's own footprint). */
function emptyOrgClient(): SalesforceClient {
  let calls = 0;
  const stub = {
    get apiCalls(): number {
      return calls;
    },
    apiUsage: undefined,
    assertBudget: (): void => undefined,
    describeGlobal: async (): Promise<unknown> => {
      calls++;
      return Promise.resolve({
        sobjects: ['Instruqt_Play__c', 'Instruqt_Track__c', 'FeedItem', 'Lead', 'Contact', 'Task'].map((name) => ({ name, label: name, custom: false, keyPrefix: null })),
      });
    },
    describe: async (): Promise<unknown> => {
      calls++;
      return Promise.resolve({ fields: [{ name: 'IsConverted' }, { name: 'ConvertedContactId' }] });
    },
    query: async (soql: string): Promise<unknown[]> => {
      calls++;
      return Promise.resolve(soql.includes('FROM LeadStatus') ? [{ MasterLabel: 'Open - Not Contacted', IsDefault: true }] : []);
    },
    queries: async (soqls: string[]): Promise<unknown[][]> => {
      calls++;
      return Promise.resolve(soqls.map(() => []));
    },
  };
  return stub as unknown as SalesforceClient;
}

export async function benchSync(opts: BenchSyncOptions = {}): Promise<BenchSyncReport> {
  const plays = opts.plays ?? 10_000;
  const people = opts.people ?? 50_000;
  const latencyMs = opts.latencyMs ?? 50;
  const log = (s: string): void => {
    if (!opts.quiet) console.log(s);
  };
  const eventCount = [...events(plays, people)].length;
  log(`sync bench: ${plays} plays, ${eventCount} events, org with ${people} Leads+Contacts, ${latencyMs} ms per request`);

  let streamReport = { events: 0, wallSeconds: 0, peakRssMb: 0, heapMb: 0 };
  // First (so the process high-water mark is its own): 1,000,000 events through the engine (read, validate, fold,
  // plan) against an org stub that answers like an empty org.
  const streamEvents = opts.streamEvents ?? 1_000_000;
  if (streamEvents > 0) {
    const streamPlays = Math.ceil(streamEvents / 2.5);
    const before = rssMb();
    const started = Date.now();
    let heap = 0;
    const r = await runSync({
      client: emptyOrgClient(),
      orgId: '00D000000000000AAA',
      input: ndjsonStream(events(streamPlays, people)),
      config: structuredClone(DEFAULT_CONFIG),
      dryRun: true,
      // Sampled after every batch: timers would not fire while the stream keeps the loop busy.
      onProgress: () => {
        heap = Math.max(heap, process.memoryUsage().heapUsed);
      },
    });
    streamReport = {
      events: r.events.read,
      wallSeconds: (Date.now() - started) / 1000,
      peakRssMb: rssMb(),
      heapMb: Math.round(heap / 1024 / 1024),
    };
    
    log(
      `  stream: ${r.events.read} events in ${streamReport.wallSeconds.toFixed(1)} s, peak heap ${streamReport.heapMb} MB` +
        ` (process peak RSS ${streamReport.peakRssMb} MB; ${before} MB before)`
    );
  }

  const o = await startSyncOrg({ latencyMs });
  let report: BenchSyncReport;
  try {
    seedPeople(o, people);
    const client = await o.client();
    const started = Date.now();
    const result = await runSync({
      client,
      orgId: o.local.orgId,
      input: ndjsonStream(events(plays, people)),
      config: structuredClone(DEFAULT_CONFIG),
      journalDir: mkdtempSync(join(tmpdir(), 'bench-journal-')),
    });
    const wallSeconds = (Date.now() - started) / 1000;
    const ours = { apiCalls: client.apiCalls, apiCallsPerEvent: client.apiCalls / eventCount, wallSeconds, peakRssMb: rssMb(), result };
    log(`  ours : ${ours.apiCalls} API calls (${ours.apiCallsPerEvent.toFixed(4)} per event), ${wallSeconds.toFixed(1)} s, peak RSS ${ours.peakRssMb} MB (org in the same process)`);
    log(`         leads ${result.leads.created}, plays ${result.plays.created}, posts ${result.posts.total}, failures ${result.failures}, bulk jobs ${result.bulkJobs}`);

    const naivePlays = opts.naivePlays ?? 300;
    const n = await runNaive(o, naivePlays, opts.naiveConcurrency ?? 8);
    const perEvent = n.apiCalls / n.events;
    const naive = {
      sampleEvents: n.events,
      apiCalls: n.apiCalls,
      apiCallsPerEvent: perEvent,
      wallSeconds: n.wallSeconds,
      projectedApiCalls: Math.round(perEvent * eventCount),
      projectedWallSeconds: Math.round((n.wallSeconds / n.events) * eventCount),
    };
    log(
      `  naive: ${perEvent.toFixed(2)} API calls per event (measured on ${n.events} events, ${n.wallSeconds.toFixed(1)} s with ${opts.naiveConcurrency ?? 8} workers)` +
        ` -> ${naive.projectedApiCalls} API calls and ~${naive.projectedWallSeconds} s for all ${eventCount} events`
    );
    report = {
      events: eventCount,
      plays,
      ours,
      naive,
      stream: streamReport,
      targets: { apiCalls: ours.apiCalls <= 400, wall: wallSeconds <= 60, memory: streamReport.peakRssMb < 512 },
    };
  } finally {
    await o.stop();
  }

  log(`  targets: <= 400 API calls ${report.targets.apiCalls ? 'met' : 'MISSED'}, <= 60 s ${report.targets.wall ? 'met' : 'MISSED'}, < 512 MB ${report.targets.memory ? 'met' : 'MISSED'}`);
  return report;
}
