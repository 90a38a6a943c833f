/*
 * Administrator powers: system permissions that make a user an administrator of the org. A user holding one (other
 * than through the integration's own permission set, which holds install-time permissions during an install) is never
 * taken for the integration user by install, and never deactivated by uninstall. Read from the user's profile set and
 * permission sets in one query (PermissionSetAssignment includes the profile's own set, IsOwnedByProfile).
 */
import type { SalesforceClient } from '../salesforce/client.js';
import { soqlIn } from '../salesforce/soql.js';
import { id15 } from '../salesforce/ids.js';
import { INTEGRATION_PERMISSION_SET } from '../footprint/vocabulary.js';

export const ADMIN_POWERS: ReadonlyArray<{ name: string; label: string }> = [
  { name: 'ModifyAllData', label: 'Modify All Data' },
  { name: 'ViewAllData', label: 'View All Data' },
  { name: 'ManageUsers', label: 'Manage Users' },
  { name: 'CustomizeApplication', label: 'Customize Application' },
  { name: 'ModifyMetadata', label: 'Modify Metadata Through Metadata API Functions' },
  { name: 'AuthorApex', label: 'Author Apex' },
];

/** One power a user holds and what grants it ("profile System Administrator", "permission set X"). */
export type PowerGrant = { permission: string; label: string; source: string };

export type GrantRow = {
  AssigneeId: string;
  PermissionSet?: ({ Name?: string; Label?: string; IsOwnedByProfile?: boolean } & Record<string, unknown>) | null;
  Assignee?: { Profile?: { Name?: string } | null } | null;
};

/** SELECT ... FROM PermissionSetAssignment reading the given permissions (API names without the prefix); add a WHERE. */
export function grantsSelect(permissions: string[]): string {
  const fields = permissions.map((p) => `, PermissionSet.Permissions${p}`).join('');
  return `SELECT AssigneeId, PermissionSet.Name, PermissionSet.Label, PermissionSet.IsOwnedByProfile, Assignee.Profile.Name${fields} FROM PermissionSetAssignment`;
}

/** Per user id, the listed permissions it holds outside the integration's own permission set. */
export function grantsOf(rows: GrantRow[], permissions: ReadonlyArray<{ name: string; label: string }>): Map<string, PowerGrant[]> {
  const out = new Map<string, PowerGrant[]>();
  for (const row of rows) {
    const set = row.PermissionSet ?? {};
    if (set.Name === INTEGRATION_PERMISSION_SET) continue;
    const source = set.IsOwnedByProfile
      ? `profile ${row.Assignee?.Profile?.Name ?? set.Label ?? '?'}`
      : `permission set ${set.Name ?? '?'}`;
    for (const p of permissions) {
      if (set[`Permissions${p.name}`] !== true) continue;
      const key = id15(row.AssigneeId);
      out.set(key, [...(out.get(key) ?? []), { permission: p.name, label: p.label, source }]);
    }
  }
  return out;
}

/** The administrator powers of each user (keyed by 15-character id); users without any are absent. */
export async function adminPowersOf(client: SalesforceClient, userIds: string[]): Promise<Map<string, PowerGrant[]>> {
  if (userIds.length === 0) return new Map();
  const select = grantsSelect(ADMIN_POWERS.map((p) => p.name));
  const rows = await client.query<GrantRow>(`${select} WHERE AssigneeId IN ${soqlIn(userIds)}`);
  return grantsOf(rows, ADMIN_POWERS);
}

/** "Modify All Data, Manage Users and 4 more through profile System Administrator; Author Apex through permission set X". */
export function describeGrants(grants: PowerGrant[], perSource = 4): string {
  const bySource = new Map<string, string[]>();
  for (const g of grants) bySource.set(g.source, [...(bySource.get(g.source) ?? []), g.label]);
  return [...bySource]
    .map(([source, labels]) => {
      const shown = labels.slice(0, perSource).join(', ');
      const more = labels.length > perSource ? ` and ${labels.length - perSource} more` : '';
      return `${shown}${more} through ${source}`;
    })
    .join('; ');
}
