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

export const accessModule: EmulatorModule = {
  name: 'access',
  install(org) {
    const policy = new OrgAccessPolicy(org);
    policies.set(org, policy);
    // eslint-disable-next-line no-param-reassign -- installing the policy on the org is this module's job
    org.access = policy;
    registerSetupRules(org, () => policy.invalidate());
  },
};
