/*
 * Composite (REST API Developer Guide: Composite): up to 25 subrequests (at most 5 of them queries) run in order
 * as the caller, later ones referring to earlier results with @{referenceId.path}; allOrNone rolls all of them back
 * and answers PROCESSING_HALTED for the rest. The whole request counts as one API call.
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
    apiVersionOf(ctx);
    const body = ctx.json<{ allOrNone?: boolean; compositeRequest?: SubRequest[] }>();
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
    const results = new Map<string, SubResponse>();
    const out: SubResponse[] = [];
    let failedAt = -1;

    const runAll = async (): Promise<void> => {
      for (const [i, r] of requests.entries()) {
        const referenceId = r.referenceId!;
        if (allOrNone && failedAt >= 0) {
          out.push({ body: halted('The transaction was rolled back since another operation in the same transaction failed.'), httpHeaders: {}, httpStatusCode: 400, referenceId });
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
        out.push(res);
        if (reply.status >= 400 && failedAt < 0) failedAt = i;
      }
      if (allOrNone && failedAt >= 0) throw new RollBack();
    };

    if (allOrNone) {
      try {
        await ctx.org.transactionAsync(runAll);
      } catch (e) {
        if (!(e instanceof RollBack)) throw e;
        // Succeeded subrequests before the failure were rolled back too.
        for (let i = 0; i < failedAt; i++) {
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
