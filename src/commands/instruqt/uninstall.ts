/*
 * `sf instruqt uninstall`: shows the plan of src/uninstall/uninstall.ts, asks before --purge, applies it and reports
 * each step. Exit 0 done (or nothing to do), 1 failed before changing anything, 68 failed after some changes.
 */
import { Messages } from '@salesforce/core';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { uninstall, uninstallExitCode, type UninstallResult, type UninstallStep } from '../../uninstall/uninstall.js';
import { assertApiVersion } from '../../salesforce/api-version.js';
import { exitOnInterrupt } from '../../cli/interrupt.js';
import { exitCodesHelp, setExitCode } from '../../exit-codes.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-instruqt', 'instruqt.uninstall');

export type UninstallCommandResult = UninstallResult;

export default class Uninstall extends SfCommand<UninstallCommandResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly errorCodes = exitCodesHelp('uninstall');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    username: Flags.string({ summary: messages.getMessage('flags.username.summary') }),
    purge: Flags.boolean({ summary: messages.getMessage('flags.purge.summary') }),
    'dry-run': Flags.boolean({ summary: messages.getMessage('flags.dry-run.summary') }),
    'no-prompt': Flags.boolean({ summary: messages.getMessage('flags.no-prompt.summary') }),
  };

  public async run(): Promise<UninstallCommandResult> {
    const { flags } = await this.parse(Uninstall);
    const org = flags['target-org'];
    await assertApiVersion(org.getConnection(flags['api-version']), flags['api-version']);
    const interactive = !this.jsonEnabled() && process.stdin.isTTY;
    // Uninstall applies only what is still there: after Ctrl-C the same command finishes it.
    const restoreSignals = exitOnInterrupt({ json: this.jsonEnabled(), message: messages.getMessage('error.Interrupted') });
    const result = await uninstall(org.getConnection(flags['api-version']), {
      username: flags.username,
      runningUsername: org.getUsername(),
      purge: flags.purge,
      dryRun: flags['dry-run'],
      confirm: async (steps) => {
        this.showPlan(steps);
        // Deleting the objects deletes their records: never without a yes, or --no-prompt in a pipeline.
        if (!flags.purge || flags['no-prompt']) return true;
        if (!interactive) throw messages.createError('error.PurgeNeedsConfirmation');
        return this.confirm({ message: messages.getMessage('confirm.purge', [org.getUsername() ?? '']) });
      },
      onStep: (step) => this.log(messages.getMessage(`step.${step.status}`, [this.describe(step), step.error ?? ''])),
    });
    restoreSignals();
    if (result.dryRun) this.showPlan(result.steps);
    for (const kept of result.kept) this.log(messages.getMessage('kept', [kept]));
    if (result.steps.length === 0) this.log(messages.getMessage('result.nothing'));
    else if (result.dryRun) this.log(messages.getMessage('result.dry-run', [result.steps.length]));
    else if (result.steps.every((s) => s.status === 'skipped')) this.log(messages.getMessage('result.cancelled'));
    else if (uninstallExitCode(result) === 0) this.logSuccess(messages.getMessage('result.done', [result.apiCalls]));
    setExitCode(uninstallExitCode(result));
    return result;
  }

  private showPlan(steps: UninstallStep[]): void {
    this.styledHeader(messages.getMessage('plan.heading', [steps.length]));
    for (const step of steps) this.log(`  - ${this.describe(step)}`);
  }

  private describe(step: UninstallStep): string {
    return messages.getMessage(`action.${step.action}`, [step.target, step.reason ?? '']);
  }
}
