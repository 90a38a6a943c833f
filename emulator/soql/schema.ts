/*
 * Name resolution for SOQL: objects, fields, parent relationship paths (Profile.UserLicense.Name) and child
 * relationships ((SELECT Id FROM Contacts)), each checked against the caller's access: what a user may not see
 * does not exist for them (INVALID_TYPE / INVALID_FIELD), as in Salesforce.
 */
import type { FieldDef, ObjectDef, OrgApi, Principal, SRecord } from '../core/types.js';
import { inVersion } from '../schema/fields.js';
import { badChildRelationship, badRelationship, invalidType, noSuchColumn } from './errors.js';

export type Ctx = {
  org: OrgApi;
  principal?: Principal;
  soql: string;
  includeDeleted: boolean;
  apiVersion: string;
};

/** How values of a field compare in SOQL. */
export type ValueKind = 'text' | 'id' | 'number' | 'boolean' | 'date' | 'datetime' | 'multi';

export function kindOf(field: FieldDef): ValueKind {
  switch (field.type) {
    case 'id':
    case 'reference':
      return 'id';
    case 'int':
    case 'double':
    case 'currency':
    case 'percent':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'date':
      return 'date';
    case 'datetime':
      return 'datetime';
    case 'multipicklist':
      return 'multi';
    default:
      return 'text';
  }
}

const ID_FIELD: FieldDef = {
  name: 'Id',
  label: 'Record ID',
  type: 'id',
  length: 18,
  nillable: false,
  createable: false,
  updateable: false,
  custom: false,
};

export function resolveObject(ctx: Ctx, name: string): ObjectDef {
  const { org, principal } = ctx;
  const def =
    org.getObject(name) ?? org.listObjects().find((o) => o.name.toLowerCase() === name.toLowerCase());
  if (!def || !org.isActive(def.name) || (principal && !org.access.objectVisible(principal, def.name))) {
    throw invalidType(ctx.soql, name);
  }
  return def;
}

/** The field `name` of `obj` as the caller sees it, or undefined. */
export function lookupField(ctx: Ctx, obj: ObjectDef, name: string): FieldDef | undefined {
  const lower = name.toLowerCase();
  const field = obj.fields.get(lower) ?? (lower === 'id' ? ID_FIELD : undefined);
  if (!field || !inVersion(field, ctx.apiVersion)) return undefined;
  if (ctx.principal && field.name !== 'Id' && !ctx.org.access.fieldReadable(ctx.principal, obj.name, field.name)) {
    return undefined;
  }
  return field;
}

export function requireField(ctx: Ctx, obj: ObjectDef, name: string, token = name): FieldDef {
  const field = lookupField(ctx, obj, name);
  if (!field) throw noSuchColumn(ctx.soql, token, name, obj.name);
  return field;
}

/** One hop of a relationship path: the lookup field and the objects it may point to. */
export type Hop = { ref: FieldDef; targets: ObjectDef[]; relationshipName: string };

export function resolveHop(ctx: Ctx, obj: ObjectDef, relationship: string, token: string): Hop {
  const lower = relationship.toLowerCase();
  let ref: FieldDef | undefined;
  for (const f of obj.fields.values()) {
    if (f.type === 'reference' && f.relationshipName?.toLowerCase() === lower) {
      ref = f;
      break;
    }
  }
  if (!ref || (ctx.principal && !ctx.org.access.fieldReadable(ctx.principal, obj.name, ref.name))) {
    throw badRelationship(ctx.soql, token, relationship);
  }
  const targets = (ref.referenceTo ?? [])
    .map((t) => ctx.org.getObject(t))
    .filter(
      (t): t is ObjectDef =>
        t !== undefined && ctx.org.isActive(t.name) && (!ctx.principal || ctx.org.access.objectVisible(ctx.principal, t.name))
    );
  if (targets.length === 0) throw badRelationship(ctx.soql, token, relationship);
  return { ref, targets, relationshipName: ref.relationshipName ?? relationship };
}

/** A resolved field path from a base object: hops to follow, then the field read on the last object. */
export type FieldPath = { hops: Hop[]; field: FieldDef; owner: ObjectDef; raw: string };

/**
 * Resolves 'Name', 'Profile.Name' or 'Profile.UserLicense.Name' (an `alias.` prefix naming the FROM object is
 * dropped). Polymorphic lookups (Owner -> User/Group) resolve the field on the first target that has it.
 */
export function resolvePath(ctx: Ctx, base: ObjectDef, raw: string, alias?: string): FieldPath {
  let parts = raw.split('.');
  if (parts.length > 1 && alias && parts[0].toLowerCase() === alias.toLowerCase()) parts = parts.slice(1);
  const hops: Hop[] = [];
  let owner = base;
  for (const rel of parts.slice(0, -1)) {
    const hop = resolveHop(ctx, owner, rel, raw);
    hops.push(hop);
    owner = hop.targets[0];
  }
  const last = parts[parts.length - 1];
  const last0 = hops.length ? hops[hops.length - 1] : undefined;
  const candidates = last0 ? last0.targets : [owner];
  for (const candidate of candidates) {
    const field = lookupField(ctx, candidate, last);
    if (field) return { hops, field, owner: candidate, raw };
  }
  throw noSuchColumn(ctx.soql, raw, last, owner.name);
}

/** The parent record one hop away, or undefined (null lookup, deleted or unknown parent). */
export function followHop(org: OrgApi, hop: Hop, rec: SRecord): SRecord | undefined {
  const id = rec[hop.ref.name];
  if (typeof id !== 'string' || id === '') return undefined;
  if (hop.targets.length === 1) return org.get(hop.targets[0].name, id);
  const objectName = org.objectOfId(id);
  return objectName ? org.get(objectName, id) : undefined;
}

/** A function reading the path's value from a record of the base object. */
export function getterOf(org: OrgApi, path: FieldPath): (rec: SRecord) => unknown {
  const name = path.field.name;
  if (path.hops.length === 0) return (rec) => rec[name];
  const hops = path.hops;
  return (rec) => {
    let cur: SRecord | undefined = rec;
    for (const hop of hops) {
      cur = followHop(org, hop, cur);
      if (!cur) return undefined;
    }
    return cur[name];
  };
}

/**
 * The child relationship name a lookup creates on its parent: declared on the field, else a custom lookup's deployed
 * relationshipName + '__r' (as describe reports it: emulator/schema/describe.ts); undefined when it has none.
 */
export function childRelationshipNameOf(field: FieldDef): string | undefined {
  if (field.childRelationshipName) return field.childRelationshipName;
  const deployed = field.metadata?.relationshipName;
  if (field.custom && typeof deployed === 'string' && deployed) return `${deployed}__r`;
  return undefined;
}

export type ChildRelationship = { child: ObjectDef; field: FieldDef; name: string };

export function resolveChildRelationship(ctx: Ctx, parent: ObjectDef, relationship: string): ChildRelationship {
  const lower = relationship.toLowerCase();
  const parentLower = parent.name.toLowerCase();
  for (const child of ctx.org.listObjects()) {
    for (const field of child.fields.values()) {
      if (field.type !== 'reference' || !field.referenceTo?.some((t) => t.toLowerCase() === parentLower)) continue;
      const name = childRelationshipNameOf(field);
      if (name?.toLowerCase() !== lower) continue;
      const visible =
        ctx.org.isActive(child.name) && (!ctx.principal || ctx.org.access.objectVisible(ctx.principal, child.name));
      if (!visible) break;
      return { child, field, name: name ?? relationship };
    }
  }
  throw badChildRelationship(ctx.soql, relationship);
}

export function recordUrl(ctx: Ctx, type: string, id: string): string {
  return `/services/data/v${ctx.apiVersion}/sobjects/${type}/${id}`;
}
