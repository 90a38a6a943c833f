/*
 * `sf instruqt install`: parses flags, shows the stages as they run (sf's multi-stage output, silent with --json)
 * and returns the typed result of src/install. Everything else lives in src/install.
 */
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { install } from '../../install/install.js';
import { progressView } from '../../install/progress.js';
import type { InstallResult } from '../../install/types.js';
import { describeExtras, installExtras, wantsExtras, type InstallExtrasResult } from '../../install/extras/install-extras.js';
import { checkAppPrerequisites, readCertificate } from '../../install/extras/external-client-app.js';
import { assertApiVersion } from '../../salesforce/api-version.js';
import { exitOnInterrupt } from '../../cli/interrupt.js';
import { exitCodesHelp } from '../../exit-codes.js';

export type InstructInstallResult = InstallResult & {
  /** The opt-in steps (src/install/extras/install-extras.ts): --jwt-cert, --viewers, --related-lists. */
  lifecycle?: InstallExtrasResult;
};

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-instruqt', 'instruqt.install');

export default class Install extends SfCommand<InstructInstallResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly errorCodes = exitCodesHelp('install');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    'dry-run': Flags.boolean({ summary: messages.getMessage('flags.dry-run.summary') }),
    username: Flags.string({ summary: messages.getMessage('flags.username.summary') }),
    email: Flags.string({ summary: messages.getMessage('flags.email.summary') }),
    profile: Flags.string({ summary: messages.getMessage('flags.profile.summary') }),
    wait: Flags.duration({
      unit: 'minutes',
      defaultValue: 10,
      min: 0,
      summary: messages.getMessage('flags.wait.summary'),
    }),
    'keep-install-permissions': Flags.boolean({
      summary: messages.getMessage('flags.keep-install-permissions.summary'),
      description: messages.getMessage('flags.keep-install-permissions.description'),
    }),
    'no-prompt': Flags.boolean({ summary: messages.getMessage('flags.no-prompt.summary') }),
    'jwt-cert': Flags.file({
      exists: true,
      summary: messages.getMessage('flags.jwt-cert.summary'),
      description: messages.getMessage('flags.jwt-cert.description'),
    }),
    viewers: Flags.string({ multiple: true, summary: messages.getMessage('flags.viewers.summary') }),
    'related-lists': Flags.boolean({ summary: messages.getMessage('flags.related-lists.summary') }),
  };

  public async run(): Promise<InstructInstallResult> {
    const { flags } = await this.parse(Install);
    const org = flags['target-org'];
    await assertApiVersion(org.getConnection(flags['api-version']), flags['api-version']);
    const targetOrg = org.getUsername() ?? '';
    if (flags['jwt-cert']) {
      // Before anything changes: a bad certificate or an org that cannot take the app stops the install here.
      await readCertificate(flags['jwt-cert']);
      await checkAppPrerequisites(org.getConnection(flags['api-version']));
    }
    const view = progressView({
      jsonEnabled: this.jsonEnabled(),
      heading: messages.getMessage(flags['dry-run'] ? 'title.dry-run' : 'title', [targetOrg]),
      log: (line) => this.log(line),
    });
    // Every stage converges: after Ctrl-C the same command finishes what is missing.
    const restoreSignals = exitOnInterrupt({ json: this.jsonEnabled(), message: messages.getMessage('error.Interrupted') });
    try {
      const result = await install(org.getConnection(flags['api-version']), {
        dryRun: flags['dry-run'] ?? false,
        username: flags.username,
        email: flags.email,
        profile: flags.profile,
        waitMinutes: flags.wait.minutes,
        keepInstallPermissions: flags['keep-install-permissions'] ?? false,
        noPrompt: flags['no-prompt'] ?? false,
        targetOrg,
        // Nobody can answer a prompt with --json or without a terminal: the install then asks for --no-prompt.
        confirm:
          this.jsonEnabled() || !process.stdin.isTTY ? undefined : (message: string): Promise<boolean> => this.confirm({ message }),
        progress: view,
      });
      view.stop();
      this.report(result);
      // The opt-in steps of src/install/extras, once the footprint is deployed and usable.
      const extras = { dryRun: flags['dry-run'], jwtCert: flags['jwt-cert'], viewers: flags.viewers, relatedLists: flags['related-lists'] };
      if (!result.success || !wantsExtras(extras)) return result;
      const connection = org.getConnection(flags['api-version']);
      const lifecycle = await installExtras(connection, { ...extras, contactEmail: result.user?.email });
      const printed = describeExtras(lifecycle, { ...extras, username: result.user?.username, instanceUrl: connection.instanceUrl });
      for (const line of printed.lines) this.log(line);
      for (const warning of printed.warnings) this.warn(warning);
      return { ...result, lifecycle };
    } catch (error) {
      view.error();
      throw error;
    } finally {
      restoreSignals();
    }
  }

  private report(result: InstallResult): void {
    for (const warning of result.warnings) this.warn(warning);
    const org = result.org.name || result.org.id;
    const username = result.user?.username ?? '';
    if (result.dryRun) {
      this.log(messages.getMessage('summary.dryRun', [result.plan?.changeCount ?? 0]));
    } else if (result.stages.some((s) => s.name !== 'plan' && s.status === 'done')) {
      this.logSuccess(messages.getMessage('summary.done', [org, username]));
    } else {
      this.log(messages.getMessage('summary.noop', [org, username]));
    }
    this.log(messages.getMessage('summary.apiCalls', [result.apiCalls.total, result.apiCalls.deployPolls]));
  }
}
