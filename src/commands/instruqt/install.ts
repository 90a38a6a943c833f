/*
 * `sf instruqt install`: parses flags, shows the stages as they run (sf's multi-stage output, silent with --json)
 * and returns the typed result of src/install. Everything else lives in src/install.
 */
import { MultiStageOutput } from '@oclif/multi-stage-output';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages } from '@salesforce/core';
import { install } from '../../install/install.js';
import { STAGES, type InstallResult, type StageName, type StageResult } from '../../install/types.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-instruqt', 'instruqt.install');

export type InstructInstallResult = InstallResult;

type StageData = { plan?: string; stages: Partial<Record<StageName, string>> };

export default class Install extends SfCommand<InstallResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');

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
  };

  public async run(): Promise<InstallResult> {
    const { flags } = await this.parse(Install);
    const org = flags['target-org'];
    const targetOrg = org.getUsername() ?? '';
    const title = (name: StageName): string => messages.getMessage(`stage.${name}`);
    const mso = new MultiStageOutput<StageData>({
      stages: STAGES.map(title),
      title: messages.getMessage(flags['dry-run'] ? 'title.dry-run' : 'title', [targetOrg]),
      jsonEnabled: this.jsonEnabled(),
      data: { stages: {} },
      preStagesBlock: [{ type: 'message', get: (data) => data?.plan }],
      stageSpecificBlock: STAGES.map((name) => ({
        stage: title(name),
        type: 'message' as const,
        get: (data?: StageData) => data?.stages[name],
      })),
    });
    const data: StageData = { stages: {} };
    const finished = (stage: StageResult): void => {
      const lines = stage.changes.length ? stage.changes : [messages.getMessage('status.unchanged')];
      data.stages[stage.name] = stage.message ?? lines.join('\n');
      mso.updateData(data);
    };

    try {
      const result = await install(org.getConnection(flags['api-version']), {
        dryRun: flags['dry-run'],
        username: flags.username,
        email: flags.email,
        profile: flags.profile,
        waitMinutes: flags.wait.minutes,
        keepInstallPermissions: flags['keep-install-permissions'],
        noPrompt: flags['no-prompt'],
        targetOrg,
        confirm:
          this.jsonEnabled() || !process.stdin.isTTY ? undefined : (message: string): Promise<boolean> => this.confirm({ message }),
        progress: {
          stageStarted: (name) => mso.goto(title(name), data),
          stageFinished: finished,
          planReady: (_plan, lines) => {
            data.plan = lines.join('\n');
            mso.updateData(data);
          },
        },
      });
      mso.stop();
      this.report(result);
      return result;
    } catch (error) {
      mso.error();
      throw error;
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
