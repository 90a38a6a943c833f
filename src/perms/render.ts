/*
 * Human output of the audit: per user a one-line verdict and a table of findings. Commands print these rows; the
 * wording comes from messages/instruqt.perms.check.md.
 */
import { StateAggregator, type Org } from '@salesforce/core';
import type { AuditResult, UserAudit } from './audit.js';
import { describeSource, text } from './fixes.js';

export type FindingRow = { finding: string; permission: string; source: string; breaks: string };

export function verdictLine(user: UserAudit): string {
  const count = (kind: string): number => user.findings.filter((f) => f.kind === kind).length;
  const counts = text('verdict.counts', [count('missing'), count('installOnly'), count('forbidden'), count('excess')]);
  return text(user.verdict === 'pass' ? 'verdict.pass' : 'verdict.fail', [user.username, counts]);
}

export function findingRows(user: UserAudit): FindingRow[] {
  return user.findings.map((f) => ({
    finding: `${text(`kind.${f.kind}`)}${f.failing ? '' : ' (warn)'}`,
    permission: f.permission.label,
    source: f.sources.map(describeSource).join(', ') || '-',
    breaks: f.workflows.map((w) => w.description).join('; ') || '-',
  }));
}

/**
 * The distinct fixes of a user's findings, failing ones first. A grant from the integration's own set is fixed by
 * one command (perms reduce): its Setup paths stay in --json. Foreign grants keep every remedy.
 */
export function fixLines(user: UserAudit): string[] {
  const ordered = [...user.findings.filter((f) => f.failing), ...user.findings.filter((f) => !f.failing)];
  const foreign = (f: UserAudit['findings'][number]): boolean =>
    f.sources.some((s) => !(s.owned || s.permissionSet?.owned === true));
  return [...new Set(ordered.flatMap((f) => (foreign(f) ? f.fixes : f.fixes.slice(0, 1))))];
}

export function fixesHeader(): string {
  return text('fixes');
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
  { key: 'breaks' as const, name: text('table.detail') },
];

/** How the user named the org: its alias when it has one (fix commands are copied as they are). */
export async function orgReference(org: Org): Promise<string | undefined> {
  const username = org.getUsername();
  if (!username) return undefined;
  const aliases = (await StateAggregator.getInstance()).aliases;
  return aliases.get(username) ?? username;
}
