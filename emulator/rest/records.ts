/*
 * Record operations as a user makes them through the REST API: object visibility and CRUD, field-level security,
 * then the Org's validated write. Shared by sObject Rows, sObject Collections, upsert and Composite, so each surface
 * refuses the same things with the same errors. Records go out in the REST shape ({attributes:{type,url}, ...}).
 */
import { normalizeId } from '../core/ids.js';
import { SalesforceError, type FieldDef, type ObjectDef, type OrgApi, type Principal, type RequestContext, type SRecord } from '../core/types.js';
import { visibleObject } from '../schema/describe.js';
import { checkDuplicateRules, parseDuplicateRuleHeader, type DuplicateRuleHeader } from './duplicate-rules.js';

export const NOT_FOUND = (): SalesforceError =>
  new SalesforceError('NOT_FOUND', 'The requested resource does not exist', [], 404);

/** 'v65.0' -> '65.0'; versions newer than the org serves (or older than 20.0) do not exist. */
export function apiVersionOf(ctx: RequestContext): string {
  const raw = (ctx.params.version ?? `v${ctx.org.options.apiVersion}`).slice(1);
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 20 || n > Number(ctx.org.options.apiVersion)) throw NOT_FOUND();
  return raw;
}

export function instanceUrlOf(ctx: RequestContext): string {
  const host = ctx.headers.host;
  return `http://${typeof host === 'string' && host ? host : '127.0.0.1'}`;
}

export function invalidType(name: string): SalesforceError {
  return new SalesforceError(
    'INVALID_TYPE',
    `sObject type '${name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`
  );
}

/** The object as the user sees it; unknown, inactive and hidden objects do not exist for them. */
export function objectFor(org: OrgApi, p: Principal | undefined, name: string, error: 'notFound' | 'invalidType'): ObjectDef {
  const def = visibleObject(org, p, name);
  if (!def) throw error === 'notFound' ? NOT_FOUND() : invalidType(name);
  return def;
}

export function readable(org: OrgApi, p: Principal | undefined, def: ObjectDef, f: FieldDef): boolean {
  return p === undefined || f.name === 'Id' || org.access.fieldReadable(p, def.name, f.name);
}

/** Fields of a body the user may not write: invisible ones do not exist, read-only ones are refused. */
function checkWritable(org: OrgApi, p: Principal | undefined, def: ObjectDef, body: Record<string, unknown>): void {
  if (!p) return;
  const readOnly: string[] = [];
  for (const name of Object.keys(body)) {
    if (name === 'attributes' || name.toLowerCase() === 'id') continue;
    const f = def.fields.get(name.toLowerCase());
    if (!f || !readable(org, p, def, f)) {
      throw new SalesforceError('INVALID_FIELD', `No such column '${name}' on sobject of type ${def.name}`, [name]);
    }
    if (!org.access.fieldEditable(p, def.name, f.name)) readOnly.push(f.name);
  }
  if (readOnly.length) {
    throw new SalesforceError(
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      `Unable to create/update fields: ${readOnly.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
      readOnly
    );
  }
}

function checkEntity(def: ObjectDef, op: 'inserted' | 'updated' | 'deleted'): void {
  const ok = op === 'inserted' ? def.createable : op === 'updated' ? def.updateable : def.deletable;
  if (!ok) throw new SalesforceError('INVALID_TYPE_FOR_OPERATION', `entity type cannot be ${op}: ${def.label}`);
}

function fieldsOf(body: unknown): Record<string, unknown> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new SalesforceError('JSON_PARSER_ERROR', 'Expected a JSON object for the record');
  }
  return body as Record<string, unknown>;
}

/** `duplicates`: the request's Sforce-Duplicate-Rule-Header (absent: active duplicate rules block a match). */
export function createRecord(
  org: OrgApi,
  p: Principal | undefined,
  def: ObjectDef,
  body: unknown,
  duplicates: { header?: DuplicateRuleHeader; version?: string } = {}
): SRecord {
  const fields = fieldsOf(body);
  checkEntity(def, 'inserted');
  if (p) org.access.checkObject(p, def.name, 'create');
  const id = Object.entries(fields).find(([k]) => k.toLowerCase() === 'id')?.[1];
  if (id !== undefined && id !== null && id !== '') {
    throw new SalesforceError('INVALID_FIELD_FOR_INSERT_UPDATE', 'cannot specify Id in an insert call', ['Id']);
  }
  checkWritable(org, p, def, fields);
  checkDuplicateRules(org, def, fields, duplicates.header ?? parseDuplicateRuleHeader(undefined), duplicates.version ?? org.options.apiVersion);
  return org.insert(def.name, fields, p ?? undefined);
}

/** The live record of that object, or the Salesforce error for a malformed, missing or deleted id. */
export function existing(org: OrgApi, def: ObjectDef, id: string): SRecord {
  const id18 = normalizeId(id);
  if (!id18) throw new SalesforceError('MALFORMED_ID', `malformed id ${id}`, [], 400);
  const rec = org.get(def.name, id18);
  if (rec) return rec;
  if (id18.slice(0, 3) === def.keyPrefix && org.query(def.name, (r) => r.Id === id18, { includeDeleted: true }).length) {
    throw new SalesforceError('ENTITY_IS_DELETED', 'entity is deleted', [], 404);
  }
  throw NOT_FOUND();
}

export function updateRecord(org: OrgApi, p: Principal | undefined, def: ObjectDef, id: string, body: unknown): SRecord {
  const fields = fieldsOf(body);
  checkEntity(def, 'updated');
  if (p) org.access.checkObject(p, def.name, 'edit');
  const rec = existing(org, def, id);
  checkWritable(org, p, def, fields);
  return org.update(def.name, rec.Id, fields, p);
}

export function deleteRecord(org: OrgApi, p: Principal | undefined, def: ObjectDef, id: string): void {
  checkEntity(def, 'deleted');
  if (p) org.access.checkObject(p, def.name, 'delete');
  const rec = existing(org, def, id);
  org.delete(def.name, rec.Id, p);
}

/** Fields to return: the ?fields= list (unknown or unreadable ones -> INVALID_FIELD) or every readable field. */
export function selectFields(org: OrgApi, p: Principal | undefined, def: ObjectDef, list: string | null): FieldDef[] {
  if (list === null || list.trim() === '') {
    return [...def.fields.values()].filter((f) => f.type !== 'address' && readable(org, p, def, f));
  }
  return list
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean)
    .map((name) => {
      const f = def.fields.get(name.toLowerCase());
      if (!f || !readable(org, p, def, f)) {
        throw new SalesforceError(
          'INVALID_FIELD',
          `No such column '${name}' on entity '${def.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
          [name]
        );
      }
      return f;
    });
}

export function recordUrl(version: string, type: string, id: string): string {
  return `/services/data/v${version}/sobjects/${type}/${id}`;
}

export function toApiRecord(def: ObjectDef, rec: SRecord, version: string, fields: FieldDef[]): Record<string, unknown> {
  const out: Record<string, unknown> = { attributes: { type: def.name, url: recordUrl(version, def.name, rec.Id) } };
  for (const f of fields) out[f.name] = rec[f.name] ?? null;
  return out;
}

/** Read access to one record (object read permission; sharing is the access module's business). */
export function readRecord(org: OrgApi, p: Principal | undefined, def: ObjectDef, id: string): SRecord {
  if (p) org.access.checkObject(p, def.name, 'read');
  return existing(org, def, id);
}

/** The request's duplicate rule header, for createRecord. */
export function duplicateOptions(ctx: RequestContext, version: string): { header: DuplicateRuleHeader; version: string } {
  // Composite subrequests carry their httpHeaders as written; HTTP requests arrive lower-cased.
  const name = Object.keys(ctx.headers).find((h) => h.toLowerCase() === 'sforce-duplicate-rule-header');
  return { header: parseDuplicateRuleHeader(name ? ctx.headers[name] : undefined), version };
}
