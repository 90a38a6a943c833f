/*
 * The audit: compares each user's effective permissions with the policy and lists findings (missing, install-only,
 * forbidden, excess), each naming the permission set, group or profile that grants it and the fix. `auditIntegration`
 * reads the org in a fixed number of calls (org-snapshot.ts); `auditSnapshot` is the pure part tests drive.
 */
import type { SalesforceClient } from '../salesforce/client.js';
import {
  categorize,
  OBJECT_ACCESS,
  policyLabel,
  requiredFields,
  type FieldAccessName,
  type ObjectAccessName,
  type Policy,
} from './policy.js';
import { readOrgSnapshot, sameId, type PermissionSnapshot } from './org-snapshot.js';
import {
  effectivePermissions,
  getIgnoreCase,
  type EffectivePermissions,
  type GrantSource,
  type MutedGrant,
} from './effective-permissions.js';
import { describeSource, grantFixes, removalFixes, text, type FixTarget } from './fixes.js';

export type FindingKind = 'missing' | 'installOnly' | 'forbidden' | 'excess';

export type PermissionRef =
  | { type: 'user'; name: string; label: string }
  | { type: 'object'; object: string; access: ObjectAccessName[]; label: string }
  | { type: 'field'; object: string; field: string; access: FieldAccessName; label: string };

export type Finding = {
  /** Stable key, e.g. `forbidden:user:ModifyAllData`, `missing:field:Lead.Email`. */
  id: string;
  kind: FindingKind;
  /** Fails the check: missing, install-only and forbidden always; excess with --strict. */
  failing: boolean;
  permission: PermissionRef;
  /** What grants it (empty for missing). */
  sources: GrantSource[];
  /** For missing: the workflows that break. */
  workflows: Array<{ id: string; description: string }>;
  message: string;
  fixes: string[];
};

export type UserAudit = {
  id: string;
  username: string;
  name?: string;
  active: boolean;
  profile?: string;
  verdict: 'pass' | 'fail';
  /** Holds one of the integration's own permission sets (directly or through a group). */
  holdsIntegrationSet: boolean;
  findings: Finding[];
  /** Grants a group's muting permission set removed (not findings: reported for the record). */
  muted: MutedGrant[];
};

export type AuditSummary = {
  users: number;
  missing: number;
  installOnly: number;
  forbidden: number;
  excess: number;
  failing: number;
};

export type AuditResult = {
  verdict: 'pass' | 'fail';
  strict: boolean;
  policy: { name: string; path?: string; permissionSets: string[] };
  users: UserAudit[];
  summary: AuditSummary;
  warnings: string[];
  apiCalls: number;
};

export type AuditOptions = {
  policy: Policy;
  /** Usernames or user ids; default: every user holding an integration permission set. */
  users?: string[];
  /** Excess fails too. */
  strict?: boolean;
  /** Install-only permissions are expected (install with --keep-install-permissions): reported, not failing. */
  allowInstallOnly?: boolean;
  /** Org alias or username, used in the fix commands. */
  targetOrg?: string;
};

/** Read the org and audit every integration user (or `opts.users`). */
export async function auditIntegration(client: SalesforceClient, opts: AuditOptions): Promise<AuditResult> {
  const before = client.apiCalls;
  const snapshot = await readOrgSnapshot(client, opts.policy, opts.users);
  const result = auditSnapshot(snapshot, opts);
  result.apiCalls = client.apiCalls - before;
  return result;
}

/** The audit of a snapshot (pure). */
export function auditSnapshot(snapshot: PermissionSnapshot, opts: AuditOptions): AuditResult {
  const { policy } = opts;
  const warnings: string[] = [];
  for (const u of snapshot.unknownUsers) warnings.push(text('warning.unknownUser', [u]));
  const ownSet = policy.permissionSets
    .map((n) => snapshot.permissionSets.find((p) => p.IsOwnedByProfile !== true && p.Name.toLowerCase() === n.toLowerCase()))
    .find(Boolean);
  if (!ownSet) warnings.push(text('warning.noOwnSet', [policy.permissionSets.join(', ')]));
  if (snapshot.users.length === 0 && !opts.users?.length) {
    warnings.push(text('warning.noUsers', [policy.permissionSets.join(', ')]));
  }
  for (const [object, fields] of snapshot.describes) {
    if (!fields) warnings.push(text('warning.objectMissing', [object]));
  }

  const users = effectivePermissions(snapshot, policy.permissionSets).map((eff) =>
    auditUser(eff, snapshot, opts, ownSet ? { name: ownSet.Name, label: ownSet.Label ?? ownSet.Name } : undefined)
  );
  const all = users.flatMap((u) => u.findings);
  const summary: AuditSummary = {
    users: users.length,
    missing: all.filter((f) => f.kind === 'missing').length,
    installOnly: all.filter((f) => f.kind === 'installOnly').length,
    forbidden: all.filter((f) => f.kind === 'forbidden').length,
    excess: all.filter((f) => f.kind === 'excess').length,
    failing: all.filter((f) => f.failing).length,
  };
  return {
    // A user asked for by name who cannot be found was not verified: that is no pass.
    verdict: summary.failing > 0 || snapshot.unknownUsers.length > 0 ? 'fail' : 'pass',
    strict: opts.strict === true,
    policy: { name: policy.name, path: policy.path, permissionSets: policy.permissionSets },
    users,
    summary,
    warnings,
    apiCalls: 0,
  };
}

/** What every finding builder of one user needs. */
type UserContext = {
  eff: EffectivePermissions;
  snapshot: PermissionSnapshot;
  opts: AuditOptions;
  ownSet: { name: string; label: string } | undefined;
  holdsOwnSet: boolean;
  username: string;
  workflows: (ids: string[]) => Array<{ id: string; description: string }>;
  failing: (kind: FindingKind) => boolean;
  label: (permission: string) => string;
};

function auditUser(
  eff: EffectivePermissions,
  snapshot: PermissionSnapshot,
  opts: AuditOptions,
  ownSet: { name: string; label: string } | undefined
): UserAudit {
  const { policy } = opts;
  const grantedByOwn = [...eff.userPermissions.values(), ...[...eff.objects.values()].flatMap((m) => [...m.values()])]
    .flat()
    .some((s) => s.owned || s.permissionSet?.owned === true);
  const ctx: UserContext = {
    eff,
    snapshot,
    opts,
    ownSet,
    holdsOwnSet: grantedByOwn || holdsOwnAssignment(snapshot, eff, policy),
    username: eff.user.Username,
    workflows: (ids) => [...new Set(ids)].map((id) => ({ id, description: policy.workflows[id] ?? id })),
    failing: (kind) =>
      kind === 'excess' ? opts.strict === true : kind === 'installOnly' ? opts.allowInstallOnly !== true : true,
    label: (name) => policyLabel(policy, name) ?? snapshot.permissionLabels[name] ?? name,
  };
  const rank: Record<FindingKind, number> = { forbidden: 0, installOnly: 1, missing: 2, excess: 3 };
  const findings = [...userPermissionFindings(ctx), ...objectFindings(ctx), ...fieldFindings(ctx)].sort(
    (a, b) => rank[a.kind] - rank[b.kind]
  );
  return {
    id: eff.user.Id,
    username: ctx.username,
    name: eff.user.Name,
    active: eff.user.IsActive !== false,
    profile: eff.user.Profile?.Name,
    verdict: findings.some((f) => f.failing) ? 'fail' : 'pass',
    holdsIntegrationSet: ctx.holdsOwnSet,
    findings,
    muted: eff.muted,
  };
}

function missingFinding(
  ctx: UserContext,
  permission: PermissionRef,
  workflowIds: string[],
  what: FixTarget,
  objectMissing?: string
): Finding {
  const workflows = ctx.workflows(workflowIds);
  const breaks = workflows.map((w) => w.description).join('; ');
  return {
    id: `missing:${permission.type}:${permission.type === 'user' ? permission.name : permission.type === 'object' ? permission.object : permission.field}`,
    kind: 'missing',
    failing: true,
    permission,
    sources: [],
    workflows,
    message: text(objectMissing ? 'finding.missingObjectNotInOrg' : 'finding.missing', [what.label, breaks]),
    fixes: grantFixes(what, ctx.ownSet, ctx.holdsOwnSet, ctx.username, ctx.opts.targetOrg, objectMissing, ctx.opts.policy),
  };
}

function grantedFinding(
  ctx: UserContext,
  kind: FindingKind,
  permission: PermissionRef,
  sources: GrantSource[],
  what: FixTarget
): Finding {
  const key = permission.type === 'user' ? permission.name : permission.type === 'object' ? permission.object : permission.field;
  return {
    id: `${kind}:${permission.type}:${key}`,
    kind,
    failing: ctx.failing(kind),
    permission,
    sources,
    workflows: [],
    message: text(`finding.${kind}`, [what.label, sources.map(describeSource).join(', ')]),
    fixes: removalFixes(sources, what, ctx.username, ctx.opts.targetOrg, ctx.opts.policy),
  };
}

function userPermissionFindings(ctx: UserContext): Finding[] {
  const { policy } = ctx.opts;
  const findings: Finding[] = [];
  for (const p of policy.required.userPermissions) {
    if (ctx.eff.userPermissions.has(p.name)) continue;
    const label = p.label ?? ctx.label(p.name);
    findings.push(
      missingFinding(ctx, { type: 'user', name: p.name, label }, p.workflows, { label, setupSection: 'system' })
    );
  }
  for (const [name, sources] of [...ctx.eff.userPermissions].sort(([a], [b]) => a.localeCompare(b))) {
    const category = categorize(policy, name);
    if (category === 'required' || category === 'allowed') continue;
    const label = ctx.label(name);
    findings.push(grantedFinding(ctx, category, { type: 'user', name, label }, sources, { label, setupSection: 'system' }));
  }
  return findings;
}

function objectFindings(ctx: UserContext): Finding[] {
  const { policy } = ctx.opts;
  const { snapshot, eff } = ctx;
  const findings: Finding[] = [];
  const excess = (object: string, objectLabel: string | undefined, held: Map<ObjectAccessName, GrantSource[]>, extra: ObjectAccessName[]): Finding => {
    const sources = uniqueSources(extra.flatMap((a) => held.get(a) ?? []));
    const label = `${objectLabel ?? object}: ${extra.join(', ')}`;
    return grantedFinding(ctx, 'excess', { type: 'object', object, access: extra, label }, sources, {
      label,
      setupSection: 'object',
      object,
      setting: extra.join(', '),
    });
  };
  for (const o of policy.required.objects) {
    const held = getIgnoreCase(eff.objects, o.object);
    const objectMissing = snapshot.describes.has(o.object) && snapshot.describes.get(o.object) === undefined;
    const missing = (Object.keys(o.access) as ObjectAccessName[]).filter(
      (a) => (a !== 'ViewAllFields' || snapshot.viewAllFieldsSupported) && !held?.get(a)?.length
    );
    if (missing.length) {
      const label = `${o.label ?? o.object}: ${missing.join(', ')}`;
      findings.push(
        missingFinding(
          ctx,
          { type: 'object', object: o.object, access: missing, label },
          missing.flatMap((a) => o.access[a] ?? []),
          { label, setupSection: 'object', object: o.object, setting: missing.join(', ') },
          objectMissing ? o.object : undefined
        )
      );
    }
    const extra = held ? OBJECT_ACCESS.filter((a) => held.get(a)?.length && !(a in o.access)) : [];
    if (held && extra.length) findings.push(excess(o.object, o.label, held, extra));
  }
  const policyObjects = new Set(policy.required.objects.map((o) => o.object.toLowerCase()));
  for (const [object, held] of [...eff.objects].sort(([a], [b]) => a.localeCompare(b))) {
    if (policyObjects.has(object.toLowerCase())) continue;
    const extra = OBJECT_ACCESS.filter((a) => held.get(a)?.length);
    if (extra.length) findings.push(excess(object, undefined, held, extra));
  }
  return findings;
}

/** Field permissions of the policy's objects (see org-snapshot.ts for why only those). */
function fieldFindings(ctx: UserContext): Finding[] {
  const findings: Finding[] = [];
  const required = requiredFields(ctx.opts.policy, ctx.snapshot.describes);
  const requiredByField = new Map(required.map((f) => [f.field.toLowerCase(), f]));
  for (const f of required) {
    const held = getIgnoreCase(ctx.eff.fields, f.field);
    const lacksRead = !held?.read.length;
    const lacksEdit = f.access === 'Edit' && !held?.edit.length;
    if (!lacksRead && !lacksEdit) continue;
    const access: FieldAccessName = lacksRead ? f.access : 'Edit';
    const label = `${f.field} (${access})`;
    findings.push(
      missingFinding(ctx, { type: 'field', object: f.object, field: f.field, access, label }, f.workflows, {
        label,
        setupSection: 'field',
        object: f.object,
        setting: text('setting.field', [access, f.field.slice(f.object.length + 1)]),
      })
    );
  }
  for (const [field, held] of [...ctx.eff.fields].sort(([a], [b]) => a.localeCompare(b))) {
    const req = requiredByField.get(field.toLowerCase());
    const extraEdit = held.edit.length > 0 && req?.access !== 'Edit';
    const extraRead = held.read.length > 0 && !req;
    if (!extraEdit && !extraRead) continue;
    const access: FieldAccessName = extraEdit ? 'Edit' : 'Read';
    const object = field.slice(0, field.indexOf('.'));
    const label = `${field} (${access})`;
    findings.push(
      grantedFinding(ctx, 'excess', { type: 'field', object, field, access, label }, extraEdit ? held.edit : held.read, {
        label,
        setupSection: 'field',
        object,
        setting: text('setting.field', [access, field.slice(object.length + 1)]),
      })
    );
  }
  return findings;
}

function uniqueSources(sources: GrantSource[]): GrantSource[] {
  const seen = new Set<string>();
  return sources.filter((s) => {
    const key = `${s.kind}:${s.id}:${s.permissionSet?.id ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** An own set assigned directly or through a group, even when it grants nothing yet. */
function holdsOwnAssignment(snapshot: PermissionSnapshot, eff: EffectivePermissions, policy: Policy): boolean {
  const own = new Set(policy.permissionSets.map((n) => n.toLowerCase()));
  const ownIds = snapshot.permissionSets
    .filter((p) => p.IsOwnedByProfile !== true && own.has(p.Name.toLowerCase()))
    .map((p) => p.Id);
  return snapshot.assignments.some(
    (a) =>
      sameId(a.AssigneeId, eff.user.Id) &&
      (ownIds.some((id) => sameId(a.PermissionSetId, id)) ||
        snapshot.components.some(
          (c) => sameId(c.PermissionSetGroupId, a.PermissionSetGroupId) && ownIds.some((id) => sameId(c.PermissionSetId, id))
        ))
  );
}
