/*
 * PermissionSet components. A deploy REPLACES the whole set (API 40+): it is stored as the PermissionSet record
 * (Permissions<Name> booleans) and its ObjectPermissions / FieldPermissions rows, the same records SOQL and REST
 * see, and retrieve builds the XML back from those records.
 */
import type { OrgApi, SRecord } from '../core/types.js';
import { fieldPermissionProblems, objectPermissionProblems, userPermissionProblems } from '../access/permission-rules.js';
import type { Component } from './package-zip.js';
import type { DeployPlan } from './plan.js';
import { asArray, bool, sortedKeys, text, type XmlObject } from './xml.js';

/** ObjectPermissions XML element -> ObjectPermissions field. */
const objectFlags: Array<[string, string]> = [
  ['allowCreate', 'PermissionsCreate'],
  ['allowDelete', 'PermissionsDelete'],
  ['allowEdit', 'PermissionsEdit'],
  ['allowRead', 'PermissionsRead'],
  ['modifyAllRecords', 'PermissionsModifyAllRecords'],
  ['viewAllFields', 'PermissionsViewAllFields'],
  ['viewAllRecords', 'PermissionsViewAllRecords'],
];

type ObjectRow = { object: string; flags: Record<string, boolean> };
type FieldRow = { field: string; object: string; read: boolean; edit: boolean };
type ParsedSet = {
  label?: string;
  description?: string;
  license?: string;
  hasActivationRequired: boolean;
  users: Map<string, boolean>;
  objects: ObjectRow[];
  fields: FieldRow[];
};

function parse(c: Component): ParsedSet {
  const b = c.body;
  const users = new Map<string, boolean>();
  for (const u of asArray<XmlObject>(b.userPermissions)) users.set(text(u.name) ?? '', bool(u.enabled));
  const objects = asArray<XmlObject>(b.objectPermissions).map((o) => ({
    object: text(o.object) ?? '',
    flags: Object.fromEntries(objectFlags.map(([el, f]) => [f, bool(o[el])])),
  }));
  const fields = asArray<XmlObject>(b.fieldPermissions).map((f) => {
    const field = text(f.field) ?? '';
    return { field, object: field.split('.')[0], read: bool(f.readable), edit: bool(f.editable) };
  });
  return {
    label: text(b.label),
    description: text(b.description),
    license: text(b.license),
    hasActivationRequired: bool(b.hasActivationRequired),
    users,
    objects,
    fields,
  };
}

function permissionFields(org: OrgApi): Map<string, string> {
  const names = new Map<string, string>();
  for (const f of org.getObject('PermissionSet')?.fields.values() ?? []) {
    if (f.name.startsWith('Permissions') && f.type === 'boolean') names.set(f.name.slice(11).toLowerCase(), f.name.slice(11));
  }
  return names;
}

export function validatePermissionSet(c: Component, plan: DeployPlan): string[] {
  const problems: string[] = [];
  if (!/^[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)*$/.test(c.fullName)) {
    problems.push(
      `The permission set name ${c.fullName} is not valid: it can only contain underscores and alphanumeric characters, must begin with a letter, not include spaces, not end with an underscore, and not contain two consecutive underscores`
    );
  }
  const set = parse(c);
  if (!set.label) problems.push('Required field is missing: label');
  if (set.license && !licenceId(plan.org, set.license)) {
    problems.push(`In field: license - no PermissionSetLicense or UserLicense named ${set.license} found`);
  }
  const known = permissionFields(plan.org);
  const enabled = new Set<string>();
  for (const [name, on] of set.users) {
    const canonical = known.get(name.toLowerCase());
    if (!canonical) problems.push(`Unknown user permission: ${name}`);
    else if (on) enabled.add(canonical);
  }
  problems.push(...userPermissionProblems(enabled));
  for (const row of set.objects) {
    const obj = plan.object(row.object);
    if (!obj) {
      problems.push(`In field: object - no CustomObject named ${row.object} found`);
      continue;
    }
    problems.push(...objectPermissionProblems(row.flags).map((p) => `${p} (object: ${obj.name})`));
  }
  for (const row of set.fields) {
    const [objectName, fieldName] = row.field.split('.');
    const f = fieldName ? plan.field(objectName, fieldName) : undefined;
    if (!f) {
      problems.push(`In field: field - no CustomField named ${row.field} found`);
      continue;
    }
    if (f.required || f.masterDetail) problems.push(`You cannot deploy to a required field: ${row.field}`);
    problems.push(...fieldPermissionProblems({ PermissionsRead: row.read, PermissionsEdit: row.edit }).map((p) => `${p} (field: ${row.field})`));
  }
  return problems;
}

function same(a: unknown, b: string): boolean {
  return typeof a === 'string' && a.slice(0, 15) === b.slice(0, 15);
}

export function findPermissionSet(org: OrgApi, name: string): SRecord | undefined {
  const wanted = name.toLowerCase();
  return org.query('PermissionSet', (p) => p.IsOwnedByProfile !== true && String(p.Name).toLowerCase() === wanted)[0];
}

/** Replaces the whole permission set with the component; returns the record and whether it was created. */
export function applyPermissionSet(org: OrgApi, c: Component): { record: SRecord; created: boolean } {
  const set = parse(c);
  const known = permissionFields(org);
  const fields: Record<string, unknown> = {
    Label: set.label ?? c.fullName,
    Description: set.description ?? null,
    HasActivationRequired: set.hasActivationRequired,
    LicenseId: set.license ? licenceId(org, set.license) ?? null : null,
  };
  for (const canonical of known.values()) fields[`Permissions${canonical}`] = false;
  for (const [name, on] of set.users) {
    const canonical = known.get(name.toLowerCase());
    if (canonical && on) fields[`Permissions${canonical}`] = true;
  }
  const existing = findPermissionSet(org, c.fullName);
  const record = existing
    ? org.update('PermissionSet', existing.Id, fields)
    : org.insert('PermissionSet', { Name: c.fullName, ...fields });
  const parentId = record.Id;
  syncObjectRows(org, parentId, set.objects);
  syncFieldRows(org, parentId, set.fields);
  return { record: org.get('PermissionSet', parentId) ?? record, created: !existing };
}

/** Makes the set's ObjectPermissions rows equal to `objects` (no access = no row), keeping the ids of kept rows. */
function syncObjectRows(org: OrgApi, parentId: string, objects: ObjectRow[]): void {
  const wanted = new Map<string, ObjectRow>();
  for (const row of objects) {
    if (Object.values(row.flags).some(Boolean)) wanted.set(canonicalObject(org, row.object).toLowerCase(), row);
  }
  for (const old of org.query('ObjectPermissions', (r) => same(r.ParentId, parentId))) {
    const key = String(old.SobjectType).toLowerCase();
    const row = wanted.get(key);
    if (!row) org.delete('ObjectPermissions', old.Id);
    else {
      org.update('ObjectPermissions', old.Id, row.flags);
      wanted.delete(key);
    }
  }
  for (const row of wanted.values()) {
    org.insert('ObjectPermissions', { ParentId: parentId, SobjectType: canonicalObject(org, row.object), ...row.flags });
  }
}

function syncFieldRows(org: OrgApi, parentId: string, fields: FieldRow[]): void {
  const wanted = new Map<string, FieldRow>();
  for (const row of fields) if (row.read || row.edit) wanted.set(row.field.toLowerCase(), row);
  for (const old of org.query('FieldPermissions', (r) => same(r.ParentId, parentId))) {
    const key = String(old.Field).toLowerCase();
    const row = wanted.get(key);
    if (!row) org.delete('FieldPermissions', old.Id);
    else {
      org.update('FieldPermissions', old.Id, { PermissionsRead: row.read, PermissionsEdit: row.edit });
      wanted.delete(key);
    }
  }
  for (const row of wanted.values()) {
    const [objectName, fieldName] = row.field.split('.');
    const obj = org.getObject(objectName);
    const f = obj?.fields.get(fieldName.toLowerCase());
    org.insert('FieldPermissions', {
      ParentId: parentId,
      SobjectType: obj?.name ?? objectName,
      Field: `${obj?.name ?? objectName}.${f?.name ?? fieldName}`,
      PermissionsRead: row.read,
      PermissionsEdit: row.edit,
    });
  }
}

/** The licence a set is tied to (`<license>`): a permission set licence or a user licence, by label or name. */
function licenceId(org: OrgApi, name: string): string | undefined {
  const wanted = name.toLowerCase();
  const psl = org.query('PermissionSetLicense', (l) =>
    [l.MasterLabel, l.DeveloperName].some((v) => String(v).toLowerCase() === wanted)
  )[0];
  if (psl) return psl.Id;
  return org.query('UserLicense', (l) => [l.Name, l.MasterLabel].some((v) => String(v).toLowerCase() === wanted))[0]?.Id;
}

function canonicalObject(org: OrgApi, name: string): string {
  return org.getObject(name)?.name ?? name;
}

/** The PermissionSet metadata of a record and its ObjectPermissions / FieldPermissions rows. */
export function permissionSetMetadata(org: OrgApi, ps: SRecord): XmlObject {
  const md: XmlObject = {};
  if (typeof ps.Description === 'string' && ps.Description) md.description = ps.Description;
  md.hasActivationRequired = String(ps.HasActivationRequired === true);
  md.label = String(ps.Label ?? ps.Name);
  const licence = typeof ps.LicenseId === 'string' ? org.get(org.objectOfId(ps.LicenseId) ?? 'PermissionSetLicense', ps.LicenseId) : undefined;
  if (licence) md.license = String(licence.MasterLabel ?? licence.Name);
  const fieldRows = org
    .query('FieldPermissions', (r) => same(r.ParentId, ps.Id))
    .sort((a, b) => String(a.Field).localeCompare(String(b.Field)));
  if (fieldRows.length > 0) {
    md.fieldPermissions = fieldRows.map((r) => ({
      editable: String(r.PermissionsEdit === true),
      field: String(r.Field),
      readable: String(r.PermissionsRead === true),
    }));
  }
  const objectRows = org
    .query('ObjectPermissions', (r) => same(r.ParentId, ps.Id))
    .sort((a, b) => String(a.SobjectType).localeCompare(String(b.SobjectType)));
  if (objectRows.length > 0) {
    md.objectPermissions = objectRows.map((r) => {
      const el: XmlObject = { object: String(r.SobjectType) };
      for (const [name, f] of objectFlags) el[name] = String(r[f] === true);
      return sortedKeys(el);
    });
  }
  const users = Object.keys(ps)
    .filter((k) => k.startsWith('Permissions') && ps[k] === true)
    .map((k) => k.slice(11))
    .sort();
  if (users.length > 0) md.userPermissions = users.map((name) => ({ enabled: 'true', name }));
  return sortedKeys(md);
}
