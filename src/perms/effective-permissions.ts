/*
 * A user's effective permissions, each grant remembering its source: the profile's own permission set
 * (IsOwnedByProfile), directly assigned permission sets, and the member sets of assigned permission set groups minus
 * what the group's muting permission set mutes (muting applies inside its group only). Pure: works on query rows.
 */
import { OBJECT_ACCESS, type ObjectAccessName } from './policy.js';
import {
  sameId,
  type AssignmentRow,
  type FieldPermissionRow,
  type ObjectPermissionRow,
  type PermissionSnapshot,
  type PermissionSetRow,
  type UserRow,
} from './org-snapshot.js';

export type SetRef = { id: string; name: string; label: string };

/** Where a grant comes from. For a group, `permissionSet` is the member set that carries it. */
export type GrantSource = {
  kind: 'profile' | 'permissionSet' | 'permissionSetGroup';
  id: string;
  name: string;
  label: string;
  /** One of the integration's own permission sets (policy.permissionSets): perms reduce may edit it. */
  owned: boolean;
  /** The assignment that brings it to the user (absent for the profile). */
  assignmentId?: string;
  permissionSet?: SetRef & { owned: boolean };
};

export type FieldGrant = { read: GrantSource[]; edit: GrantSource[] };

export type MutedGrant = {
  type: 'user' | 'object' | 'field';
  /** Permission name, `Object:Access` or `Object.Field:Read|Edit`. */
  key: string;
  group: SetRef;
  mutingSet: SetRef;
};

export type EffectivePermissions = {
  user: UserRow;
  /** System permission (no `Permissions` prefix) -> sources. */
  userPermissions: Map<string, GrantSource[]>;
  /** Object API name -> access -> sources. */
  objects: Map<string, Map<ObjectAccessName, GrantSource[]>>;
  /** `Object.Field` -> sources of read and edit. */
  fields: Map<string, FieldGrant>;
  muted: MutedGrant[];
};

type Grants = {
  user: Set<string>;
  objects: Map<string, Set<ObjectAccessName>>;
  fields: Map<string, { read: boolean; edit: boolean }>;
};

/** What one PermissionSet or MutingPermissionSet row turns on (for a muting set: what it mutes). */
export function grantsOf(snapshot: PermissionSnapshot, row: Record<string, unknown> & { Id: string }): Grants {
  const grants: Grants = { user: new Set(), objects: new Map(), fields: new Map() };
  for (const [key, value] of Object.entries(row)) {
    if (key.startsWith('Permissions') && value === true) grants.user.add(key.slice('Permissions'.length));
  }
  for (const op of snapshot.objectPermissions) {
    if (!sameId(op.ParentId, row.Id)) continue;
    grants.objects.set(op.SobjectType, objectAccessOf(op));
  }
  for (const fp of snapshot.fieldPermissions) {
    if (!sameId(fp.ParentId, row.Id)) continue;
    grants.fields.set(canonicalField(fp), { read: fp.PermissionsRead === true, edit: fp.PermissionsEdit === true });
  }
  return grants;
}

export function objectAccessOf(op: ObjectPermissionRow): Set<ObjectAccessName> {
  return new Set(OBJECT_ACCESS.filter((a) => op[`Permissions${a}`] === true));
}

/** FieldPermissions.Field is `Object.Field`; keep the object part as SobjectType spells it. */
export function canonicalField(fp: FieldPermissionRow): string {
  const dot = fp.Field.indexOf('.');
  return `${fp.SobjectType}.${dot >= 0 ? fp.Field.slice(dot + 1) : fp.Field}`;
}

function activeAssignment(a: AssignmentRow, now: number): boolean {
  if (a.IsActive === false) return false;
  return !(typeof a.ExpirationDate === 'string' && Date.parse(a.ExpirationDate) < now);
}

function setRef(ps: PermissionSetRow): SetRef {
  return { id: ps.Id, name: ps.Name, label: ps.Label ?? ps.Name };
}

/** Effective permissions of every user of the snapshot. */
export function effectivePermissions(
  snapshot: PermissionSnapshot,
  ownSetNames: readonly string[],
  now = Date.now()
): EffectivePermissions[] {
  const own = new Set(ownSetNames.map((n) => n.toLowerCase()));
  const isOwned = (ps: PermissionSetRow): boolean => ps.IsOwnedByProfile !== true && own.has(ps.Name.toLowerCase());
  const setById = (id: string | null | undefined): PermissionSetRow | undefined =>
    snapshot.permissionSets.find((p) => sameId(p.Id, id));

  return snapshot.users.map((user) => {
    const result: EffectivePermissions = {
      user,
      userPermissions: new Map(),
      objects: new Map(),
      fields: new Map(),
      muted: [],
    };
    const add = (grants: Grants, source: GrantSource): void => {
      for (const p of grants.user) push(result.userPermissions, p, source);
      for (const [object, access] of grants.objects) {
        const byAccess = result.objects.get(object) ?? new Map<ObjectAccessName, GrantSource[]>();
        for (const a of access) push(byAccess, a, source);
        result.objects.set(object, byAccess);
      }
      for (const [field, rights] of grants.fields) {
        const grant = result.fields.get(field) ?? { read: [], edit: [] };
        if (rights.read) addSource(grant.read, source);
        if (rights.edit) addSource(grant.edit, source);
        result.fields.set(field, grant);
      }
    };

    // The profile's own permission set.
    const profileSet = snapshot.permissionSets.find(
      (p) => p.IsOwnedByProfile === true && sameId(p.ProfileId, user.ProfileId)
    );
    if (profileSet) {
      add(grantsOf(snapshot, profileSet), {
        kind: 'profile',
        id: user.ProfileId ?? profileSet.Id,
        name: user.Profile?.Name ?? profileSet.Profile?.Name ?? profileSet.Label ?? profileSet.Name,
        label: user.Profile?.Name ?? profileSet.Profile?.Name ?? profileSet.Label ?? profileSet.Name,
        owned: false,
      });
    }

    for (const a of snapshot.assignments) {
      if (!sameId(a.AssigneeId, user.Id) || !activeAssignment(a, now)) continue;
      if (a.PermissionSetGroupId) {
        addGroup(snapshot, a, setById, isOwned, add, result.muted);
        continue;
      }
      const ps = setById(a.PermissionSetId);
      // Salesforce lists the profile's set among the assignments too: it was counted above.
      if (!ps || ps.IsOwnedByProfile === true) continue;
      add(grantsOf(snapshot, ps), { kind: 'permissionSet', ...setRef(ps), owned: isOwned(ps), assignmentId: a.Id });
    }
    return result;
  });
}

function addGroup(
  snapshot: PermissionSnapshot,
  assignment: AssignmentRow,
  setById: (id: string) => PermissionSetRow | undefined,
  isOwned: (ps: PermissionSetRow) => boolean,
  add: (grants: Grants, source: GrantSource) => void,
  muted: MutedGrant[]
): void {
  const groupId = assignment.PermissionSetGroupId as string;
  const group: SetRef = {
    id: groupId,
    name: assignment.PermissionSetGroup?.DeveloperName ?? groupId,
    label: assignment.PermissionSetGroup?.MasterLabel ?? assignment.PermissionSetGroup?.DeveloperName ?? groupId,
  };
  const members = snapshot.components.filter((c) => sameId(c.PermissionSetGroupId, groupId));
  const mutes = members
    .map((c) => snapshot.mutingSets.find((m) => sameId(m.Id, c.PermissionSetId)))
    .filter((m): m is NonNullable<typeof m> => Boolean(m));
  const muting = mutes.map((m) => ({
    ref: { id: m.Id, name: m.DeveloperName ?? m.Id, label: m.MasterLabel ?? m.DeveloperName ?? m.Id },
    grants: grantsOf(snapshot, m),
  }));
  for (const c of members) {
    const ps = setById(c.PermissionSetId);
    if (!ps) continue;
    const grants = grantsOf(snapshot, ps);
    for (const m of muting) applyMute(grants, m.grants, group, m.ref, muted);
    add(grants, {
      kind: 'permissionSetGroup',
      ...group,
      owned: false,
      assignmentId: assignment.Id,
      permissionSet: { ...setRef(ps), owned: isOwned(ps) },
    });
  }
}

function applyMute(grants: Grants, mute: Grants, group: SetRef, mutingSet: SetRef, muted: MutedGrant[]): void {
  const note = (type: MutedGrant['type'], key: string): void => {
    if (!muted.some((m) => m.key === key && m.group.id === group.id)) muted.push({ type, key, group, mutingSet });
  };
  for (const p of mute.user) {
    if (grants.user.delete(p)) note('user', p);
  }
  for (const [object, access] of mute.objects) {
    const held = grants.objects.get(object);
    if (!held) continue;
    for (const a of access) if (held.delete(a)) note('object', `${object}:${a}`);
  }
  for (const [field, rights] of mute.fields) {
    const held = grants.fields.get(field);
    if (!held) continue;
    if (rights.read && held.read) note('field', `${field}:Read`);
    if (rights.edit && held.edit) note('field', `${field}:Edit`);
    // Without read there is no edit.
    const read = held.read && !rights.read;
    grants.fields.set(field, { read, edit: read && held.edit && !rights.edit });
  }
}

function push<K>(map: Map<K, GrantSource[]>, key: K, source: GrantSource): void {
  const list = map.get(key) ?? [];
  addSource(list, source);
  map.set(key, list);
}

function addSource(list: GrantSource[], source: GrantSource): void {
  const key = (s: GrantSource): string => `${s.kind}:${s.id}:${s.permissionSet?.id ?? ''}`;
  if (!list.some((s) => key(s) === key(source))) list.push(source);
}

/** Case-insensitive lookups: Salesforce API names are case-insensitive. */
export function getIgnoreCase<V>(map: ReadonlyMap<string, V>, key: string): V | undefined {
  const direct = map.get(key);
  if (direct !== undefined) return direct;
  const lower = key.toLowerCase();
  for (const [k, v] of map) if (k.toLowerCase() === lower) return v;
  return undefined;
}
