/*
 * Finding the integration user and what it holds (permission set and licence assignments), for doctor and uninstall.
 * Found by --username, else as the holder of the Instruqt_Integration permission set, else by the seed's name
 * "Instruqt Integration" (an uninstalled user keeps its name but no longer holds the set).
 */
import type { SalesforceClient } from '../salesforce/client.js';
import { soqlIn, soqlLiteral } from '../salesforce/soql.js';

export const INTEGRATION_PERMISSION_SET = 'Instruqt_Integration';
export const VIEWER_PERMISSION_SET = 'Instruqt_Viewer';
/** MasterLabel and DeveloperName of the integration permission set licence (salesforce-reference.md). */
export const INTEGRATION_PSL_LABEL = 'Salesforce API Integration';
export const INTEGRATION_PSL_NAME = 'SalesforceAPIIntegrationPsl';

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
