/*
 * sObject resources (REST API Developer Guide: sObject Basic Information, sObject Describe, sObject Rows,
 * sObject Rows by External ID, Insert or Update (Upsert) a Record Using an External ID).
 */
import { SalesforceError, type FieldDef, type ObjectDef, type OrgApi, type Principal, type Reply, type RequestContext } from '../core/types.js';
import type { HttpRouter } from '../http/router.js';
import { describeGlobal, describeSObject, globalEntry } from '../schema/describe.js';
import {
  NOT_FOUND,
  apiVersionOf,
  createRecord,
  duplicateOptions,
  deleteRecord,
  objectFor,
  readRecord,
  readable,
  recordUrl,
  selectFields,
  toApiRecord,
  updateRecord,
} from './records.js';

/** The field an upsert or external-id read matches on: Id, or an External ID / idLookup field the user can read. */
export function externalIdField(org: OrgApi, p: Principal | undefined, def: ObjectDef, name: string): FieldDef {
  const f = def.fields.get(name.toLowerCase());
  const matchable = f !== undefined && (f.name === 'Id' || f.externalId === true || f.idLookup === true);
  if (!f || !matchable || !readable(org, p, def, f)) {
    throw new SalesforceError('NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${name}`, [], 404);
  }
  return f;
}

export type UpsertOutcome = { id: string; created: boolean };

/** Upsert one record by external id: create when nothing matches, update one match, refuse several (300). */
export function upsertRecord(
  org: OrgApi,
  p: Principal | undefined,
  def: ObjectDef,
  f: FieldDef,
  value: string,
  body: Record<string, unknown>,
  version: string
): UpsertOutcome {
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) if (k.toLowerCase() !== f.name.toLowerCase() && k.toLowerCase() !== 'id') fields[k] = v;
  const matches = f.name === 'Id' ? (org.get(def.name, value) ? [org.get(def.name, value)!] : []) : org.findByField(def.name, f.name, value);
  if (matches.length > 1) {
    throw Object.assign(new SalesforceError('MULTIPLE_CHOICES', `${f.name}: more than one record found for external id field`, [], 300), {
      urls: matches.map((r) => recordUrl(version, def.name, r.Id)),
    });
  }
  if (matches.length === 1) {
    updateRecord(org, p, def, matches[0].Id, fields);
    return { id: matches[0].Id, created: false };
  }
  if (f.name === 'Id') throw NOT_FOUND();
  return { id: createRecord(org, p, def, { ...fields, [f.name]: value }).Id, created: true };
}

function upsertReply(ctx: RequestContext): Reply {
  const version = apiVersionOf(ctx);
  const p = ctx.principal;
  const def = objectFor(ctx.org, p, ctx.params.type, 'notFound');
  const f = externalIdField(ctx.org, p, def, ctx.params.field);
  try {
    const out = upsertRecord(ctx.org, p, def, f, ctx.params.value, ctx.json<Record<string, unknown>>(), version);
    return { status: out.created ? 201 : 200, body: { id: out.id, success: true, errors: [], created: out.created } };
  } catch (e) {
    const urls = (e as { urls?: string[] }).urls;
    if (urls) return { status: 300, body: urls };
    throw e;
  }
}

export function installSObjects(router: HttpRouter): void {
  const base = '/services/data/:version/sobjects';
  router.add('GET', base, (ctx) => ({ status: 200, body: describeGlobal(ctx.org, ctx.principal, apiVersionOf(ctx)) }));

  router.add('GET', `${base}/:type`, (ctx) => {
    const version = apiVersionOf(ctx);
    const def = objectFor(ctx.org, ctx.principal, ctx.params.type, 'notFound');
    return { status: 200, body: { objectDescribe: globalEntry(ctx.org, ctx.principal, def, version), recentItems: [] } };
  });

  router.add('GET', `${base}/:type/describe`, (ctx) => {
    const version = apiVersionOf(ctx);
    const def = objectFor(ctx.org, ctx.principal, ctx.params.type, 'notFound');
    return { status: 200, body: describeSObject(ctx.org, ctx.principal, def, version) };
  });

  router.add('POST', `${base}/:type`, (ctx) => {
    const version = apiVersionOf(ctx);
    const def = objectFor(ctx.org, ctx.principal, ctx.params.type, 'notFound');
    const rec = createRecord(ctx.org, ctx.principal, def, ctx.json(), duplicateOptions(ctx, version));
    return { status: 201, body: { id: rec.Id, success: true, errors: [] } };
  });

  router.add('GET', `${base}/:type/:id`, (ctx) => {
    const version = apiVersionOf(ctx);
    const def = objectFor(ctx.org, ctx.principal, ctx.params.type, 'notFound');
    const fields = selectFields(ctx.org, ctx.principal, def, ctx.query.get('fields'));
    const rec = readRecord(ctx.org, ctx.principal, def, ctx.params.id);
    return { status: 200, body: toApiRecord(def, rec, version, fields) };
  });

  router.add('PATCH', `${base}/:type/:id`, (ctx) => {
    apiVersionOf(ctx);
    const def = objectFor(ctx.org, ctx.principal, ctx.params.type, 'notFound');
    updateRecord(ctx.org, ctx.principal, def, ctx.params.id, ctx.json());
    return { status: 204 };
  });

  router.add('DELETE', `${base}/:type/:id`, (ctx) => {
    apiVersionOf(ctx);
    const def = objectFor(ctx.org, ctx.principal, ctx.params.type, 'notFound');
    deleteRecord(ctx.org, ctx.principal, def, ctx.params.id);
    return { status: 204 };
  });

  router.add('GET', `${base}/:type/:field/:value`, (ctx) => {
    const version = apiVersionOf(ctx);
    const def = objectFor(ctx.org, ctx.principal, ctx.params.type, 'notFound');
    const f = externalIdField(ctx.org, ctx.principal, def, ctx.params.field);
    if (ctx.principal) ctx.org.access.checkObject(ctx.principal, def.name, 'read');
    const matches = ctx.org.findByField(def.name, f.name, ctx.params.value);
    if (!matches.length) throw NOT_FOUND();
    if (matches.length > 1) return { status: 300, body: matches.map((r) => recordUrl(version, def.name, r.Id)) };
    const fields = selectFields(ctx.org, ctx.principal, def, ctx.query.get('fields'));
    return { status: 200, body: toApiRecord(def, matches[0], version, fields) };
  });

  router.add('PATCH', `${base}/:type/:field/:value`, upsertReply);
}
