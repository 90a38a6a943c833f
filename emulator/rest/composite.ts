/*
 * Composite (REST API Developer Guide: Composite): up to 25 subrequests (at most 5 of them queries) run as the
 * caller, later ones referring to earlier results with @{referenceId.path}; allOrNone rolls all of them back and
 * answers PROCESSING_HALTED for the rest. The whole request counts as one API call.
 * collateSubrequests (API 49.0+, default true) lets Salesforce run unrelated subrequests in any order; the local org
 * then runs them last-first (a subrequest still runs after those it refers to), so a caller relying on the order of
 * unrelated subrequests fails here as it may on Salesforce. With collateSubrequests false they run in request order.
 */
import { SalesforceError, type Reply, type RequestContext } from '../core/types.js';
import type { HttpRouter } from '../http/router.js';
import { apiVersionOf } from './records.js';

type SubRequest = { method?: string; url?: string; referenceId?: string; body?: unknown; httpHeaders?: Record<string, string> };
type SubResponse = { body: unknown; httpHeaders: Record<string, string>; httpStatusCode: number; referenceId: string };

const MAX_SUBREQUESTS = 25;
const MAX_QUERIES = 5;
const REFERENCE = /@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}/g;

const halted = (message: string): unknown => [{ errorCode: 'PROCESSING_HALTED', message }];

/** Reads `.records[0].Id`-style paths from a previous subrequest's body. */
function lookupPath(body: unknown, path: string): unknown {
  let cur: unknown = body;
  for (const part of path.match(/\.[A-Za-z0-9_]+|\[\d+\]/g) ?? []) {
    if (cur === null || typeof cur !== 'object') return undefined;
    const key = part.startsWith('[') ? Number(part.slice(1, -1)) : part.slice(1);
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return cur;
}

class UnresolvedReference extends Error {}

function resolve(value: unknown, results: Map<string, SubResponse>, encode: boolean): unknown {
  if (typeof value === 'string') {
    return value.replace(REFERENCE, (whole, ref: string, path: string) => {
      const prior = results.get(ref);
      const found = prior && prior.httpStatusCode < 300 ? lookupPath(prior.body, path) : undefined;
      if (found === undefined || found === null || typeof found === 'object') {
        throw new UnresolvedReference(`Invalid reference specified. No value for ${whole.slice(2, -1)} found in ${ref}. Provided referenceId ('${ref}') is not valid`);
      }
      return encode ? encodeURIComponent(String(found)) : String(found);
    });
  }
  if (Array.isArray(value)) return value.map((v) => resolve(v, results, encode));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, results, encode)]));
  }
  return value;
}

function isQuery(req: SubRequest): boolean {
  return (req.method ?? '').toUpperCase() === 'GET' && /\/(query|queryAll)(\/|\?|$)/.test(req.url ?? '');
}

export function installComposite(router: HttpRouter): void {
  router.add('POST', '/services/data/:version/composite', async (ctx: RequestContext): Promise<Reply> => {
    const version = apiVersionOf(ctx);
    const body = ctx.json<{ allOrNone?: boolean; collateSubrequests?: boolean; compositeRequest?: SubRequest[] }>();
    const requests = body.compositeRequest;
    if (!Array.isArray(requests) || requests.length === 0) {
      throw new SalesforceError('JSON_PARSER_ERROR', 'compositeRequest is required');
    }
    if (requests.length > MAX_SUBREQUESTS) {
      throw new SalesforceError('LIMIT_EXCEEDED', `Exceeded max limit of subrequests allowed in one composite request: ${MAX_SUBREQUESTS}`);
    }
    if (requests.filter(isQuery).length > MAX_QUERIES) {
      throw new SalesforceError('LIMIT_EXCEEDED', `Exceeded max limit of query subrequests allowed in one composite request: ${MAX_QUERIES}`);
    }
    const ids = new Set<string>();
    for (const r of requests) {
      if (!r.referenceId || !r.url || !r.method) throw new SalesforceError('JSON_PARSER_ERROR', 'Each subrequest needs method, url and referenceId');
      if (ids.has(r.referenceId)) throw new SalesforceError('DUPLICATE_VALUE', `Duplicate referenceId provided in the request: ${r.referenceId}`);
      ids.add(r.referenceId);
    }
    const allOrNone = body.allOrNone === true;
    const collate = Number(version) >= 49 && body.collateSubrequests !== false;
    const order = collate ? collatedOrder(requests) : requests.map((_, i) => i);
    const results = new Map<string, SubResponse>();
    const out: SubResponse[] = [];
    let failedAt = -1;
    const done: number[] = [];

    const runAll = async (): Promise<void> => {
      for (const i of order) {
        const r = requests[i];
        const referenceId = r.referenceId!;
        if (allOrNone && failedAt >= 0) {
          out[i] = { body: halted('The transaction was rolled back since another operation in the same transaction failed.'), httpHeaders: {}, httpStatusCode: 400, referenceId };
          continue;
        }
        let reply: Reply;
        try {
          const url = resolve(r.url, results, true) as string;
          const subBody = r.body === undefined ? undefined : resolve(r.body, results, false);
          reply = await router.invoke(r.method!, url, subBody, ctx.principal, { ...ctx.headers, ...r.httpHeaders });
        } catch (e) {
          if (!(e instanceof UnresolvedReference)) throw e;
          reply = { status: 400, body: halted(e.message) };
        }
        const res: SubResponse = {
          body: reply.body ?? null,
          httpHeaders: reply.status === 201 && reply.body && typeof reply.body === 'object' && 'id' in reply.body
            ? { Location: `${(r.url ?? '').split('?')[0]}/${String((reply.body as { id: string }).id)}` }
            : {},
          httpStatusCode: reply.status,
          referenceId,
        };
        results.set(referenceId, res);
        out[i] = res;
        done.push(i);
        if (reply.status >= 400 && failedAt < 0) failedAt = i;
      }
      if (allOrNone && failedAt >= 0) throw new RollBack();
    };

    if (allOrNone) {
      try {
        await ctx.org.transactionAsync(runAll);
      } catch (e) {
        if (!(e instanceof RollBack)) throw e;
        // Subrequests that ran before the failure were rolled back too.
        for (const i of done) {
          if (i === failedAt || out[i].httpStatusCode >= 400) continue;
          out[i] = { ...out[i], body: halted('The transaction was rolled back since another operation in the same transaction failed.'), httpHeaders: {}, httpStatusCode: 400 };
        }
      }
    } else {
      await runAll();
    }
    return { status: 200, body: { compositeResponse: out } };
  });
}

class RollBack extends Error {}

/** The references a subrequest makes to earlier ones (in its URL or body). */
function referencesOf(r: SubRequest): Set<string> {
  const text = `${r.url ?? ''} ${JSON.stringify(r.body ?? null)}`;
  return new Set([...text.matchAll(REFERENCE)].map((m) => m[1]));
}

/** Collated order: repeatedly the last subrequest whose references have all run. */
function collatedOrder(requests: SubRequest[]): number[] {
  // Only references to earlier subrequests are valid; those are the dependencies.
  const position = new Map(requests.map((r, i) => [r.referenceId!, i]));
  const deps = requests.map((r, i) => [...referencesOf(r)].filter((ref) => (position.get(ref) ?? i) < i));
  const ran = new Set<string>();
  const left = requests.map((_, i) => i);
  const order: number[] = [];
  while (left.length) {
    let pick = left.length - 1;
    for (let k = left.length - 1; k >= 0; k--) {
      const ready = deps[left[k]].every((ref) => ran.has(ref));
      if (ready) {
        pick = k;
        break;
      }
    }
    const [i] = left.splice(pick, 1);
    order.push(i);
    ran.add(requests[i].referenceId!);
  }
  return order;
}
