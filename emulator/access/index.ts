/*
 * The access module: makes every API request run as its token's user. Installs OrgAccessPolicy as org.access and
 * the setup-object rules (assignments, licences, usernames, permission dependencies) as triggers.
 */
import type { EmulatorModule, OrgApi } from '../core/types.js';
import { OrgAccessPolicy } from './policy.js';
import { registerSetupRules } from './setup-rules.js';

const policies = new WeakMap<OrgApi, OrgAccessPolicy>();

/** The org's access policy (for other modules that need effective permissions, e.g. tests and the Metadata API). */
export function accessPolicyOf(org: OrgApi): OrgAccessPolicy | undefined {
  return policies.get(org);
}

/** Checks, on API writes to `object`, that its lookups point at records the user can read. */
export function registerReferenceChecks(org: OrgApi, object: string): void {
  org.registerTrigger(object, {
    beforeInsert(rec, ctx): void {
      if (ctx.principal) policies.get(org)?.checkReferences(ctx.principal, object, rec);
    },
    beforeUpdate(rec, old, ctx): void {
      if (ctx.principal) policies.get(org)?.checkReferences(ctx.principal, object, rec, (f) => rec[f] !== old[f]);
    },
  });
}

export const accessModule: EmulatorModule = {
  name: 'access',
  install(org) {
    const policy = new OrgAccessPolicy(org);
    policies.set(org, policy);
    // eslint-disable-next-line no-param-reassign -- installing the policy on the org is this module's job
    org.access = policy;
    registerSetupRules(org, () => policy.invalidate());
    for (const def of org.listObjects()) if (!def.setup) registerReferenceChecks(org, def.name);
  },
};
