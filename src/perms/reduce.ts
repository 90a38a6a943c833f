/*
 * Converges the org to the policy (perms reduce): a plan computed from one audit snapshot (Terraform-style: data that
 * is printed in --dry-run and applied otherwise), then applied in a safe order: grants first, so the integration never
 * loses access it needs, then removals of install-only and forbidden permissions from the integration's OWN sets in
 * dependency order (a dependent permission before what it requires), then foreign assignments (--unassign-foreign).
 * Foreign permission sets, groups and profiles are never edited: they are reported with their fix.
 */
import { Messages } from '@salesforce/core';
import type { SalesforceClient, SaveResult } from '../salesforce/client.js';
import {
  OBJECT_ACCESS,
  OBJECT_ACCESS_NEEDS,
  categorize,
  policyLabel,
  requiredFields,
  requirementsOf,
  type FieldAccessName,
  type ObjectAccessName,
  type Policy,
} from './policy.js';
import { readOrgSnapshot, sameId, type OrgSnapshot, type PermissionSetRow } from './org-snapshot.js';
import { canonicalField, objectAccessOf, type GrantSource, type SetRef } from './effective-permissions.js';
import { auditSnapshot, auditIntegration, type AuditResult, type FindingKind, type PermissionRef } from './audit.js';
import { describeSource, removalFixes } from './fixes.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-instruqt', 'instruqt.perms.reduce');
const text = (key: string, tokens: Array<string | number> = []): string => messages.getMessage(key, tokens);

type UserRef = { id: string; username: string };

export type ReduceAction =
  | {
      type: 'grantUserPermissions';
      permissionSet: SetRef;
      permissions: Array<{ name: string; label: string }>;
      description: string;
    }
  | {
      type: 'grantObject';
      permissionSet: SetRef;
      object: string;
      access: ObjectAccessName[];
      /** The ObjectPermissions row to update; absent: a row is inserted. */
      recordId?: string;
      description: string;
    }
  | {
      type: 'grantField';
      permissionSet: SetRef;
      field: string;
      access: FieldAccessName;
      recordId?: string;
      description: string;
    }
  | { type: 'assign'; user: UserRef; permissionSet: SetRef; description: string }
  | {
      type: 'removeUserPermissions';
      permissionSet: SetRef;
      /** 1 first: a permission is removed in an earlier step than every permission it requires. */
      step: number;
      permissions: Array<{ name: string; label: string; kind: 'installOnly' | 'forbidden' }>;
      description: string;
    }
  | {
      type: 'unassign';
      user: UserRef;
      assignmentId: string;
      source: { kind: GrantSource['kind']; name: string; label: string };
      description: string;
    };

export type BlockedRemoval = { permissionSet: SetRef; permission: string; reason: string };

/** A failing grant reduce does not change (a foreign set, group or profile): reported with its fix. */
export type ForeignGrant = {
  user: UserRef;
  kind: FindingKind;
  permission: PermissionRef;
  source: GrantSource;
  fixes: string[];
};

export type ReducePlan = { actions: ReduceAction[]; blocked: BlockedRemoval[]; foreign: ForeignGrant[] };

export type AppliedAction = ReduceAction & { status: 'done' | 'failed'; error?: string };

export type ReduceResult = {
  dryRun: boolean;
  plan: ReducePlan;
  applied: AppliedAction[];
  /** The audit the plan was made from. */
  before: AuditResult;
  /** The audit after applying (the same as before when nothing was applied). */
  after?: AuditResult;
  changed: boolean;
  /** pass when the org (after applying; before, in --dry-run) meets the policy. */
  verdict: 'pass' | 'fail';
  apiCalls: number;
};

export type ReduceOptions = {
  policy: Policy;
  dryRun?: boolean;
  unassignForeign?: boolean;
  users?: string[];
  strict?: boolean;
  targetOrg?: string;
};

export async function reduceIntegration(client: SalesforceClient, opts: ReduceOptions): Promise<ReduceResult> {
  const start = client.apiCalls;
  const snapshot = await readOrgSnapshot(client, opts.policy, opts.users);
  const before = auditSnapshot(snapshot, opts);
  const plan = planReduction(snapshot, before, opts);
  if (opts.dryRun === true || plan.actions.length === 0) {
    before.apiCalls = client.apiCalls - start;
    return {
      dryRun: opts.dryRun === true,
      plan,
      applied: [],
      before,
      after: opts.dryRun ? undefined : before,
      changed: false,
      verdict: before.verdict,
      apiCalls: client.apiCalls - start,
    };
  }
  const applied = await applyPlan(client, plan.actions);
  const after = await auditIntegration(client, opts);
  return {
    dryRun: false,
    plan,
    applied,
    before,
    after,
    changed: applied.some((a) => a.status === 'done'),
    verdict: after.verdict === 'pass' && applied.every((a) => a.status === 'done') ? 'pass' : 'fail',
    apiCalls: client.apiCalls - start,
  };
}

/** The reduction plan for a snapshot and its audit (pure). */
export function planReduction(snapshot: OrgSnapshot, audit: AuditResult, opts: ReduceOptions): ReducePlan {
  const { policy } = opts;
  const own = new Set(policy.permissionSets.map((n) => n.toLowerCase()));
  const ownSets = snapshot.permissionSets.filter((p) => p.IsOwnedByProfile !== true && own.has(p.Name.toLowerCase()));
  const primary = policy.permissionSets
    .map((n) => ownSets.find((p) => p.Name.toLowerCase() === n.toLowerCase()))
    .find(Boolean);
  const actions: ReduceAction[] = [];
  const blocked: BlockedRemoval[] = [];
  const foreign: ForeignGrant[] = [];

  if (primary) actions.push(...grantActions(snapshot, audit, policy, primary, blocked));
  for (const ps of ownSets) actions.push(...removalActions(ps, policy, snapshot, blocked));
  foreignActions(snapshot, audit, opts, ownSets, actions, foreign);

  const order: Record<ReduceAction['type'], number> = {
    grantUserPermissions: 0,
    grantObject: 1,
    grantField: 2,
    assign: 3,
    removeUserPermissions: 4,
    unassign: 5,
  };
  actions.sort(
    (a, b) =>
      order[a.type] - order[b.type] ||
      (a.type === 'removeUserPermissions' && b.type === 'removeUserPermissions' ? a.step - b.step : 0)
  );
  return { actions, blocked, foreign };
}

const ref = (ps: PermissionSetRow): SetRef => ({ id: ps.Id, name: ps.Name, label: ps.Label ?? ps.Name });

/** Required object, field and user access the own set lacks (the seed's post-install step). */
function grantActions(
  snapshot: OrgSnapshot,
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
function removalActions(
  ps: PermissionSetRow,
  policy: Policy,
  snapshot: OrgSnapshot,
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
function foreignActions(
  snapshot: OrgSnapshot,
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
  snapshot: OrgSnapshot,
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

/** Apply in plan order; every action gets its own status (collections calls, allOrNone=false). */
export async function applyPlan(client: SalesforceClient, actions: ReduceAction[]): Promise<AppliedAction[]> {
  const results = new Map<ReduceAction, AppliedAction>();
  const record = (action: ReduceAction, r: SaveResult | undefined): void => {
    const ok = r?.success === true;
    results.set(action, {
      ...action,
      status: ok ? 'done' : 'failed',
      ...(ok ? {} : { error: r?.errors.map((e) => `${e.statusCode}: ${e.message}`).join('; ') ?? 'no result' }),
    });
  };
  const run = async (
    batch: ReduceAction[],
    call: (items: ReduceAction[]) => Promise<SaveResult[]>
  ): Promise<void> => {
    if (batch.length === 0) return;
    try {
      const saved = await call(batch);
      batch.forEach((a, i) => record(a, saved[i]));
    } catch (error) {
      for (const a of batch) results.set(a, { ...a, status: 'failed', error: (error as Error).message });
    }
  };

  const of = <T extends ReduceAction['type']>(type: T): Array<Extract<ReduceAction, { type: T }>> =>
    actions.filter((a): a is Extract<ReduceAction, { type: T }> => a.type === type);

  // Grants first, so access the sync needs never disappears between steps.
  await run(of('grantUserPermissions'), (items) =>
    client.update(
      'PermissionSet',
      (items as Array<Extract<ReduceAction, { type: 'grantUserPermissions' }>>).map((a) => ({
        Id: a.permissionSet.id,
        ...Object.fromEntries(a.permissions.map((p) => [`Permissions${p.name}`, true])),
      }))
    )
  );
  const objectFlags = (access: ObjectAccessName[]): Record<string, boolean> =>
    Object.fromEntries(access.map((a) => [`Permissions${a}`, true]));
  const grantObjects = of('grantObject');
  await run(
    grantObjects.filter((a) => a.recordId),
    (items) =>
      client.update(
        'ObjectPermissions',
        (items as typeof grantObjects).map((a) => ({ Id: a.recordId, ...objectFlags(a.access) }))
      )
  );
  await run(
    grantObjects.filter((a) => !a.recordId),
    (items) =>
      client.insert(
        'ObjectPermissions',
        (items as typeof grantObjects).map((a) => ({
          ParentId: a.permissionSet.id,
          SobjectType: a.object,
          ...objectFlags(a.access),
        }))
      )
  );
  const fieldFlags = (access: FieldAccessName): Record<string, boolean> => ({
    PermissionsRead: true,
    PermissionsEdit: access === 'Edit',
  });
  const grantFields = of('grantField');
  await run(
    grantFields.filter((a) => a.recordId),
    (items) =>
      client.update(
        'FieldPermissions',
        (items as typeof grantFields).map((a) => ({ Id: a.recordId, ...fieldFlags(a.access) }))
      )
  );
  await run(
    grantFields.filter((a) => !a.recordId),
    (items) =>
      client.insert(
        'FieldPermissions',
        (items as typeof grantFields).map((a) => ({
          ParentId: a.permissionSet.id,
          SobjectType: a.field.slice(0, a.field.indexOf('.')),
          Field: a.field,
          ...fieldFlags(a.access),
        }))
      )
  );
  const assigns = of('assign');
  await run(assigns, (items) =>
    client.insert(
      'PermissionSetAssignment',
      (items as typeof assigns).map((a) => ({ AssigneeId: a.user.id, PermissionSetId: a.permissionSet.id }))
    )
  );

  // Removals: one call per dependency step, dependents first.
  const removals = of('removeUserPermissions');
  for (const step of [...new Set(removals.map((r) => r.step))].sort((a, b) => a - b)) {
    const batch = removals.filter((r) => r.step === step);
    await run(batch, (items) =>
      client.update(
        'PermissionSet',
        (items as typeof removals).map((a) => ({
          Id: a.permissionSet.id,
          ...Object.fromEntries(a.permissions.map((p) => [`Permissions${p.name}`, false])),
        }))
      )
    );
  }
  const unassigns = of('unassign');
  await run(unassigns, (items) => client.delete((items as typeof unassigns).map((a) => a.assignmentId)));

  return actions.map((a) => results.get(a) ?? { ...a, status: 'failed', error: 'not applied' });
}
