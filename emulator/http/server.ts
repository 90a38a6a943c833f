/*
 * The HTTP front of the local org (node:http): authentication (bearer token or SOAP session id -> user), the API
 * access check, the per-user API call counter with the daily limit and `Sforce-Limit-Info`, latency, injected faults,
 * and turning handler answers and SalesforceErrors into Salesforce-shaped responses.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { XMLParser } from 'fast-xml-parser';
import { SalesforceError, type FaultRule, type OrgApi, type Principal, type Reply, type RequestContext } from '../core/types.js';
import { HttpRouter, errorReply, methodNotAllowed, type RouteMatch } from './router.js';
import { LOCK_MESSAGE, chaosOf, type Chaos } from './chaos.js';

const NOT_FOUND = new SalesforceError('NOT_FOUND', 'The requested resource does not exist', [], 404);
const INVALID_SESSION = new SalesforceError('INVALID_SESSION_ID', 'Session expired or invalid', [], 401);
const SOAP_PATH = /^\/services\/Soap\/([a-zA-Z])\/(\d+\.\d)(\/.*)?$/;

/** API calls per user per day, against the org's daily maximum (Salesforce counts org-wide). */
export class ApiMeter {
  private readonly perUser = new Map<string, number>();
  private day = new Date().toISOString().slice(0, 10);

  public constructor(private readonly org: OrgApi) {}

  public get max(): number {
    return this.org.options.dailyApiLimit;
  }

  public used(userId?: string): number {
    this.roll();
    if (userId) return this.perUser.get(userId) ?? 0;
    let total = 0;
    for (const n of this.perUser.values()) total += n;
    return total;
  }

  /** Counts one call, or throws REQUEST_LIMIT_EXCEEDED when the org has used its daily allowance. */
  public charge(userId: string): void {
    if (this.used() >= this.max) {
      throw new SalesforceError('REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.', [], 403);
    }
    this.perUser.set(userId, (this.perUser.get(userId) ?? 0) + 1);
  }

  public reset(): void {
    this.perUser.clear();
  }

  private roll(): void {
    const today = new Date().toISOString().slice(0, 10);
    if (today !== this.day) {
      this.day = today;
      this.perUser.clear();
    }
  }
}

type ActiveFault = FaultRule & { seen: number };

/** Faults injected by tests; each rule fires `times` times on matching requests after `afterCalls` of them. */
export class Faults {
  private rules: ActiveFault[] = [];

  public add(rule: FaultRule): void {
    this.rules.push({ ...rule, seen: 0 });
  }

  public clear(): void {
    this.rules = [];
  }

  public take(method: string, path: string, phase: 'before' | 'after'): FaultRule | undefined {
    for (const rule of this.rules) {
      if ((rule.phase ?? 'before') !== phase) continue;
      if (rule.method && rule.method.toUpperCase() !== method) continue;
      if (rule.path && !rule.path.test(path)) continue;
      rule.seen++;
      if (rule.seen <= (rule.afterCalls ?? 0)) continue;
      rule.times--;
      if (rule.times <= 0) this.rules = this.rules.filter((r) => r !== rule);
      return rule;
    }
    return undefined;
  }
}

const COLLECTION_WRITE = /\/composite\/sobjects(\/[^/]+\/[^/]+)?$/;

/** How many records a Collections write carries (its per-record answers), or undefined for other requests. */
function collectionSize(method: string, path: string, request?: { body: Buffer; query: URLSearchParams }): number | undefined {
  if (!request || !COLLECTION_WRITE.test(path) || !['POST', 'PATCH', 'DELETE'].includes(method)) return undefined;
  if (method === 'DELETE') return (request.query.get('ids') ?? '').split(',').filter(Boolean).length;
  try {
    const records = (JSON.parse(request.body.toString('utf8')) as { records?: unknown[] }).records;
    return Array.isArray(records) ? records.length : undefined;
  } catch {
    return undefined;
  }
}

const LOCKED_RESULT = { success: false, errors: [{ statusCode: 'UNABLE_TO_LOCK_ROW', message: LOCK_MESSAGE, fields: [] }] };
const ROLLED_BACK_RESULT = {
  success: false,
  errors: [{ statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK', message: 'Record rolled back because not all records were valid and the request was using AllOrNone header', fields: [] }],
};

/** A Collections write with some records refused by the `lock` fault: the request to run without them. */
type LockedCollection = { body: Buffer; query: URLSearchParams; locked: Set<number>; total: number; allOrNone: boolean };

/**
 * Picks the records of a Collections write that the `lock` fault refuses (sObject Collections answer per record,
 * HTTP 200: REST API Developer Guide, "sObject Collections"). Those records are left out of the request the handler
 * runs, so they are not written.
 */
function lockCollection(chaos: Chaos, method: string, path: string, body: Buffer, query: URLSearchParams): LockedCollection | undefined {
  if (!COLLECTION_WRITE.test(path) || !['POST', 'PATCH', 'DELETE'].includes(method)) return undefined;
  if (method === 'DELETE') {
    const ids = (query.get('ids') ?? '').split(',').filter(Boolean);
    const locked = new Set(ids.flatMap((_, i) => (chaos.hit('lock') ? [i] : [])));
    if (locked.size === 0) return undefined;
    const rest = new URLSearchParams(query);
    rest.set('ids', ids.filter((_, i) => !locked.has(i)).join(','));
    return { body, query: rest, locked, total: ids.length, allOrNone: query.get('allOrNone') === 'true' };
  }
  let parsed: { records?: unknown[]; allOrNone?: boolean };
  try {
    parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed.records)) return undefined;
  const locked = new Set(parsed.records.flatMap((_, i) => (chaos.hit('lock') ? [i] : [])));
  if (locked.size === 0) return undefined;
  const records = parsed.records.filter((_, i) => !locked.has(i));
  return {
    body: Buffer.from(JSON.stringify({ ...parsed, records })),
    query,
    locked,
    total: parsed.records.length,
    allOrNone: parsed.allOrNone === true,
  };
}

/** The handler's per-record answers with the locked records' failures back in their places. */
function withLockedRecords(reply: Reply | undefined, lock: LockedCollection): Reply {
  if (lock.allOrNone || lock.locked.size === lock.total) {
    const body = Array.from({ length: lock.total }, (_, i) => (lock.locked.has(i) || !lock.allOrNone ? LOCKED_RESULT : ROLLED_BACK_RESULT));
    return { status: 200, body };
  }
  if (!reply || reply.status !== 200 || !Array.isArray(reply.body)) return reply ?? { status: 500 };
  const answers = [...(reply.body as unknown[])];
  const body = Array.from({ length: lock.total }, (_, i) => (lock.locked.has(i) ? LOCKED_RESULT : answers.shift()));
  return { ...reply, body };
}

const DROP_AFTER: FaultRule = { kind: 'drop', times: 1, phase: 'after' };
const UNAVAILABLE: Reply = { status: 503, body: [{ message: 'Service temporarily unavailable', errorCode: 'SERVER_UNAVAILABLE' }] };
const CONCURRENT_LIMIT = new SalesforceError('REQUEST_LIMIT_EXCEEDED', 'ConcurrentPerOrgLongTxn Limit exceeded.', [], 403);

function faultReply(rule: FaultRule, method = '', path = '', request?: { body: Buffer; query: URLSearchParams }): Reply {
  switch (rule.kind) {
    case 'UNABLE_TO_LOCK_ROW': {
      // sObject Collections report lock failures per record, with HTTP 200.
      const size = collectionSize(method, path, request);
      if (size !== undefined) {
        const result = { success: false, errors: [{ statusCode: 'UNABLE_TO_LOCK_ROW', message: LOCK_MESSAGE, fields: [] }] };
        return { status: 200, body: Array.from({ length: size }, () => result) };
      }
      return {
        status: 400,
        body: [{ message: LOCK_MESSAGE, errorCode: 'UNABLE_TO_LOCK_ROW', fields: [] }],
      };
    }
    case '503':
      return UNAVAILABLE;
    case '500':
      return {
        status: 500,
        body: [{ message: 'An unexpected error occurred. Please include this ErrorId if you contact support: 1234567-89 (-1)', errorCode: 'UNKNOWN_EXCEPTION' }],
      };
    default:
      return errorReply(INVALID_SESSION);
  }
}

function soapFault(code: string, message: string): Reply {
  const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return {
    status: 500,
    contentType: 'text/xml;charset=UTF-8',
    body:
      '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
      'xmlns:sf="urn:fault.partner.soap.sforce.com" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>' +
      `<soapenv:Fault><faultcode>sf:${code}</faultcode><faultstring>${esc(`${code}: ${message}`)}</faultstring>` +
      `<detail><sf:UnexpectedErrorFault xsi:type="sf:UnexpectedErrorFault"><sf:exceptionCode>${code}</sf:exceptionCode>` +
      `<sf:exceptionMessage>${esc(message)}</sf:exceptionMessage></sf:UnexpectedErrorFault></detail></soapenv:Fault>` +
      '</soapenv:Body></soapenv:Envelope>',
  };
}

const soapParser = new XMLParser({ removeNSPrefix: true, ignoreAttributes: true, parseTagValue: false, trimValues: true });

/** The session id, operation name and operation element of a SOAP envelope, or the fault for unreadable XML. */
function parseEnvelope(raw: string): { sessionId?: string; operation: string; opBody: Record<string, unknown> } | Reply {
  let envelope: Record<string, unknown>;
  try {
    envelope = ((soapParser.parse(raw) as Record<string, unknown>).Envelope ?? {}) as Record<string, unknown>;
  } catch {
    return soapFault('INVALID_XML', 'The request is not valid XML');
  }
  const header = (envelope.Header ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const sessionId = header.SessionHeader?.sessionId;
  const soapBody = (envelope.Body ?? {}) as Record<string, unknown>;
  const operation = Object.keys(soapBody)[0] ?? '';
  const opBody = soapBody[operation];
  return {
    sessionId: typeof sessionId === 'string' ? sessionId : undefined,
    operation,
    opBody: (typeof opBody === 'object' && opBody ? opBody : {}) as Record<string, unknown>,
  };
}

function bearer(headers: http.IncomingHttpHeaders): string | undefined {
  const auth = headers.authorization;
  const m = auth ? /^(?:Bearer|OAuth)\s+(.+)$/i.exec(auth.trim()) : null;
  if (m) return m[1].trim();
  const session = headers['x-sfdc-session'];
  return typeof session === 'string' ? session : undefined;
}

/** The local org's own control endpoints (/local/...): never faulted, never charged. */
const isLocal = (path: string): boolean => path.startsWith('/local/');

/**
 * Salesforce Developer Limits and Allocations Quick Reference, "API Request Limits and Allocations" (Platform API):
 * a URI over 16,384 bytes gets 414 URI Too Long; URI plus headers over 16,384 bytes get 431 Request Header Fields
 * Too Large. The answer is the front end's HTML page, not a REST error body, and is not an API call.
 */
export const MAX_URI_BYTES = 16_384;
const PARSER_HEADER_BYTES = 256 * 1024;
const BAD_MESSAGE_TYPE = 'text/html;charset=iso-8859-1';
const badMessage = (status: number, reason: string): string => `<h1>Bad Message ${status}</h1><pre>reason: ${reason}</pre>`;

function uriLimitReply(req: http.IncomingMessage): { status: number; body: string } | undefined {
  const uri = Buffer.byteLength(req.url ?? '', 'latin1');
  let headers = 0;
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    headers += Buffer.byteLength(req.rawHeaders[i], 'latin1') + Buffer.byteLength(req.rawHeaders[i + 1], 'latin1') + 4;
  }
  const reply = (status: number, reason: string): { status: number; body: string } => ({ status, body: badMessage(status, reason) });
  if (uri > MAX_URI_BYTES) return reply(414, 'URI Too Long');
  if (uri + headers > MAX_URI_BYTES) return reply(431, 'Request Header Fields Too Large');
  return undefined;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class LocalOrgServer {
  public readonly meter: ApiMeter;
  public readonly faults = new Faults();
  /** Faults on demand by probability (`--faults`, PUT /local/faults). */
  public readonly chaos: Chaos;
  private readonly server: http.Server;

  public constructor(private readonly org: OrgApi, public readonly router: HttpRouter) {
    this.meter = new ApiMeter(org);
    this.chaos = chaosOf(org);
    // Node's own parser stops at 16 KiB with an empty 431; the limits are checked below, with Salesforce's answers.
    this.server = http.createServer({ maxHeaderSize: PARSER_HEADER_BYTES }, (req, res) => {
      const tooLong = uriLimitReply(req);
      if (tooLong) {
        req.resume();
        res.writeHead(tooLong.status, { 'Content-Type': BAD_MESSAGE_TYPE, Connection: 'close' });
        return void res.end(tooLong.body);
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.handle(req, res, Buffer.concat(chunks)).catch((e) => this.send(res, errorReply(e)));
      });
    });
    this.server.keepAliveTimeout = 5000;
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      if (err.code === 'HPE_HEADER_OVERFLOW' && socket.writable) {
        const body = badMessage(431, 'Request Header Fields Too Large');
        socket.end(`HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: ${BAD_MESSAGE_TYPE}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
      } else socket.destroy();
    });
  }

  public listen(port = 0, host = '127.0.0.1'): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve(this.server.address() as AddressInfo));
    });
  }

  public close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    // The sf CLI sends '//services/...' (instance URL with a trailing slash); Salesforce accepts it. Collapse before
    // parsing: new URL('//services/data', base) would read 'services' as a host name.
    const url = new URL((req.url ?? '/').replace(/^\/{2,}/, '/'), 'http://local');
    const path = url.pathname.replace(/\/{2,}/g, '/');
    const latency = this.org.options.latencyMs ?? 0;
    if (latency > 0) await sleep(latency);

    const soap = method === 'POST' ? SOAP_PATH.exec(path) : null;
    if (soap) return this.send(res, await this.handleSoap(req, res, path, url.searchParams, body));

    const found = this.router.match(method, path);
    if (!found) return this.send(res, errorReply(NOT_FOUND));
    if (!('route' in found)) return this.send(res, methodNotAllowed(method, found.allowed));
    const { route, params } = found;

    const { principal, answer } = route.options.auth === false ? {} : this.authenticate(req, route, method, path, url.searchParams, body);
    if (answer === 'drop') return void req.socket.destroy();
    if (answer && answer !== 'drop-after') return this.send(res, answer);

    const reply = await this.runWithLocks(route, params, req, method, path, url.searchParams, body, principal);
    // The `drop` fault on demand closes after applying the write, like a rule with phase 'after'.
    const late = answer === 'drop-after' ? DROP_AFTER : this.faults.take(method, path, 'after');
    if (late?.kind === 'drop') return void req.socket.destroy();
    if (late?.kind === 'expire-session') {
      const token = bearer(req.headers);
      if (token) this.org.revokeToken(token);
    }
    this.send(res, late ? faultReply(late, method, path, { body, query: url.searchParams }) : reply);
  }

  /** The token's user, and what to answer instead of running the handler (gate), if anything. */
  private authenticate(
    req: http.IncomingMessage,
    route: RouteMatch['route'],
    method: string,
    path: string,
    query: URLSearchParams,
    body: Buffer
  ): { principal?: Principal; answer?: Reply | 'drop' | 'drop-after' } {
    const token = bearer(req.headers);
    const userId = token ? this.org.userOfToken(token) : undefined;
    if (!token || !userId) return { answer: errorReply(INVALID_SESSION) };
    const principal = { userId, orgId: this.org.orgId };
    const answer = this.gate(principal, method, path, route.options.countsAsApiCall !== false, token, { body, query });
    return { principal, answer };
  }

  /** Runs the handler; a Collections write first loses the records the `lock` fault refuses, which answer for themselves. */
  private async runWithLocks(
    route: RouteMatch['route'],
    params: Record<string, string>,
    req: http.IncomingMessage,
    method: string,
    path: string,
    query: URLSearchParams,
    body: Buffer,
    principal: Principal | undefined
  ): Promise<Reply> {
    const lock = principal && !isLocal(path) ? lockCollection(this.chaos, method, path, body, query) : undefined;
    const ctx = this.router.context(method, path, lock?.query ?? query, req.headers, lock?.body ?? body, principal);
    ctx.params = params;
    if (!lock) return this.run(route, ctx);
    const everyRecordLocked = lock.allOrNone || lock.locked.size === lock.total;
    return withLockedRecords(everyRecordLocked ? undefined : await this.run(route, ctx), lock);
  }

  /**
   * Access check, API charge, faults on demand and 'before' faults; an answer to send instead of running the handler,
   * 'drop' to close the connection unanswered, 'drop-after' to run the handler first.
   */
  private gate(
    principal: Principal,
    method: string,
    path: string,
    counts: boolean,
    token: string,
    request?: { body: Buffer; query: URLSearchParams }
  ): Reply | 'drop' | 'drop-after' | undefined {
    try {
      this.org.access.checkApi(principal);
      if (counts) this.meter.charge(principal.userId);
    } catch (e) {
      return errorReply(e);
    }
    const random = isLocal(path) ? undefined : this.randomFault(method, token);
    if (random) return random;
    const fault = this.faults.take(method, path, 'before');
    if (!fault) return undefined;
    if (fault.kind === 'drop') return 'drop';
    if (fault.kind === 'expire-session') this.org.revokeToken(token);
    return faultReply(fault, method, path, request);
  }

  /** The faults on demand that answer a whole request (chaos.ts); OAuth endpoints never reach this. */
  private randomFault(method: string, token: string): Reply | 'drop' | 'drop-after' | undefined {
    const chaos = this.chaos;
    if (chaos.expires(token)) {
      this.org.revokeToken(token);
      return errorReply(INVALID_SESSION);
    }
    if (chaos.hit('unavailable')) return UNAVAILABLE;
    if (chaos.hit('concurrent')) return errorReply(CONCURRENT_LIMIT);
    if (chaos.hit('drop')) return method === 'GET' || method === 'HEAD' || !chaos.coin() ? 'drop' : 'drop-after';
    return undefined;
  }

  private async run(route: RouteMatch['route'], ctx: RequestContext): Promise<Reply> {
    try {
      return await route.handler(ctx);
    } catch (e) {
      return errorReply(e);
    }
  }

  private async handleSoap(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    path: string,
    query: URLSearchParams,
    body: Buffer
  ): Promise<Reply> {
    const raw = body.toString('utf8');
    const parsed = parseEnvelope(raw);
    if ('status' in parsed) return parsed;
    const { sessionId, operation, opBody } = parsed;
    const userId = sessionId ? this.org.userOfToken(sessionId) : undefined;
    if (!userId || !sessionId) {
      return soapFault('INVALID_SESSION_ID', 'Invalid Session ID found in SessionHeader: Illegal Session');
    }
    const handler = operation ? this.router.soapOperations.get(operation) : undefined;
    if (!handler) return soapFault('INVALID_OPERATION', `No operation available for request ${operation}`);
    const principal: Principal = { userId, orgId: this.org.orgId };
    const early = this.gate(principal, 'POST', path, true, sessionId);
    if (early === 'drop' || early === 'drop-after') {
      req.socket.destroy();
      res.destroy();
      return { status: 0 };
    }
    if (early) {
      const err = Array.isArray(early.body) ? (early.body[0] as { errorCode: string; message: string }) : undefined;
      return soapFault(err?.errorCode ?? 'UNKNOWN_EXCEPTION', err?.message ?? 'error');
    }
    const ctx = this.router.context('POST', path, query, req.headers, body, principal);
    ctx.soap = { operation, body: opBody, raw };
    try {
      return await handler(ctx);
    } catch (e) {
      if (e instanceof SalesforceError) return soapFault(e.errorCode, e.message);
      return soapFault('UNKNOWN_EXCEPTION', e instanceof Error ? e.message : String(e));
    }
  }

  private send(res: http.ServerResponse, reply: Reply): void {
    if (res.destroyed || res.headersSent || reply.status === 0) return;
    const headers: Record<string, string> = {
      'Sforce-Limit-Info': `api-usage=${this.meter.used()}/${this.meter.max}`,
      ...reply.headers,
    };
    let payload: Buffer | string | undefined;
    if (reply.body === undefined || reply.body === null) {
      payload = undefined;
    } else if (typeof reply.body === 'string' || Buffer.isBuffer(reply.body)) {
      payload = reply.body;
      headers['Content-Type'] = reply.contentType ?? 'text/plain;charset=UTF-8';
    } else {
      payload = JSON.stringify(reply.body);
      headers['Content-Type'] = reply.contentType ?? 'application/json;charset=UTF-8';
    }
    res.writeHead(reply.status, headers);
    res.end(payload);
  }
}
