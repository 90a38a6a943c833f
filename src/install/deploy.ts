/*
 * Stage 2: deploy force-app through the Metadata API with @salesforce/source-deploy-retrieve, exactly what
 * `sf project deploy start -d force-app` sends. rollbackOnError keeps the org unchanged when any component fails;
 * checkOnly validates for --dry-run. Each status poll is an API call: polled every 500 ms for the first 2 s (a small
 * deploy or a check-only validation is often done by then), then every 2 s.
 */
import type { Connection } from '@salesforce/core';
import { ComponentSet, type DeployMessage } from '@salesforce/source-deploy-retrieve';
import { pollPhases } from '../salesforce/metadata.js';
import { installError } from './messages.js';
import type { ComponentFailure, DeployOutcome } from './types.js';

export type DeployOptions = {
  dir: string;
  checkOnly: boolean;
  /** A fixed interval instead of the default 500 ms for 2 s, then 2 s. */
  pollIntervalMs?: number;
  timeoutMs?: number;
  /** The running admin, named when the Metadata API is refused for lack of Modify Metadata. */
  adminUsername: string;
};

export type DeployResultWithIds = DeployOutcome & {
  /** Ids of deployed components by 'Type:fullName' (PermissionSet:Instruqt_Integration -> 0PS...). */
  componentIds: Record<string, string>;
};

const isTimeout = (error: unknown): boolean => error instanceof Error && /timed? ?out/i.test(`${error.name} ${error.message}`);

export async function deployFootprint(connection: Connection, options: DeployOptions): Promise<DeployResultWithIds> {
  const components = ComponentSet.fromSource(options.dir);
  let polls = 0;
  let lastStatus = 'Queued';
  let deploy;
  try {
    deploy = await components.deploy({
      usernameOrConnection: connection,
      apiOptions: { checkOnly: options.checkOnly, rollbackOnError: true, singlePackage: true },
    });
  } catch (error) {
    throw metadataRefusal(error, options.adminUsername);
  }
  deploy.onUpdate((status) => {
    polls++;
    lastStatus = String(status.status);
  });
  let result;
  const phases = pollPhases(options.timeoutMs ?? 30 * 60_000, options.pollIntervalMs);
  for (const [index, phase] of phases.entries()) {
    try {
      // (frequency in ms, timeout in s): the numeric overload, so no Duration type is needed here.
      result = await deploy.pollStatus(phase.intervalMs, phase.seconds);
      break;
    } catch (error) {
      // The deploy goes on in the org when a phase times out: the next phase polls the same deploy id.
      if (isTimeout(error) && index < phases.length - 1) continue;
      if (isTimeout(error)) throw installError('DeployTimeout', [deploy.id ?? '', lastStatus], [], error);
      throw metadataRefusal(error, options.adminUsername);
    }
  }
  if (!result) throw installError('DeployTimeout', [deploy.id ?? '', lastStatus]);
  const response = result.response;
  const details = response.details ?? {};
  const failures = asArray(details.componentFailures).map(toFailure);
  const componentIds: Record<string, string> = {};
  for (const s of asArray(details.componentSuccesses)) {
    if (s.id && s.componentType) componentIds[`${s.componentType}:${s.fullName}`] = s.id;
  }
  const success = String(response.success) === 'true' && failures.length === 0;
  return {
    id: response.id,
    checkOnly: options.checkOnly,
    success,
    status: String(response.status),
    componentsDeployed: Number(response.numberComponentsDeployed ?? 0),
    componentsTotal: Number(response.numberComponentsTotal ?? 0),
    failures,
    polls: Math.max(polls, 1),
    componentIds,
  };
}

/** The failures as the lines of the DeployFailed message. */
export function formatFailures(failures: ComponentFailure[]): string {
  return failures.map((f) => `  ${f.type} ${f.fullName}: ${f.problem}`).join('\n');
}

/** Over SOAP a single failure arrives as an object, not an array. */
function asArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function toFailure(m: DeployMessage): ComponentFailure {
  return {
    type: String(m.componentType ?? ''),
    fullName: String(m.fullName ?? ''),
    problem: String(m.problem ?? ''),
    problemType: String(m.problemType ?? 'Error'),
    fileName: m.fileName ? String(m.fileName) : undefined,
  };
}

function metadataRefusal(error: unknown, adminUsername: string): Error {
  const text = error instanceof Error ? `${error.name} ${error.message}` : String(error);
  if (/INSUFFICIENT_ACCESS|ModifyMetadata|Modify Metadata/i.test(text)) {
    return installError('MissingModifyMetadata', [adminUsername], [], error);
  }
  if (/API_DISABLED_FOR_ORG|API_CURRENTLY_DISABLED/i.test(text)) return installError('ApiDisabled', [text], [], error);
  return error as Error;
}
