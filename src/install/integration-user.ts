/*
 * The integration user. Install (stage 3) derives a default username that is unique across all Salesforce orgs,
 * creates the user (Salesforce Integration licence, API-only profile) or reactivates it, and turns Salesforce's
 * refusals into errors an admin can act on. Doctor and uninstall find it and read what it holds: by --username, else
 * as the holder of the Instruqt_Integration permission set, else by the seed's name "Instruqt Integration" (an
 * uninstalled user keeps its name but no longer holds the set).
 */
import type { SalesforceClient } from '../salesforce/client.js';
import { SalesforceApiError } from '../salesforce/errors.js';
import { soqlIn, soqlLiteral } from '../salesforce/soql.js';
import { INTEGRATION_PERMISSION_SET, INTEGRATION_PSL_LABEL, INTEGRATION_PSL_NAME } from '../footprint/vocabulary.js';
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

export type IntegrationUser = {
  id: string;
  username: string;
  isActive: boolean;
  profileId?: string;
  profileName?: string;
  /** How it was found, shown when several candidates exist. */
  foundBy: 'username' | 'permission set' | 'name';
};

export type Assignment = { id: string; permissionSetId: string; name: string; isOwnedByProfile: boolean };

type UserRow = { Id: string; Username: string; IsActive: boolean; ProfileId?: string; Profile?: { Name?: string } | null };

const USER_FIELDS = 'Id, Username, IsActive, ProfileId, Profile.Name';

function toUser(row: UserRow, foundBy: IntegrationUser['foundBy']): IntegrationUser {
  return {
    id: row.Id,
    username: row.Username,
    isActive: row.IsActive,
    profileId: row.ProfileId,
    profileName: row.Profile?.Name ?? undefined,
    foundBy,
  };
}

/** The integration user, or undefined when none can be found (not installed, or already removed). */
export async function findIntegrationUser(
  client: SalesforceClient,
  username?: string
): Promise<IntegrationUser | undefined> {
  if (username) {
    const rows = await client.query<UserRow>(
      `SELECT ${USER_FIELDS} FROM User WHERE Username = ${soqlLiteral(username)}`
    );
    return rows[0] ? toUser(rows[0], 'username') : undefined;
  }
  const holders = await client.query<{ AssigneeId: string }>(
    `SELECT AssigneeId FROM PermissionSetAssignment WHERE PermissionSet.Name = ${soqlLiteral(INTEGRATION_PERMISSION_SET)}`
  );
  if (holders.length > 0) {
    const rows = await client.query<UserRow>(
      `SELECT ${USER_FIELDS} FROM User WHERE Id IN ${soqlIn(holders.map((h) => h.AssigneeId))} ORDER BY CreatedDate`
    );
    // Prefer an active holder: an old deactivated integration user may still hold the set.
    const row = rows.find((r) => r.IsActive) ?? rows[0];
    if (row) return toUser(row, 'permission set');
  }
  const byName = await client.query<UserRow>(
    `SELECT ${USER_FIELDS} FROM User WHERE FirstName = 'Instruqt' AND LastName = 'Integration' ORDER BY CreatedDate`
  );
  const row = byName.find((r) => r.IsActive) ?? byName[0];
  return row ? toUser(row, 'name') : undefined;
}

/** Every permission set the user holds, its profile's own set included (IsOwnedByProfile). */
export async function assignmentsOf(client: SalesforceClient, userId: string): Promise<Assignment[]> {
  const rows = await client.query<{
    Id: string;
    PermissionSetId: string;
    PermissionSet?: { Name?: string; IsOwnedByProfile?: boolean } | null;
  }>(
    `SELECT Id, PermissionSetId, PermissionSet.Name, PermissionSet.IsOwnedByProfile FROM PermissionSetAssignment WHERE AssigneeId = ${soqlLiteral(
      userId
    )}`
  );
  return rows.map((r) => ({
    id: r.Id,
    permissionSetId: r.PermissionSetId,
    name: r.PermissionSet?.Name ?? '',
    isOwnedByProfile: r.PermissionSet?.IsOwnedByProfile === true,
  }));
}

export type LicenceState = {
  licence?: { id: string; label: string; total?: number; used?: number };
  assignmentId?: string;
};

/** The integration permission set licence and, when assigned, the user's assignment of it. */
export async function integrationLicenceOf(client: SalesforceClient, userId: string): Promise<LicenceState> {
  const licences = await client.query<{ Id: string; MasterLabel: string; TotalLicenses?: number; UsedLicenses?: number }>(
    `SELECT Id, MasterLabel, TotalLicenses, UsedLicenses FROM PermissionSetLicense WHERE MasterLabel = ${soqlLiteral(
      INTEGRATION_PSL_LABEL
    )} OR DeveloperName = ${soqlLiteral(INTEGRATION_PSL_NAME)}`
  );
  const psl = licences[0];
  if (!psl) return {};
  const assigned = await client.query<{ Id: string }>(
    `SELECT Id FROM PermissionSetLicenseAssign WHERE AssigneeId = ${soqlLiteral(userId)} AND PermissionSetLicenseId = ${soqlLiteral(
      psl.Id
    )}`
  );
  return {
    licence: { id: psl.Id, label: psl.MasterLabel, total: psl.TotalLicenses, used: psl.UsedLicenses },
    assignmentId: assigned[0]?.Id,
  };
}

/** Id of a permission set by API name, or undefined when it is not in the org. */
export async function permissionSetId(client: SalesforceClient, name: string): Promise<string | undefined> {
  const rows = await client.query<{ Id: string }>(`SELECT Id FROM PermissionSet WHERE Name = ${soqlLiteral(name)}`);
  return rows[0]?.Id;
}
