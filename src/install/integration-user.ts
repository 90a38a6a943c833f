/*
 * Stage 3: the integration user. Derives a default username that is unique across all Salesforce orgs, creates the
 * user (Salesforce Integration licence, API-only profile) or reactivates it, and turns Salesforce's refusals into
 * errors an admin can act on.
 */
import type { SalesforceClient } from '../salesforce/client.js';
import { SalesforceApiError } from '../salesforce/errors.js';
import { installError } from './messages.js';
import type { RunningUser, UserPlan } from './types.js';

/**
 * Sandbox name from a sandbox's My Domain URL (https://acme--uat.sandbox.my.salesforce.com -> uat).
 * Salesforce appends it to every username copied into the sandbox.
 */
export function sandboxNameFromUrl(instanceUrl: string): string | undefined {
  const match = /^https?:\/\/[^/]*?--([a-z0-9]+)\.(?:sandbox\.)?my\.salesforce\.com/i.exec(instanceUrl);
  return match ? match[1].toLowerCase() : undefined;
}

/**
 * The default integration username: `instruqt.integration.<org id>@<the running user's domain>`.
 * Usernames are unique across every Salesforce org and case-insensitive, so the 18-character org id (whose suffix
 * encodes the case of the first 15) makes it globally unique; the domain keeps the admin's sandbox suffix
 * (admin@acme.com.uat -> ...@acme.com.uat), and one is added when the org is a sandbox whose name is known.
 * Usernames are at most 80 characters: long domains get a shorter local part, then a domain of its own.
 */
export function defaultUsername(orgId: string, runningUsername: string, sandboxName?: string): string {
  const id = orgId.toLowerCase();
  const suffix = (domain: string): string =>
    sandboxName && !domain.endsWith(`.${sandboxName.toLowerCase()}`) ? `${domain}.${sandboxName.toLowerCase()}` : domain;
  const at = runningUsername.lastIndexOf('@');
  const domain = suffix((at >= 0 ? runningUsername.slice(at + 1) : 'instruqt.integration').toLowerCase());
  const candidates = [`instruqt.integration.${id}@${domain}`, `instruqt.${id}@${domain}`, `instruqt@${suffix(`${id}.integration`)}`];
  return candidates.find((c) => c.length <= MAX_USERNAME) ?? candidates[candidates.length - 1];
}

const MAX_USERNAME = 80;

/** Creates the planned user; returns its id. Locale settings are copied from the running admin. */
export async function createIntegrationUser(client: SalesforceClient, plan: UserPlan, admin: RunningUser): Promise<string> {
  const record = {
    Username: plan.username,
    Email: plan.email,
    FirstName: 'Instruqt',
    LastName: 'Integration',
    Alias: 'instruqt',
    ProfileId: plan.profile?.id,
    TimeZoneSidKey: admin.timeZoneSidKey,
    LocaleSidKey: admin.localeSidKey,
    EmailEncodingKey: admin.emailEncodingKey,
    LanguageLocaleKey: admin.languageLocaleKey,
  };
  try {
    return await client.create('User', record);
  } catch (error) {
    throw userError(error, plan, admin);
  }
}

export async function reactivateIntegrationUser(client: SalesforceClient, plan: UserPlan, admin: RunningUser): Promise<void> {
  try {
    await client.patch('User', plan.id ?? '', { IsActive: true });
  } catch (error) {
    throw userError(error, plan, admin);
  }
}

function userError(error: unknown, plan: UserPlan, admin: RunningUser): Error {
  if (!(error instanceof SalesforceApiError)) return error as Error;
  switch (error.errorCode) {
    case 'DUPLICATE_USERNAME':
      return installError('DuplicateUsername', [plan.username], [], error);
    case 'LICENSE_LIMIT_EXCEEDED':
      return installError('NoFreeIntegrationLicence', ['all', 'all', plan.action === 'create' ? 'created' : 'reactivated'], [], error);
    case 'INSUFFICIENT_ACCESS':
    case 'INSUFFICIENT_ACCESS_OR_READONLY':
      return installError('MissingManageUsers', [admin.username], [], error);
    default:
      return installError('UserCreateFailed', [plan.username, `${error.errorCode}: ${error.message}`], [], error);
  }
}
