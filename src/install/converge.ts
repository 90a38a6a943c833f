/*
 * Stages 6 and 7: least privilege and its proof, through the permission library (src/perms). Converge runs
 * `perms reduce` for the integration user (its audit is reused by verify when nothing changed, to save calls), or,
 * with --keep-install-permissions, adds the policy's install-only permissions to the integration permission set.
 */
import type { SalesforceClient } from '../salesforce/client.js';
import { auditIntegration, reduceIntegration, type AuditResult, type Policy } from '../perms/index.js';
import { INTEGRATION_PERMISSION_SET } from '../footprint/vocabulary.js';
import { installError, messages } from './messages.js';

export type ConvergeOptions = {
  policy: Policy;
  userId: string;
  username: string;
  permissionSetId: string;
  /** Install-only permissions as the plan read them on the permission set. */
  currentPermissions: Record<string, boolean>;
  keepInstallPermissions: boolean;
  targetOrg: string;
};

export type ConvergeOutcome = {
  changes: string[];
  writes: number;
  warnings: string[];
  /** The audit after converging, when the library produced one. */
  audit?: AuditResult;
};

export async function converge(client: SalesforceClient, options: ConvergeOptions): Promise<ConvergeOutcome> {
  if (options.keepInstallPermissions) return keepInstallPermissions(client, options);

  const reduced = await reduceIntegration(client, {
    policy: options.policy,
    dryRun: false,
    unassignForeign: false,
    users: [options.userId],
    targetOrg: options.targetOrg,
  });
  const done = reduced.applied.filter((a) => a.status === 'done');
  const failed = reduced.applied.filter((a) => a.status === 'failed');
  const warnings = [
    ...reduced.plan.blocked.map((b) => `${b.permissionSet.name}: ${b.permission}: ${b.reason}`),
    ...reduced.plan.foreign.map((f) => `${f.permission.label} (${f.source.name}): ${f.fixes.join(' ')}`),
  ];
  if (failed.length) {
    throw installError('Salesforce', [
      messages.getMessage('stage.converge'),
      failed.map((a) => `${a.description}: ${a.error ?? ''}`).join('; '),
      'ConvergeFailed',
    ]);
  }
  return { changes: done.map((a) => a.description), writes: done.length, warnings, audit: reduced.after };
}

/** Adds the policy's install-only permissions the set lacks, in one update (dependencies and dependents together). */
async function keepInstallPermissions(client: SalesforceClient, options: ConvergeOptions): Promise<ConvergeOutcome> {
  const warnings = [messages.getMessage('warning.keepInstallPermissions', [options.targetOrg])];
  const missing = options.policy.installOnly.filter((p) => options.currentPermissions[p.name] !== true);
  if (missing.length === 0) return { changes: [], writes: 0, warnings };
  const [saved] = await client.update('PermissionSet', [
    { Id: options.permissionSetId, ...Object.fromEntries(missing.map((p) => [`Permissions${p.name}`, true])) },
  ]);
  if (!saved?.success) {
    const reason = saved?.errors.map((e) => `${e.statusCode}: ${e.message}`).join('; ') ?? 'no result';
    throw installError('Salesforce', [messages.getMessage('stage.converge'), reason, 'PermissionSet']);
  }
  const labels = missing.map((p) => p.label ?? p.name).join(', ');
  return { changes: [messages.getMessage('change.keep', [INTEGRATION_PERMISSION_SET, labels])], writes: 1, warnings };
}

export type VerifyOptions = {
  policy: Policy;
  userId: string;
  username: string;
  keepInstallPermissions: boolean;
  targetOrg: string;
  /** converge's audit: reused when it reflects the org as it is now. */
  audit?: AuditResult;
};

export type VerifyOutcome = { result: AuditResult; failing: string[]; summary: string };

export async function verify(client: SalesforceClient, options: VerifyOptions): Promise<VerifyOutcome> {
  const result =
    options.audit ??
    (await auditIntegration(client, {
      policy: options.policy,
      users: [options.userId],
      allowInstallOnly: options.keepInstallPermissions,
      targetOrg: options.targetOrg,
    }));
  const findings = result.users.flatMap((u) => u.findings);
  const failing = findings.filter((f) => f.failing).map((f) => f.message);
  const summary =
    findings.length === 0
      ? messages.getMessage('summary.audit.clean', [options.username])
      : messages.getMessage('summary.audit.findings', [
          findings.length,
          options.username,
          findings.map((f) => f.permission.label).join(', '),
        ]);
  return { result, failing, summary };
}
