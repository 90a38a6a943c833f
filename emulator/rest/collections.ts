/*
 * sObject Collections (REST API Developer Guide: sObject Collections Create/Retrieve/Update/Upsert/Delete): up to 200
 * records per call, HTTP 200 with one `{id, success, errors:[{statusCode, message, fields}]}` per record, allOrNone
 * rolling everything back (ALL_OR_NONE_OPERATION_ROLLED_BACK), MIXED_DML_OPERATION when setup and ordinary objects
 * are written in one call.
 */
import { normalizeId } from '../core/ids.js';
import { SalesforceError, type ObjectDef, type OrgApi, type Principal, type RequestContext, type Reply } from '../core/types.js';
import type { HttpRouter } from '../http/router.js';
import { visibleObject } from '../schema/describe.js';
import { DuplicatesDetected, type DuplicateResult } from './duplicate-rules.js';
import { apiVersionOf, createRecord, duplicateOptions, deleteRecord, invalidType, objectFor, readable, selectFields, toApiRecord, updateRecord } from './records.js';
import { externalIdField, upsertRecord, type UpsertOutcome } from './sobjects.js';

export const MAX_RECORDS = 200;

export type CollectionError = { statusCode: string; message: string; fields: string[]; duplicateResult?: DuplicateResult };
export type CollectionResult = { id?: string | null; success: boolean; errors: CollectionError[]; created?: boolean };

const ROLLED_BACK: CollectionError = {
  statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
  message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
  fields: [],
};

export function toCollectionError(e: unknown): CollectionError {
  if (e instanceof SalesforceError) {
    // Per-record answers name a missing record this way rather than with a 404.
    if (e.errorCode === 'NOT_FOUND') return { statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: 'invalid cross reference id', fields: [] };
    // A duplicate rule's refusal names the matching records (REST API Developer Guide: Duplicate Rule Header).
    if (e instanceof DuplicatesDetected) return { statusCode: e.errorCode, message: e.message, fields: e.fields, duplicateResult: e.duplicateResult };
    return { statusCode: e.errorCode, message: e.message, fields: e.fields };
  }
  return { statusCode: 'UNKNOWN_EXCEPTION', message: e instanceof Error ? e.message : String(e), fields: [] };
}

type Step = { id?: string; def?: ObjectDef; error?: SalesforceError; run: () => { id: string; created?: boolean } };

const ROLLBACK = Symbol('rollback');

/** Runs each step in its own savepoint; with allOrNone, any failure undoes every step. */
export function runSteps(org: OrgApi, allOrNone: boolean, steps: Step[], withCreated = false): CollectionResult[] {
  const results: CollectionResult[] = [];
  let failed = false;
  try {
    org.transaction(() => {
      for (const step of steps) {
        try {
          if (step.error) throw step.error;
          const out = org.transaction(step.run);
          results.push({ id: out.id, success: true, errors: [], ...(withCreated ? { created: out.created ?? false } : {}) });
        } catch (e) {
          failed = true;
          results.push({ ...(step.id ? { id: step.id } : {}), success: false, errors: [toCollectionError(e)] });
        }
      }
      if (allOrNone && failed) throw ROLLBACK;
    });
  } catch (e) {
    if (e !== ROLLBACK) throw e;
  }
  if (!allOrNone || !failed) return results;
  return results.map((r, i) => (r.success ? { ...(steps[i].id ? { id: steps[i].id } : {}), success: false, errors: [ROLLED_BACK] } : r));
}

/** Setup objects (User, PermissionSet...) and other objects cannot share one transaction: the later kind fails. */
export function markMixedDml(steps: Step[]): void {
  const first = steps.find((s) => s.def && !s.error)?.def;
  if (!first) return;
  for (const s of steps) {
    if (!s.def || s.error !== undefined || Boolean(s.def.setup) === Boolean(first.setup)) continue;
    const [setup, other] = s.def.setup ? [s.def, first] : [first, s.def];
    s.error = new SalesforceError(
      'MIXED_DML_OPERATION',
      `DML operation on setup object is not permitted after you have updated a non-setup object (or vice versa): ${setup.name}, original object: ${other.name}`
    );
  }
}

type Body = { allOrNone?: boolean; records?: Array<Record<string, unknown>> };

function recordsOf(ctx: RequestContext): { allOrNone: boolean; records: Array<Record<string, unknown>> } {
  const body = ctx.json<Body>();
  if (!body || !Array.isArray(body.records)) {
    throw new SalesforceError('JSON_PARSER_ERROR', 'The request body must contain a records array');
  }
  if (body.records.length > MAX_RECORDS) {
    throw new SalesforceError('EXCEEDED_ID_LIMIT', 'record limit reached. cannot submit more than 200 records into this call');
  }
  return { allOrNone: body.allOrNone === true, records: body.records };
}

function typeOf(rec: Record<string, unknown>): string | undefined {
  const attributes = rec.attributes as { type?: unknown } | undefined;
  return typeof attributes?.type === 'string' ? attributes.type : undefined;
}

function stepFor(org: OrgApi, p: Principal | undefined, type: string | undefined, run: (def: ObjectDef) => { id: string }, id?: string): Step {
  const def = type ? visibleObject(org, p, type) : undefined;
  if (!def) {
    const error = type ? invalidType(type) : new SalesforceError('INVALID_TYPE', 'Must send a concrete entity type.');
    return { id, error, run: () => ({ id: '' }) };
  }
  return { id, def, run: () => run(def) };
}

function create(ctx: RequestContext): Reply {
  const duplicates = duplicateOptions(ctx, apiVersionOf(ctx));
  const { allOrNone, records } = recordsOf(ctx);
  const p = ctx.principal;
  const steps = records.map((rec) => stepFor(ctx.org, p, typeOf(rec), (def) => ({ id: createRecord(ctx.org, p, def, rec, duplicates).Id })));
  markMixedDml(steps);
  return { status: 200, body: runSteps(ctx.org, allOrNone, steps) };
}

function update(ctx: RequestContext): Reply {
  apiVersionOf(ctx);
  const { allOrNone, records } = recordsOf(ctx);
  const p = ctx.principal;
  const steps = records.map((rec) => {
    const rawId = rec.Id ?? rec.id;
    const id = typeof rawId === 'string' ? rawId : undefined;
    if (!id) return { error: new SalesforceError('MISSING_ARGUMENT', 'Id not specified in an update call'), run: () => ({ id: '' }) };
    const id18 = normalizeId(id);
    if (!id18) return { id, error: new SalesforceError('MALFORMED_ID', `malformed id ${id}`, ['Id']), run: () => ({ id: '' }) };
    const type = typeOf(rec) ?? ctx.org.objectOfId(id18);
    return stepFor(ctx.org, p, type, (def) => ({ id: updateRecord(ctx.org, p, def, id18, rec).Id }), id18);
  });
  markMixedDml(steps);
  return { status: 200, body: runSteps(ctx.org, allOrNone, steps) };
}

function remove(ctx: RequestContext): Reply {
  apiVersionOf(ctx);
  const ids = (ctx.query.get('ids') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (!ids.length) throw new SalesforceError('MISSING_ARGUMENT', 'ids parameter is required');
  if (ids.length > MAX_RECORDS) {
    throw new SalesforceError('EXCEEDED_ID_LIMIT', 'record limit reached. cannot submit more than 200 records into this call');
  }
  const p = ctx.principal;
  const steps = ids.map((id): Step => {
    const id18 = normalizeId(id);
    if (!id18) return { id, error: new SalesforceError('MALFORMED_ID', `malformed id ${id}`), run: () => ({ id: '' }) };
    const type = ctx.org.objectOfId(id18);
    if (!type) return { id: id18, error: new SalesforceError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id'), run: () => ({ id: '' }) };
    return stepFor(ctx.org, p, type, (def) => {
      deleteRecord(ctx.org, p, def, id18);
      return { id: id18 };
    }, id18);
  });
  markMixedDml(steps);
  return { status: 200, body: runSteps(ctx.org, ctx.query.get('allOrNone') === 'true', steps) };
}

function retrieve(ctx: RequestContext, ids: string[], fieldList: string | null): Reply {
  const version = apiVersionOf(ctx);
  const p = ctx.principal;
  const def = objectFor(ctx.org, p, ctx.params.type, 'notFound');
  if (!fieldList) throw new SalesforceError('MISSING_ARGUMENT', 'fields parameter is required');
  if (ids.length > 2000) throw new SalesforceError('EXCEEDED_ID_LIMIT', 'record limit reached. cannot submit more than 2000 records into this call');
  if (p) ctx.org.access.checkObject(p, def.name, 'read');
  const fields = selectFields(ctx.org, p, def, fieldList);
  const body = ids.map((id) => {
    const rec = ctx.org.get(def.name, id);
    return rec ? toApiRecord(def, rec, version, fields) : null;
  });
  return { status: 200, body };
}

function upsert(ctx: RequestContext): Reply {
  const version = apiVersionOf(ctx);
  const { allOrNone, records } = recordsOf(ctx);
  const p = ctx.principal;
  const def = objectFor(ctx.org, p, ctx.params.type, 'notFound');
  const f = externalIdField(ctx.org, p, def, ctx.params.field);
  if (f.name === 'Id' || !readable(ctx.org, p, def, f)) {
    throw new SalesforceError('INVALID_FIELD', `Field name provided, ${ctx.params.field} is not an External ID or indexed field for ${def.name}`);
  }
  const valueOf = (rec: Record<string, unknown>): string | undefined => {
    const value = Object.entries(rec).find(([k]) => k.toLowerCase() === f.name.toLowerCase())?.[1];
    return value === null || value === undefined || value === '' ? undefined : String(value);
  };
  const seen = new Map<string, number>();
  for (const rec of records) {
    const v = valueOf(rec);
    if (v !== undefined) seen.set(v.toLowerCase(), (seen.get(v.toLowerCase()) ?? 0) + 1);
  }
  const steps = records.map((rec): Step => {
    const type = typeOf(rec);
    if (type && type.toLowerCase() !== def.name.toLowerCase()) {
      return { error: invalidType(type), run: () => ({ id: '' }) };
    }
    const value = valueOf(rec);
    if (value === undefined) return { def, error: new SalesforceError('MISSING_ARGUMENT', `${f.name} not specified`, [f.name]), run: () => ({ id: '' }) };
    if ((seen.get(value.toLowerCase()) ?? 0) > 1) {
      return { def, error: new SalesforceError('DUPLICATE_EXTERNAL_ID', `Duplicate external id specified: ${value}`, [f.name]), run: () => ({ id: '' }) };
    }
    return {
      def,
      run: (): UpsertOutcome => {
        try {
          return upsertRecord(ctx.org, p, def, f, value, rec, version);
        } catch (e) {
          const urls = (e as { urls?: string[] }).urls;
          if (!urls) throw e;
          const ids = urls.map((u) => u.slice(u.lastIndexOf('/') + 1));
          throw new SalesforceError('DUPLICATE_EXTERNAL_ID', `${f.name}: more than one record found for external id field: [${ids.join(', ')}]`, [f.name]);
        }
      },
    };
  });
  return { status: 200, body: runSteps(ctx.org, allOrNone, steps, true) };
}

export function installCollections(router: HttpRouter): void {
  const base = '/services/data/:version/composite/sobjects';
  router.add('POST', base, create);
  router.add('PATCH', base, update);
  router.add('DELETE', base, remove);
  router.add('GET', `${base}/:type`, (ctx) =>
    retrieve(ctx, (ctx.query.get('ids') ?? '').split(',').map((s) => s.trim()).filter(Boolean), ctx.query.get('fields'))
  );
  router.add('POST', `${base}/:type`, (ctx) => {
    const body = ctx.json<{ ids?: string[]; fields?: string[] }>();
    return retrieve(ctx, body.ids ?? [], (body.fields ?? []).join(','));
  });
  router.add('PATCH', `${base}/:type/:field`, upsert);
}
