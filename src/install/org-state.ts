/*
 * Reads what the install needs to know about an org in two Composite calls (each: up to 5 queries plus describes):
 * organization, running user and their permissions, the footprint objects, the integration permission set with its
 * object/field access and assignees, candidate integration users, the API Integration PSL, integration profiles.
 */
import type { SalesforceClient, CompositeSubresponse, DescribeSObject, QueryResult } from '../salesforce/client.js';
import { SalesforceApiError } from '../salesforce/errors.js';
import { hasField } from '../salesforce/api-versions.js';
import { soqlIn, soqlLiteral } from '../salesforce/soql.js';
import { sameId } from '../salesforce/ids.js';
import type { OrgFieldPermission, OrgObjectPermission } from '../footprint/compare.js';
import { ADMIN_POWERS, grantsOf, grantsSelect, type GrantRow, type PowerGrant } from '../perms/admin-powers.js';
import { INTEGRATION_LICENCE, INTEGRATION_PSL_LABEL, INTEGRATION_PSL_NAME } from '../footprint/vocabulary.js';
import { sandboxNameFromUrl } from './integration-user.js';
import type { LicenceRecord, OrgInfo, InstallSnapshot, ProfileRecord, RunningUser, UserRecord } from './types.js';


export type ReadOptions = {
  permissionSetName: string;
  objectNames: string[];
  /** The user the CLI is logged in as. */
  runningUsername: string;
  /** Usernames to look up (--username and the derived default), given the org read in the first call. */
  usernames: (org: OrgInfo) => string[];
  /** System permissions to read on the integration permission set (the policy's install-only ones). */
  permissionNames: string[];
  /** --profile, looked up by name besides the integration licence's profiles. */
  profileName?: string;
  /** Permissions an integration user must never hold (the policy's forbidden ones), besides ADMIN_POWERS. */
  forbidden?: Array<{ name: string; label?: string }>;
};

type Row = Record<string, unknown>;

export async function readOrgState(client: SalesforceClient, options: ReadOptions): Promise<InstallSnapshot> {
  const ps = soqlLiteral(options.permissionSetName);
  const psl = `(MasterLabel = ${soqlLiteral(INTEGRATION_PSL_LABEL)} OR DeveloperName = ${soqlLiteral(
    INTEGRATION_PSL_NAME
  )})`;

  // PermissionsViewAllFields exists from API 63.0; an older --api-version cannot name it.
  const viewAllFields = hasField(client.apiVersion, 'ObjectPermissions.PermissionsViewAllFields');
  // Round 1: nothing here depends on another answer.
  const first = await compositeReads(client, {
    org: query('SELECT Id, Name, IsSandbox, InstanceName FROM Organization'),
    ps: query(
      `SELECT ${['Id', 'Name', 'Label', ...options.permissionNames.map((p) => `Permissions${p}`)].join(', ')} ` +
        `FROM PermissionSet WHERE Name = ${ps}`
    ),
    psa: query(`SELECT AssigneeId FROM PermissionSetAssignment WHERE PermissionSet.Name = ${ps}`),
    psl: query(`SELECT Id, MasterLabel, DeveloperName, TotalLicenses, UsedLicenses FROM PermissionSetLicense WHERE ${psl}`),
    objectPerms: query(
      'SELECT SobjectType, PermissionsRead, PermissionsCreate, PermissionsEdit, PermissionsDelete, ' +
        `PermissionsViewAllRecords, PermissionsModifyAllRecords${viewAllFields ? ', PermissionsViewAllFields' : ''} ` +
        `FROM ObjectPermissions WHERE Parent.Name = ${ps}`
    ),
    psDescribe: describe('PermissionSet'),
    ...Object.fromEntries(options.objectNames.map((o) => [`describe_${o}`, describe(o)])),
  });
  // Only permissions this org's PermissionSet has can be queried (a policy may name one of a newer release).
  const psFields = new Map(
    ((first.psDescribe.body as { fields?: Array<{ name: string; label?: string }> }).fields ?? []).map((f) => [f.name, f.label])
  );
  const powers = [...ADMIN_POWERS, ...(options.forbidden ?? []).map((f) => ({ name: f.name, label: f.label ?? f.name }))]
    .filter((p, i, all) => all.findIndex((q) => q.name === p.name) === i)
    .filter((p) => psFields.has(`Permissions${p.name}`));

  const orgRow = rows(first.org)[0] ?? {};
  const isSandbox = orgRow.IsSandbox === true;
  const org: OrgInfo = {
    id: str(orgRow.Id),
    name: str(orgRow.Name),
    isSandbox,
    instanceUrl: client.instanceUrl,
    sandboxName: isSandbox ? sandboxNameFromUrl(client.instanceUrl) : undefined,
  };
  const assigneeIds = rows(first.psa).map((r) => String(r.AssigneeId));
  const pslRow = rows(first.psl)[0];
  const usernames = [options.runningUsername, ...options.usernames(org)];

  // Round 2: needs the assignees and the PSL id.
  const pslFilter = pslRow
    ? `PermissionSetLicenseId = ${soqlLiteral(String(pslRow.Id))}`
    : `PermissionSetLicense.MasterLabel = ${soqlLiteral(INTEGRATION_PSL_LABEL)}`;
  const profileFilter =
    `UserLicense.Name = ${soqlLiteral(INTEGRATION_LICENCE)}` +
    (options.profileName ? ` OR Name = ${soqlLiteral(options.profileName)}` : '');
  const second = await compositeReads(client, {
    users: query(
      'SELECT Id, Username, Email, IsActive, ProfileId, Profile.Name, Profile.UserLicense.Name, TimeZoneSidKey, ' +
        'LocaleSidKey, EmailEncodingKey, LanguageLocaleKey FROM User ' +
        `WHERE Username IN ${soqlIn(usernames)} OR Id IN ${soqlIn(assigneeIds)}`
    ),
    pslAssignments: query(
      `SELECT AssigneeId FROM PermissionSetLicenseAssign WHERE ${pslFilter} AND ` +
        `(AssigneeId IN ${soqlIn(assigneeIds)} OR Assignee.Username IN ${soqlIn(usernames)})`
    ),
    profiles: query(
      'SELECT Id, Name, UserLicenseId, UserLicense.Name, UserLicense.TotalLicenses, UserLicense.UsedLicenses ' +
        `FROM Profile WHERE ${profileFilter}`
    ),
    fieldPerms: query(
      `SELECT Field, PermissionsRead, PermissionsEdit FROM FieldPermissions WHERE Parent.Name = ${ps}`
    ),
    // Every candidate's grants (an administrator is never taken for the integration user) and the running user's:
    // the profile's own permission set shows up here too, so this is each user's full set of grants.
    grants: query(
      `${grantsSelect(powers.map((p) => p.name))} WHERE Assignee.Username IN ${soqlIn(usernames)} OR AssigneeId IN ${soqlIn(assigneeIds)}`
    ),
  });

  // Only with --profile: a new integration user must not get administrator or forbidden permissions from its profile.
  const profilePowers = options.profileName ? await profilePowersOf(client, options.profileName, powers) : undefined;

  const allUsers = rows(second.users);
  const running = allUsers.find((u) => equalsIgnoreCase(u.Username, options.runningUsername));
  const grantRows = rows(second.grants) as GrantRow[];
  const grants = grantRows
    .filter((r) => running?.Id !== undefined && sameId(str(r.AssigneeId), str(running.Id)))
    .map((r) => (r.PermissionSet ?? {}) as Row);
  const granted = (name: string): boolean => grants.some((g) => g[`Permissions${name}`] === true);

  const objects: Record<string, DescribeSObject | undefined> = {};
  for (const name of options.objectNames) objects[name] = describeResult(first[`describe_${name}`]);

  const runningUser: RunningUser = {
    ...toUser(running ?? { Username: options.runningUsername }),
    timeZoneSidKey: str(running?.TimeZoneSidKey) || 'GMT',
    localeSidKey: str(running?.LocaleSidKey) || 'en_US',
    emailEncodingKey: str(running?.EmailEncodingKey) || 'UTF-8',
    languageLocaleKey: str(running?.LanguageLocaleKey) || 'en_US',
    canModifyMetadata: granted('ModifyMetadata') || granted('ModifyAllData'),
    canManageUsers: granted('ManageUsers'),
  };

  return {
    org,
    runningUser,
    objects,
    permissionSet: rows(first.ps).map((r) => ({
      id: str(r.Id),
      label: str(r.Label),
      permissions: Object.fromEntries(options.permissionNames.map((p) => [p, r[`Permissions${p}`] === true])),
    }))[0],
    objectPermissions: rows(first.objectPerms).map(toObjectPermission),
    fieldPermissions: rows(second.fieldPerms).map(toFieldPermission),
    assigneeIds,
    users: allUsers.map(toUser),
    psl: pslRow ? toLicence(pslRow) : undefined,
    pslAssigneeIds: rows(second.pslAssignments).map((r) => str(r.AssigneeId)),
    profiles: rows(second.profiles).map(toProfile),
    powers: Object.fromEntries(grantsOf(grantRows, powers)),
    profilePowers,
  };
}

/** The listed permissions the named profile's own permission set (IsOwnedByProfile) grants. */
async function profilePowersOf(
  client: SalesforceClient,
  profileName: string,
  powers: Array<{ name: string; label: string }>
): Promise<PowerGrant[]> {
  if (powers.length === 0) return [];
  const fields = powers.map((p) => `Permissions${p.name}`).join(', ');
  const sets = await client.query<Row>(
    `SELECT Profile.Name, ${fields} FROM PermissionSet WHERE IsOwnedByProfile = true AND Profile.Name = ${soqlLiteral(profileName)}`
  );
  return sets.flatMap((set) => {
    const source = `profile ${str((set.Profile as Row | null)?.Name) || profileName}`;
    return powers.filter((p) => set[`Permissions${p.name}`] === true).map((p) => ({ permission: p.name, label: p.label, source }));
  });
}

type Sub = { method: 'GET'; url: string };
const query = (soql: string): Sub => ({ method: 'GET', url: `/query?q=${encodeURIComponent(soql)}` });
const describe = (object: string): Sub => ({ method: 'GET', url: `/sobjects/${object}/describe` });

/** One Composite call; returns each subresponse by key. Query pages past the first are fetched with plain calls. */
async function compositeReads(client: SalesforceClient, subs: Record<string, Sub>): Promise<Record<string, CompositeSubresponse>> {
  const keys = Object.keys(subs);
  const responses = await client.composite(keys.map((k) => ({ ...subs[k], referenceId: k.replace(/\W/g, '_') })));
  const byKey: Record<string, CompositeSubresponse> = {};
  keys.forEach((k, i) => (byKey[k] = responses[i]));
  for (const k of keys) {
    // Keep the subresponse shape for callers, with every page of a query's records in it.
    if (subs[k].url.startsWith('/query')) {
      const records = await client.subresponseRecords<Row>(byKey[k]);
      byKey[k] = { ...byKey[k], body: { totalSize: records.length, done: true, records } };
    }
  }
  return byKey;
}

function rows(r: CompositeSubresponse): Row[] {
  return (r.body as QueryResult<Row>).records ?? [];
}

/** NOT_FOUND / INVALID_TYPE mean "no such (usable) object"; any other failure is an error to report. */
function describeResult(r: CompositeSubresponse): DescribeSObject | undefined {
  if (r.httpStatusCode < 400) return r.body as DescribeSObject;
  const error = SalesforceApiError.fromResponse(r.httpStatusCode, r.body);
  if (r.httpStatusCode === 404 || ['NOT_FOUND', 'INVALID_TYPE'].includes(error.errorCode)) return undefined;
  throw error;
}

function toUser(r: Row): UserRecord {
  const profile = (r.Profile ?? undefined) as Row | undefined;
  const licence = (profile?.UserLicense ?? undefined) as Row | undefined;
  return {
    id: str(r.Id),
    username: str(r.Username),
    email: str(r.Email),
    isActive: r.IsActive !== false,
    profileId: r.ProfileId ? str(r.ProfileId) : undefined,
    profileName: profile?.Name ? str(profile.Name) : undefined,
    licenceName: licence?.Name ? str(licence.Name) : undefined,
  };
}

function toProfile(r: Row): ProfileRecord {
  const licence = (r.UserLicense ?? undefined) as Row | undefined;
  return {
    id: str(r.Id),
    name: str(r.Name),
    licence: licence
      ? { id: str(r.UserLicenseId), name: str(licence.Name), total: num(licence.TotalLicenses), used: num(licence.UsedLicenses) }
      : undefined,
  };
}

function toLicence(r: Row): LicenceRecord {
  return {
    id: str(r.Id),
    masterLabel: str(r.MasterLabel),
    developerName: str(r.DeveloperName),
    total: num(r.TotalLicenses),
    used: num(r.UsedLicenses),
  };
}

function toObjectPermission(r: Row): OrgObjectPermission {
  return {
    object: str(r.SobjectType),
    read: r.PermissionsRead === true,
    create: r.PermissionsCreate === true,
    edit: r.PermissionsEdit === true,
    delete: r.PermissionsDelete === true,
    viewAllRecords: r.PermissionsViewAllRecords === true,
    modifyAllRecords: r.PermissionsModifyAllRecords === true,
    viewAllFields: 'PermissionsViewAllFields' in r ? r.PermissionsViewAllFields === true : undefined,
  };
}

function toFieldPermission(r: Row): OrgFieldPermission {
  return { field: str(r.Field), read: r.PermissionsRead === true, edit: r.PermissionsEdit === true };
}

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v as string));
const num = (v: unknown): number => (typeof v === 'number' ? v : Number(v ?? 0));
const equalsIgnoreCase = (a: unknown, b: string): boolean => str(a).toLowerCase() === b.toLowerCase();
