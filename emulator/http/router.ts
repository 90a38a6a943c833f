/*
 * The local org's routing table: REST routes with ':params' (':version' only matches 'vNN.N'), SOAP operations
 * dispatched on the envelope body's first element, and `invoke` for requests made from inside the org (Composite
 * subrequests), which reuse the same handlers without a second authentication or API-call charge.
 */
import { SalesforceError, type Handler, type OrgApi, type Principal, type Reply, type RequestContext, type Router } from '../core/types.js';
import { chaosOf, lockError } from './chaos.js';

export type RouteOptions = { auth?: boolean; countsAsApiCall?: boolean };

type Route = {
  method: string;
  pattern: string;
  regex: RegExp;
  keys: string[];
  /** More literal segments win over parameters ('/sobjects/:type/describe' over '/sobjects/:type/:id'). */
  literals: number;
  handler: Handler;
  options: RouteOptions;
};

export type RouteMatch = { route: Route; params: Record<string, string> };

function compile(pattern: string): { regex: RegExp; keys: string[]; literals: number } {
  const keys: string[] = [];
  let literals = 0;
  const parts = pattern.split('/').map((segment) => {
    if (segment === '*') {
      keys.push('*');
      return '(.*)';
    }
    if (segment.startsWith(':')) {
      keys.push(segment.slice(1));
      return segment === ':version' ? '(v\\d+\\.\\d)' : '([^/]+)';
    }
    literals++;
    return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  });
  return { regex: new RegExp(`^${parts.join('/')}/?$`, 'i'), keys, literals };
}

export function errorReply(e: unknown): Reply {
  if (e instanceof SalesforceError) return { status: e.httpStatus, body: [e.toBody()] };
  const message = e instanceof Error ? e.message : String(e);
  return { status: 500, body: [{ message: `An unexpected error occurred: ${message}`, errorCode: 'UNKNOWN_EXCEPTION' }] };
}

export function jsonOf<T>(body: Buffer): T {
  const text = body.toString('utf8');
  if (!text.trim()) {
    throw new SalesforceError('JSON_PARSER_ERROR', 'The HTTP entity body is required, but this request has no entity body.');
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new SalesforceError('JSON_PARSER_ERROR', `Unexpected character: ${(e as Error).message}`);
  }
}

export class HttpRouter implements Router {
  public readonly soapOperations = new Map<string, Handler>();
  private readonly routes: Route[] = [];

  public constructor(private readonly org: OrgApi) {}

  public add(method: string, pattern: string, handler: Handler, options: RouteOptions = {}): void {
    this.routes.push({ method: method.toUpperCase(), pattern, handler, options, ...compile(pattern) });
  }

  public soap(operation: string, handler: Handler): void {
    this.soapOperations.set(operation, handler);
  }

  /** The best route for method+path, or the methods the path allows (405), or nothing (404). */
  public match(method: string, path: string): RouteMatch | { allowed: string[] } | undefined {
    let best: RouteMatch | undefined;
    const allowed = new Set<string>();
    for (const route of this.routes) {
      const m = route.regex.exec(path);
      if (!m) continue;
      if (route.method !== method.toUpperCase()) {
        allowed.add(route.method);
        continue;
      }
      if (best && best.route.literals >= route.literals) continue;
      const params: Record<string, string> = {};
      route.keys.forEach((k, i) => (params[k] = decodeURIComponent(m[i + 1])));
      best = { route, params };
    }
    if (best) return best;
    return allowed.size ? { allowed: [...allowed] } : undefined;
  }

  public context(
    method: string,
    path: string,
    query: URLSearchParams,
    headers: RequestContext['headers'],
    body: Buffer,
    principal: Principal | undefined
  ): RequestContext {
    return { method, path, query, headers, body, params: {}, principal, org: this.org, json: <T>() => jsonOf<T>(body) };
  }

  /** Runs a request inside the org as `principal` (Composite subrequests): no auth, no API-call charge, no faults but `lock`. */
  public async invoke(
    method: string,
    url: string,
    body: unknown,
    principal: Principal | undefined,
    headers: RequestContext['headers'] = {}
  ): Promise<Reply> {
    const parsed = new URL(url.replace(/^\/{2,}/, '/'), 'http://local');
    const path = parsed.pathname.replace(/\/{2,}/g, '/');
    const found = this.match(method, path);
    if (!found) return errorReply(new SalesforceError('NOT_FOUND', 'The requested resource does not exist', [], 404));
    if (!('route' in found)) return methodNotAllowed(method, found.allowed);
    // The `lock` fault on demand refuses a written record here too (Composite subrequests answer per subrequest).
    if (method.toUpperCase() !== 'GET' && chaosOf(this.org).hit('lock')) return errorReply(lockError());
    const raw = body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body));
    const ctx = this.context(method.toUpperCase(), path, parsed.searchParams, headers, raw, principal);
    ctx.params = found.params;
    try {
      return await found.route.handler(ctx);
    } catch (e) {
      return errorReply(e);
    }
  }
}

export function methodNotAllowed(method: string, allowed: string[]): Reply {
  return {
    status: 405,
    body: [
      {
        errorCode: 'METHOD_NOT_ALLOWED',
        message: `HTTP Method '${method.toUpperCase()}' not allowed. Allowed are ${allowed.join(',')}`,
      },
    ],
  };
}
