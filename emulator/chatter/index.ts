/*
 * Chatter feed elements in the local org (Connect REST API): POST /chatter/feed-elements posts one FeedItem,
 * POST /chatter/feed-elements/batch up to 500, GET /chatter/feed-elements/:id reads one back. Posts are stored as
 * FeedItem records, so SOQL on FeedItem and sObject Collections (handled by the core) see the same posts.
 */
import { normalizeId } from '../core/ids.js';
import { SalesforceError, type EmulatorModule, type OrgApi, type Principal, type Reply, type RequestContext, type SRecord } from '../core/types.js';
import { apiVersionOf, createRecord, objectFor } from '../rest/records.js';
import { errorReply } from '../http/router.js';

type Segment = { type?: string; text?: string; url?: string; id?: string };
type FeedElementInput = {
  body?: { messageSegments?: Segment[] };
  feedElementType?: string;
  subjectId?: string;
};

const MAX_BATCH = 500;

/** The text of message segments: Text and Link as written, a Mention as "@id", markup ignored. */
function textOf(segments: Segment[]): string {
  return segments
    .map((s) => {
      switch (s.type) {
        case 'Text':
          return s.text ?? '';
        case 'Link':
          return s.url ?? '';
        case 'Mention':
          return `@${s.id ?? ''}`;
        default:
          return '';
      }
    })
    .join('');
}

function representation(org: OrgApi, rec: SRecord, version: string): Record<string, unknown> {
  const text = String(rec.Body ?? '');
  const parentId = String(rec.ParentId);
  return {
    id: rec.Id,
    type: rec.Type ?? 'TextPost',
    feedElementType: 'FeedItem',
    body: { text, isRichText: false, messageSegments: [{ type: 'Text', text }] },
    parent: { id: parentId, type: org.objectOfId(parentId) ?? null },
    actor: { id: rec.CreatedById ?? null, type: 'User' },
    createdDate: rec.CreatedDate ?? null,
    url: `/services/data/v${version}/chatter/feed-elements/${rec.Id}`,
    capabilities: {},
  };
}

function post(org: OrgApi, p: Principal | undefined, input: FeedElementInput, version: string): Record<string, unknown> {
  if (!input || typeof input !== 'object') throw new SalesforceError('JSON_PARSER_ERROR', 'The request body must be a feed element input');
  if (input.feedElementType !== undefined && input.feedElementType !== 'FeedItem') {
    throw new SalesforceError('INVALID_API_INPUT', `Unsupported feedElementType: ${input.feedElementType}`);
  }
  const subject = input.subjectId === 'me' ? p?.userId : input.subjectId;
  const parentId = normalizeId(subject);
  if (!parentId) throw new SalesforceError('INVALID_API_INPUT', 'Invalid parameter value for: subjectId', ['subjectId']);
  const segments = input.body?.messageSegments;
  if (!Array.isArray(segments) || segments.length === 0) {
    throw new SalesforceError('INVALID_API_INPUT', 'Missing required input: body.messageSegments', ['body']);
  }
  const text = textOf(segments);
  if (!text.trim()) throw new SalesforceError('INVALID_API_INPUT', 'The post body cannot be empty', ['body']);
  const def = objectFor(org, p, 'FeedItem', 'notFound');
  const rec = org.transaction(() => createRecord(org, p, def, { ParentId: parentId, Body: text, Type: 'TextPost' }));
  return representation(org, rec, version);
}

function postOne(ctx: RequestContext): Reply {
  const version = apiVersionOf(ctx);
  return { status: 201, body: post(ctx.org, ctx.principal, ctx.json<FeedElementInput>(), version) };
}

function postBatch(ctx: RequestContext): Reply {
  const version = apiVersionOf(ctx);
  const body = ctx.json<{ inputs?: Array<{ richInput?: FeedElementInput }> }>();
  if (!body || !Array.isArray(body.inputs)) throw new SalesforceError('INVALID_API_INPUT', 'Missing required input: inputs');
  if (body.inputs.length > MAX_BATCH) {
    throw new SalesforceError('INVALID_API_INPUT', `A batch request can contain at most ${MAX_BATCH} inputs`);
  }
  let hasErrors = false;
  const results = body.inputs.map((input) => {
    try {
      return { statusCode: 201, result: post(ctx.org, ctx.principal, input?.richInput ?? {}, version) };
    } catch (e) {
      hasErrors = true;
      const reply = errorReply(e);
      return { statusCode: reply.status, result: reply.body };
    }
  });
  return { status: 200, body: { hasErrors, results } };
}

function getOne(ctx: RequestContext): Reply {
  const version = apiVersionOf(ctx);
  const id = normalizeId(ctx.params.id);
  const rec = id ? ctx.org.get('FeedItem', id) : undefined;
  if (!rec) throw new SalesforceError('NOT_FOUND', 'The requested resource does not exist', [], 404);
  if (ctx.principal) ctx.org.access.checkObject(ctx.principal, 'FeedItem', 'read');
  return { status: 200, body: representation(ctx.org, rec, version) };
}

export const chatterModule: EmulatorModule = {
  name: 'chatter',
  install(_org, router) {
    const base = '/services/data/:version/chatter/feed-elements';
    router.add('POST', base, postOne);
    router.add('POST', `${base}/batch`, postBatch);
    router.add('GET', `${base}/:id`, getOne);
  },
};
