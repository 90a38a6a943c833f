/*
 * The Metadata API calls of the lifecycle features: deploy a set of metadata-format files (zip built here), destructive
 * deploys, retrieve of named components, and listMetadata. Protocol details (zip layout, package.xml, polling) live here
 * so that related lists, viewers, the Connected App and uninstall only deal with file contents.
 */
import type { Connection } from '@salesforce/core';
import JSZip from 'jszip';

/** Zip path (metadata format, e.g. 'layouts/Lead-Lead Layout.layout') -> file content. */
export type MetadataFiles = Map<string, string>;
type RetrievePackage = NonNullable<Parameters<Connection['metadata']['retrieve']>[0]['unpackaged']>;
export type MetadataMembers = Array<{ type: string; members: string[] }>;

export type ComponentFailure = { componentType: string; fullName: string; problem: string; problemType?: string };
export type DeployOutcome = { id: string; success: boolean; status: string; failures: ComponentFailure[] };

export type PollOptions = {
  /** Longest wait between two status checks (Salesforce asks for a few seconds). */
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

const METADATA_NS = 'http://soap.sforce.com/2006/04/metadata';

export function packageXml(types: MetadataMembers, version: string): string {
  const body = types
    .filter((t) => t.members.length > 0)
    .map(
      (t) =>
        `    <types>\n${t.members.map((m) => `        <members>${escapeXml(m)}</members>\n`).join('')}        <name>${
          t.type
        }</name>\n    </types>\n`
    )
    .join('');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Package xmlns="${METADATA_NS}">\n${body}    <version>${version}</version>\n</Package>\n`;
}

export function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Deploy files (plus the package.xml describing them); rollbackOnError so a failure leaves the org unchanged. */
export async function deployFiles(
  conn: Connection,
  files: MetadataFiles,
  members: MetadataMembers,
  options: PollOptions & { checkOnly?: boolean } = {}
): Promise<DeployOutcome> {
  const zip = new JSZip();
  zip.file('package.xml', packageXml(members, conn.getApiVersion()));
  for (const [path, content] of files) zip.file(path, content);
  return runDeploy(conn, await zip.generateAsync({ type: 'nodebuffer' }), options);
}

/**
 * Delete components through a destructive deploy: an empty package.xml plus destructiveChanges.xml (Metadata API
 * "Deleting Components from an Organization"). Components that are already gone are not listed by the caller.
 */
export async function deleteComponents(
  conn: Connection,
  members: MetadataMembers,
  options: PollOptions & { checkOnly?: boolean } = {}
): Promise<DeployOutcome> {
  const version = conn.getApiVersion();
  const zip = new JSZip();
  zip.file('package.xml', packageXml([], version));
  zip.file('destructiveChanges.xml', packageXml(members, version));
  return runDeploy(conn, await zip.generateAsync({ type: 'nodebuffer' }), options);
}

/** Retrieve named components; answers their files by zip path (package.xml left out). */
export async function retrieveFiles(
  conn: Connection,
  members: MetadataMembers,
  options: PollOptions = {}
): Promise<MetadataFiles> {
  const version = conn.getApiVersion();
  // jsforce types `unpackaged` as a full Package; a retrieve request only needs types and version.
  const unpackaged = { types: members.map((m) => ({ name: m.type, members: m.members })), version } as unknown as RetrievePackage;
  const started = (await conn.metadata.retrieve({ apiVersion: Number(version), singlePackage: true, unpackaged })) as {
    id: string;
  };
  const result = await poll(options, async () => {
    const status = (await conn.metadata.checkRetrieveStatus(started.id)) as unknown as Record<string, unknown>;
    return isTrue(status.done) ? status : undefined;
  });
  if (String(result.status) === 'Failed') {
    throw new MetadataError(`Retrieve failed: ${String(result.errorMessage ?? result.errorStatusCode ?? '')}`);
  }
  const files: MetadataFiles = new Map();
  if (typeof result.zipFile !== 'string' || result.zipFile === '') return files;
  const zip = await JSZip.loadAsync(Buffer.from(result.zipFile, 'base64'));
  for (const [path, entry] of Object.entries(zip.files)) {
    if (entry.dir) continue;
    // Retrieves without singlePackage put everything under unpackaged/: accept both layouts.
    const relative = path.replace(/^unpackaged\//, '');
    if (relative === 'package.xml') continue;
    // eslint-disable-next-line no-await-in-loop
    files.set(relative, await entry.async('string'));
  }
  return files;
}

/** Full names of the components of one type (listMetadata). */
export async function listComponents(conn: Connection, type: string): Promise<string[]> {
  const result = await conn.metadata.list({ type }, conn.getApiVersion());
  const list = Array.isArray(result) ? result : result ? [result] : [];
  return list.map((r) => r.fullName);
}

async function runDeploy(
  conn: Connection,
  zip: Buffer,
  options: PollOptions & { checkOnly?: boolean }
): Promise<DeployOutcome> {
  const started = (await conn.metadata.deploy(zip, {
    singlePackage: true,
    rollbackOnError: true,
    checkOnly: options.checkOnly ?? false,
  })) as { id: string };
  const result = await poll(options, async () => {
    const status = (await conn.metadata.checkDeployStatus(started.id, true)) as unknown as Record<string, unknown>;
    return isTrue(status.done) ? status : undefined;
  });
  const details = (result.details ?? {}) as Record<string, unknown>;
  const failures = asArray(details.componentFailures).map((f) => {
    const failure = f as Record<string, unknown>;
    return {
      componentType: String(failure.componentType ?? ''),
      fullName: String(failure.fullName ?? ''),
      problem: String(failure.problem ?? ''),
      problemType: failure.problemType === undefined ? undefined : String(failure.problemType),
    };
  });
  const status = String(result.status ?? '');
  return { id: started.id, success: isTrue(result.success) && status === 'Succeeded', status, failures };
}

/** Status checks with backoff: quick first checks, then at most every maxPollMs (2 s by default). */
async function poll<T>(options: PollOptions, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10 * 60_000);
  const maxDelay = options.maxPollMs ?? 2000;
  let delay = Math.min(100, maxDelay);
  for (;;) {
    // eslint-disable-next-line no-await-in-loop
    await new Promise((resolve) => setTimeout(resolve, delay));
    // eslint-disable-next-line no-await-in-loop
    const done = await check();
    if (done !== undefined) return done;
    if (Date.now() > deadline) throw new MetadataError('The Metadata API operation did not finish in time.');
    delay = Math.min(delay * 2, maxDelay);
  }
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
