/*
 * `sf instruqt doctor`: runs the checks of src/doctor/doctor.ts (and the smoke test with --smoke), prints each with
 * its status and fix, and exits 1 when one fails.
 */
import { Messages, Org } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { SalesforceClient } from '../../salesforce/client.js';
import { runDoctor, type DoctorCheck, type DoctorResult } from '../../doctor/doctor.js';
import { runSmoke } from '../../doctor/smoke.js';
import { assertApiVersion } from '../../salesforce/api-version.js';
import { ExitCode, exitCodesHelp, setExitCode } from '../../exit-codes.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-instruqt', 'instruqt.doctor');

export type DoctorCommandResult = DoctorResult;

const MARK: Record<DoctorCheck['status'], string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skip: 'SKIP' };

export default class Doctor extends SfCommand<DoctorCommandResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly errorCodes = exitCodesHelp('doctor');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    username: Flags.string({ summary: messages.getMessage('flags.username.summary') }),
    config: Flags.file({ summary: messages.getMessage('flags.config.summary'), exists: true }),
    'journal-dir': Flags.directory({ summary: messages.getMessage('flags.journal-dir.summary') }),
    smoke: Flags.boolean({ summary: messages.getMessage('flags.smoke.summary') }),
    // A plain string, not optionalOrg: that would fall back to the default org, which is usually the admin's.
    'integration-org': Flags.string({ summary: messages.getMessage('flags.integration-org.summary') }),
  };

  public async run(): Promise<DoctorCommandResult> {
    const { flags } = await this.parse(Doctor);
    const org = flags['target-org'];
    await assertApiVersion(org.getConnection(flags['api-version']), flags['api-version']);
    const client = new SalesforceClient(org.getConnection(flags['api-version']));
    const options = {
      // Printed fixes name the org by username: it works whatever alias or default the user relied on.
      orgLabel: org.getUsername() ?? org.getOrgId(),
      username: flags.username,
      configPath: flags.config,
      journalDir: flags['journal-dir'],
      orgId: org.getOrgId(),
    };
    let result = await runDoctor(client, options);
    if (flags.smoke) {
      const integration = flags['integration-org'] ? await Org.create({ aliasOrUsername: flags['integration-org'] }) : undefined;
      const syncClient = integration ? new SalesforceClient(integration.getConnection(flags['api-version'])) : client;
      const smoke = await runSmoke({
        syncClient,
        syncUsername: (integration ?? org).getUsername() ?? '',
        adminClient: client,
        orgId: org.getOrgId(),
        configPath: flags.config,
        asAdmin: !integration,
      });
      const checks = [...result.checks, smoke.check];
      result = {
        ...result,
        checks,
        ok: checks.every((c) => c.status !== 'fail'),
        apiCalls: client.apiCalls + (syncClient === client ? 0 : syncClient.apiCalls),
      };
    }
    this.render(result);
    if (!result.ok) setExitCode(ExitCode.Failed);
    return result;
  }

  private render(result: DoctorResult): void {
    this.table({
      data: result.checks.map((c) => ({ status: MARK[c.status], check: c.title, detail: c.detail })),
      columns: [
        { key: 'status', name: messages.getMessage('column.status') },
        { key: 'check', name: messages.getMessage('column.check') },
        { key: 'detail', name: messages.getMessage('column.detail') },
      ],
      overflow: 'wrap',
    });
    const toFix = result.checks.filter((c) => (c.status === 'fail' || c.status === 'warn') && (c.fix ?? c.commands));
    for (const c of toFix) {
      this.log('');
      this.log(messages.getMessage('fix.heading', [MARK[c.status], c.title]));
      if (c.fix) this.log(`  ${c.fix}`);
      for (const command of c.commands ?? []) this.log(`    ${command}`);
    }
    this.log('');
    const failed = result.checks.filter((c) => c.status === 'fail').length;
    if (failed === 0) this.logSuccess(messages.getMessage('result.ok', [result.checks.length, result.apiCalls]));
    else this.log(messages.getMessage('result.broken', [failed, result.checks.length, result.apiCalls]));
  }
}
