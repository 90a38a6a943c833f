/*
 * Stage 2: deploy force-app through the Metadata API with @salesforce/source-deploy-retrieve, exactly what
 * `sf project deploy start -d force-app` sends. rollbackOnError keeps the org unchanged when any component fails;
 * checkOnly validates for --dry-run. Polling is at least every 2 s against a real org (each poll is an API call).
 */
import type { Connection } from '@salesforce/core';
import { ComponentSet, type DeployMessage } from '@salesforce/source-deploy-retrieve';
import { installError } from './messages.js';
import type { ComponentFailure, DeployOutcome } from './types.js';

export type DeployOptions = {
  dir: string;
  checkOnly: boolean;
  /** Default 2000 ms; INSTRUQT_DEPLOY_POLL_MS overrides it (tests use a short interval against the local org). */
  pollIntervalMs?: number;
  timeoutMs?: number;
  /** The running admin, named when the Metadata API is refused for lack of Modify Metadata. */
  adminUsername: string;
};

export type DeployResultWithIds = DeployOutcome & {
  /** Ids of deployed components by 'Type:fullName' (PermissionSet:Instruqt_Integration -> 0PS...). */
  componentIds: Record<string, string>;
};

export function pollIntervalMs(explicit?: number): number {
  const fromEnv = Number(process.env.INSTRUQT_DEPLOY_POLL_MS);
  return explicit ?? (Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 2000);
}

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
  try {
    // (frequency in ms, timeout in s): the numeric overload, so no Duration type is needed here.
    result = await deploy.pollStatus(pollIntervalMs(options.pollIntervalMs), Math.ceil((options.timeoutMs ?? 30 * 60_000) / 1000));
  } catch (error) {
    if (error instanceof Error && /timed? ?out/i.test(`${error.name} ${error.message}`)) {
      throw installError('DeployTimeout', [deploy.id ?? '', lastStatus], [], error);
    }
    throw metadataRefusal(error, options.adminUsername);
  }
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
