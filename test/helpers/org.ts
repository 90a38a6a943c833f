/*
 * End-to-end fixture: a fresh local org per test (or suite), with the real sf CLI logged into it as the admin.
 */
import { randomUUID } from 'node:crypto';
import { startLocalOrg } from '../../emulator/index.js';
import type { LocalOrgOptions } from '../../emulator/core/types.js';
import { SfRunner } from './sf.js';

export type LocalOrg = Awaited<ReturnType<typeof startLocalOrg>>;
export type E2EOrg = { local: LocalOrg; sf: SfRunner; alias: string };

/** Start a local org and log the sf CLI into it as its admin under a unique alias. */
export async function startE2EOrg(options: LocalOrgOptions = {}): Promise<E2EOrg> {
  const sf = SfRunner.get();
  const local = await startLocalOrg(options);
  const alias = `e2e-${randomUUID().slice(0, 8)}`;
  await sf.login(local.instanceUrl, local.adminToken, alias);
  return { local, sf, alias };
}

/** Log the sf CLI in as another user of the same org (e.g. the integration user) under a new alias. */
export async function loginAs(e2e: E2EOrg, userId: string): Promise<string> {
  const alias = `e2e-${randomUUID().slice(0, 8)}`;
  await e2e.sf.login(e2e.local.instanceUrl, e2e.local.tokenFor(userId), alias);
  return alias;
}
