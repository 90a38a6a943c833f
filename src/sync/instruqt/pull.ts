/*
 * Reading a team's plays over a time range: `playReports` a page at a time, one window (a day by default) after
 * another so memory stays bounded. The API cannot order by time, so pages can shift while a window is read: a window
 * whose totalItems changed, or whose distinct plays fall short of totalItems, is read again (plays are keyed by id,
 * so reading one twice is harmless).
 */
import type { InstruqtClient } from './client.js';

/** Variables declared as scalars and input objects written inline, as the public client (isovalent/instruqt-go) does. */
export const PLAY_REPORTS_QUERY = `query($teamSlug: String!, $from: Time!, $to: Time!, $skip: Int!, $take: Int!, $playType: PlayType!) {
  playReports(input: {teamSlug: $teamSlug, dateRangeFilter: {from: $from, to: $to}, pagination: {skip: $skip, take: $take}, playType: $playType}) {
    totalItems
    items {
      id startedAt timeSpent completionPercent mode
      track { id slug title }
      trackInvite { id title }
      user { id details(teamSlug: $teamSlug) { email firstName lastName companyName jobTitle } }
      playReview { id score content }
    }
  }
}`;

export type PlayReport = {
  id: string;
  startedAt: string;
  timeSpent: number;
  completionPercent: number;
  mode: string;
  track: { id: string; slug: string; title: string };
  trackInvite?: { id: string; title?: string | null } | null;
  user: {
    id: string;
    details?: {
      email?: string | null;
      firstName?: string | null;
      lastName?: string | null;
      companyName?: string | null;
      jobTitle?: string | null;
    } | null;
  };
  playReview?: { id: string; score?: number | null; content?: string | null } | null;
};

export type PullOptions = {
  team: string;
  from: Date;
  to: Date;
  playType: 'NORMAL' | 'ALL';
  windowMs?: number;
  pageSize?: number;
  /** Reads of one window before giving up on a stable count. */
  maxReads?: number;
  onWarning?: (message: string) => void;
};

export type PullStats = { windows: number; pages: number; rereads: number; plays: number };

export const DAY_MS = 86_400_000;

type Page = { playReports: { totalItems: number; items: PlayReport[] } };

/** One window, read until a read sees a stable totalItems and that many distinct plays. */
export async function readWindow(client: InstruqtClient, opts: PullOptions, from: Date, to: Date, stats: PullStats): Promise<PlayReport[]> {
  const take = opts.pageSize ?? 100;
  const maxReads = opts.maxReads ?? 5;
  const plays = new Map<string, PlayReport>();
  for (let read = 1; ; read++) {
    let total: number | undefined;
    let stable = true;
    const seen = new Set<string>();
    for (let skip = 0; ; ) {
      const page = await client.query<Page>(PLAY_REPORTS_QUERY, {
        teamSlug: opts.team,
        from: from.toISOString(),
        to: to.toISOString(),
        skip,
        take,
        playType: opts.playType,
      });
      stats.pages++;
      const { totalItems, items } = page.playReports;
      total ??= totalItems;
      if (totalItems !== total) stable = false;
      for (const p of items) {
        plays.set(p.id, p);
        seen.add(p.id);
      }
      skip += items.length;
      if (!stable || items.length === 0 || skip >= totalItems) break;
    }
    if (stable && seen.size >= (total ?? 0)) break;
    if (read >= maxReads) {
      opts.onWarning?.(
        `plays from ${from.toISOString()} to ${to.toISOString()} kept changing while read (${read} reads); the next run reads them again`
      );
      break;
    }
    stats.rereads++;
  }
  return [...plays.values()];
}

/** The windows [from, to) is cut into, oldest first. */
export function windows(from: Date, to: Date, windowMs = DAY_MS): Array<[Date, Date]> {
  const out: Array<[Date, Date]> = [];
  for (let start = from.getTime(); start < to.getTime(); start += windowMs) {
    out.push([new Date(start), new Date(Math.min(start + windowMs, to.getTime()))]);
  }
  return out;
}

/** Every window's plays, one window at a time. */
export async function* pullPlays(client: InstruqtClient, opts: PullOptions, stats: PullStats): AsyncGenerator<PlayReport[]> {
  for (const [from, to] of windows(opts.from, opts.to, opts.windowMs)) {
    const plays = await readWindow(client, opts, from, to, stats);
    stats.windows++;
    stats.plays += plays.length;
    yield plays;
  }
}
