/*
 * SOQL over REST (REST API Developer Guide: Query, QueryAll, Execute a SOQL Query; Tooling API: Query): runs the
 * SOQL engine as the caller, pages its rows into batches (2,000 by default, `Sforce-Query-Options: batchSize=N`,
 * 200..2,000) behind `nextRecordsUrl` cursors, and answers `columns=true` with column metadata for the sf CLI.
 */
import { randomChars } from '../core/ids.js';
import { SalesforceError, type Reply, type RequestContext } from '../core/types.js';
import type { HttpRouter } from '../http/router.js';
import { describeSoqlColumns, executeSoql } from '../soql/index.js';
import { apiVersionOf } from './records.js';

type Cursor = { rows: Array<Record<string, unknown>>; totalSize: number; userId: string; batch: number; all: boolean; at: number };

const MAX_BATCH = 2000;
const CURSOR_TTL_MS = 15 * 60 * 1000;

function batchSizeOf(ctx: RequestContext): number {
  const header = ctx.headers['sforce-query-options'];
  const m = typeof header === 'string' ? /batchSize\s*=\s*(\d+)/i.exec(header) : null;
  if (!m) return MAX_BATCH;
  return Math.min(MAX_BATCH, Math.max(200, Number(m[1])));
}

export class QueryCursors {
  private readonly cursors = new Map<string, Cursor>();

  public page(version: string, locator: string, offset: number, userId: string): Reply {
    const cursor = this.cursors.get(locator);
    if (!cursor || cursor.userId !== userId || offset > cursor.rows.length) {
      throw new SalesforceError('INVALID_QUERY_LOCATOR', 'invalid query locator');
    }
    cursor.at = Date.now();
    return { status: 200, body: this.slice(version, locator, cursor, offset) };
  }

  public first(version: string, rows: Cursor['rows'], totalSize: number, userId: string, batch: number, all: boolean): Record<string, unknown> {
    this.expire();
    if (rows.length <= batch) return { totalSize, done: true, records: rows };
    const locator = `01g5g0${randomChars(12)}`;
    const cursor: Cursor = { rows, totalSize, userId, batch, all, at: Date.now() };
    this.cursors.set(locator, cursor);
    return this.slice(version, locator, cursor, 0);
  }

  private slice(version: string, locator: string, cursor: Cursor, offset: number): Record<string, unknown> {
    const end = offset + cursor.batch;
    const done = end >= cursor.rows.length;
    const out: Record<string, unknown> = { totalSize: cursor.totalSize, done, records: cursor.rows.slice(offset, end) };
    if (done) this.cursors.delete(locator);
    else out.nextRecordsUrl = `/services/data/v${version}/${cursor.all ? 'queryAll' : 'query'}/${locator}-${end}`;
    return out;
  }

  private expire(): void {
    const now = Date.now();
    for (const [k, c] of this.cursors) if (now - c.at > CURSOR_TTL_MS) this.cursors.delete(k);
  }
}

function soqlOf(ctx: RequestContext): string {
  const q = ctx.query.get('q');
  if (!q?.trim()) throw new SalesforceError('MALFORMED_QUERY', 'A query string has to be specified');
  return q;
}

/** The Tooling objects the sf CLI probes at login and that this org has none of (no sandboxes, no source tracking). */
const EMPTY_TOOLING = new Set(['sandboxprocess', 'sourcemember', 'sandboxinfo']);

export function installQuery(router: HttpRouter): void {
  const cursors = new QueryCursors();
  const run = (all: boolean) => (ctx: RequestContext): Reply => {
    const version = apiVersionOf(ctx);
    const soql = soqlOf(ctx);
    if (ctx.query.get('columns') === 'true') {
      return { status: 200, body: describeSoqlColumns(ctx.org, ctx.principal, soql, { includeDeleted: all, apiVersion: version }) };
    }
    const result = executeSoql(ctx.org, ctx.principal, soql, { includeDeleted: all, apiVersion: version });
    const body = cursors.first(version, result.records, result.totalSize, ctx.principal!.userId, batchSizeOf(ctx), all);
    return { status: 200, body };
  };
  const more = (ctx: RequestContext): Reply => {
    const version = apiVersionOf(ctx);
    const m = /^(.+)-(\d+)$/.exec(ctx.params.locator);
    if (!m) throw new SalesforceError('INVALID_QUERY_LOCATOR', 'invalid query locator');
    return cursors.page(version, m[1], Number(m[2]), ctx.principal!.userId);
  };
  router.add('GET', '/services/data/:version/query', run(false));
  router.add('GET', '/services/data/:version/queryAll', run(true));
  router.add('GET', '/services/data/:version/query/:locator', more);
  router.add('GET', '/services/data/:version/queryAll/:locator', more);

  router.add('GET', '/services/data/:version/tooling/query', (ctx) => {
    const version = apiVersionOf(ctx);
    const soql = soqlOf(ctx);
    const from = /\bfrom\s+(\w+)/i.exec(soql)?.[1] ?? '';
    if (EMPTY_TOOLING.has(from.toLowerCase())) {
      return {
        status: 200,
        body: { size: 0, totalSize: 0, done: true, queryLocator: null, entityTypeName: from, records: [] },
      };
    }
    const result = executeSoql(ctx.org, ctx.principal, soql, { apiVersion: version });
    const body = cursors.first(version, result.records, result.totalSize, ctx.principal!.userId, batchSizeOf(ctx), false);
    return { status: 200, body: { size: result.totalSize, entityTypeName: from, queryLocator: null, ...body } };
  });
}
