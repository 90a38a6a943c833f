/*
 * Footprint vs org: what a deploy of force-app would change, from describe results and the permission set's
 * ObjectPermissions/FieldPermissions rows. Pure functions; install's plan feeds them what it read.
 */
import type { DescribeField, DescribeSObject } from '../salesforce/client.js';
import type { Footprint, FootprintField, FootprintObject, FootprintPermissionSet } from './footprint.js';

/** An ObjectPermissions row as queried (SobjectType + the Permissions* booleans). */
export type OrgObjectPermission = {
  object: string;
  read: boolean;
  create: boolean;
  edit: boolean;
  delete: boolean;
  viewAllRecords: boolean;
  modifyAllRecords: boolean;
  /** Undefined when the API version read with has no PermissionsViewAllFields (before 63.0). */
  viewAllFields?: boolean;
};
export type OrgFieldPermission = { field: string; read: boolean; edit: boolean };

export type OrgFootprintState = {
  /** describe of each footprint object, undefined when describe said NOT_FOUND / INVALID_TYPE. */
  objects: Record<string, DescribeSObject | undefined>;
  permissionSet?: { id: string; label: string };
  objectPermissions: OrgObjectPermission[];
  fieldPermissions: OrgFieldPermission[];
};

export type FootprintDiff = {
  /** One line per difference a deploy would fix, e.g. 'create object Instruqt_Play__c (10 fields)'. */
  changes: string[];
  /** Objects that exist (the permission set already grants them) but are not usable yet. */
  pendingActivation: string[];
};

/** Metadata API field type -> describe type (Salesforce reports custom Number fields as double). */
const DESCRIBE_TYPE: Record<string, string[]> = {
  Text: ['string'],
  TextArea: ['textarea'],
  LongTextArea: ['textarea'],
  Url: ['url'],
  Number: ['double', 'int'],
  Lookup: ['reference'],
  MasterDetail: ['reference'],
  Checkbox: ['boolean'],
  Date: ['date'],
  DateTime: ['datetime'],
  Email: ['email'],
  Phone: ['phone'],
  Picklist: ['picklist'],
};

export function diffFootprint(footprint: Footprint, org: OrgFootprintState, permissionSet: FootprintPermissionSet): FootprintDiff {
  const changes: string[] = [];
  const pendingActivation: string[] = [];
  const grantedObjects = new Set(org.objectPermissions.map((p) => p.object.toLowerCase()));
  const grantedFields = new Set(org.fieldPermissions.map((p) => p.field.toLowerCase()));

  for (const object of footprint.objects) {
    const describe = org.objects[object.name];
    if (!describe) {
      // Salesforce keeps ObjectPermissions only for objects that exist: a row means "deployed, not usable yet".
      if (grantedObjects.has(object.name.toLowerCase())) pendingActivation.push(object.name);
      else changes.push(`create object ${object.name} (${object.fields.length} fields)`);
      continue;
    }
    changes.push(...diffObject(object, describe, grantedFields));
  }
  changes.push(...diffPermissionSet(permissionSet, org));
  return { changes, pendingActivation };
}

function diffObject(object: FootprintObject, describe: DescribeSObject, grantedFields: Set<string>): string[] {
  const changes: string[] = [];
  if (describe.label !== object.label) changes.push(`update object ${object.name}: label "${describe.label}" -> "${object.label}"`);
  const byName = new Map(describe.fields.map((f) => [f.name.toLowerCase(), f]));
  for (const field of object.fields) {
    const found = byName.get(field.name.toLowerCase());
    if (!found) {
      // A field the running user cannot see (no FLS) is still there when the permission set grants it.
      if (!grantedFields.has(field.fullName.toLowerCase())) changes.push(`create field ${field.fullName}`);
      continue;
    }
    const drift = fieldDrift(field, found);
    if (drift.length) changes.push(`update field ${field.fullName}: ${drift.join(', ')}`);
  }
  return changes;
}

/** The attributes of a deployed field that differ from force-app, as 'name: org -> footprint'. */
export function fieldDrift(field: FootprintField, org: DescribeField): string[] {
  const drift: string[] = [];
  const types = DESCRIBE_TYPE[field.type];
  if (types && !types.includes(org.type)) drift.push(`type ${org.type} -> ${field.type}`);
  if (org.label !== field.label) drift.push(`label "${org.label}" -> "${field.label}"`);
  if (field.type === 'Text' && field.length !== undefined && org.length !== field.length) {
    drift.push(`length ${String(org.length)} -> ${field.length}`);
  }
  if (field.type === 'Number') {
    if (org.precision !== field.precision) drift.push(`precision ${String(org.precision)} -> ${String(field.precision)}`);
    if ((org.scale ?? 0) !== (field.scale ?? 0)) drift.push(`scale ${String(org.scale)} -> ${String(field.scale)}`);
  }
  if (field.referenceTo && !(org.referenceTo ?? []).some((r) => r.toLowerCase() === field.referenceTo?.toLowerCase())) {
    drift.push(`referenceTo ${(org.referenceTo ?? []).join(',')} -> ${field.referenceTo}`);
  }
  if (field.externalId && !org.externalId) drift.push('externalId false -> true');
  if (field.unique && !org.unique) drift.push('unique false -> true');
  return drift;
}

function diffPermissionSet(ps: FootprintPermissionSet, org: OrgFootprintState): string[] {
  if (!org.permissionSet) return [`create permission set ${ps.name}`];
  const changes: string[] = [];
  const prefix = `update permission set ${ps.name}:`;
  if (org.permissionSet.label !== ps.label) changes.push(`${prefix} label "${org.permissionSet.label}" -> "${ps.label}"`);

  const orgObjects = new Map(org.objectPermissions.map((p) => [p.object.toLowerCase(), p]));
  for (const want of ps.objectPermissions) {
    const have = orgObjects.get(want.object.toLowerCase());
    orgObjects.delete(want.object.toLowerCase());
    const wanted = {
      read: want.allowRead,
      create: want.allowCreate,
      edit: want.allowEdit,
      delete: want.allowDelete,
      viewAllRecords: want.viewAllRecords,
      modifyAllRecords: want.modifyAllRecords,
      viewAllFields: want.viewAllFields,
    };
    const differs = (Object.keys(wanted) as Array<keyof typeof wanted>).filter(
      // A flag the API version could not read is not known to differ.
      (k) => !(have && have[k] === undefined) && (have?.[k] ?? false) !== wanted[k]
    );
    if (differs.length) changes.push(`${prefix} ${want.object} object access (${differs.join(', ')})`);
  }
  for (const extra of orgObjects.values()) changes.push(`${prefix} remove ${extra.object} object access`);

  const orgFields = new Map(org.fieldPermissions.map((p) => [p.field.toLowerCase(), p]));
  for (const want of ps.fieldPermissions) {
    const have = orgFields.get(want.field.toLowerCase());
    orgFields.delete(want.field.toLowerCase());
    if ((have?.read ?? false) !== want.readable || (have?.edit ?? false) !== want.editable) {
      changes.push(`${prefix} ${want.field} field access (${want.editable ? 'read & edit' : 'read'})`);
    }
  }
  for (const extra of orgFields.values()) changes.push(`${prefix} remove ${extra.field} field access`);
  return changes;
}
