/*
 * `sf instruqt perms check`: audit the integration user(s) against the least-privilege policy (src/perms).
 */
import { writeFileSync } from 'node:fs';
import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { SalesforceClient } from '../../../salesforce/client.js';
import { auditIntegration, auditToJUnit, type AuditResult } from '../../../perms/index.js';
import { policyCommandError, policyForCommand } from '../../../perms/fixes.js';
import {
  findingColumns,
  findingRows,
  fixesHeader,
  fixLines,
  mutedLines,
  orgReference,
  overallLine,
  verdictLine,
} from '../../../perms/render.js';
import { assertApiVersion } from '../../../salesforce/api-version.js';
import { ExitCode, exitCodesHelp, setExitCode } from '../../../exit-codes.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-instruqt', 'instruqt.perms.check');

export type PermsCheckResult = AuditResult;

export default class PermsCheck extends SfCommand<PermsCheckResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly errorCodes = exitCodesHelp('perms.check');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    user: Flags.string({ summary: messages.getMessage('flags.user.summary'), multiple: true }),
    policy: Flags.file({ summary: messages.getMessage('flags.policy.summary'), exists: true }),
    junit: Flags.file({ summary: messages.getMessage('flags.junit.summary') }),
    strict: Flags.boolean({ summary: messages.getMessage('flags.strict.summary'), default: false }),
  };

  public async run(): Promise<PermsCheckResult> {
    const { flags } = await this.parse(PermsCheck);
    const policy = policyForCommand(flags.policy);
    const org = flags['target-org'];
    await assertApiVersion(org.getConnection(flags['api-version']), flags['api-version']);
    const client = new SalesforceClient(org.getConnection(flags['api-version']));
    const result = await auditIntegration(client, {
      policy,
      users: flags.user,
      strict: flags.strict,
      targetOrg: await orgReference(org),
    }).catch((e: unknown) => {
      throw policyCommandError(e);
    });
    for (const w of result.warnings) this.warn(w);
    if (flags.junit) writeFileSync(flags.junit, auditToJUnit(result));

    for (const user of result.users) {
      this.styledHeader(verdictLine(user));
      if (user.findings.length) {
        this.table({ data: findingRows(user), columns: findingColumns, overflow: 'wrap' });
        this.log(fixesHeader());
        for (const line of fixLines(user)) this.log(`  - ${line}`);
      }
      for (const line of mutedLines(user)) this.log(line);
    }
    this.log(overallLine(result));
    if (result.verdict === 'fail') setExitCode(ExitCode.Failed);
    return result;
  }
}
