/*
 * Query-row fixtures for the pure permission audit: small builders for the rows org-snapshot.ts reads, and the org
 * state seed 000's install step leaves behind (a broad Instruqt_Integration set on the API-only profile).
 */
import type {
  AssignmentRow,
  FieldPermissionRow,
  ObjectPermissionRow,
  PermissionSnapshot,
  PermissionSetRow,
} from '../../src/perms/org-snapshot.js';
import type { ObjectAccessName } from '../../src/perms/policy.js';

let counter = 0;
const nextId = (prefix: string): string => `${prefix}${String(++counter).padStart(12, '0')}`;

export const PROFILE_ID = '00e000000000001';
export const ADMIN_PROFILE_ID = '00e000000000002';
export const USER_ID = '005000000000001';

export function permissionSet(
  name: string,
  permissions: string[],
  extra: Partial<PermissionSetRow> = {}
): PermissionSetRow {
  return {
    Id: nextId('0PS'),
    Name: name,
    Label: name.replace(/_/g, ' '),
    IsOwnedByProfile: false,
    ProfileId: null,
    ...Object.fromEntries(permissions.map((p) => [`Permissions${p}`, true])),
    ...extra,
  };
}

export function profileSet(profileId: string, profileName: string, permissions: string[]): PermissionSetRow {
  return permissionSet(`X00e${profileId.slice(-6)}`, permissions, {
    IsOwnedByProfile: true,
    ProfileId: profileId,
    Profile: { Name: profileName },
    Label: profileName,
  });
}

export function objectPermission(parentId: string, object: string, access: ObjectAccessName[]): ObjectPermissionRow {
  return {
    Id: nextId('110'),
    ParentId: parentId,
    SobjectType: object,
    ...Object.fromEntries(access.map((a) => [`Permissions${a}`, true])),
  };
}

export function fieldPermission(parentId: string, field: string, edit: boolean): FieldPermissionRow {
  return {
    Id: nextId('01k'),
    ParentId: parentId,
    SobjectType: field.split('.')[0],
    Field: field,
    PermissionsRead: true,
    PermissionsEdit: edit,
  };
}

export function assignment(userId: string, permissionSetId: string | null, groupId?: string, label?: string): AssignmentRow {
  return {
    Id: nextId('0Pa'),
    AssigneeId: userId,
    PermissionSetId: permissionSetId,
    PermissionSetGroupId: groupId ?? null,
    IsActive: true,
    ExpirationDate: null,
    PermissionSetGroup: groupId ? { DeveloperName: label ?? groupId, MasterLabel: label ?? groupId } : null,
  };
}

const PLAY_FIELDS = [
  'Contact__c',
  'Feedback__c',
  'Instruqt_Track__c',
  'Invitation_Link__c',
  'Lead__c',
  'Participant_ID__c',
  'Score__c',
  'Time_Spent__c',
  'Time_Spent_Seconds__c',
  'Play_ID__c',
  'User_ID__c',
];
const TRACK_FIELDS = ['Track_Slug__c'];

const describeOf = (custom: string[]): Array<{ name: string; custom: boolean; nillable: boolean }> => [
  { name: 'Id', custom: false, nillable: false },
  { name: 'Name', custom: false, nillable: true },
  ...custom.map((name) => ({ name, custom: true, nillable: true })),
];

/** The snapshot of an org, with the API-only integration profile and the two Instruqt objects deployed. */
export function baseSnapshot(): PermissionSnapshot {
  return {
    users: [
      {
        Id: USER_ID,
        Username: 'instruqt@example.com',
        Name: 'Instruqt Integration',
        IsActive: true,
        ProfileId: PROFILE_ID,
        Profile: { Name: 'Minimum Access - API Only Integrations' },
      },
    ],
    unknownUsers: [],
    assignments: [],
    components: [],
    permissionSets: [profileSet(PROFILE_ID, 'Minimum Access - API Only Integrations', ['ApiEnabled', 'ApiUserOnly'])],
    mutingSets: [],
    objectPermissions: [],
    fieldPermissions: [],
    permissionLabels: {
      ApiEnabled: 'API Enabled',
      ViewAllData: 'View All Data',
      ModifyAllData: 'Modify All Data',
      ViewSetup: 'View Setup and Configuration',
      ManageUsers: 'Manage Users',
      RunReports: 'Run Reports',
    },
    describes: new Map([
      ['Instruqt_Track__c', describeOf(TRACK_FIELDS)],
      ['Instruqt_Play__c', describeOf(PLAY_FIELDS)],
    ]),
    viewAllFieldsSupported: true,
  };
}

export const INSTALL_PERMISSIONS = [
  'CustomizeApplication',
  'ModifyMetadata',
  'ViewAllData',
  'ViewSetup',
  'ManageCustomPermissions',
  'ViewPlatformEvents',
  'ViewPublicReports',
  'ViewEventLogFiles',
  'ViewPublicDashboards',
  'ViewDataLeakageEvents',
];

/** Seed 000's install step: Instruqt_Integration with Lead/Contact access and the broad install permissions. */
export function seedInstallSnapshot(): { snapshot: PermissionSnapshot; integration: PermissionSetRow } {
  const snapshot = baseSnapshot();
  const integration = permissionSet('Instruqt_Integration', INSTALL_PERMISSIONS, { Label: 'Instruqt Integration' });
  snapshot.permissionSets.push(integration);
  snapshot.assignments.push(assignment(USER_ID, integration.Id));
  snapshot.objectPermissions.push(
    objectPermission(integration.Id, 'Lead', ['Read', 'Create', 'Edit', 'ViewAllRecords']),
    objectPermission(integration.Id, 'Contact', ['Read', 'ViewAllRecords'])
  );
  for (const f of ['Email', 'Phone', 'Title', 'LeadSource']) {
    snapshot.fieldPermissions.push(fieldPermission(integration.Id, `Lead.${f}`, true));
  }
  for (const f of ['Email', 'Phone', 'Title']) {
    snapshot.fieldPermissions.push(fieldPermission(integration.Id, `Contact.${f}`, false));
  }
  return { snapshot, integration };
}

/** The steady state the seed's post-install step describes (and perms reduce converges to). */
export function steadySnapshot(): { snapshot: PermissionSnapshot; integration: PermissionSetRow } {
  const { snapshot, integration } = seedInstallSnapshot();
  for (const p of INSTALL_PERMISSIONS) delete integration[`Permissions${p}`];
  const all: ObjectAccessName[] = ['Read', 'Create', 'Edit', 'Delete', 'ViewAllRecords', 'ModifyAllRecords', 'ViewAllFields'];
  snapshot.objectPermissions.push(
    objectPermission(integration.Id, 'Instruqt_Track__c', all),
    objectPermission(integration.Id, 'Instruqt_Play__c', all)
  );
  for (const f of TRACK_FIELDS) snapshot.fieldPermissions.push(fieldPermission(integration.Id, `Instruqt_Track__c.${f}`, true));
  for (const f of PLAY_FIELDS) snapshot.fieldPermissions.push(fieldPermission(integration.Id, `Instruqt_Play__c.${f}`, true));
  return { snapshot, integration };
}
