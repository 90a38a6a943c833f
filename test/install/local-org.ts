/*
 * In-process fixture for install tests: a local org and an @salesforce/core Connection logged in as its admin
 * (the same Connection type the sf CLI hands the command), without going through the CLI.
 */
import { AuthInfo, Connection } from '@salesforce/core';
import { startLocalOrg } from '../../emulator/index.js';
import type { LocalOrgOptions } from '../../emulator/core/types.js';

export type LocalOrg = Awaited<ReturnType<typeof startLocalOrg>>;

/** Deploy and wait polling for install() against the local org: fast, so tests do not sleep 2 s per poll. */
export const FAST_POLLING = { deployPollMs: 50, waitPollMs: 100 } as const;

export async function connectAs(local: LocalOrg, token = local.adminToken): Promise<Connection> {
  const authInfo = await AuthInfo.create({
    accessTokenOptions: { accessToken: token, instanceUrl: local.instanceUrl, loginUrl: local.instanceUrl },
  });
  return Connection.create({ authInfo });
}

export async function startOrg(options: LocalOrgOptions = {}): Promise<{ local: LocalOrg; connection: Connection }> {
  const local = await startLocalOrg(options);
  return { local, connection: await connectAs(local) };
}
