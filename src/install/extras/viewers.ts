/*
 * `install --viewers`: who may see Instruqt plays. The read-only Instruqt_Viewer permission set is assigned to named
 * users, or added as a component to a permission set group (whose members then get it), instead of editing the
 * field-level security of profiles as seed 000 describes. Only what is missing is written.
 */
import type { SalesforceClient } from '../../salesforce/client.js';
import { soqlIn, soqlLiteral } from '../../salesforce/soql.js';
import { sameId } from '../../salesforce/ids.js';
import { VIEWER_PERMISSION_SET } from '../../footprint/vocabulary.js';

export type ViewerTarget = {
  /** As given: a username or a permission set group's API name (DeveloperName). */
  name: string;
  kind: 'user' | 'group' | 'unknown';
  id?: string;
  status: 'assigned' | 'already' | 'not-found' | 'failed';
  error?: string;
};

export type ViewersResult = { permissionSet: string; targets: ViewerTarget[]; writes: number };

export class ViewerPermissionSetMissingError extends Error {
  public constructor() {
    super(`The ${VIEWER_PERMISSION_SET} permission set is not in the org.`);
    this.name = 'ViewerPermissionSetMissingError';
  }
}

/** Split `--viewers` values: comma-separated and/or repeated flags. */
export function parseViewers(values: string[]): string[] {
  return [...new Set(values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean))];
}

export async function grantViewers(
  client: SalesforceClient,
  names: string[],
  options: { dryRun?: boolean } = {}
): Promise<ViewersResult> {
  const sets = await client.query<{ Id: string }>(
    `SELECT Id FROM PermissionSet WHERE Name = ${soqlLiteral(VIEWER_PERMISSION_SET)}`
  );
  const viewerId = sets[0]?.Id;
  if (!viewerId) throw new ViewerPermissionSetMissingError();

  // Usernames contain '@'; anything else is looked up as a group first, then as a username.
  const [groups, users] = await Promise.all([
    client.query<{ Id: string; DeveloperName: string }>(
      `SELECT Id, DeveloperName FROM PermissionSetGroup WHERE DeveloperName IN ${soqlIn(names)}`
    ),
    client.query<{ Id: string; Username: string; IsActive: boolean }>(
      `SELECT Id, Username, IsActive FROM User WHERE Username IN ${soqlIn(names)}`
    ),
  ]);
  const groupIds = groups.map((g) => g.Id);
  const userIds = users.map((u) => u.Id);
  const [components, assignments] = await Promise.all([
    groupIds.length
      ? client.query<{ PermissionSetGroupId: string }>(
          `SELECT PermissionSetGroupId FROM PermissionSetGroupComponent WHERE PermissionSetId = ${soqlLiteral(
            viewerId
          )} AND PermissionSetGroupId IN ${soqlIn(groupIds)}`
        )
      : Promise.resolve([]),
    userIds.length
      ? client.query<{ AssigneeId: string }>(
          `SELECT AssigneeId FROM PermissionSetAssignment WHERE PermissionSetId = ${soqlLiteral(
            viewerId
          )} AND AssigneeId IN ${soqlIn(userIds)}`
        )
      : Promise.resolve([]),
  ]);
  const targets: ViewerTarget[] = names.map((name) => {
    const group = groups.find((g) => g.DeveloperName.toLowerCase() === name.toLowerCase());
    if (group) {
      const already = components.some((c) => sameId(c.PermissionSetGroupId, group.Id));
      return { name, kind: 'group', id: group.Id, status: already ? 'already' : 'assigned' };
    }
    const user = users.find((u) => u.Username.toLowerCase() === name.toLowerCase());
    if (user) {
      const already = assignments.some((a) => sameId(a.AssigneeId, user.Id));
      return { name, kind: 'user', id: user.Id, status: already ? 'already' : 'assigned' };
    }
    return { name, kind: 'unknown', status: 'not-found' };
  });
  const toGroup = targets.filter((t) => t.kind === 'group' && t.status === 'assigned');
  const toUser = targets.filter((t) => t.kind === 'user' && t.status === 'assigned');
  if (options.dryRun) return { permissionSet: VIEWER_PERMISSION_SET, targets, writes: 0 };

  let writes = 0;
  const record = (batch: ViewerTarget[], results: Array<{ success: boolean; errors: Array<{ message: string }> }>): void => {
    batch.forEach((t, i) => {
      if (!results[i]?.success) {
        Object.assign(t, { status: 'failed', error: results[i]?.errors.map((e) => e.message).join('; ') ?? 'no result' });
      }
    });
  };
  if (toGroup.length) {
    writes++;
    record(
      toGroup,
      await client.insert(
        'PermissionSetGroupComponent',
        toGroup.map((t) => ({ PermissionSetGroupId: t.id, PermissionSetId: viewerId }))
      )
    );
  }
  if (toUser.length) {
    writes++;
    record(
      toUser,
      await client.insert(
        'PermissionSetAssignment',
        toUser.map((t) => ({ AssigneeId: t.id, PermissionSetId: viewerId }))
      )
    );
  }
  return { permissionSet: VIEWER_PERMISSION_SET, targets, writes };
}
