/*
 * `--api-version` against what the org serves: GET /services/data lists the versions an org supports (REST API
 * Developer Guide, "Versions"). A version the org does not have otherwise surfaces later as a bare NOT_FOUND
 * ("The requested resource does not exist").
 */
import type { Connection } from '@salesforce/core';
import { Messages, type SfError } from '@salesforce/core';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-instruqt', 'instruqt.common');

/** The versions the org serves, oldest first ("31.0", ..., "65.0"). */
export async function supportedVersions(conn: Connection): Promise<string[]> {
  const list = await conn.request<Array<{ version: string }>>(`${conn.instanceUrl}/services/data`);
  return (Array.isArray(list) ? list : []).map((v) => v.version).sort((a, b) => Number(a) - Number(b));
}

/** Throws an error naming --api-version and the supported range when the org does not serve `requested`. */
export async function assertApiVersion(conn: Connection, requested: string | undefined): Promise<void> {
  if (!requested) return;
  const versions = await supportedVersions(conn);
  if (versions.length === 0 || versions.includes(requested)) return;
  const error: SfError = messages.createError(
    'error.UnsupportedApiVersion',
    [requested, versions[0], versions[versions.length - 1]],
    [versions[versions.length - 1]]
  );
  throw error;
}
