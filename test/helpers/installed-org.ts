/*
 * In-process fixture for the install-extras, doctor and uninstall tests: a local org with the integration installed by the real install library,
 * a Connection as its admin, and helpers to read the org's records directly.
 */
import { AuthInfo, Connection } from '@salesforce/core';
import { startLocalOrg } from '../../emulator/index.js';
import type { LocalOrgOptions, SRecord } from '../../emulator/core/types.js';
import { install } from '../../src/install/install.js';
import { SalesforceClient } from '../../src/salesforce/client.js';

export type LocalOrg = Awaited<ReturnType<typeof startLocalOrg>>;
export type Installed = { local: LocalOrg; conn: Connection; client: SalesforceClient; user: SRecord };

/** A Connection as any user of the local org, from an access token (as the sf CLI hands commands one). */
export async function connectAs(local: LocalOrg, token = local.adminToken): Promise<Connection> {
  const authInfo = await AuthInfo.create({
    accessTokenOptions: { accessToken: token, instanceUrl: local.instanceUrl, loginUrl: local.instanceUrl },
  });
  const conn = await Connection.create({ authInfo });
  conn.setApiVersion('65.0');
  return conn;
}

export async function startOrg(options: LocalOrgOptions = {}): Promise<{ local: LocalOrg; conn: Connection; client: SalesforceClient }> {
  const local = await startLocalOrg(options);
  const conn = await connectAs(local);
  return { local, conn, client: new SalesforceClient(conn, { baseDelayMs: 5 }) };
}

export async function startInstalled(options: LocalOrgOptions = {}): Promise<Installed> {
  const started = await startOrg(options);
  const result = await install(started.conn, {
    dryRun: false,
    waitMinutes: 1,
    keepInstallPermissions: false,
    noPrompt: true,
    targetOrg: 'acme',
    deployPollMs: 20,
    waitPollMs: 20,
  });
  if (!result.success) throw new Error(`install failed: ${JSON.stringify(result.error ?? result.stages)}`);
  return { ...started, user: integrationUser(started.local) };
}

export function integrationUser(local: LocalOrg): SRecord {
  const user = local.org.query('User', (u) => String(u.Username).startsWith('instruqt.integration.'))[0];
  if (!user) throw new Error('no integration user');
  return user;
}

export const same = (a: unknown, b: unknown): boolean =>
  typeof a === 'string' && typeof b === 'string' && a.slice(0, 15) === b.slice(0, 15);

export function permissionSet(local: LocalOrg, name: string): SRecord {
  return local.org.query('PermissionSet', (p) => p.Name === name)[0];
}
