/*
 * `sf instruqt perms reduce`: converge the integration's permission sets to the policy, then re-audit (src/perms).
 */
import { writeFileSync } from 'node:fs';
import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { SalesforceClient } from '../../../salesforce/client.js';
import {
  auditToJUnit,
  planReduction,
  readOrgSnapshot,
  reduceIntegration,
  auditSnapshot,
  type ReduceResult,
} from '../../../perms/index.js';
import { findingColumns, findingRows, fixesHeader, fixLines, orgReference, overallLine, verdictLine } from '../../../perms/render.js';
import { describeSource, policyCommandError, policyForCommand } from '../../../perms/fixes.js';
import { assertApiVersion } from '../../../salesforce/api-version.js';
import { ExitCode, exitCodesHelp, setExitCode } from '../../../exit-codes.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-instruqt', 'instruqt.perms.reduce');

export type PermsReduceResult = ReduceResult;

export default class PermsReduce extends SfCommand<PermsReduceResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly errorCodes = exitCodesHelp('perms.reduce');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    user: Flags.string({ summary: messages.getMessage('flags.user.summary'), multiple: true }),
    policy: Flags.file({ summary: messages.getMessage('flags.policy.summary'), exists: true }),
    'dry-run': Flags.boolean({ summary: messages.getMessage('flags.dry-run.summary'), default: false }),
    'unassign-foreign': Flags.boolean({ summary: messages.getMessage('flags.unassign-foreign.summary'), default: false }),
    'no-prompt': Flags.boolean({ summary: messages.getMessage('flags.no-prompt.summary'), default: false }),
    junit: Flags.file({ summary: messages.getMessage('flags.junit.summary') }),
    strict: Flags.boolean({ summary: messages.getMessage('flags.strict.summary'), default: false }),
  };

  public async run(): Promise<PermsReduceResult> {
    const { flags } = await this.parse(PermsReduce);
    const policy = policyForCommand(flags.policy);
    const org = flags['target-org'];
    await assertApiVersion(org.getConnection(flags['api-version']), flags['api-version']);
    const client = new SalesforceClient(org.getConnection(flags['api-version']));
    const opts = {
      policy,
      users: flags.user,
      strict: flags.strict,
      unassignForeign: flags['unassign-foreign'],
      targetOrg: await orgReference(org),
    };

    // Ask before changing anything, unless told not to (pipelines, --json).
    let dryRun = flags['dry-run'];
    // Only a person at a terminal is asked; pipelines (no terminal, or --json) get the printed plan applied.
    if (!dryRun && !flags['no-prompt'] && !this.jsonEnabled() && process.stdin.isTTY) {
      const snapshot = await readOrgSnapshot(client, policy, flags.user).catch((e: unknown) => {
        throw policyCommandError(e);
      });
      const plan = planReduction(snapshot, auditSnapshot(snapshot, opts), opts);
      if (plan.actions.length) {
        this.log(messages.getMessage('plan.header', [plan.actions.length]));
        for (const a of plan.actions) this.log(`  ${a.description}`);
        if (!(await this.confirm({ message: messages.getMessage('confirm', [plan.actions.length]) }))) {
          this.log(messages.getMessage('cancelled'));
          dryRun = true;
        }
      }
    }

    const result = await reduceIntegration(client, { ...opts, dryRun }).catch((e: unknown) => {
      throw policyCommandError(e);
    });
    this.render(result);
    const audit = result.after ?? result.before;
    if (flags.junit) writeFileSync(flags.junit, auditToJUnit(audit));
    if (result.applied.some((a) => a.status === 'failed')) {
      setExitCode(result.applied.some((a) => a.status === 'done') ? ExitCode.Partial : ExitCode.Failed);
    } else if (!result.dryRun && result.verdict === 'fail') {
      setExitCode(ExitCode.Failed);
    }
    return result;
  }

  private render(result: ReduceResult): void {
    const { plan } = result;
    if (plan.actions.length === 0) this.log(messages.getMessage('plan.none'));
    else if (result.dryRun) {
      this.log(messages.getMessage('plan.header', [plan.actions.length]));
      for (const a of plan.actions) this.log(`  ${a.description}`);
    }
    for (const a of result.applied) {
      this.log(
        a.status === 'done'
          ? messages.getMessage('applied.done', [a.description])
          : messages.getMessage('applied.failed', [a.description, a.error ?? ''])
      );
    }
    for (const b of plan.blocked) this.warn(messages.getMessage('plan.blocked', [b.reason]));
    // One warning per user and foreign source, listing what it still grants.
    const groups = new Map<string, typeof plan.foreign>();
    for (const f of plan.foreign) {
      const key = `${f.user.id}|${f.source.kind}|${f.source.id}|${f.source.permissionSet?.id ?? ''}`;
      groups.set(key, [...(groups.get(key) ?? []), f]);
    }
    for (const grants of groups.values()) {
      const first = grants[0];
      this.warn(
        messages.getMessage('plan.foreign', [
          describeSource(first.source),
          grants.map((g) => g.permission.label).join(', '),
          first.user.username,
          first.fixes[first.fixes.length - 1] ?? '',
        ])
      );
    }
    if (result.dryRun) this.log(messages.getMessage('dryRun.done'));
    const audit = result.after ?? result.before;
    for (const user of audit.users) {
      this.styledHeader(verdictLine(user));
      if (user.findings.length) {
        this.table({ data: findingRows(user), columns: findingColumns, overflow: 'wrap' });
        this.log(fixesHeader());
        for (const line of fixLines(user)) this.log(`  - ${line}`);
      }
    }
    this.log(overallLine(audit));
  }
}
