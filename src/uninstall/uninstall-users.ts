/*
 * Whom uninstall deactivates, and why. Candidates are the holders of Instruqt_Integration (or --username, or the user
 * named "Instruqt Integration" when nobody holds the set any more). Never deactivated: the user running the
 * uninstall, and anyone holding administrator powers outside Instruqt_Integration (an administrator that an earlier
 * install was wrongly given the set to only loses the set). Everyone else is the integration user install created or
 * adopted.
 */
import type { SalesforceClient } from '../salesforce/client.js';
import { soqlIn, soqlLiteral } from '../salesforce/soql.js';
import { id15 } from '../salesforce/ids.js';
import { adminPowersOf, describeGrants } from '../perms/admin-powers.js';
import type { IntegrationUser } from '../install/integration-user.js';
import { INTEGRATION_PERMISSION_SET } from '../footprint/vocabulary.js';

export type UserDecision = {
  user: IntegrationUser;
  deactivate: boolean;
  /** Why it is (or is not) deactivated, for the plan. */
  reason: string;
};

type UserRow = {
  Id: string;
  Username: string;
  IsActive: boolean;
  ProfileId?: string;
  Profile?: { Name?: string; UserLicense?: { Name?: string } | null } | null;
};

const FIELDS = 'Id, Username, IsActive, ProfileId, Profile.Name, Profile.UserLicense.Name';

const toUser = (r: UserRow, foundBy: IntegrationUser['foundBy']): IntegrationUser => ({
  id: r.Id,
  username: r.Username,
  isActive: r.IsActive,
  profileId: r.ProfileId,
  profileName: r.Profile?.Name ?? undefined,
  foundBy,
});

async function candidates(client: SalesforceClient, username?: string): Promise<IntegrationUser[]> {
  if (username) {
    const rows = await client.query<UserRow>(`SELECT ${FIELDS} FROM User WHERE Username = ${soqlLiteral(username)}`);
    return rows.map((r) => toUser(r, 'username'));
  }
  const holders = await client.query<{ AssigneeId: string }>(
    `SELECT AssigneeId FROM PermissionSetAssignment WHERE PermissionSet.Name = ${soqlLiteral(INTEGRATION_PERMISSION_SET)}`
  );
  if (holders.length) {
    const rows = await client.query<UserRow>(
      `SELECT ${FIELDS} FROM User WHERE Id IN ${soqlIn(holders.map((h) => h.AssigneeId))} ORDER BY CreatedDate`
    );
    return rows.map((r) => toUser(r, 'permission set'));
  }
  // Nobody holds the set any more (uninstalled before): the user install created keeps its name.
  const byName = await client.query<UserRow>(
    `SELECT ${FIELDS} FROM User WHERE FirstName = 'Instruqt' AND LastName = 'Integration' ORDER BY CreatedDate`
  );
  const row = byName.find((r) => r.IsActive) ?? byName[0];
  return row ? [toUser(row, 'name')] : [];
}

/** Every candidate with the decision and its reason; the running user is identified by username. */
export async function decideUsers(client: SalesforceClient, runningUsername: string, username?: string): Promise<UserDecision[]> {
  const users = await candidates(client, username);
  const powers = await adminPowersOf(
    client,
    users.map((u) => u.id)
  );
  return users.map((user): UserDecision => {
    const held = powers.get(id15(user.id)) ?? [];
    if (user.username.toLowerCase() === runningUsername.toLowerCase()) {
      return { user, deactivate: false, reason: 'it is the user running this uninstall' };
    }
    if (held.length) {
      return { user, deactivate: false, reason: `it is an administrator: ${describeGrants(held)}` };
    }
    const how =
      user.foundBy === 'username'
        ? 'named by --username'
        : user.foundBy === 'name'
        ? 'the user named Instruqt Integration'
        : `holds ${INTEGRATION_PERMISSION_SET}`;
    return { user, deactivate: true, reason: `the integration user (${how}, no administrator permissions)` };
  });
}
