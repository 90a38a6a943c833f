/*
 * The standard and setup objects of a fresh org, with their real key prefixes, required fields and field types
 * (Object Reference for Salesforce and Lightning Platform). Setup objects carry `setup: true`: they cannot be written
 * in the same transaction as ordinary data (MIXED_DML_OPERATION).
 */
import type { FieldDef, ObjectDef } from '../core/types.js';
import { field, lookup, object, picklist, readOnly, required } from './fields.js';

/** System permissions a PermissionSet carries as `Permissions<Name>` booleans. */
export const SYSTEM_PERMISSIONS = [
  'ApiEnabled',
  'ApiUserOnly',
  'CustomizeApplication',
  'ModifyMetadata',
  'ViewAllData',
  'ModifyAllData',
  'ViewSetup',
  'ViewPlatformEvents',
  'ViewPublicReports',
  'ViewEventLogFiles',
  'ViewPublicDashboards',
  'ViewDataLeakageEvents',
  'ManageUsers',
  'ManageInternalUsers',
  'ViewAllUsers',
  'ViewAllProfiles',
  'ViewRoles',
  'ManageRoles',
  'ManageSharing',
  'AuthorApex',
  'ManageCustomPermissions',
  'ManageProfilesPermissionsets',
  'AssignPermissionSets',
  'ManageSandboxes',
  'ChatterInternalUser',
  'ChatterOwnGroups',
  'ChatterFileLink',
  'ManageChatterMessages',
  'ConvertLeads',
  'ImportLeads',
  'ManageLeads',
  'TransferAnyLead',
  'EditTask',
  'EditEvent',
  'RunReports',
  'ExportReport',
  'ManageDashboards',
  'EmailSingle',
  'EmailMass',
  'EditPublicDocuments',
  'ManageDataIntegrations',
  'ManageTranslation',
  'ManageCategories',
  'ViewHelpLink',
  'LightningExperienceUser',
  'ViewEncryptedData',
  'ManageEncryptionKeys',
  'PasswordNeverExpires',
  'BulkApiHardDelete',
  'InstallPackaging',
  'ViewDeveloperName',
  'ManageAuthProviders',
  'ManageRemoteAccess',
  'ManageTwoFactor',
  'ManageIpAddresses',
  'ManageLoginAccessPolicies',
  'ManagePasswordPolicies',
  'ManageSessionPermissionSets',
  'PrivacyDataAccess',
  'ViewUserPII',
  'ManageExchangeConfig',
  'ModifySecureAgents',
  'ViewAllForeignKeyNames',
  'ViewDraftArticles',
  'AllowViewKnowledge',
];

const permissionFields = (): FieldDef[] =>
  SYSTEM_PERMISSIONS.map((p) => field(`Permissions${p}`, 'boolean', { label: p.replace(/([a-z])([A-Z])/g, '$1 $2') }));

const TIME_ZONES = ['GMT', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];
const LOCALES = [
  'en_US', 'en_GB', 'en_CA', 'en_AU', 'en_IE', 'en_IN', 'en_NZ', 'en_ZA', 'en_SG', 'de_DE', 'de_AT', 'de_CH',
  'fr_FR', 'fr_CA', 'fr_BE', 'fr_CH', 'nl_NL', 'nl_BE', 'es_ES', 'es_MX', 'es_AR', 'it_IT', 'it_CH', 'ja_JP',
  'zh_CN', 'zh_TW', 'zh_HK', 'ko_KR', 'pt_BR', 'pt_PT', 'sv_SE', 'da_DK', 'fi_FI', 'no_NO', 'pl_PL', 'ru_RU',
  'cs_CZ', 'hu_HU', 'tr_TR', 'th_TH', 'he_IL', 'ar_AE',
]; // prettier-ignore
const LANGUAGES = [
  'en_US', 'en_GB', 'de', 'es', 'es_MX', 'fr', 'it', 'ja', 'ko', 'zh_CN', 'zh_TW', 'pt_BR', 'nl_NL', 'sv', 'da',
  'fi', 'no', 'ru', 'th', 'pl', 'cs', 'hu', 'tr',
]; // prettier-ignore
const ENCODINGS = ['UTF-8', 'ISO-8859-1', 'Shift_JIS', 'ISO-2022-JP', 'EUC-JP', 'ks_c_5601-1987', 'Big5', 'GB2312'];
const LEAD_SOURCES = ['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other'];
const INDUSTRIES = ['Agriculture', 'Banking', 'Education', 'Finance', 'Healthcare', 'Technology', 'Other'];

const restricted = (name: string, values: string[], options: Partial<FieldDef> = {}): FieldDef =>
  picklist(name, values, { restrictedPicklist: true, ...options });

const personName = (): FieldDef[] => [
  picklist('Salutation', ['Mr.', 'Ms.', 'Mrs.', 'Dr.', 'Prof.'], { length: 40 }),
  field('FirstName', 'string', { length: 40 }),
  required('LastName', 'string', { length: 80 }),
  readOnly('Name', 'string', { length: 121, nameField: true, label: 'Full Name' }),
];

const address = (prefix: string): FieldDef[] => [
  field(`${prefix}Street`, 'textarea'),
  field(`${prefix}City`, 'string', { length: 40 }),
  field(`${prefix}State`, 'string', { length: 80 }),
  field(`${prefix}PostalCode`, 'string', { length: 20 }),
  field(`${prefix}Country`, 'string', { length: 80 }),
];

const setupObject = { setup: true } as const;

export function standardObjects(): ObjectDef[] {
  return [
    object(
      'Organization',
      '00D',
      [
        readOnly('Name', 'string', { length: 80, nameField: true }),
        readOnly('IsSandbox', 'boolean'),
        readOnly('InstanceName', 'string', { length: 5 }),
        readOnly('OrganizationType', 'picklist', {
          picklistValues: ['Developer Edition', 'Enterprise Edition', 'Unlimited Edition', 'Professional Edition'].map(
            (v) => ({ value: v, label: v, active: true, defaultValue: false })
          ),
        }),
        readOnly('NamespacePrefix', 'string', { length: 15 }),
        readOnly('TrialExpirationDate', 'datetime'),
        readOnly('Country', 'string', { length: 80 }),
        readOnly('LanguageLocaleKey', 'string', { length: 40 }),
        readOnly('DefaultLocaleSidKey', 'string', { length: 40 }),
        readOnly('TimeZoneSidKey', 'string', { length: 40 }),
        readOnly('Division', 'string', { length: 80 }),
        readOnly('PrimaryContact', 'string', { length: 80 }),
      ],
      { ...setupObject, createable: false, updateable: false, deletable: false, labelPlural: 'Organizations' }
    ),
    object(
      'User',
      '005',
      [
        required('Username', 'string', { length: 80, unique: true, idLookup: true }),
        required('Email', 'email', { length: 128 }),
        ...personName(),
        required('Alias', 'string', { length: 8 }),
        field('CommunityNickname', 'string', { length: 40, defaultedOnCreate: true, nillable: false }),
        restricted('TimeZoneSidKey', TIME_ZONES, { nillable: false, label: 'Time Zone', length: 40 }),
        restricted('LocaleSidKey', LOCALES, { nillable: false, label: 'Locale', length: 40 }),
        restricted('EmailEncodingKey', ENCODINGS, { nillable: false, label: 'Email Encoding', length: 40 }),
        restricted('LanguageLocaleKey', LANGUAGES, { nillable: false, label: 'Language', length: 40 }),
        lookup('ProfileId', ['Profile'], { nillable: false, label: 'Profile ID', childRelationshipName: 'Users' }),
        field('IsActive', 'boolean', { defaultValue: true, label: 'Active' }),
        picklist('UserType', ['Standard', 'PowerPartner', 'CspLitePortal', 'CustomerSuccess', 'Guest'], {
          createable: false,
          updateable: false,
          defaultedOnCreate: true,
          default: 'Standard',
          restrictedPicklist: true,
        }),
        field('FederationIdentifier', 'string', { length: 512, label: 'SAML Federation ID' }),
        field('Title', 'string', { length: 80 }),
        field('Phone', 'phone'),
        field('MobilePhone', 'phone'),
        field('CompanyName', 'string', { length: 80 }),
        field('Department', 'string', { length: 80 }),
        lookup('ManagerId', ['User']),
        lookup('DelegatedApproverId', ['User', 'Group'], { relationshipName: undefined }),
        readOnly('LastLoginDate', 'datetime'),
        readOnly('IsPortalEnabled', 'boolean'),
        field('UserPermissionsMarketingUser', 'boolean'),
        ...address(''),
      ],
      { ...setupObject, deletable: false }
    ),
    object(
      'Profile',
      '00e',
      [
        required('Name', 'string', { nameField: true }),
        lookup('UserLicenseId', ['UserLicense'], { nillable: false, label: 'User License ID' }),
        readOnly('UserType', 'picklist', {
          picklistValues: ['Standard', 'PowerPartner', 'CspLitePortal', 'Guest'].map((v) => ({
            value: v,
            label: v,
            active: true,
            defaultValue: false,
          })),
        }),
        field('Description', 'string'),
        readOnly('PermissionsApiEnabled', 'boolean'),
        readOnly('PermissionsModifyAllData', 'boolean'),
        readOnly('PermissionsViewSetup', 'boolean'),
      ],
      setupObject
    ),
    object(
      'UserLicense',
      '100',
      [
        readOnly('Name', 'string', { length: 40, nameField: true }),
        readOnly('MasterLabel', 'string', { length: 40 }),
        readOnly('LicenseDefinitionKey', 'string', { length: 40 }),
        readOnly('TotalLicenses', 'int', { digits: 9 }),
        readOnly('UsedLicenses', 'int', { digits: 9 }),
        readOnly('UsedLicensesLastUpdated', 'datetime'),
        readOnly('Status', 'picklist', {
          picklistValues: ['Active', 'Disabled'].map((v) => ({ value: v, label: v, active: true, defaultValue: false })),
        }),
      ],
      { ...setupObject, createable: false, updateable: false, deletable: false }
    ),
    object(
      'PermissionSetLicense',
      '0PL',
      [
        readOnly('MasterLabel', 'string', { length: 80, nameField: true }),
        readOnly('DeveloperName', 'string', { length: 80 }),
        readOnly('PermissionSetLicenseKey', 'string', { length: 255 }),
        readOnly('TotalLicenses', 'int', { digits: 9 }),
        readOnly('UsedLicenses', 'int', { digits: 9 }),
        readOnly('ExpirationDate', 'date'),
        readOnly('Status', 'picklist', {
          picklistValues: ['Active', 'Disabled', 'Expired'].map((v) => ({
            value: v,
            label: v,
            active: true,
            defaultValue: false,
          })),
        }),
      ],
      { ...setupObject, createable: false, updateable: false, deletable: false }
    ),
    object(
      'PermissionSetLicenseAssign',
      '2LA',
      [
        lookup('AssigneeId', ['User'], { nillable: false, updateable: false }),
        lookup('PermissionSetLicenseId', ['PermissionSetLicense'], {
          nillable: false,
          updateable: false,
          deleteConstraint: 'Cascade',
        }),
      ],
      { ...setupObject, updateable: false, label: 'Permission Set License Assignment' }
    ),
    object(
      'PermissionSet',
      '0PS',
      [
        required('Name', 'string', { length: 80, label: 'Name' }),
        required('Label', 'string', { length: 80, nameField: true }),
        field('Description', 'string'),
        readOnly('IsOwnedByProfile', 'boolean'),
        readOnly('IsCustom', 'boolean'),
        lookup('ProfileId', ['Profile'], { createable: false, updateable: false }),
        lookup('PermissionSetGroupId', ['PermissionSetGroup'], { createable: false, updateable: false }),
        picklist('Type', ['Regular', 'Group', 'Profile', 'Session', 'Standard'], {
          createable: false,
          updateable: false,
          defaultedOnCreate: true,
          default: 'Regular',
        }),
        lookup('LicenseId', ['UserLicense', 'PermissionSetLicense'], { relationshipName: 'License' }),
        readOnly('NamespacePrefix', 'string', { length: 15 }),
        field('HasActivationRequired', 'boolean'),
        ...permissionFields(),
      ],
      setupObject
    ),
    object(
      'ObjectPermissions',
      '110',
      [
        lookup('ParentId', ['PermissionSet', 'MutingPermissionSet'], { nillable: false, updateable: false, deleteConstraint: 'Cascade', childRelationshipName: 'ObjectPerms' }),
        required('SobjectType', 'string', { length: 40, updateable: false }),
        field('PermissionsRead', 'boolean'),
        field('PermissionsCreate', 'boolean'),
        field('PermissionsEdit', 'boolean'),
        field('PermissionsDelete', 'boolean'),
        field('PermissionsViewAllRecords', 'boolean'),
        field('PermissionsModifyAllRecords', 'boolean'),
        // Object Reference, ObjectPermissions: "PermissionsViewAllFields ... Available in API version 63.0 and later."
        field('PermissionsViewAllFields', 'boolean', { since: '63.0' }),
      ],
      { ...setupObject, labelPlural: 'Object Permissions' }
    ),
    object(
      'FieldPermissions',
      '01k',
      [
        lookup('ParentId', ['PermissionSet', 'MutingPermissionSet'], { nillable: false, updateable: false, deleteConstraint: 'Cascade', childRelationshipName: 'FieldPerms' }),
        required('SobjectType', 'string', { length: 40, updateable: false }),
        required('Field', 'string', { updateable: false }),
        field('PermissionsRead', 'boolean'),
        field('PermissionsEdit', 'boolean'),
      ],
      { ...setupObject, labelPlural: 'Field Permissions' }
    ),
    object(
      'PermissionSetAssignment',
      '0Pa',
      [
        lookup('AssigneeId', ['User'], { nillable: false, updateable: false, childRelationshipName: 'PermissionSetAssignments' }),
        lookup('PermissionSetId', ['PermissionSet'], { updateable: false, deleteConstraint: 'Cascade', childRelationshipName: 'Assignments' }),
        lookup('PermissionSetGroupId', ['PermissionSetGroup'], { updateable: false, deleteConstraint: 'Cascade' }),
        readOnly('IsActive', 'boolean', { defaultValue: true }),
        field('ExpirationDate', 'datetime'),
      ],
      setupObject
    ),
    object(
      'PermissionSetGroup',
      '0PG',
      [
        required('DeveloperName', 'string', { length: 80 }),
        required('MasterLabel', 'string', { length: 80, nameField: true }),
        field('Description', 'textarea'),
        readOnly('NamespacePrefix', 'string', { length: 15 }),
        field('HasActivationRequired', 'boolean'),
        picklist('Status', ['Updated', 'Outdated', 'Updating', 'Failed'], {
          createable: false,
          updateable: false,
          defaultedOnCreate: true,
          default: 'Updated',
        }),
      ],
      setupObject
    ),
    object(
      'PermissionSetGroupComponent',
      '0PH',
      [
        lookup('PermissionSetGroupId', ['PermissionSetGroup'], {
          nillable: false,
          updateable: false,
          deleteConstraint: 'Cascade',
        }),
        lookup('PermissionSetId', ['PermissionSet', 'MutingPermissionSet'], {
          nillable: false,
          updateable: false,
          deleteConstraint: 'Cascade',
        }),
      ],
      setupObject
    ),
    object(
      'MutingPermissionSet',
      '0QM',
      [
        required('DeveloperName', 'string', { length: 80 }),
        required('MasterLabel', 'string', { length: 80, nameField: true }),
        field('Description', 'textarea'),
        readOnly('NamespacePrefix', 'string', { length: 15 }),
        ...permissionFields(),
      ],
      setupObject
    ),
    object(
      'Group',
      '00G',
      [
        required('Name', 'string', { length: 40, nameField: true }),
        field('DeveloperName', 'string', { length: 80 }),
        picklist('Type', ['Regular', 'Queue', 'Role', 'Organization', 'AllCustomerPortal'], {
          default: 'Regular',
          defaultedOnCreate: true,
          nillable: false,
        }),
        field('Email', 'email'),
        field('DoesIncludeBosses', 'boolean'),
      ],
      setupObject
    ),
    object(
      'GroupMember',
      '011',
      [
        lookup('GroupId', ['Group'], { nillable: false, updateable: false, deleteConstraint: 'Cascade' }),
        lookup('UserOrGroupId', ['User', 'Group'], { nillable: false, updateable: false, deleteConstraint: 'Cascade' }),
      ],
      { ...setupObject, updateable: false }
    ),
    object(
      'LeadStatus',
      '01J',
      [
        readOnly('MasterLabel', 'string', { nameField: true, label: 'Master Label' }),
        readOnly('ApiName', 'string'),
        readOnly('IsConverted', 'boolean'),
        readOnly('IsDefault', 'boolean'),
        readOnly('SortOrder', 'int', { digits: 9 }),
      ],
      { createable: false, updateable: false, deletable: false, labelPlural: 'Lead Status Values' }
    ),
    object(
      'Lead',
      '00Q',
      [
        ...personName(),
        required('Company', 'string'),
        field('Title', 'string', { length: 128 }),
        field('Email', 'email'),
        field('Phone', 'phone'),
        field('MobilePhone', 'phone'),
        field('Website', 'url'),
        picklist('LeadSource', LEAD_SOURCES),
        picklist('Status', [], {
          nillable: false,
          defaultedOnCreate: true,
          restrictedPicklist: true,
          picklistFrom: { object: 'LeadStatus', field: 'MasterLabel' },
          label: 'Lead Status',
        }),
        picklist('Industry', INDUSTRIES),
        picklist('Rating', ['Hot', 'Warm', 'Cold']),
        field('Description', 'textarea', { length: 32_000 }),
        field('NumberOfEmployees', 'int', { digits: 8, label: 'Employees' }),
        field('AnnualRevenue', 'currency', { precision: 18, scale: 0 }),
        ...address(''),
        field('IsConverted', 'boolean', { updateable: false, label: 'Converted' }),
        readOnly('ConvertedDate', 'date'),
        lookup('ConvertedAccountId', ['Account'], { createable: false, updateable: false }),
        lookup('ConvertedContactId', ['Contact'], { createable: false, updateable: false }),
        lookup('ConvertedOpportunityId', ['Opportunity'], { createable: false, updateable: false }),
        field('IsUnreadByOwner', 'boolean', { label: 'Unread By Owner' }),
        field('HasOptedOutOfEmail', 'boolean', { label: 'Email Opt Out' }),
      ],
      { owner: true }
    ),
    object(
      'Account',
      '001',
      [
        required('Name', 'string', { nameField: true, label: 'Account Name' }),
        picklist('Type', ['Prospect', 'Customer - Direct', 'Customer - Channel', 'Partner', 'Other']),
        picklist('Industry', INDUSTRIES),
        field('Website', 'url'),
        field('Phone', 'phone'),
        field('Description', 'textarea', { length: 32_000 }),
        field('NumberOfEmployees', 'int', { digits: 8, label: 'Employees' }),
        field('AnnualRevenue', 'currency', { precision: 18, scale: 0 }),
        lookup('ParentId', ['Account'], { childRelationshipName: 'ChildAccounts' }),
        ...address('Billing'),
        ...address('Shipping'),
      ],
      { owner: true }
    ),
    object(
      'Contact',
      '003',
      [
        ...personName(),
        lookup('AccountId', ['Account'], { childRelationshipName: 'Contacts' }),
        field('Email', 'email'),
        field('Phone', 'phone'),
        field('MobilePhone', 'phone'),
        field('Title', 'string', { length: 128 }),
        field('Department', 'string', { length: 80 }),
        picklist('LeadSource', LEAD_SOURCES),
        field('Description', 'textarea', { length: 32_000 }),
        field('Birthdate', 'date'),
        lookup('ReportsToId', ['Contact']),
        field('HasOptedOutOfEmail', 'boolean', { label: 'Email Opt Out' }),
        ...address('Mailing'),
      ],
      { owner: true }
    ),
    object(
      'Opportunity',
      '006',
      [
        required('Name', 'string', { length: 120, nameField: true }),
        lookup('AccountId', ['Account'], { childRelationshipName: 'Opportunities' }),
        picklist(
          'StageName',
          [
            'Prospecting',
            'Qualification',
            'Needs Analysis',
            'Value Proposition',
            'Id. Decision Makers',
            'Perception Analysis',
            'Proposal/Price Quote',
            'Negotiation/Review',
            'Closed Won',
            'Closed Lost',
          ],
          { nillable: false, label: 'Stage' }
        ),
        required('CloseDate', 'date'),
        field('Amount', 'currency', { precision: 18, scale: 2 }),
        field('Probability', 'percent', { precision: 3, scale: 0 }),
        picklist('Type', ['Existing Customer - Upgrade', 'New Customer', 'Other']),
        picklist('LeadSource', LEAD_SOURCES),
        field('Description', 'textarea', { length: 32_000 }),
        readOnly('IsClosed', 'boolean'),
        readOnly('IsWon', 'boolean'),
      ],
      { owner: true, labelPlural: 'Opportunities' }
    ),
    object(
      'Task',
      '00T',
      [
        lookup('WhoId', ['Contact', 'Lead'], { childRelationshipName: 'Tasks', label: 'Name ID' }),
        lookup('WhatId', ['Account', 'Opportunity'], { childRelationshipName: 'Tasks', label: 'Related To ID' }),
        field('Subject', 'combobox'),
        field('Description', 'textarea', { length: 32_000 }),
        field('ActivityDate', 'date', { label: 'Due Date Only' }),
        picklist('Status', ['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'], {
          nillable: false,
          defaultedOnCreate: true,
          default: 'Not Started',
        }),
        picklist('Priority', ['High', 'Normal', 'Low'], { nillable: false, defaultedOnCreate: true, default: 'Normal' }),
        picklist('TaskSubtype', ['Task', 'Email', 'ListEmail', 'Cadence', 'Call', 'LinkedIn'], {
          updateable: false,
          restrictedPicklist: true,
        }),
        picklist('Type', ['Call', 'Email', 'Meeting', 'Other']),
        readOnly('IsClosed', 'boolean'),
      ],
      { owner: true }
    ),
    object(
      'Event',
      '00U',
      [
        lookup('WhoId', ['Contact', 'Lead'], { childRelationshipName: 'Events', label: 'Name ID' }),
        lookup('WhatId', ['Account', 'Opportunity'], { childRelationshipName: 'Events', label: 'Related To ID' }),
        field('Subject', 'combobox'),
        field('Description', 'textarea', { length: 32_000 }),
        field('StartDateTime', 'datetime'),
        field('EndDateTime', 'datetime'),
        field('ActivityDateTime', 'datetime'),
        field('ActivityDate', 'date'),
        field('DurationInMinutes', 'int', { digits: 8 }),
        field('IsAllDayEvent', 'boolean'),
        field('Location', 'string'),
        picklist('Type', ['Call', 'Email', 'Meeting', 'Other']),
      ],
      { owner: true }
    ),
    // Record feeds (Object Reference: "LeadFeed", "ContactFeed"): read-only views of the FeedItems posted on one
    // object's records. Listed before FeedItem so that the shared key prefix 0D5 names FeedItem.
    feedView('LeadFeed', 'Lead'),
    feedView('ContactFeed', 'Contact'),
    object(
      'FeedItem',
      '0D5',
      [
        lookup('ParentId', ['User', 'Group', 'Lead', 'Contact', 'Account', 'Opportunity'], {
          nillable: false,
          updateable: false,
          anyReference: true,
          deleteConstraint: 'Cascade',
          childRelationshipName: 'Feeds',
        }),
        field('Body', 'textarea', { length: 10_000 }),
        picklist('Type', ['TextPost', 'LinkPost', 'ContentPost', 'QuestionPost', 'PollPost', 'AdvancedTextPost'], {
          defaultedOnCreate: true,
          default: 'TextPost',
          restrictedPicklist: true,
        }),
        field('Title', 'string'),
        field('LinkUrl', 'url', { length: 1000 }),
        field('IsRichText', 'boolean'),
        readOnly('CommentCount', 'int', { digits: 9 }),
        readOnly('LikeCount', 'int', { digits: 9 }),
      ],
      { labelPlural: 'Feed Items' }
    ),
  ];
}

/** A record feed object: the FeedItems whose parent is a record of `parent`, queryable and deletable only. */
function feedView(name: string, parent: string): ObjectDef {
  return object(
    name,
    '0D5',
    [
      lookup('ParentId', [parent], { nillable: false, createable: false, updateable: false }),
      readOnly('Body', 'textarea', { length: 10_000 }),
      readOnly('Type', 'picklist'),
      readOnly('Title', 'string'),
      readOnly('LinkUrl', 'url', { length: 1000 }),
      readOnly('IsRichText', 'boolean'),
      readOnly('CommentCount', 'int', { digits: 9 }),
      readOnly('LikeCount', 'int', { digits: 9 }),
    ],
    { createable: false, updateable: false, labelPlural: `${parent} Feed` }
  );
}

/** Record feed object -> the object whose records' posts it shows. */
export const FEED_VIEWS: Record<string, string> = { LeadFeed: 'Lead', ContactFeed: 'Contact' };
