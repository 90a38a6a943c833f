/*
 * `sync --source instruqt` as an input for the sync engine: works out the time range (--since, else the last complete
 * run's end minus the lookback), reads the first window before anything is written (a refused key stops the run
 * there), and streams every window's plays as NDJSON events. commit() moves the watermark after a complete run.
 */
import { Readable } from 'node:stream';
import { InstruqtClient, type InstruqtClientOptions } from './client.js';
import { playEvents, type MapStats } from './mapping.js';
import { DAY_MS, pullPlays, type PlayReport, type PullStats } from './pull.js';
import { WatermarkStore, defaultWatermarkDir } from './watermark.js';

export type InstruqtSourceOptions = {
  apiKey: string;
  url?: string;
  team: string;
  orgId: string;
  since?: Date;
  lookbackDays: number;
  includeDeveloperPlays: boolean;
  /** Where watermarks live; default the sf state folder's instruqt-sync. */
  stateDir?: string;
  now?: Date;
  windowMs?: number;
  pageSize?: number;
  client?: Partial<InstruqtClientOptions>;
  onWarning?: (message: string) => void;
};

export type InstruqtPullSummary = {
  team: string;
  from: string;
  to: string;
  /** The end of the last complete run this one continued from (minus the lookback), if it did. */
  continuedFrom?: string;
  windows: number;
  pages: number;
  rereads: number;
  plays: number;
  developerPlaysSkipped: number;
  anonymousPlays: number;
  events: number;
  requests: number;
  retries: number;
  /** Why reading stopped part-way (what was read before is applied; the next run reads the same range again). */
  error?: string;
};

export class InstruqtSourceError extends Error {
  public constructor(public readonly code: 'NoSince', message: string) {
    super(message);
    this.name = 'InstruqtSourceError';
  }
}

export type InstruqtSource = {
  input: Readable;
  summary: InstruqtPullSummary;
  /** The error that ended reading after the first window, if any (the input then ends early instead of failing). */
  failure(): Error | undefined;
  /** Remember this run's end for the next run (call only after every event was applied). */
  commit(): Promise<void>;
};

const byStart = (a: PlayReport, b: PlayReport): number =>
  Date.parse(a.startedAt) - Date.parse(b.startedAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

export async function openInstruqtSource(opts: InstruqtSourceOptions): Promise<InstruqtSource> {
  const store = new WatermarkStore(opts.stateDir ?? defaultWatermarkDir(), opts.orgId, opts.team);
  const previous = await store.load();
  const to = opts.now ?? new Date();
  let from: Date;
  if (opts.since) from = opts.since;
  else if (previous) from = new Date(Date.parse(previous.lastEnd) - opts.lookbackDays * DAY_MS);
  else throw new InstruqtSourceError('NoSince', `no earlier run for team ${opts.team} on this org`);

  const client = new InstruqtClient({ ...opts.client, apiKey: opts.apiKey, url: opts.url });
  const stats: PullStats = { windows: 0, pages: 0, rereads: 0, plays: 0 };
  const mapped: MapStats = { plays: 0, developerPlaysSkipped: 0, anonymousPlays: 0, events: 0 };
  const summary: InstruqtPullSummary = {
    team: opts.team,
    from: from.toISOString(),
    to: to.toISOString(),
    continuedFrom: !opts.since && previous ? previous.lastEnd : undefined,
    windows: 0,
    pages: 0,
    rereads: 0,
    plays: 0,
    developerPlaysSkipped: 0,
    anonymousPlays: 0,
    events: 0,
    requests: 0,
    retries: 0,
  };
  const update = (): void => {
    Object.assign(summary, { windows: stats.windows, pages: stats.pages, rereads: stats.rereads, requests: client.requests, retries: client.retries });
    Object.assign(summary, { plays: mapped.plays, developerPlaysSkipped: mapped.developerPlaysSkipped, anonymousPlays: mapped.anonymousPlays, events: mapped.events });
  };
  const plays = pullPlays(
    client,
    { team: opts.team, from, to, playType: opts.includeDeveloperPlays ? 'ALL' : 'NORMAL', windowMs: opts.windowMs, pageSize: opts.pageSize, onWarning: opts.onWarning },
    stats
  );
  const lines = (window: PlayReport[]): string =>
    [...window]
      .sort(byStart)
      .flatMap((p) => playEvents(p, opts.includeDeveloperPlays, mapped))
      .map((e) => JSON.stringify(e) + '\n')
      .join('');
  // The first window is read now: a refused key or a GraphQL error stops the run before the org is written to.
  const first = await plays.next();
  update();
  let failure: Error | undefined;
  async function* ndjson(): AsyncGenerator<string> {
    if (first.done) return;
    const head = lines(first.value);
    update();
    if (head) yield head;
    try {
      for await (const window of plays) {
        const text = lines(window);
        update();
        if (text) yield text;
      }
    } catch (e) {
      // Keep what was read: the engine applies it, the watermark stays, and the next run reads the range again.
      failure = e instanceof Error ? e : new Error(String(e));
      summary.error = failure.message;
      update();
    }
  }
  return {
    input: Readable.from(ndjson(), { objectMode: false }),
    summary,
    failure: () => failure,
    commit: () => store.save(to),
  };
}
