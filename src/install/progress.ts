/*
 * How the install shows its stages: sf's multi-stage output on a terminal (and in CI, where it prints plain lines
 * itself), one line per stage when output goes to a pipe or file (no redraw frames in logs), nothing with --json.
 */
import { MultiStageOutput } from '@oclif/multi-stage-output';
import type { InstallProgress } from './install.js';
import { messages } from './messages.js';
import { STAGES, type StageName, type StageResult } from './types.js';

export type ProgressView = InstallProgress & { stop(): void; error(): void };

type StageData = { plan?: string; planned?: number; stages: Partial<Record<StageName, string>> };

const title = (name: StageName): string => messages.getMessage(`stage.${name}`);

function stageText(stage: StageResult, planned?: number): string {
  if (stage.message) return stage.message;
  // The plan's lines are shown above the stages already.
  if (stage.name === 'plan') return messages.getMessage('plan.count', [planned ?? 0]);
  return stage.changes.length ? stage.changes.join('\n') : messages.getMessage('status.unchanged');
}

const noop = (): void => {};

const useMultiStage = (): boolean => process.stdout.isTTY === true || Boolean(process.env.CI);

export function progressView(options: { jsonEnabled: boolean; heading: string; log: (line: string) => void }): ProgressView {
  if (options.jsonEnabled) return { stop: noop, error: noop };
  return useMultiStage() ? multiStage(options.heading) : lines(options.heading, options.log);
}

function multiStage(heading: string): ProgressView {
  const data: StageData = { stages: {} };
  const mso = new MultiStageOutput<StageData>({
    stages: STAGES.map(title),
    title: heading,
    jsonEnabled: false,
    data,
    preStagesBlock: [{ type: 'message', get: (d) => d?.plan }],
    stageSpecificBlock: STAGES.map((name) => ({
      stage: title(name),
      type: 'message' as const,
      get: (d?: StageData) => d?.stages[name],
    })),
  });
  return {
    stageStarted: (name): void => mso.goto(title(name), data),
    stageFinished: (stage): void => {
      data.stages[stage.name] = stageText(stage, data.planned);
      mso.updateData(data);
    },
    planReady: (plan, planLines): void => {
      data.planned = plan.changeCount;
      data.plan = planLines.join('\n');
      mso.updateData(data);
    },
    stop: (): void => mso.stop(),
    error: (): void => mso.error(),
  };
}

function lines(heading: string, log: (line: string) => void): ProgressView {
  log(heading);
  let planned: number | undefined;
  return {
    planReady: (plan, planLines): void => {
      planned = plan.changeCount;
      planLines.forEach((l) => log(l));
    },
    stageFinished: (stage): void => {
      const [first, ...rest] = stageText(stage, planned).split('\n');
      log(`[${stage.status}] ${title(stage.name)}: ${first}`);
      rest.forEach((l) => log(`    ${l}`));
    },
    stop: noop,
    error: noop,
  };
}
