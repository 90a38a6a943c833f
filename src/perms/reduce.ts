/*
 * Converges the org to the policy (perms reduce): a plan computed from one audit snapshot (Terraform-style: data that
 * is printed in --dry-run and applied otherwise), then applied in a safe order: grants first, so the integration never
 * loses access it needs, then removals of install-only and forbidden permissions from the integration's OWN sets in
 * dependency order (a dependent permission before what it requires), then foreign assignments (--unassign-foreign).
 * Foreign permission sets, groups and profiles are never edited: they are reported with their fix.
 */
import type { SalesforceClient } from '../salesforce/client.js';
import type { FieldAccessName, ObjectAccessName, Policy } from './policy.js';
import { readOrgSnapshot, type PermissionSnapshot } from './org-snapshot.js';
import type { GrantSource, SetRef } from './effective-permissions.js';
import { auditSnapshot, auditIntegration, type AuditResult, type FindingKind, type PermissionRef } from './audit.js';
import { foreignActions, grantActions, removalActions } from './reduce-steps.js';
import { applyPlan } from './reduce-apply.js';

export { applyPlan };

export type UserRef = { id: string; username: string };

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
export function planReduction(snapshot: PermissionSnapshot, audit: AuditResult, opts: ReduceOptions): ReducePlan {
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
