/*
 * The local Instruqt stand-in: serves schema.graphql (the subset of Instruqt's GraphQL API the sync uses, copied from
 * ../shared/instruqt) with graphql-js over node:http, from StandInData. Like the real API: POST /graphql with
 * "Authorization: Bearer <team API key>"; a wrong key is HTTP 401; GraphQL errors come back with HTTP 200.
 * Control endpoints (/local/...) inject 429/5xx answers, replace the data and count requests.
 */
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { buildSchema, graphql, type GraphQLSchema } from 'graphql';
import type { StandInData, StandInPlay, StandInUser } from './data.js';

export const SCHEMA_FILE = new URL('schema.graphql', import.meta.url);

/** A refused answer (status, with Retry-After), or with delayMs alone an answer that comes that much later. */
export type InstruqtFault = { status?: number; retryAfterSeconds?: number; delayMs?: number };
export type InstruqtStandInOptions = { port?: number; host?: string; apiKey?: string; data: StandInData };

type PlayReportsInput = {
  teamSlug: string;
  dateRangeFilter?: { from?: string | null; to?: string | null } | null;
  trackIds?: string[] | null;
  userIds?: string[] | null;
  pagination?: { skip?: number | null; take?: number | null } | null;
  playType?: 'ALL' | 'NORMAL' | 'DEVELOPER' | null;
  ordering?: { orderBy?: string | null; direction?: 'Asc' | 'Desc' | null } | null;
};

/** The largest page the stand-in returns, whatever `take` asks (the real API's cap is not published). */
export const MAX_TAKE = 100;

let schema: GraphQLSchema | undefined;
export function standInSchema(): GraphQLSchema {
  schema ??= buildSchema(readFileSync(SCHEMA_FILE, 'utf8'));
  return schema;
}

export class InstruqtStandIn {
  public data: StandInData;
  public readonly apiKey: string;
  /** GraphQL requests received (refused ones included), and the last ones' bodies. */
  public requests = 0;
  public readonly log: Array<{ query: string; variables: Record<string, unknown>; status: number }> = [];
  /** Answers to give instead of executing, one per request, in order. */
  public faults: InstruqtFault[] = [];
  /** Called before each playReports page is answered (tests change the data between pages). */
  public beforePlayReports?: (input: PlayReportsInput) => void;
  private server?: http.Server;
  private address?: AddressInfo;

  public constructor(private readonly options: InstruqtStandInOptions) {
    this.data = options.data;
    this.apiKey = options.apiKey ?? `iq_local_${randomBytes(16).toString('hex')}`;
  }

  public get url(): string {
    if (!this.address) throw new Error('not started');
    return `http://${this.options.host ?? '127.0.0.1'}:${this.address.port}/graphql`;
  }

  public async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      void this.handle(req, res).catch((e: unknown) => send(res, 500, { errors: [{ message: String(e) }] }));
    });
    await new Promise<void>((resolve) => this.server!.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', resolve));
    this.address = this.server.address() as AddressInfo;
    return this;
  }

  public async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readBody(req);
    const path = (req.url ?? '/').split('?')[0];
    if (path.startsWith('/local/')) return this.control(req.method ?? 'GET', path, body, res);
    if (path !== '/graphql') return send(res, 404, { errors: [{ message: 'not found' }] });
    if (req.method !== 'POST') return send(res, 405, { errors: [{ message: 'POST a GraphQL query' }] });
    this.requests++;
    const entry = { query: '', variables: {}, status: 200 };
    this.log.push(entry);
    if (this.log.length > 100) this.log.shift();
    if (req.headers.authorization !== `Bearer ${this.apiKey}`) {
      entry.status = 401;
      return send(res, 401, { errors: [{ message: 'unauthorized' }] });
    }
    let fault = this.faults.shift();
    if (fault?.delayMs) {
      await new Promise((resolve) => setTimeout(resolve, fault!.delayMs));
      if (fault.status === undefined) fault = undefined;
    }
    if (fault?.status !== undefined) {
      entry.status = fault.status;
      const headers: Record<string, string> = fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {};
      return send(res, fault.status, { errors: [{ message: fault.status === 429 ? 'too many requests' : 'internal error' }] }, headers);
    }
    let parsed: { query?: unknown; variables?: unknown };
    try {
      parsed = JSON.parse(body) as typeof parsed;
    } catch {
      entry.status = 400;
      return send(res, 400, { errors: [{ message: 'body is not JSON' }] });
    }
    entry.query = String(parsed.query ?? '');
    entry.variables = (parsed.variables ?? {}) as Record<string, unknown>;
    const result = await graphql({
      schema: standInSchema(),
      source: entry.query,
      variableValues: entry.variables,
      rootValue: this.resolvers(),
    });
    send(res, 200, result);
  }

  private control(method: string, path: string, body: string, res: http.ServerResponse): void {
    if (path === '/local/faults' && method === 'PUT') {
      // {"status":429,"count":2,"retryAfterSeconds":1}
      const f = JSON.parse(body || '{}') as InstruqtFault & { count?: number };
      for (let i = 0; i < (f.count ?? 1); i++) this.faults.push({ status: f.status, retryAfterSeconds: f.retryAfterSeconds, delayMs: f.delayMs });
      return send(res, 200, { pending: this.faults.length });
    }
    if (path === '/local/data' && method === 'PUT') {
      this.data = JSON.parse(body) as StandInData;
      return send(res, 200, { plays: this.data.plays.length });
    }
    if (path === '/local/data' && method === 'GET') return send(res, 200, this.data);
    if (path === '/local/requests' && method === 'GET') return send(res, 200, { requests: this.requests });
    send(res, 404, { errors: [{ message: 'not found' }] });
  }

  private resolvers(): Record<string, unknown> {
    return {
      playReports: ({ input }: { input: PlayReportsInput }): { totalItems: number; items: Array<Record<string, unknown>> } => {
        this.beforePlayReports?.(input);
        const all = this.select(input);
        const skip = Math.max(0, input.pagination?.skip ?? 0);
        const take = Math.min(MAX_TAKE, Math.max(0, input.pagination?.take ?? 25));
        return { totalItems: all.length, items: all.slice(skip, skip + take).map((p) => this.report(p)) };
      },
      playReportItem: ({ playID, input }: { playID: string; input: { teamSlug: string } }): Record<string, unknown> | null => {
        const play = input.teamSlug === this.data.team ? this.data.plays.find((p) => p.id === playID) : undefined;
        return play ? this.report(play) : null;
      },
      user: ({ userID }: { userID: string }): Record<string, unknown> | null => {
        const user = this.data.users.find((u) => u.id === userID);
        return user ? this.user(user) : null;
      },
    };
  }

  /** Plays of the team that the filter selects; dateRangeFilter is applied to startedAt (from inclusive, to exclusive). */
  private select(input: PlayReportsInput): StandInPlay[] {
    if (input.teamSlug !== this.data.team) return [];
    const from = input.dateRangeFilter?.from ? Date.parse(input.dateRangeFilter.from) : -Infinity;
    const to = input.dateRangeFilter?.to ? Date.parse(input.dateRangeFilter.to) : Infinity;
    const type = input.playType ?? 'ALL';
    const plays = this.data.plays.filter((p) => {
      const t = Date.parse(p.startedAt);
      return (
        t >= from &&
        t < to &&
        (type === 'ALL' || p.mode === type) &&
        (!input.trackIds?.length || input.trackIds.includes(p.trackId)) &&
        (!input.userIds?.length || input.userIds.includes(p.userId))
      );
    });
    // No ordering by time exists; without `ordering` the order is the play id's (stable, unrelated to time).
    const orderBy = input.ordering?.orderBy;
    const sign = input.ordering?.direction === 'Asc' ? 1 : -1;
    if (orderBy === 'completion_percent') plays.sort((a, b) => sign * (a.completionPercent - b.completionPercent));
    else if (orderBy === 'time_spent') plays.sort((a, b) => sign * (a.timeSpent - b.timeSpent));
    else plays.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return plays;
  }

  private report(p: StandInPlay): Record<string, unknown> {
    const track = this.data.tracks.find((t) => t.id === p.trackId) ?? { id: p.trackId, slug: p.trackId, title: p.trackId };
    const user = this.data.users.find((u) => u.id === p.userId) ?? { id: p.userId, details: null };
    const invite = p.inviteId ? this.data.invites?.find((i) => i.id === p.inviteId) ?? { id: p.inviteId } : null;
    return {
      id: p.id,
      track,
      trackInvite: invite,
      user: this.user(user),
      completionPercent: p.completionPercent,
      totalChallenges: p.totalChallenges ?? 0,
      completedChallenges: p.completedChallenges ?? 0,
      timeSpent: p.timeSpent,
      stoppedReason: null,
      mode: p.mode,
      startedAt: p.startedAt,
      activity: [],
      playReview: p.review ?? null,
      customParameters: p.customParameters ?? [],
    };
  }

  private user(u: StandInUser): Record<string, unknown> {
    const team = this.data.team;
    return { id: u.id, details: ({ teamSlug }: { teamSlug: string }) => (teamSlug === team ? u.details : null) };
  }
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

export async function startInstruqtStandIn(options: InstruqtStandInOptions): Promise<InstruqtStandIn> {
  return new InstruqtStandIn(options).start();
}
