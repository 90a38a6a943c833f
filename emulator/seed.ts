/*
 * What a fresh org contains before anyone touches it: the Organization record, licences, the standard profiles with
 * their profile-owned permission sets, the admin user, the Salesforce API Integration permission set licence and
 * the standard Lead statuses. Runs in system context, before any module installs triggers.
 */
import type { Org } from './core/org.js';
import type { SRecord } from './core/types.js';
import { SYSTEM_PERMISSIONS, standardObjects } from './schema/standard.js';

export type SeedResult = {
  adminUserId: string;
  adminUsername: string;
  profiles: Record<string, string>;
  licences: Record<string, string>;
};

/** Lower-case letters, digits and dashes: usable inside a username's domain. */
export function slug(name: string): string {
  return (
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'org'
  );
}

const ALL_PERMISSIONS = Object.fromEntries(
  SYSTEM_PERMISSIONS.filter((p) => p !== 'ApiUserOnly').map((p) => [`Permissions${p}`, true])
);
const STANDARD_USER_PERMISSIONS = [
  'ApiEnabled',
  'ChatterInternalUser',
  'ChatterOwnGroups',
  'ChatterFileLink',
  'ConvertLeads',
  'ImportLeads',
  'EditTask',
  'EditEvent',
  'RunReports',
  'ExportReport',
  'EmailSingle',
  'EmailMass',
  'ViewHelpLink',
  'LightningExperienceUser',
];

export function seed(org: Org): SeedResult {
  for (const def of standardObjects()) org.defineObject(def);
  const orgName = org.options.orgName ?? `local-${org.orgId.slice(9, 15).toLowerCase()}`;
  const domain = `${slug(orgName)}.local.test`;

  org.insert('Organization', {
    Id: org.orgId,
    Name: orgName,
    IsSandbox: org.options.isSandbox ?? false,
    InstanceName: 'LOCAL',
    OrganizationType: 'Enterprise Edition',
    Country: 'US',
    LanguageLocaleKey: 'en_US',
    DefaultLocaleSidKey: 'en_US',
    TimeZoneSidKey: 'America/Los_Angeles',
  });

  const licence = (Name: string, LicenseDefinitionKey: string, TotalLicenses: number): string =>
    org.insert('UserLicense', {
      Name,
      MasterLabel: Name,
      LicenseDefinitionKey,
      TotalLicenses,
      UsedLicenses: 0,
      Status: 'Active',
    }).Id;
  const licences = {
    Salesforce: licence('Salesforce', 'SFDC', 10),
    'Salesforce Platform': licence('Salesforce Platform', 'AUL', 10),
    'Salesforce Integration': licence('Salesforce Integration', 'SFDC_INTEGRATION', 5),
  };

  const profiles: Record<string, string> = {};
  const profile = (Name: string, licenceId: string, permissions: Record<string, boolean>): string => {
    const p = org.insert('Profile', {
      Name,
      UserLicenseId: licenceId,
      UserType: 'Standard',
      PermissionsApiEnabled: permissions.PermissionsApiEnabled === true,
      PermissionsModifyAllData: permissions.PermissionsModifyAllData === true,
      PermissionsViewSetup: permissions.PermissionsViewSetup === true,
    });
    // Every profile owns a permission set holding its permissions (Name 'X' + the profile id, as Salesforce does).
    org.insert('PermissionSet', {
      Name: `X${p.Id.slice(0, 15)}`,
      Label: p.Id.slice(0, 15),
      IsOwnedByProfile: true,
      IsCustom: false,
      ProfileId: p.Id,
      Type: 'Profile',
      LicenseId: licenceId,
      ...permissions,
    });
    profiles[Name] = p.Id;
    return p.Id;
  };
  const adminProfile = profile('System Administrator', licences.Salesforce, ALL_PERMISSIONS);
  profile(
    'Standard User',
    licences.Salesforce,
    Object.fromEntries(STANDARD_USER_PERMISSIONS.map((p) => [`Permissions${p}`, true]))
  );
  profile('Minimum Access - API Only Integrations', licences['Salesforce Integration'], {
    PermissionsApiEnabled: true,
  });
  const standardPs = org.query('PermissionSet', (r) => r.ProfileId === profiles['Standard User'])[0];
  for (const SobjectType of ['Lead', 'Contact', 'Account', 'Opportunity']) {
    org.insert('ObjectPermissions', {
      ParentId: standardPs.Id,
      SobjectType,
      PermissionsRead: true,
      PermissionsCreate: true,
      PermissionsEdit: true,
      PermissionsDelete: true,
    });
  }

  org.insert('PermissionSetLicense', {
    MasterLabel: 'Salesforce API Integration',
    DeveloperName: 'SalesforceAPIIntegrationPsl',
    PermissionSetLicenseKey: 'SalesforceAPIIntegrationPsl',
    TotalLicenses: 5,
    UsedLicenses: 0,
    Status: 'Active',
  });

  // Sandbox copies carry the sandbox name as a username suffix (admin@acme.com.uat); emails keep the plain address.
  const adminEmail = `admin@${domain}`;
  const adminUsername = org.options.isSandbox ? `${adminEmail}.${slug(orgName)}` : adminEmail;
  const admin = org.insert('User', {
    Username: adminUsername,
    Email: adminEmail,
    FirstName: 'Admin',
    LastName: 'User',
    Alias: 'admin',
    CommunityNickname: 'admin',
    TimeZoneSidKey: 'America/Los_Angeles',
    LocaleSidKey: 'en_US',
    EmailEncodingKey: 'UTF-8',
    LanguageLocaleKey: 'en_US',
    ProfileId: adminProfile,
    IsActive: true,
  });
  org.defaultUserId = admin.Id;
  const adminPs = org.query('PermissionSet', (r) => r.ProfileId === adminProfile)[0];
  org.insert('PermissionSetAssignment', { AssigneeId: admin.Id, PermissionSetId: adminPs.Id });
  org.update('UserLicense', licences.Salesforce, { UsedLicenses: 1 });

  const statuses: Array<[string, boolean, boolean]> = [
    ['Open - Not Contacted', true, false],
    ['Working - Contacted', false, false],
    ['Closed - Converted', false, true],
    ['Closed - Not Converted', false, false],
  ];
  statuses.forEach(([label, IsDefault, IsConverted], i) =>
    org.insert('LeadStatus', { MasterLabel: label, ApiName: label, IsDefault, IsConverted, SortOrder: i + 1 })
  );

  // Records written before the admin existed are attributed to the admin, as in a real org's setup data.
  for (const def of org.listObjects()) {
    for (const rec of org.query(def.name) as Array<SRecord & Record<string, unknown>>) {
      if (rec.CreatedById === null) rec.CreatedById = admin.Id;
      if (rec.LastModifiedById === null) rec.LastModifiedById = admin.Id;
      if ('OwnerId' in rec && rec.OwnerId === null) rec.OwnerId = admin.Id;
    }
  }
  return { adminUserId: admin.Id, adminUsername, profiles, licences };
}
