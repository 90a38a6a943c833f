/*
 * Human output of the audit: per user a one-line verdict and a table of findings. Commands print these rows; the
 * wording comes from messages/instruqt.perms.check.md.
 */
import type { AuditResult, UserAudit } from './audit.js';
import { describeSource, text } from './fixes.js';

export type FindingRow = { finding: string; permission: string; source: string; detail: string };

export function verdictLine(user: UserAudit): string {
  const count = (kind: string): number => user.findings.filter((f) => f.kind === kind).length;
  const counts = text('verdict.counts', [count('missing'), count('installOnly'), count('forbidden'), count('excess')]);
  return text(user.verdict === 'pass' ? 'verdict.pass' : 'verdict.fail', [user.username, counts]);
}

export function findingRows(user: UserAudit): FindingRow[] {
  return user.findings.map((f) => ({
    finding: `${text(`kind.${f.kind}`)}${f.failing ? '' : ' (warn)'}`,
    permission: f.permission.label,
    source: f.sources.map(describeSource).join('\n') || '-',
    detail: [
      ...(f.workflows.length ? [f.workflows.map((w) => w.description).join('; ')] : []),
      ...f.fixes,
    ].join('\n'),
  }));
}

export function mutedLines(user: UserAudit): string[] {
  return user.muted.map((m) => text('muted', [m.mutingSet.name, m.group.name, m.key]));
}

export function overallLine(result: AuditResult): string {
  return result.verdict === 'pass'
    ? text('overall.pass', [result.summary.users, result.policy.name])
    : text('overall.fail', [result.summary.failing, result.summary.users, result.policy.name]);
}

export const findingColumns = [
  { key: 'finding' as const, name: text('table.kind') },
  { key: 'permission' as const, name: text('table.permission') },
  { key: 'source' as const, name: text('table.source') },
  { key: 'detail' as const, name: text('table.detail') },
];
