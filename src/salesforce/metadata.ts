/*
 * The Metadata API calls of install's opt-in steps and uninstall, all through @salesforce/source-deploy-retrieve (as install's
 * footprint deploy): deploy a set of metadata-format files, destructive deploys, retrieve of named components, and
 * listMetadata. SDR writes the package.xml, zips, and polls; callers here only deal with file contents.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import type { Connection } from '@salesforce/core';
import {
  ComponentSet,
  DestructiveChangesType,
  MetadataApiDeploy,
  RegistryAccess,
  type DeployMessage,
} from '@salesforce/source-deploy-retrieve';

/** The polling phases: (interval in ms, length in s), the last one until the timeout. */
export function pollPhases(timeoutMs: number, fixedIntervalMs?: number): Array<{ intervalMs: number; seconds: number }> {
  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
  if (fixedIntervalMs !== undefined || seconds <= QUICK_PHASE_S) return [{ intervalMs: fixedIntervalMs ?? QUICK_POLL_MS, seconds }];
  return [
    { intervalMs: QUICK_POLL_MS, seconds: QUICK_PHASE_S },
    { intervalMs: STEADY_POLL_MS, seconds: seconds - QUICK_PHASE_S },
  ];
}

const QUICK_POLL_MS = 500;
const QUICK_PHASE_S = 2;
const STEADY_POLL_MS = 2000;

/** Path in metadata format (e.g. 'layouts/Lead-Lead Layout.layout') -> file content. */
export type MetadataFiles = Map<string, string>;
export type MetadataMembers = Array<{ type: string; members: string[] }>;

export type ComponentFailure = { componentType: string; fullName: string; problem: string; problemType?: string };
export type DeployOutcome = { id: string; success: boolean; status: string; failures: ComponentFailure[] };

export type PollOptions = {
  /** Time between two status checks (Salesforce asks for a few seconds; each check is an API call). */
  maxPollMs?: number;
  /** Give up after this long. */
  timeoutMs?: number;
};

export class MetadataError extends Error {
  public constructor(message: string, public readonly failures: ComponentFailure[] = []) {
    super(message);
    this.name = 'MetadataError';
  }
}

export function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const registry = new RegistryAccess();

function componentSet(conn: Connection, members: MetadataMembers, deletion?: DestructiveChangesType): ComponentSet {
  const set = new ComponentSet(undefined, registry);
  set.apiVersion = conn.getApiVersion();
  for (const m of members) {
    const type = registry.getTypeByName(m.type);
    for (const fullName of m.members) set.add({ fullName, type }, deletion);
  }
  return set;
}

async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'instruqt-md-'));
  try {
    return await fn(dir);
  } finally {
    // Retrieved files may hold OAuth consumer secrets: nothing stays on disk.
    await rm(dir, { recursive: true, force: true });
  }
}

/** Deploy files in metadata format; SDR writes the package.xml. rollbackOnError so a failure leaves the org unchanged. */
export async function deployFiles(
  conn: Connection,
  files: MetadataFiles,
  members: MetadataMembers,
  options: PollOptions & { checkOnly?: boolean } = {}
): Promise<DeployOutcome> {
  return withTempDir(async (dir) => {
    await writeFile(join(dir, 'package.xml'), await componentSet(conn, members).getPackageXml());
    for (const [path, content] of files) {
      // eslint-disable-next-line no-await-in-loop
      await mkdir(dirname(join(dir, path)), { recursive: true });
      // eslint-disable-next-line no-await-in-loop
      await writeFile(join(dir, path), content);
    }
    return runDeploy(conn, dir, options);
  });
}

/**
 * Delete components through a destructive deploy: an empty package.xml plus destructiveChanges.xml (Metadata API
 * "Deleting Components from an Organization"), both written by SDR. Callers list only components still there.
 */
export async function deleteComponents(
  conn: Connection,
  members: MetadataMembers,
  options: PollOptions & { checkOnly?: boolean } = {}
): Promise<DeployOutcome> {
  return withTempDir(async (dir) => {
    const set = componentSet(conn, members.filter((m) => m.members.length > 0), DestructiveChangesType.POST);
    await writeFile(join(dir, 'package.xml'), await componentSet(conn, []).getPackageXml());
    await writeFile(join(dir, 'destructiveChanges.xml'), await set.getPackageXml(4, DestructiveChangesType.POST));
    return runDeploy(conn, dir, options);
  });
}

/** Retrieve named components in metadata format; answers their files by path (package.xml left out). */
export async function retrieveFiles(
  conn: Connection,
  members: MetadataMembers,
  options: PollOptions = {}
): Promise<MetadataFiles> {
  return withTempDir(async (dir) => {
    const retrieve = await componentSet(conn, members).retrieve({
      usernameOrConnection: conn,
      output: dir,
      format: 'metadata',
      singlePackage: true,
      unzip: true,
      zipFileName: 'unpackaged.zip',
    });
    const result = await inPhases(options, (ms, s) => retrieve.pollStatus(ms, s));
    const response = result.response as typeof result.response & { errorMessage?: string; errorStatusCode?: string };
    if (String(response.status) === 'Failed') {
      throw new MetadataError(`Retrieve failed: ${String(response.errorMessage ?? response.errorStatusCode ?? '')}`);
    }
    const root = join(dir, 'unpackaged');
    const files: MetadataFiles = new Map();
    for (const path of await listFiles(root)) {
      const name = relative(root, path).split(sep).join('/');
      if (name === 'package.xml') continue;
      // eslint-disable-next-line no-await-in-loop
      files.set(name, await readFile(path, 'utf8'));
    }
    return files;
  });
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const nested = await Promise.all(
    entries.map((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : Promise.resolve([join(dir, e.name)])))
  );
  return nested.flat();
}

/** Full names of the components of one type (listMetadata). */
export async function listComponents(conn: Connection, type: string): Promise<string[]> {
  const result = await conn.metadata.list({ type }, conn.getApiVersion());
  const list = Array.isArray(result) ? result : result ? [result] : [];
  return list.map((r) => r.fullName);
}

const isTimeout = (error: unknown): boolean => error instanceof Error && /timed? ?out/i.test(`${error.name} ${error.message}`);

/**
 * Polls as install's footprint deploy does (every 500 ms for 2 s, then every 2 s; `maxPollMs` fixes the interval): the
 * operation goes on in the org when a phase times out, so the next phase polls the same id.
 */
async function inPhases<T>(options: PollOptions, poll: (intervalMs: number, seconds: number) => Promise<T>): Promise<T> {
  const phases = pollPhases(options.timeoutMs ?? 10 * 60_000, options.maxPollMs);
  for (const [index, phase] of phases.entries()) {
    try {
      // eslint-disable-next-line no-await-in-loop
      return await poll(phase.intervalMs, phase.seconds);
    } catch (error) {
      if (isTimeout(error) && index < phases.length - 1) continue;
      if (isTimeout(error)) throw new MetadataError('The Metadata API operation did not finish in time.');
      throw error;
    }
  }
  throw new MetadataError('The Metadata API operation did not finish in time.');
}

async function runDeploy(conn: Connection, dir: string, options: PollOptions & { checkOnly?: boolean }): Promise<DeployOutcome> {
  const deploy = new MetadataApiDeploy({
    usernameOrConnection: conn,
    mdapiPath: dir,
    apiOptions: { singlePackage: true, rollbackOnError: true, checkOnly: options.checkOnly ?? false },
  });
  await deploy.start();
  const result = await inPhases(options, (ms, seconds) => deploy.pollStatus(ms, seconds));
  const response = result.response;
  const failures = asArray<DeployMessage>(response.details?.componentFailures).map((f) => ({
    componentType: String(f.componentType ?? ''),
    fullName: String(f.fullName ?? ''),
    problem: String(f.problem ?? ''),
    problemType: f.problemType === undefined ? undefined : String(f.problemType),
  }));
  const status = String(response.status ?? '');
  return { id: response.id, success: isTrue(response.success) && status === 'Succeeded', status, failures };
}

/** Over SOAP booleans arrive as strings and a single item is not an array (salesforce-reference.md). */
export function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

export function asArray<T>(value: T | T[] | undefined | null): T[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

export function describeFailures(failures: ComponentFailure[]): string {
  return failures.map((f) => `${f.componentType} ${f.fullName}: ${f.problem}`).join('; ');
}
