/*
 * The steps of a reduction plan (src/perms/reduce.ts): grants the own set lacks, removals of install-only and
 * forbidden permissions in dependency order, and what to do about foreign grants. Pure: snapshot in, actions out.
 */
import { Messages } from '@salesforce/core';
import {
  OBJECT_ACCESS,
  OBJECT_ACCESS_NEEDS,
  categorize,
  policyLabel,
  requiredFields,
  requirementsOf,
  type ObjectAccessName,
  type Policy,
} from './policy.js';
import { sameId, type PermissionSnapshot, type PermissionSetRow } from './org-snapshot.js';
import { canonicalField, objectAccessOf, type GrantSource, type SetRef } from './effective-permissions.js';
import type { AuditResult } from './audit.js';
import { describeSource, removalFixes } from './fixes.js';
import type { BlockedRemoval, ForeignGrant, ReduceAction, ReduceOptions, UserRef } from './reduce.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-instruqt', 'instruqt.perms.reduce');
const text = (key: string, tokens: Array<string | number> = []): string => messages.getMessage(key, tokens);

const ref = (ps: PermissionSetRow): SetRef => ({ id: ps.Id, name: ps.Name, label: ps.Label ?? ps.Name });

/** Required object, field and user access the own set lacks (the seed's post-install step). */
export function grantActions(
  snapshot: PermissionSnapshot,
  audit: AuditResult,
  policy: Policy,
  primary: PermissionSetRow,
  blocked: BlockedRemoval[]
): ReduceAction[] {
  const actions: ReduceAction[] = [];
  const set = ref(primary);
  const missingUserPermissions = policy.required.userPermissions.filter(
    (p) => primary[`Permissions${p.name}`] !== true && audit.users.some((u) => u.findings.some((f) => f.id === `missing:user:${p.name}`))
  );
  if (missingUserPermissions.length) {
    const permissions = missingUserPermissions.map((p) => ({ name: p.name, label: p.label ?? p.name }));
    actions.push({
      type: 'grantUserPermissions',
      permissionSet: set,
      permissions,
      description: text('action.grantUserPermissions', [permissions.map((p) => p.label).join(', '), set.name]),
    });
  }
  for (const o of policy.required.objects) {
    if (snapshot.describes.has(o.object) && snapshot.describes.get(o.object) === undefined) {
      blocked.push({ permissionSet: set, permission: o.object, reason: text('blocked.objectMissing', [o.object]) });
      continue;
    }
    const wanted = closeAccess(
      (Object.keys(o.access) as ObjectAccessName[]).filter((a) => a !== 'ViewAllFields' || snapshot.viewAllFieldsSupported)
    );
    const row = snapshot.objectPermissions.find(
      (r) => sameId(r.ParentId, primary.Id) && r.SobjectType.toLowerCase() === o.object.toLowerCase()
    );
    const held = row ? objectAccessOf(row) : new Set<ObjectAccessName>();
    const access = wanted.filter((a) => !held.has(a));
    if (access.length === 0) continue;
    actions.push({
      type: 'grantObject',
      permissionSet: set,
      object: o.object,
      access,
      recordId: row?.Id,
      description: text('action.grantObject', [access.join(', '), o.object, set.name]),
    });
  }
  for (const f of requiredFields(policy, snapshot.describes)) {
    const row = snapshot.fieldPermissions.find(
      (r) => sameId(r.ParentId, primary.Id) && canonicalField(r).toLowerCase() === f.field.toLowerCase()
    );
    const ok = row?.PermissionsRead === true && (f.access === 'Read' || row.PermissionsEdit === true);
    if (ok) continue;
    actions.push({
      type: 'grantField',
      permissionSet: set,
      field: f.field,
      access: f.access,
      recordId: row?.Id,
      description: text('action.grantField', [f.access, f.field, set.name]),
    });
  }
  return actions;
}

/** Add the flags each flag needs (Delete -> Read, Edit ...). */
function closeAccess(access: ObjectAccessName[]): ObjectAccessName[] {
  const all = new Set(access);
  for (const a of access) OBJECT_ACCESS_NEEDS[a].forEach((n) => all.add(n));
  return OBJECT_ACCESS.filter((a) => all.has(a));
}

/** Install-only and forbidden permissions of one own set, in dependency steps; blocked when a kept one needs them. */
export function removalActions(
  ps: PermissionSetRow,
  policy: Policy,
  snapshot: PermissionSnapshot,
  blocked: BlockedRemoval[]
): ReduceAction[] {
  const enabled = Object.keys(ps)
    .filter((k) => k.startsWith('Permissions') && ps[k] === true)
    .map((k) => k.slice('Permissions'.length));
  const remove = new Set(
    enabled.filter((p) => {
      const c = categorize(policy, p);
      return c === 'installOnly' || c === 'forbidden';
    })
  );
  // A permission another kept permission requires cannot go (Salesforce would refuse the update).
  for (let changed = true; changed; ) {
    changed = false;
    for (const p of [...remove]) {
      const keptDependent = enabled.find((k) => !remove.has(k) && requirementsOf(policy, k).includes(p));
      if (keptDependent) {
        remove.delete(p);
        changed = true;
        blocked.push({ permissionSet: ref(ps), permission: p, reason: text('blocked.requiredBy', [p, keptDependent]) });
      }
    }
  }
  // step(p) = 1 + the latest step of a removed permission that requires p.
  const step = new Map<string, number>();
  const stepOf = (p: string, seen: Set<string>): number => {
    const known = step.get(p);
    if (known !== undefined) return known;
    if (seen.has(p)) return 1;
    seen.add(p);
    const dependents = [...remove].filter((d) => requirementsOf(policy, d).includes(p));
    const s = 1 + Math.max(0, ...dependents.map((d) => stepOf(d, seen)));
    step.set(p, s);
    return s;
  };
  const byStep = new Map<number, string[]>();
  for (const p of remove) {
    const s = stepOf(p, new Set());
    byStep.set(s, [...(byStep.get(s) ?? []), p]);
  }
  return [...byStep.entries()]
    .sort(([a], [b]) => a - b)
    .map(([s, names]) => {
      const permissions = names.sort().map((name) => ({
        name,
        label: policyLabel(policy, name) ?? snapshot.permissionLabels[name] ?? name,
        kind: categorize(policy, name) as 'installOnly' | 'forbidden',
      }));
      return {
        type: 'removeUserPermissions' as const,
        permissionSet: ref(ps),
        step: s,
        permissions,
        description: text('action.remove', [s, permissions.map((p) => p.label).join(', '), ps.Name]),
      };
    });
}

/** Failing grants from sets the integration does not own: unassigned with --unassign-foreign, else reported. */
export function foreignActions(
  snapshot: PermissionSnapshot,
  audit: AuditResult,
  opts: ReduceOptions,
  ownSets: PermissionSetRow[],
  actions: ReduceAction[],
  foreign: ForeignGrant[]
): void {
  const unassigned = new Set<string>();
  for (const user of audit.users) {
    const userRef = { id: user.id, username: user.username };
    for (const f of user.findings) {
      if (f.kind !== 'installOnly' && f.kind !== 'forbidden') continue;
      for (const s of f.sources) {
        if (s.owned || s.permissionSet?.owned) continue;
        const canUnassign = opts.unassignForeign && s.kind !== 'profile' && s.assignmentId;
        if (!canUnassign) {
          const setupSection = f.permission.type === 'user' ? 'system' : 'object';
          foreign.push({
            user: userRef,
            kind: f.kind,
            permission: f.permission,
            source: s,
            fixes: removalFixes([s], { label: f.permission.label, setupSection }, user.username, opts.targetOrg, opts.policy),
          });
          continue;
        }
        const assignmentId = s.assignmentId as string;
        if (unassigned.has(assignmentId)) continue;
        unassigned.add(assignmentId);
        if (s.kind === 'permissionSetGroup') keepOwnSetsOfGroup(snapshot, s, userRef, ownSets, actions);
        actions.push({
          type: 'unassign',
          user: userRef,
          assignmentId,
          source: { kind: s.kind, name: s.name, label: s.label },
          description: text('action.unassign', [describeSource({ ...s, permissionSet: undefined }), user.username]),
        });
      }
    }
  }
}

/** Unassigning a group must not take the integration's own set with it: assign that set directly first. */
function keepOwnSetsOfGroup(
  snapshot: PermissionSnapshot,
  group: GrantSource,
  user: UserRef,
  ownSets: PermissionSetRow[],
  actions: ReduceAction[]
): void {
  const members = snapshot.components.filter((c) => sameId(c.PermissionSetGroupId, group.id));
  for (const ps of ownSets) {
    if (!members.some((m) => sameId(m.PermissionSetId, ps.Id))) continue;
    const direct = snapshot.assignments.some(
      (a) => sameId(a.AssigneeId, user.id) && !a.PermissionSetGroupId && sameId(a.PermissionSetId, ps.Id)
    );
    const planned = actions.some((a) => a.type === 'assign' && a.user.id === user.id && a.permissionSet.id === ps.Id);
    if (direct || planned) continue;
    actions.push({
      type: 'assign',
      user,
      permissionSet: ref(ps),
      description: text('action.assign', [ps.Name, user.username]),
    });
  }
}
