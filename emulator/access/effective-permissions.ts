/*
 * A user's effective permissions: the union of the profile's own permission set (IsOwnedByProfile), the directly
 * assigned permission sets and, per assigned permission set group, its components minus the group's muting set.
 * Computed from the setup-object records, so SOQL, REST writes and deploys all change the same state.
 */
import type { OrgApi, SRecord } from '../core/types.js';

export type ObjectRights = {
  read: boolean;
  create: boolean;
  edit: boolean;
  delete: boolean;
  viewAll: boolean;
  modifyAll: boolean;
  viewAllFields: boolean;
};
export type FieldRights = { read: boolean; edit: boolean };

export type EffectivePermissions = {
  userId: string;
  active: boolean;
  /** Enabled system permissions, API names without the `Permissions` prefix (`ApiEnabled`, `ViewSetup`...). */
  system: Set<string>;
  /** Keyed by lower-case object name. */
  objects: Map<string, ObjectRights>;
  /** Keyed by lower-case `Object.Field`. */
  fields: Map<string, FieldRights>;
};

const objectFlags: Array<[keyof ObjectRights, string]> = [
  ['read', 'PermissionsRead'],
  ['create', 'PermissionsCreate'],
  ['edit', 'PermissionsEdit'],
  ['delete', 'PermissionsDelete'],
  ['viewAll', 'PermissionsViewAllRecords'],
  ['modifyAll', 'PermissionsModifyAllRecords'],
  ['viewAllFields', 'PermissionsViewAllFields'],
];

/** The grants of one permission set (or muting set): what it turns on. */
type Grants = { system: Set<string>; objects: Map<string, ObjectRights>; fields: Map<string, FieldRights> };

function emptyGrants(): Grants {
  return { system: new Set(), objects: new Map(), fields: new Map() };
}

function noObjectRights(): ObjectRights {
  return { read: false, create: false, edit: false, delete: false, viewAll: false, modifyAll: false, viewAllFields: false };
}

function safeQuery(org: OrgApi, object: string, predicate: (r: SRecord) => boolean): SRecord[] {
  return org.getObject(object) ? org.query(object, predicate) : [];
}

function same(a: unknown, b: string): boolean {
  return typeof a === 'string' && a.slice(0, 15) === b.slice(0, 15);
}

/** What one PermissionSet / MutingPermissionSet record grants (or mutes). */
export function grantsOf(org: OrgApi, parent: SRecord): Grants {
  const grants = emptyGrants();
  for (const [key, value] of Object.entries(parent)) {
    if (key.startsWith('Permissions') && value === true) grants.system.add(key.slice('Permissions'.length));
  }
  for (const row of safeQuery(org, 'ObjectPermissions', (r) => same(r.ParentId, parent.Id))) {
    const rights = noObjectRights();
    for (const [k, f] of objectFlags) rights[k] = row[f] === true;
    grants.objects.set(String(row.SobjectType).toLowerCase(), rights);
  }
  for (const row of safeQuery(org, 'FieldPermissions', (r) => same(r.ParentId, parent.Id))) {
    grants.fields.set(String(row.Field).toLowerCase(), {
      read: row.PermissionsRead === true,
      edit: row.PermissionsEdit === true,
    });
  }
  return grants;
}

function addInto(target: Grants, source: Grants): void {
  for (const s of source.system) target.system.add(s);
  for (const [name, rights] of source.objects) {
    const current = target.objects.get(name) ?? noObjectRights();
    for (const [k] of objectFlags) current[k] = current[k] || rights[k];
    target.objects.set(name, current);
  }
  for (const [name, rights] of source.fields) {
    const current = target.fields.get(name) ?? { read: false, edit: false };
    target.fields.set(name, { read: current.read || rights.read, edit: current.edit || rights.edit });
  }
}

function mute(target: Grants, muting: Grants): void {
  for (const s of muting.system) target.system.delete(s);
  for (const [name, rights] of muting.objects) {
    const current = target.objects.get(name);
    if (!current) continue;
    for (const [k] of objectFlags) current[k] = current[k] && !rights[k];
  }
  for (const [name, rights] of muting.fields) {
    const current = target.fields.get(name);
    if (!current) continue;
    target.fields.set(name, { read: current.read && !rights.read, edit: current.edit && !rights.edit });
  }
}

function isMuting(org: OrgApi, id: unknown): boolean {
  return typeof id === 'string' && org.objectOfId(id) === 'MutingPermissionSet';
}

function record(org: OrgApi, object: string, id: unknown): SRecord | undefined {
  return typeof id === 'string' && org.getObject(object) ? org.get(object, id) : undefined;
}

/** The grants of a permission set group: its permission sets' union minus its muting permission set. */
function groupGrants(org: OrgApi, groupId: string): Grants {
  const grants = emptyGrants();
  const mutes: Grants[] = [];
  for (const component of safeQuery(org, 'PermissionSetGroupComponent', (r) => same(r.PermissionSetGroupId, groupId))) {
    const memberId = component.PermissionSetId ?? component.MutingPermissionSetId;
    if (isMuting(org, memberId)) {
      const muting = record(org, 'MutingPermissionSet', memberId);
      if (muting) mutes.push(grantsOf(org, muting));
    } else {
      const member = record(org, 'PermissionSet', memberId);
      if (member) addInto(grants, grantsOf(org, member));
    }
  }
  for (const m of mutes) mute(grants, m);
  return grants;
}

/** The permission sets and groups that apply to a user: the profile's own set first, then assignments. */
export function sourcesOf(org: OrgApi, user: SRecord): { permissionSetIds: string[]; groupIds: string[] } {
  const permissionSetIds: string[] = [];
  const groupIds: string[] = [];
  const profileId = user.ProfileId;
  if (typeof profileId === 'string') {
    for (const ps of safeQuery(org, 'PermissionSet', (r) => r.IsOwnedByProfile === true && same(r.ProfileId, profileId))) {
      permissionSetIds.push(ps.Id);
    }
  }
  const now = Date.now();
  for (const a of safeQuery(org, 'PermissionSetAssignment', (r) => same(r.AssigneeId, user.Id))) {
    if (a.IsActive === false) continue;
    if (typeof a.ExpirationDate === 'string' && Date.parse(a.ExpirationDate) < now) continue;
    if (typeof a.PermissionSetGroupId === 'string' && a.PermissionSetGroupId) groupIds.push(a.PermissionSetGroupId);
    else if (typeof a.PermissionSetId === 'string' && !permissionSetIds.includes(a.PermissionSetId)) {
      permissionSetIds.push(a.PermissionSetId);
    }
  }
  return { permissionSetIds, groupIds };
}

export function computeEffectivePermissions(org: OrgApi, userId: string): EffectivePermissions {
  const user = record(org, 'User', userId);
  const total = emptyGrants();
  if (!user) return { userId, active: false, ...total };
  const { permissionSetIds, groupIds } = sourcesOf(org, user);
  let profileSetFound = false;
  for (const id of permissionSetIds) {
    const ps = record(org, 'PermissionSet', id);
    if (!ps) continue;
    if (ps.IsOwnedByProfile === true) profileSetFound = true;
    addInto(total, grantsOf(org, ps));
  }
  // Orgs seeded without a profile-owned set fall back to the Profile's own Permissions* fields.
  if (!profileSetFound) {
    const profile = record(org, 'Profile', user.ProfileId);
    if (profile) addInto(total, grantsOf(org, profile));
  }
  for (const g of groupIds) addInto(total, groupGrants(org, g));
  return { userId, active: user.IsActive !== false, ...total };
}
