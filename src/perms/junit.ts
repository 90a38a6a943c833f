/*
 * The audit as a JUnit XML report, so CI shows every finding as a test case: one <testsuite> per user, one
 * <testcase> per finding (a <failure> when it fails the check, <system-out> otherwise), plus a passing case per
 * user without findings so a clean run is visible too.
 */
import type { AuditResult, Finding } from './audit.js';
import { describeSource } from './fixes.js';

const escape = (s: string): string =>
  s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c);

function caseXml(classname: string, f: Finding): string {
  const name = `${f.kind}: ${f.permission.label}`;
  const detail = [
    f.message,
    ...(f.sources.length ? [`Granted by: ${f.sources.map(describeSource).join(', ')}`] : []),
    ...(f.workflows.length ? [`Breaks: ${f.workflows.map((w) => w.description).join('; ')}`] : []),
    ...f.fixes.map((x) => `Fix: ${x}`),
  ].join('\n');
  const body = f.failing
    ? `<failure type="${escape(f.kind)}" message="${escape(f.message)}">${escape(detail)}</failure>`
    : `<system-out>${escape(detail)}</system-out>`;
  return `    <testcase classname="${escape(classname)}" name="${escape(name)}">${body}</testcase>`;
}

export function auditToJUnit(result: AuditResult): string {
  const suites = result.users.map((u) => {
    const classname = `perms.${u.username}`;
    const cases = u.findings.length
      ? u.findings.map((f) => caseXml(classname, f))
      : [`    <testcase classname="${escape(classname)}" name="meets policy ${escape(result.policy.name)}"/>`];
    const failures = u.findings.filter((f) => f.failing).length;
    return [
      `  <testsuite name="${escape(u.username)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="0">`,
      ...cases,
      '  </testsuite>',
    ].join('\n');
  });
  const tests = result.users.reduce((n, u) => n + Math.max(1, u.findings.length), 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="instruqt perms check" tests="${tests}" failures="${result.summary.failing}" errors="0">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
