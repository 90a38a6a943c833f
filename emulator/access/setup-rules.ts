/*
 * Salesforce's rules for writes to setup objects, as triggers: duplicate assignments, licence limits and the
 * integration licence's need for its permission set licence, globally unique usernames, users that are deactivated
 * instead of deleted, permission dependencies. Every setup write also drops the cached effective permissions.
 */
import { SalesforceError, type OrgApi, type SRecord, type Trigger } from '../core/types.js';
import { fieldPermissionProblems, objectPermissionProblems, userPermissionProblems } from './permission-rules.js';

/** Usernames are unique across every Salesforce org: one registry for every local org in this process. */
const globalUsernames = new Map<string, string>();

export const duplicateUsernameMessage =
  "Duplicate Username.<br>The username already exists in this or another Salesforce organization. Usernames must be unique across all Salesforce organizations. To resolve, use a different username (it doesn't need to match the user's email address). ";

/** The licence whose users need the 'Salesforce API Integration' PSL before they can get standard-object access. */
const integrationLicence = 'Salesforce Integration';
const integrationPslNames = ['SalesforceAPIIntegrationPsl', 'Salesforce API Integration'];

export const setupObjects = [
  'User',
  'Profile',
  'UserLicense',
  'PermissionSet',
  'ObjectPermissions',
  'FieldPermissions',
  'PermissionSetAssignment',
  'PermissionSetGroup',
  'PermissionSetGroupComponent',
  'MutingPermissionSet',
  'PermissionSetLicense',
  'PermissionSetLicenseAssign',
];

function same(a: unknown, b: unknown): boolean {
  return typeof a === 'string' && typeof b === 'string' && a.slice(0, 15) === b.slice(0, 15);
}

function rows(org: OrgApi, object: string, predicate: (r: SRecord) => boolean): SRecord[] {
  return org.getObject(object) ? org.query(object, predicate) : [];
}

function getRecord(org: OrgApi, object: string, id: unknown): SRecord | undefined {
  return typeof id === 'string' && org.getObject(object) ? org.get(object, id) : undefined;
}

function enabledPermissions(rec: SRecord): Set<string> {
  const set = new Set<string>();
  for (const [k, v] of Object.entries(rec)) if (k.startsWith('Permissions') && v === true) set.add(k.slice(11));
  return set;
}

function licenceOfUser(org: OrgApi, user: Record<string, unknown>): SRecord | undefined {
  const profile = getRecord(org, 'Profile', user.ProfileId);
  return profile ? getRecord(org, 'UserLicense', profile.UserLicenseId) : undefined;
}

function activeUsersOfLicence(org: OrgApi, licenceId: string, exceptUserId?: string): number {
  return rows(
    org,
    'User',
    (u) => u.IsActive !== false && !same(u.Id, exceptUserId) && same(licenceOfUser(org, u)?.Id, licenceId)
  ).length;
}

/** Keep UserLicense.UsedLicenses / PermissionSetLicense.UsedLicenses equal to what is in use. */
function refreshUsedLicences(org: OrgApi): void {
  for (const lic of rows(org, 'UserLicense', () => true)) {
    const used = activeUsersOfLicence(org, lic.Id);
    if (lic.UsedLicenses !== used) trySystemUpdate(org, 'UserLicense', lic.Id, { UsedLicenses: used });
  }
  for (const psl of rows(org, 'PermissionSetLicense', () => true)) {
    const used = rows(org, 'PermissionSetLicenseAssign', (a) => same(a.PermissionSetLicenseId, psl.Id)).length;
    if (psl.UsedLicenses !== used) trySystemUpdate(org, 'PermissionSetLicense', psl.Id, { UsedLicenses: used });
  }
}

function trySystemUpdate(org: OrgApi, object: string, id: string, fields: Record<string, unknown>): void {
  try {
    org.update(object, id, fields);
  } catch {
    // A schema that keeps the count read-only or absent: the count is informational only.
  }
}

function checkLicenceAvailable(org: OrgApi, user: Record<string, unknown>, exceptUserId?: string): void {
  if (user.IsActive === false) return;
  const lic = licenceOfUser(org, user);
  if (!lic || typeof lic.TotalLicenses !== 'number') return;
  if (activeUsersOfLicence(org, lic.Id, exceptUserId) >= lic.TotalLicenses) {
    throw new SalesforceError('LICENSE_LIMIT_EXCEEDED', 'License Limit Exceeded', ['ProfileId']);
  }
}

function userRules(org: OrgApi): Trigger {
  return {
    beforeInsert(rec): void {
      const username = String(rec.Username ?? '').toLowerCase();
      if (username && globalUsernames.has(username)) {
        throw new SalesforceError('DUPLICATE_USERNAME', duplicateUsernameMessage, ['Username']);
      }
      checkAlias(rec);
      checkLicenceAvailable(org, rec);
    },
    afterInsert(rec): void {
      globalUsernames.set(String(rec.Username).toLowerCase(), rec.Id);
      assignProfileSet(org, rec.Id, rec.ProfileId);
      refreshUsedLicences(org);
    },
    beforeUpdate(rec, old): void {
      const username = String(rec.Username ?? '').toLowerCase();
      if (username !== String(old.Username ?? '').toLowerCase() && globalUsernames.has(username)) {
        throw new SalesforceError('DUPLICATE_USERNAME', duplicateUsernameMessage, ['Username']);
      }
      checkAlias(rec);
      const reactivated = rec.IsActive !== false && old.IsActive === false;
      const licenceChanged = !same(rec.ProfileId, old.ProfileId) && !same(licenceOfUser(org, rec)?.Id, licenceOfUser(org, old)?.Id);
      if (reactivated || (licenceChanged && rec.IsActive !== false)) checkLicenceAvailable(org, rec, rec.Id);
    },
    afterUpdate(rec, old): void {
      const before = String(old.Username ?? '').toLowerCase();
      const after = String(rec.Username ?? '').toLowerCase();
      if (before !== after) {
        globalUsernames.delete(before);
        globalUsernames.set(after, rec.Id);
      }
      if (!same(rec.ProfileId, old.ProfileId)) {
        for (const a of rows(org, 'PermissionSetAssignment', (x) => same(x.AssigneeId, rec.Id) && profileOwned(org, x.PermissionSetId))) {
          withProfileAssignments(() => org.delete('PermissionSetAssignment', a.Id));
        }
        assignProfileSet(org, rec.Id, rec.ProfileId);
      }
      refreshUsedLicences(org);
    },
    beforeDelete(): void {
      // Users cannot be deleted in Salesforce, only deactivated (IsActive = false).
      throw new SalesforceError('INVALID_TYPE_FOR_OPERATION', 'entity type cannot be deleted');
    },
  };
}

/** Writes of profile-owned assignments made by the org itself (a user's profile), which the API may not make. */
let profileAssignmentsAllowed = false;

function withProfileAssignments(fn: () => void): void {
  profileAssignmentsAllowed = true;
  try {
    fn();
  } finally {
    profileAssignmentsAllowed = false;
  }
}

function profileOwned(org: OrgApi, permissionSetId: unknown): boolean {
  return getRecord(org, 'PermissionSet', permissionSetId)?.IsOwnedByProfile === true;
}

/** Every user has an assignment of its profile's own permission set, as in Salesforce. */
function assignProfileSet(org: OrgApi, userId: string, profileId: unknown): void {
  const ps = rows(org, 'PermissionSet', (p) => p.IsOwnedByProfile === true && same(p.ProfileId, profileId))[0];
  if (ps) withProfileAssignments(() => org.insert('PermissionSetAssignment', { AssigneeId: userId, PermissionSetId: ps.Id }));
}

function checkAlias(rec: Record<string, unknown>): void {
  if (typeof rec.Alias === 'string' && rec.Alias.length > 8) {
    throw new SalesforceError('STRING_TOO_LONG', `Alias: data value too large: ${rec.Alias} (max length=8)`, ['Alias']);
  }
}

/** Object permissions one ObjectPermissions row grants on a standard object, e.g. 'Read Leads'. */
function standardObjectGrantsOfRow(org: OrgApi, row: Record<string, unknown>): string[] {
  const object = String(row.SobjectType);
  if (object.endsWith('__c')) return [];
  const plural = org.getObject(object)?.labelPlural ?? object;
  return ['Read', 'Create', 'Edit', 'Delete', 'ViewAllRecords', 'ModifyAllRecords']
    .filter((flag) => row[`Permissions${flag}`] === true)
    .map((flag) => `${flag} ${plural}`);
}

/** Object permissions a set grants on standard objects, for the licence check. */
function standardObjectGrants(org: OrgApi, permissionSetIds: string[]): string[] {
  return rows(org, 'ObjectPermissions', (r) => permissionSetIds.some((id) => same(r.ParentId, id))).flatMap((row) =>
    standardObjectGrantsOfRow(org, row)
  );
}

function hasIntegrationPsl(org: OrgApi, userId: string): boolean {
  const psls = rows(org, 'PermissionSetLicense', (l) =>
    integrationPslNames.includes(String(l.DeveloperName)) || integrationPslNames.includes(String(l.MasterLabel))
  );
  return rows(org, 'PermissionSetLicenseAssign', (a) => same(a.AssigneeId, userId) && psls.some((l) => same(l.Id, a.PermissionSetLicenseId))).length > 0;
}

function permissionSetsOfAssignment(org: OrgApi, rec: Record<string, unknown>): string[] {
  if (typeof rec.PermissionSetGroupId === 'string' && rec.PermissionSetGroupId) {
    return rows(org, 'PermissionSetGroupComponent', (c) => same(c.PermissionSetGroupId, rec.PermissionSetGroupId))
      .map((c) => String(c.PermissionSetId))
      .filter((id) => org.objectOfId(id) === 'PermissionSet');
  }
  return typeof rec.PermissionSetId === 'string' ? [rec.PermissionSetId] : [];
}

const profileOwnedMessage = "You can't assign or unassign this permission set because it's associated with a profile.";

function assignmentRules(org: OrgApi): Trigger {
  return {
    beforeInsert(rec): void {
      const group = typeof rec.PermissionSetGroupId === 'string' && rec.PermissionSetGroupId ? rec.PermissionSetGroupId : undefined;
      const ps = getRecord(org, 'PermissionSet', rec.PermissionSetId);
      if (!group && ps?.IsOwnedByProfile === true && !profileAssignmentsAllowed) {
        throw new SalesforceError('FIELD_INTEGRITY_EXCEPTION', profileOwnedMessage, ['PermissionSetId']);
      }
      const duplicate = rows(
        org,
        'PermissionSetAssignment',
        (a) => same(a.AssigneeId, rec.AssigneeId) && (group ? same(a.PermissionSetGroupId, group) : same(a.PermissionSetId, rec.PermissionSetId) && !a.PermissionSetGroupId)
      );
      if (duplicate.length > 0) {
        throw new SalesforceError('DUPLICATE_VALUE', 'Duplicate PermissionSetAssignment', []);
      }
      const user = getRecord(org, 'User', rec.AssigneeId);
      if (user && licenceOfUser(org, user)?.Name === integrationLicence && !hasIntegrationPsl(org, user.Id)) {
        const grants = standardObjectGrants(org, permissionSetsOfAssignment(org, rec));
        if (grants.length > 0) {
          throw new SalesforceError(
            'FIELD_INTEGRITY_EXCEPTION',
            `The user license doesn't allow the permission: ${grants[0]}`,
            ['PermissionSetId']
          );
        }
      }
    },
    beforeDelete(old): void {
      const ps = getRecord(org, 'PermissionSet', old.PermissionSetId);
      if (!old.PermissionSetGroupId && ps?.IsOwnedByProfile === true && !profileAssignmentsAllowed) {
        throw new SalesforceError('FIELD_INTEGRITY_EXCEPTION', profileOwnedMessage, ['PermissionSetId']);
      }
    },
  };
}

function pslAssignmentRules(org: OrgApi): Trigger {
  return {
    beforeInsert(rec): void {
      const existing = rows(
        org,
        'PermissionSetLicenseAssign',
        (a) => same(a.AssigneeId, rec.AssigneeId) && same(a.PermissionSetLicenseId, rec.PermissionSetLicenseId)
      );
      if (existing.length > 0) {
        throw new SalesforceError(
          'DUPLICATE_VALUE',
          `duplicate value found: <unknown> duplicates value on record with id: ${existing[0].Id}`
        );
      }
      const psl = getRecord(org, 'PermissionSetLicense', rec.PermissionSetLicenseId);
      if (psl && typeof psl.TotalLicenses === 'number') {
        const used = rows(org, 'PermissionSetLicenseAssign', (a) => same(a.PermissionSetLicenseId, psl.Id)).length;
        if (used >= psl.TotalLicenses) throw new SalesforceError('LICENSE_LIMIT_EXCEEDED', 'License Limit Exceeded');
      }
    },
    afterInsert(): void {
      refreshUsedLicences(org);
    },
    afterDelete(): void {
      refreshUsedLicences(org);
    },
  };
}

function permissionSetRules(org: OrgApi): Trigger {
  const checkName = (rec: Record<string, unknown>, selfId?: string): void => {
    const name = String(rec.Name ?? '').toLowerCase();
    if (!name) return;
    const clash = rows(org, 'PermissionSet', (p) => String(p.Name ?? '').toLowerCase() === name && !same(p.Id, selfId));
    if (clash.length > 0) {
      throw new SalesforceError(
        'DUPLICATE_DEVELOPER_NAME',
        'The API Name you entered is already in use. Enter a unique API Name.',
        ['Name']
      );
    }
  };
  return {
    beforeInsert(rec): void {
      checkName(rec);
      const problems = userPermissionProblems(enabledPermissions(rec));
      if (problems.length > 0) throw new SalesforceError('FIELD_INTEGRITY_EXCEPTION', problems[0]);
    },
    beforeUpdate(rec, old): void {
      if (rec.Name !== old.Name) checkName(rec, rec.Id);
      const changed = new Set<string>();
      for (const [k, v] of Object.entries(rec)) if (k.startsWith('Permissions') && v !== old[k]) changed.add(k.slice(11));
      const problems = userPermissionProblems(enabledPermissions(rec), changed);
      if (problems.length > 0) throw new SalesforceError('FIELD_INTEGRITY_EXCEPTION', problems[0]);
    },
    beforeDelete(old): void {
      if (old.IsOwnedByProfile === true) {
        throw new SalesforceError('FIELD_INTEGRITY_EXCEPTION', 'Cannot delete a permission set that is owned by a profile.');
      }
      if (rows(org, 'PermissionSetAssignment', (a) => same(a.PermissionSetId, old.Id)).length > 0) {
        throw new SalesforceError(
          'DELETE_FAILED',
          'This permission set is assigned to one or more users. Remove the assignments before deleting it.'
        );
      }
    },
    afterDelete(old): void {
      for (const child of ['ObjectPermissions', 'FieldPermissions', 'PermissionSetGroupComponent']) {
        for (const r of rows(org, child, (c) => same(c.ParentId ?? c.PermissionSetId, old.Id))) org.delete(child, r.Id);
      }
    },
  };
}

/** Standard-object access added to a set already assigned to an integration user without the PSL is refused too. */
function checkAssigneesLicences(org: OrgApi, rec: Record<string, unknown>): void {
  const grants = standardObjectGrantsOfRow(org, rec);
  if (grants.length === 0) return;
  for (const a of rows(org, 'PermissionSetAssignment', (x) => same(x.PermissionSetId, rec.ParentId))) {
    const user = getRecord(org, 'User', a.AssigneeId);
    if (user && licenceOfUser(org, user)?.Name === integrationLicence && !hasIntegrationPsl(org, user.Id)) {
      throw new SalesforceError('FIELD_INTEGRITY_EXCEPTION', `The user license doesn't allow the permission: ${grants[0]}`);
    }
  }
}

function permissionRowRules(org: OrgApi, object: 'ObjectPermissions' | 'FieldPermissions'): Trigger {
  const key = object === 'ObjectPermissions' ? 'SobjectType' : 'Field';
  const check = (rec: Record<string, unknown>, selfId?: string): void => {
    if (object === 'ObjectPermissions') checkAssigneesLicences(org, rec);
    const problems = object === 'ObjectPermissions' ? objectPermissionProblems(rec) : fieldPermissionProblems(rec);
    if (problems.length > 0) throw new SalesforceError('FIELD_INTEGRITY_EXCEPTION', problems[0]);
    const duplicate = rows(
      org,
      object,
      (r) => same(r.ParentId, rec.ParentId) && String(r[key]).toLowerCase() === String(rec[key]).toLowerCase() && !same(r.Id, selfId)
    );
    if (duplicate.length > 0) {
      throw new SalesforceError(
        'DUPLICATE_VALUE',
        `duplicate value found: <unknown> duplicates value on record with id: ${duplicate[0].Id}`
      );
    }
    if (object === 'FieldPermissions') {
      const [obj, field] = String(rec.Field ?? '').split('.');
      const def = org.getObject(obj)?.fields.get(String(field).toLowerCase());
      if (def && !def.nillable && def.type !== 'boolean') {
        throw new SalesforceError('FIELD_INTEGRITY_EXCEPTION', `You cannot deploy to a required field: ${String(rec.Field)}`, ['Field']);
      }
    }
  };
  return {
    beforeInsert: (rec): void => check(rec),
    beforeUpdate: (rec): void => check(rec, rec.Id),
  };
}

/** Registers every setup rule on the org; `onSetupWrite` runs after any write to a setup object. */
export function registerSetupRules(org: OrgApi, onSetupWrite: () => void): void {
  for (const u of rows(org, 'User', () => true)) globalUsernames.set(String(u.Username).toLowerCase(), u.Id);
  const invalidate: Trigger = {
    afterInsert: (): void => onSetupWrite(),
    afterUpdate: (): void => onSetupWrite(),
    afterDelete: (): void => onSetupWrite(),
  };
  const rules: Record<string, Trigger> = {
    User: userRules(org),
    PermissionSetAssignment: assignmentRules(org),
    PermissionSetLicenseAssign: pslAssignmentRules(org),
    PermissionSet: permissionSetRules(org),
    ObjectPermissions: permissionRowRules(org, 'ObjectPermissions'),
    FieldPermissions: permissionRowRules(org, 'FieldPermissions'),
  };
  for (const object of setupObjects) {
    if (!org.getObject(object)) continue;
    if (rules[object]) org.registerTrigger(object, rules[object]);
    org.registerTrigger(object, invalidate);
  }
  refreshUsedLicences(org);
}

/** For tests: whether a username is taken in any local org of this process. */
export function usernameTaken(username: string): boolean {
  return globalUsernames.has(username.toLowerCase());
}
