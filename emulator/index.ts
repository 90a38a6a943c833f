/*
 * Starts a local org: an Org seeded like a fresh Salesforce org, the REST data API, every feature module of
 * emulator/modules.ts, and an HTTP server on 127.0.0.1. Tests and the `npm run org` command use this one entry point.
 */
import { Org } from './core/org.js';
import { SalesforceError, type FaultRule, type LocalOrgOptions, type OrgApi, type Router } from './core/types.js';
import { HttpRouter } from './http/router.js';
import { LocalOrgServer } from './http/server.js';
import { validateFaults, type FaultSettings } from './http/chaos.js';
import { modules } from './modules.js';
import { installRest } from './rest/index.js';
import { seed } from './seed.js';

export type LocalOrg = {
  instanceUrl: string;
  orgId: string;
  adminUsername: string;
  adminUserId: string;
  adminToken: string;
  org: OrgApi;
  /** The routing table, for tests that add a route or SOAP operation of their own. */
  router: Router;
  /** A new access token for any user of the org (as `sf org login access-token` would use). */
  tokenFor(userId: string): string;
  /** API calls made today by one user, or by everyone. */
  apiCalls(userId?: string): number;
  resetApiCalls(): void;
  injectFault(rule: FaultRule): void;
  clearFaults(): void;
  /** Faults on demand by probability, as `PUT /local/faults` sets them (`{}` switches them off). */
  setFaults(settings: FaultSettings): void;
  stop(): Promise<void>;
};

export async function startLocalOrg(options: LocalOrgOptions = {}): Promise<LocalOrg> {
  const org = new Org(options);
  const seeded = seed(org);
  const router = new HttpRouter(org);
  const server = new LocalOrgServer(org, router);
  installRest(router, server.meter);
  if (options.faults) server.chaos.set(validateFaults(options.faults));
  router.add(
    'PUT',
    '/local/faults',
    (ctx) => {
      // Only the org's administrator (the token `npm run org` prints) may switch faults.
      if (ctx.principal?.userId !== seeded.adminUserId) {
        throw new SalesforceError('INSUFFICIENT_ACCESS', 'Only the administrator can set faults', [], 403);
      }
      server.chaos.set(validateFaults(ctx.body.length ? ctx.json() : {}));
      return { status: 200, body: server.chaos.current };
    },
    { countsAsApiCall: false }
  );
  for (const module of modules) module.install(org, router);
  const address = await server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    instanceUrl: `http://${host}:${address.port}`,
    orgId: org.orgId,
    adminUsername: seeded.adminUsername,
    adminUserId: seeded.adminUserId,
    adminToken: org.issueToken(seeded.adminUserId),
    org,
    router,
    tokenFor: (userId) => org.issueToken(userId),
    apiCalls: (userId) => server.meter.used(userId),
    resetApiCalls: () => server.meter.reset(),
    injectFault: (rule) => server.faults.add(rule),
    clearFaults: () => server.faults.clear(),
    setFaults: (settings) => server.chaos.set(validateFaults(settings)),
    stop: () => server.close(),
  };
}
