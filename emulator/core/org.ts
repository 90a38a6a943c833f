/*
 * One local org: the schema registry, the record store (by lower-case object name and 18-character id), validation
 * and coercion of every write with Salesforce's error codes, system fields, lookups' delete constraints, triggers,
 * transactions (an undo log, no copies) and sessions. Everything here runs in system context: callers that act for a
 * user check access first (emulator/rest) through `org.access`.
 */
import { IdFactory, base62, isValidId, normalizeId, randomChars, to18 } from './ids.js';
import {
  SalesforceError,
  type AccessPolicy,
  type FieldDef,
  type LocalOrgOptions,
  type ObjectDef,
  type OrgApi,
  type Principal,
  type SRecord,
  type Trigger,
  type TriggerContext,
} from './types.js';

/** The policy until emulator/access plugs in the real one: everything allowed. */
export const allowAll: AccessPolicy = {
  checkApi: () => undefined,
  objectVisible: () => true,
  checkObject: () => undefined,
  fieldReadable: () => true,
  fieldEditable: () => true,
  hasPermission: () => true,
};

type Store = { live: Map<string, SRecord>; deleted: Map<string, SRecord> };
/** What writes need to know about an object's fields, computed once per schema change (keeps 50,000 inserts fast). */
type Shape = {
  version: number;
  size: number;
  /** Every field at its static default: a new record starts as a copy of this. */
  template: Record<string, unknown>;
  dynamicDefaults: FieldDef[];
  booleans: FieldDef[];
  required: FieldDef[];
  checked: FieldDef[];
  unique: FieldDef[];
};
/** value key -> ids, for one field of one object. */
type Index = Map<string, Set<string>>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Salesforce's datetime format in API answers: 2024-05-01T10:00:00.000+0000. */
let lastNow = { ms: -1, text: '' };
export function sfDateTime(d?: Date): string {
  if (d) return d.toISOString().replace('Z', '+0000');
  // Thousands of writes share a millisecond during loads; format it once.
  const ms = Date.now();
  if (ms !== lastNow.ms) lastNow = { ms, text: new Date(ms).toISOString().replace('Z', '+0000') };
  return lastNow.text;
}

function jsonError(type: string, value: unknown): SalesforceError {
  return new SalesforceError(
    'JSON_PARSER_ERROR',
    `Cannot deserialize instance of ${type} from VALUE_STRING value ${String(value)} or request may be missing a required field`
  );
}

/** Must have a value: not nillable, not a boolean (always has one), not computed, and writable by someone. */
function isRequired(f: FieldDef): boolean {
  const computed = f.calculated === true || f.autoNumber === true;
  return !f.nillable && f.type !== 'boolean' && !computed && (f.createable || f.updateable);
}

/** Values checked against something else: restricted picklists and lookups (system audit lookups aside). */
function isChecked(f: FieldDef): boolean {
  const restricted = (f.type === 'picklist' || f.type === 'multipicklist') && f.restrictedPicklist === true;
  const lookup = f.type === 'reference' && f.name !== 'CreatedById' && f.name !== 'LastModifiedById';
  return restricted || lookup;
}

export class Org implements OrgApi {
  public readonly orgId: string;
  public readonly options: OrgApi['options'];
  public access: AccessPolicy = allowAll;
  public defaultUserId?: string;

  private readonly objects = new Map<string, ObjectDef>();
  private readonly byPrefix = new Map<string, string>();
  private readonly stores = new Map<string, Store>();
  private readonly triggers = new Map<string, Trigger[]>();
  private readonly indexes = new Map<string, Map<string, Index>>();
  private readonly tokens = new Map<string, string>();
  private readonly ids = new IdFactory();
  private undoLog: Array<() => void> = [];
  private depth = 0;
  private prefixSeq = 0;
  private schemaVersion = 0;
  private readonly shapes = new WeakMap<ObjectDef, Shape>();
  /** Writes per object (lower-case name), to know when values derived from its records are stale. */
  private readonly writeVersions = new Map<string, number>();
  private readonly picklistCache = new WeakMap<FieldDef, { version: number; values: Array<{ value: string; isDefault: boolean }> }>();

  public constructor(options: LocalOrgOptions = {}) {
    this.options = {
      ...options,
      dailyApiLimit: options.dailyApiLimit ?? 100_000,
      activationDelayMs: options.activationDelayMs ?? 0,
      apiVersion: options.apiVersion ?? '65.0',
    };
    this.orgId = to18('00D5g0' + base62(Math.floor(Math.random() * 62 ** 9), 9));
  }

  // ---------------------------------------------------------------- schema

  public getObject(name: string): ObjectDef | undefined {
    return this.objects.get(name.toLowerCase());
  }

  public listObjects(): ObjectDef[] {
    return [...this.objects.values()];
  }

  public defineObject(def: ObjectDef): void {
    const key = def.name.toLowerCase();
    const previous = this.objects.get(key);
    if (previous && previous.keyPrefix !== def.keyPrefix) this.byPrefix.delete(previous.keyPrefix);
    this.objects.set(key, def);
    this.byPrefix.set(def.keyPrefix, key);
    if (!this.stores.has(key)) this.stores.set(key, { live: new Map(), deleted: new Map() });
    this.indexes.delete(key);
    this.schemaVersion++;
  }

  public removeObject(name: string): void {
    const key = name.toLowerCase();
    const def = this.objects.get(key);
    if (!def) return;
    this.objects.delete(key);
    this.byPrefix.delete(def.keyPrefix);
    this.stores.delete(key);
    this.indexes.delete(key);
    this.triggers.delete(key);
  }

  public defineField(object: string, field: FieldDef): void {
    const def = this.requireObject(object);
    def.fields.set(field.name.toLowerCase(), field);
    this.indexes.get(def.name.toLowerCase())?.delete(field.name.toLowerCase());
    this.schemaVersion++;
  }

  public removeField(object: string, field: string): void {
    const def = this.requireObject(object);
    const f = def.fields.get(field.toLowerCase());
    if (!f) return;
    def.fields.delete(field.toLowerCase());
    this.indexes.get(def.name.toLowerCase())?.delete(field.toLowerCase());
    this.schemaVersion++;
    // Deleting a field deletes its data.
    const store = this.stores.get(def.name.toLowerCase());
    if (store) for (const rec of store.live.values()) delete rec[f.name];
  }

  public newKeyPrefix(): string {
    for (;;) {
      const prefix = 'a' + base62(this.prefixSeq++, 2);
      if (!this.byPrefix.has(prefix)) return prefix;
    }
  }

  public isActive(object: string): boolean {
    const def = this.getObject(object);
    return def !== undefined && (def.activeAt === undefined || Date.now() >= def.activeAt);
  }

  public registerTrigger(object: string, trigger: Trigger): void {
    const key = object.toLowerCase();
    const list = this.triggers.get(key) ?? [];
    list.push(trigger);
    this.triggers.set(key, list);
  }

  public objectOfId(id: string): string | undefined {
    const key = this.byPrefix.get(id.slice(0, 3));
    return key ? this.objects.get(key)?.name : undefined;
  }

  // ---------------------------------------------------------------- reads

  public get(object: string, id: string): SRecord | undefined {
    const id18 = normalizeId(id);
    if (!id18) return undefined;
    return this.stores.get(object.toLowerCase())?.live.get(id18);
  }

  /** A record of any object by id, including the recycle bin. */
  public getAny(id: string): { object: string; record: SRecord; deleted: boolean } | undefined {
    const id18 = normalizeId(id);
    const key = id18 ? this.byPrefix.get(id18.slice(0, 3)) : undefined;
    const store = key ? this.stores.get(key) : undefined;
    if (!id18 || !key || !store) return undefined;
    const live = store.live.get(id18);
    if (live) return { object: this.objects.get(key)!.name, record: live, deleted: false };
    const gone = store.deleted.get(id18);
    return gone ? { object: this.objects.get(key)!.name, record: gone, deleted: true } : undefined;
  }

  public query(
    object: string,
    predicate?: (r: SRecord) => boolean,
    options: { includeDeleted?: boolean } = {}
  ): SRecord[] {
    const store = this.stores.get(object.toLowerCase());
    if (!store) return [];
    const out: SRecord[] = [];
    for (const rec of store.live.values()) if (!predicate || predicate(rec)) out.push(rec);
    if (options.includeDeleted) for (const rec of store.deleted.values()) if (!predicate || predicate(rec)) out.push(rec);
    return out;
  }

  public count(object: string): number {
    return this.stores.get(object.toLowerCase())?.live.size ?? 0;
  }

  /** Values of a picklist fed by another object's records (Lead.Status <- LeadStatus.MasterLabel). */
  public picklistFromValues(f: FieldDef): Array<{ value: string; isDefault: boolean }> {
    const from = f.picklistFrom;
    if (!from) return [];
    // Cached until the source object is written: every Lead insert asks for these.
    const version = this.writeVersions.get(from.object.toLowerCase()) ?? 0;
    const cached = this.picklistCache.get(f);
    if (cached && cached.version === version) return cached.values;
    const rows = this.query(from.object, (r) =>
      Object.entries(from.where ?? {}).every(([k, v]) => r[k] === v)
    ).sort((a, b) => Number(a.SortOrder ?? 0) - Number(b.SortOrder ?? 0));
    const values = rows.map((r) => ({ value: String(r[from.field]), isDefault: r.IsDefault === true }));
    this.picklistCache.set(f, { version, values });
    return values;
  }
  public findByField(object: string, field: string, value: unknown): SRecord[] {
    const key = object.toLowerCase();
    const def = this.objects.get(key);
    const store = this.stores.get(key);
    const f = def?.fields.get(field.toLowerCase());
    if (!def || !store || !f) return [];
    if (f.name === 'Id') {
      const rec = this.get(object, String(value));
      return rec ? [rec] : [];
    }
    if (value === null || value === undefined || value === '') {
      return this.query(object, (r) => r[f.name] === null || r[f.name] === undefined);
    }
    const ids = this.index(key, f).get(this.indexKey(f, value));
    if (!ids) return [];
    const out: SRecord[] = [];
    for (const id of ids) {
      const rec = store.live.get(id);
      if (rec) out.push(rec);
    }
    return out;
  }

  // ---------------------------------------------------------------- writes

  public insert(object: string, fields: Record<string, unknown>, principal?: Principal): SRecord {
    // Atomic: a trigger failing after the write (or half a cascade) leaves nothing behind.
    return this.transaction(() => this.insertNow(object, fields, principal));
  }

  public update(object: string, id: string, fields: Record<string, unknown>, principal?: Principal): SRecord {
    // Atomic: a trigger failing after the write (or half a cascade) leaves nothing behind.
    return this.transaction(() => this.updateNow(object, id, fields, principal));
  }

  public delete(object: string, id: string, principal?: Principal): void {
    // Atomic: a trigger failing after the write (or half a cascade) leaves nothing behind.
    this.transaction(() => this.deleteNow(object, id, principal));
  }

  // ---------------------------------------------------------------- transactions

  public transaction<T>(fn: () => T): T {
    const savepoint = this.undoLog.length;
    this.depth++;
    try {
      return fn();
    } catch (e) {
      this.rollbackTo(savepoint);
      throw e;
    } finally {
      this.depth--;
      if (this.depth === 0) this.undoLog = [];
    }
  }

  public async transactionAsync<T>(fn: () => Promise<T>): Promise<T> {
    const savepoint = this.undoLog.length;
    this.depth++;
    try {
      return await fn();
    } catch (e) {
      this.rollbackTo(savepoint);
      throw e;
    } finally {
      this.depth--;
      if (this.depth === 0) this.undoLog = [];
    }
  }

  // ---------------------------------------------------------------- sessions

  public issueToken(userId: string): string {
    const token = `${this.orgId.slice(0, 15)}!AQ${randomChars(6)}.${randomChars(48)}`;
    this.tokens.set(token, to18(userId));
    return token;
  }

  /** The token's user, while that user exists and is active. */
  public userOfToken(token: string): string | undefined {
    const userId = this.tokens.get(token);
    if (!userId) return undefined;
    const user = this.get('User', userId);
    if (user && user.IsActive === false) return undefined;
    return userId;
  }

  public revokeToken(token: string): void {
    this.tokens.delete(token);
  }

  // ---------------------------------------------------------------- internals

  private insertNow(object: string, fields: Record<string, unknown>, principal?: Principal): SRecord {
    const def = this.requireObject(object);
    const key = def.name.toLowerCase();
    const system = principal === undefined;
    const shape = this.shapeOf(def);
    const rec = { ...shape.template } as SRecord;
    const id = this.applyFields(def, rec, fields, system, 'insert');
    for (const f of shape.dynamicDefaults) {
      if (rec[f.name] === null || rec[f.name] === undefined) rec[f.name] = this.defaultOf(f) ?? null;
    }
    for (const f of shape.booleans) if (rec[f.name] === null) rec[f.name] = false;
    const now = sfDateTime();
    const user = principal?.userId ?? this.defaultUserId ?? null;
    rec.Id = id ?? this.ids.next(def.keyPrefix);
    rec.IsDeleted = false;
    rec.CreatedDate = now;
    rec.LastModifiedDate = now;
    rec.SystemModstamp = now;
    if (def.fields.has('createdbyid')) rec.CreatedById = user;
    if (def.fields.has('lastmodifiedbyid')) rec.LastModifiedById = user;
    if (def.fields.has('ownerid') && !rec.OwnerId) rec.OwnerId = user;
    this.computeName(def, rec);
    this.checkRequired(def, rec, undefined);
    this.checkValues(def, rec, undefined);

    const ctx: TriggerContext = { principal, org: this };
    const triggers = this.triggers.get(key) ?? [];
    for (const t of triggers) t.beforeInsert?.(rec, ctx);
    this.checkUnique(def, rec);
    this.setLive(key, rec);
    for (const t of triggers) t.afterInsert?.(rec, ctx);
    return rec;
  }
  private updateNow(object: string, id: string, fields: Record<string, unknown>, principal?: Principal): SRecord {
    const def = this.requireObject(object);
    const key = def.name.toLowerCase();
    const old = this.requireLive(def, id);
    const system = principal === undefined;
    const rec: SRecord = { ...old };
    this.applyFields(def, rec, fields, system, 'update');
    const now = sfDateTime();
    rec.LastModifiedDate = now;
    rec.SystemModstamp = now;
    if (def.fields.has('lastmodifiedbyid')) rec.LastModifiedById = principal?.userId ?? this.defaultUserId ?? null;
    this.computeName(def, rec);
    this.checkRequired(def, rec, old);
    this.checkValues(def, rec, old);

    const ctx: TriggerContext = { principal, org: this };
    const triggers = this.triggers.get(key) ?? [];
    for (const t of triggers) t.beforeUpdate?.(rec, old, ctx);
    this.checkUnique(def, rec);
    this.setLive(key, rec, old);
    for (const t of triggers) t.afterUpdate?.(rec, old, ctx);
    return rec;
  }
  private deleteNow(object: string, id: string, principal?: Principal): void {
    const def = this.requireObject(object);
    const key = def.name.toLowerCase();
    const old = this.requireLive(def, id);
    const ctx: TriggerContext = { principal, org: this };
    const triggers = this.triggers.get(key) ?? [];
    for (const t of triggers) t.beforeDelete?.(old, ctx);
    this.applyDeleteConstraints(def, old, principal);
    this.removeLive(key, old);
    this.setDeleted(key, { ...old, IsDeleted: true, SystemModstamp: sfDateTime() });
    for (const t of triggers) t.afterDelete?.(old, ctx);
  }
  /** Copies a request's fields onto a record, coerced; returns the Id a system insert chose, if any. */
  private applyFields(
    def: ObjectDef,
    rec: SRecord,
    fields: Record<string, unknown>,
    system: boolean,
    op: 'insert' | 'update'
  ): string | undefined {
    let id: string | undefined;
    for (const [name, value] of Object.entries(fields)) {
      if (name === 'attributes') continue;
      if (name.toLowerCase() === 'id') {
        if (op === 'update' || value === undefined || value === null || value === '') continue;
        // System inserts may choose the id (the Organization record carries the org id).
        if (!system || !isValidId(value) || value.slice(0, 3) !== def.keyPrefix || this.getAny(value)) {
          throw new SalesforceError('INVALID_FIELD_FOR_INSERT_UPDATE', 'cannot specify Id in an insert call', ['Id']);
        }
        id = to18(value);
        continue;
      }
      const f = this.requireField(def, name);
      const writable = (op === 'insert' ? f.createable : f.updateable) && f.calculated !== true && f.autoNumber !== true;
      if (!system && !writable) throw this.notWritable([f.name]);
      const v = this.coerce(f, value);
      rec[f.name] = v === null && f.type === 'boolean' ? false : v;
    }
    return id;
  }

  private requireObject(name: string): ObjectDef {
    const def = this.getObject(name);
    if (!def) {
      throw new SalesforceError(
        'INVALID_TYPE',
        `sObject type '${name}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`
      );
    }
    return def;
  }

  private requireField(def: ObjectDef, name: string): FieldDef {
    const f = def.fields.get(name.toLowerCase());
    if (!f) {
      throw new SalesforceError('INVALID_FIELD', `No such column '${name}' on sobject of type ${def.name}`, [name]);
    }
    return f;
  }

  private requireLive(def: ObjectDef, id: string): SRecord {
    const id18 = normalizeId(id);
    if (!id18) throw new SalesforceError('MALFORMED_ID', `malformed id ${id}`, [], 400);
    const store = this.stores.get(def.name.toLowerCase())!;
    const rec = store.live.get(id18);
    if (rec) return rec;
    if (store.deleted.has(id18)) throw new SalesforceError('ENTITY_IS_DELETED', 'entity is deleted', [], 404);
    throw new SalesforceError('NOT_FOUND', 'The requested resource does not exist', [], 404);
  }

  private notWritable(fields: string[]): SalesforceError {
    return new SalesforceError(
      'INVALID_FIELD_FOR_INSERT_UPDATE',
      `Unable to create/update fields: ${fields.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
      fields
    );
  }

  /** Turns a JSON value into the stored form of the field's type, or throws Salesforce's error for it. */
  private coerce(f: FieldDef, value: unknown): unknown {
    if (value === undefined || value === null || value === '') return null;
    switch (f.type) {
      case 'boolean':
        if (typeof value === 'boolean') return value;
        if (value === 'true' || value === 'false') return value === 'true';
        throw jsonError('boolean', value);
      case 'int':
      case 'double':
      case 'currency':
      case 'percent':
        return this.coerceNumber(f, value);
      case 'date':
      case 'datetime':
        return this.coerceDate(f, value);
      case 'id':
      case 'reference': {
        const id = normalizeId(value);
        if (!id) {
          throw new SalesforceError('MALFORMED_ID', `${f.label}: id value of incorrect type: ${String(value)}`, [f.name]);
        }
        return id;
      }
      case 'address':
        return value;
      default:
        return this.coerceText(f, value);
    }
  }

  private coerceDate(f: FieldDef, value: unknown): string {
    if (f.type === 'date') {
      const s = typeof value === 'string' ? value.slice(0, 10) : '';
      const m = DATE.exec(s);
      if (!m || new Date(s + 'T00:00:00Z').getUTCDate() !== +m[3]) throw jsonError('date', value);
      return s;
    }
    const d = typeof value === 'number' || typeof value === 'string' ? new Date(value) : undefined;
    if (!d || Number.isNaN(d.getTime())) throw jsonError('datetime', value);
    return sfDateTime(d);
  }

  private coerceText(f: FieldDef, value: unknown): string {
    if (typeof value === 'object') throw jsonError('string', JSON.stringify(value));
    const s = String(value);
    if (f.length !== undefined && s.length > f.length) {
      throw new SalesforceError('STRING_TOO_LONG', `${f.label}: data value too large: ${s} (max length=${f.length})`, [f.name]);
    }
    if (f.type === 'email' && !EMAIL.test(s)) {
      throw new SalesforceError('INVALID_EMAIL_ADDRESS', `${f.label}: invalid email address: ${s}`, [f.name]);
    }
    return s;
  }

  private coerceNumber(f: FieldDef, value: unknown): number {
    const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
    if (!Number.isFinite(n)) throw jsonError(f.type === 'int' ? 'int' : 'double', value);
    const scale = f.type === 'int' ? 0 : f.scale ?? 2;
    const integerDigits = f.type === 'int' ? f.digits ?? 9 : (f.precision ?? 18) - scale;
    const rounded = scale === 0 ? Math.round(n) : Math.round(n * 10 ** scale) / 10 ** scale;
    if (Math.abs(Math.trunc(rounded)).toString().length > integerDigits) {
      throw new SalesforceError(
        'NUMBER_OUTSIDE_VALID_RANGE',
        `${f.label}: value outside of valid range on numeric field: ${String(value)}`,
        [f.name]
      );
    }
    return rounded;
  }

  private defaultOf(f: FieldDef): unknown {
    if (f.defaultValue !== undefined) return f.defaultValue;
    if (f.picklistFrom) return this.picklistFromValues(f).find((v) => v.isDefault)?.value;
    return f.picklistValues?.find((v) => v.defaultValue)?.value;
  }



  private computeName(def: ObjectDef, rec: SRecord): void {
    const name = def.fields.get('name');
    if (!name || name.createable || !def.fields.has('lastname')) return;
    rec[name.name] = [rec.FirstName, rec.LastName].filter((v) => v !== null && v !== undefined && v !== '').join(' ');
  }

  private checkRequired(def: ObjectDef, rec: SRecord, old: SRecord | undefined): void {
    const missing: string[] = [];
    for (const f of this.shapeOf(def).required) {
      if (rec[f.name] !== null && rec[f.name] !== undefined) continue;
      if (old === undefined ? f.defaultedOnCreate : old[f.name] === rec[f.name]) continue;
      missing.push(f.name);
    }
    if (missing.length) {
      throw new SalesforceError('REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing);
    }
  }

  /** Picklists and lookups, for the fields an insert sets or an update changes. */
  private checkValues(def: ObjectDef, rec: SRecord, old: SRecord | undefined): void {
    for (const f of this.shapeOf(def).checked) {
      const v = rec[f.name];
      if (v === null || v === undefined || (old && old[f.name] === v)) continue;
      if ((f.type === 'picklist' || f.type === 'multipicklist') && f.restrictedPicklist) {
        const allowed = f.picklistFrom
          ? this.picklistFromValues(f).map((p) => p.value)
          : (f.picklistValues ?? []).filter((p) => p.active).map((p) => p.value);
        const values = f.type === 'multipicklist' ? String(v).split(';') : [String(v)];
        for (const one of values) {
          if (!allowed.includes(one)) {
            throw new SalesforceError(
              'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
              `${f.label}: bad value for restricted picklist field: ${one}`,
              [f.name]
            );
          }
        }
      }
      if (f.type === 'reference' && f.name !== 'CreatedById' && f.name !== 'LastModifiedById') this.checkLookup(f, String(v));
    }
  }

  private checkLookup(f: FieldDef, id: string): void {
    const target = this.objectOfId(id);
    const allowed = f.referenceTo ?? [];
    if (!target || (!f.anyReference && !allowed.some((t) => t.toLowerCase() === target.toLowerCase()))) {
      throw new SalesforceError(
        'FIELD_INTEGRITY_EXCEPTION',
        `${f.label}: id value of incorrect type: ${id}`,
        [f.name]
      );
    }
    const found = this.getAny(id);
    if (found?.deleted) throw new SalesforceError('ENTITY_IS_DELETED', 'entity is deleted', [f.name]);
    if (!found) {
      // What Salesforce answers for a well-formed id that points nowhere.
      throw new SalesforceError(
        'INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY',
        `insufficient access rights on cross-reference id: ${id}`,
        [f.name]
      );
    }
  }

  private checkUnique(def: ObjectDef, rec: SRecord): void {
    for (const f of this.shapeOf(def).unique) {
      const v = rec[f.name];
      if (v === null || v === undefined) continue;
      const other = this.findByField(def.name, f.name, v).find((r) => r.Id !== rec.Id);
      if (other) {
        throw new SalesforceError(
          'DUPLICATE_VALUE',
          `duplicate value found: ${f.name} duplicates value on record with id: ${other.Id}`,
          []
        );
      }
    }
  }

  /** Lookups pointing at a deleted record: SetNull clears them, Cascade deletes the child, Restrict refuses. */
  private applyDeleteConstraints(def: ObjectDef, parent: SRecord, principal?: Principal): void {
    for (const child of this.objects.values()) {
      for (const f of child.fields.values()) {
        if (f.type !== 'reference' || f.name === 'CreatedById' || f.name === 'LastModifiedById') continue;
        if (!f.anyReference && !(f.referenceTo ?? []).includes(def.name)) continue;
        const rows = this.findByField(child.name, f.name, parent.Id);
        if (!rows.length) continue;
        const constraint = f.deleteConstraint ?? 'SetNull';
        if (constraint === 'Restrict') {
          throw new SalesforceError(
            'DELETE_FAILED',
            `Your attempt to delete ${String(parent.Name ?? parent.Id)} could not be completed because it is associated with the following ${child.labelPlural}.: ${rows
              .slice(0, 3)
              .map((r) => String(r.Name ?? r.Id))
              .join(', ')}`
          );
        }
        const key = child.name.toLowerCase();
        for (const row of rows) {
          if (constraint === 'Cascade') this.delete(child.name, row.Id, principal);
          else this.setLive(key, { ...row, [f.name]: null }, row);
        }
      }
    }
  }

  private shapeOf(def: ObjectDef): Shape {
    const known = this.shapes.get(def);
    if (known && known.version === this.schemaVersion && known.size === def.fields.size) return known;
    const shape: Shape = {
      version: this.schemaVersion,
      size: def.fields.size,
      template: { Id: '' },
      dynamicDefaults: [],
      booleans: [],
      required: [],
      checked: [],
      unique: [],
    };
    for (const f of def.fields.values()) {
      const fixed = f.picklistFrom ? undefined : this.defaultOf(f);
      shape.template[f.name] = fixed ?? (f.type === 'boolean' ? false : null);
      if (f.picklistFrom) shape.dynamicDefaults.push(f);
      if (f.type === 'boolean') shape.booleans.push(f);
      if (isRequired(f)) shape.required.push(f);
      if (isChecked(f)) shape.checked.push(f);
      if (f.unique) shape.unique.push(f);
    }
    this.shapes.set(def, shape);
    return shape;
  }

  private store(key: string): Store {
    return this.stores.get(key)!;
  }

  private setLive(key: string, rec: SRecord, previous?: SRecord): void {
    const store = this.store(key);
    this.touch(key);
    store.live.set(rec.Id, rec);
    this.reindex(key, previous, rec);
    this.log(() => {
      this.touch(key);
      if (previous) store.live.set(previous.Id, previous);
      else store.live.delete(rec.Id);
      this.reindex(key, rec, previous);
    });
  }

  private removeLive(key: string, rec: SRecord): void {
    const store = this.store(key);
    this.touch(key);
    store.live.delete(rec.Id);
    this.reindex(key, rec, undefined);
    this.log(() => {
      this.touch(key);
      store.live.set(rec.Id, rec);
      this.reindex(key, undefined, rec);
    });
  }

  private setDeleted(key: string, rec: SRecord): void {
    const store = this.store(key);
    store.deleted.set(rec.Id, rec);
    this.log(() => store.deleted.delete(rec.Id));
  }

  private touch(key: string): void {
    this.writeVersions.set(key, (this.writeVersions.get(key) ?? 0) + 1);
  }

  private log(undo: () => void): void {
    if (this.depth > 0) this.undoLog.push(undo);
  }

  private rollbackTo(savepoint: number): void {
    while (this.undoLog.length > savepoint) this.undoLog.pop()!();
  }

  private indexKey(f: FieldDef, value: unknown): string {
    if (typeof value === 'string') {
      if (f.type === 'reference' || f.type === 'id') return normalizeId(value) ?? value;
      // '2024-01-01T00:00:00Z' and '2024-01-01T00:00:00.000+0000' are the same instant.
      if (f.type === 'datetime') return String(Date.parse(value.replace(/([+-]\d\d)(\d\d)$/, '$1:$2')));
      return f.caseSensitive ? value : value.toLowerCase();
    }
    return String(value);
  }

  /** The index of one field, built on first use and kept up to date by every write after that. */
  private index(key: string, f: FieldDef): Index {
    let byField = this.indexes.get(key);
    if (!byField) {
      byField = new Map<string, Index>();
      this.indexes.set(key, byField);
    }
    let index = byField.get(f.name.toLowerCase());
    if (index) return index;
    index = new Map();
    for (const rec of this.store(key).live.values()) {
      const v = rec[f.name];
      if (v === null || v === undefined) continue;
      const k = this.indexKey(f, v);
      let ids = index.get(k);
      if (!ids) index.set(k, (ids = new Set()));
      ids.add(rec.Id);
    }
    byField.set(f.name.toLowerCase(), index);
    return index;
  }

  private reindex(key: string, before: SRecord | undefined, after: SRecord | undefined): void {
    const byField = this.indexes.get(key);
    if (!byField?.size) return;
    const def = this.objects.get(key)!;
    for (const [fieldKey, index] of byField) {
      const f = def.fields.get(fieldKey);
      if (!f) continue;
      const a = before?.[f.name];
      const b = after?.[f.name];
      if (before && after && a === b) continue;
      if (before && a !== undefined) index.get(this.indexKey(f, a))?.delete(before.Id);
      if (after && b !== undefined) {
        const k = this.indexKey(f, b);
        let ids = index.get(k);
        if (!ids) index.set(k, (ids = new Set()));
        ids.add(after.Id);
      }
    }
  }
}
