/*
 * Reads everything the audit needs in a fixed number of API calls, whatever the number of users and permission
 * sets: at most four Composite/query calls (users, their assignments, group components, the sets' Permissions*
 * fields and their object and field permissions) plus one follow-up call per result page beyond 2,000 rows.
 */
import { sameId } from '../salesforce/ids.js';
import type { SalesforceClient, CompositeSubrequest, CompositeSubresponse } from '../salesforce/client.js';
import { soqlIn } from '../salesforce/soql.js';
import { namedPermissions, PolicyError, wildcardObjects, type DescribedField, type Policy } from './policy.js';

export type UserRow = {
  Id: string;
  Username: string;
  Name?: string;
  IsActive?: boolean;
  ProfileId?: string;
  Profile?: { Name?: string } | null;
};
export type AssignmentRow = {
  Id: string;
  AssigneeId: string;
  PermissionSetId?: string | null;
  PermissionSetGroupId?: string | null;
  IsActive?: boolean | null;
  ExpirationDate?: string | null;
  PermissionSetGroup?: { DeveloperName?: string; MasterLabel?: string } | null;
};
export type ComponentRow = { Id?: string; PermissionSetGroupId: string; PermissionSetId: string };
export type PermissionSetRow = {
  [permission: string]: unknown;
  Id: string;
  Name: string;
  Label?: string;
  IsOwnedByProfile?: boolean;
  ProfileId?: string | null;
  Profile?: { Name?: string } | null;
  Type?: string | null;
};
export type MutingSetRow = { [permission: string]: unknown; Id: string; DeveloperName?: string; MasterLabel?: string };
export type ObjectPermissionRow = {
  [flag: string]: unknown;
  Id: string;
  ParentId: string;
  SobjectType: string;
};
export type FieldPermissionRow = {
  Id: string;
  ParentId: string;
  SobjectType: string;
  Field: string;
  PermissionsRead?: boolean;
  PermissionsEdit?: boolean;
};

/** What the org holds for the permission audit, as query rows: the pure audit works on this (tests build it). */
export type PermissionSnapshot = {
  users: UserRow[];
  /** --user values that matched no user. */
  unknownUsers: string[];
  assignments: AssignmentRow[];
  components: ComponentRow[];
  permissionSets: PermissionSetRow[];
  mutingSets: MutingSetRow[];
  objectPermissions: ObjectPermissionRow[];
  fieldPermissions: FieldPermissionRow[];
  /** `Permissions<Name>` fields the org's PermissionSet has, name -> label (API name without the prefix). */
  permissionLabels: Record<string, string>;
  /** Describe fields of the policy's wildcard objects; undefined when the org has no such object (yet). */
  describes: Map<string, DescribedField[] | undefined>;
  /** Whether ObjectPermissions has PermissionsViewAllFields (API 63.0+). */
  viewAllFieldsSupported: boolean;
};

type Describe = { fields: Array<DescribedField & { label?: string; type?: string }> };

const OBJECT_FLAGS = [
  'PermissionsRead',
  'PermissionsCreate',
  'PermissionsEdit',
  'PermissionsDelete',
  'PermissionsViewAllRecords',
  'PermissionsModifyAllRecords',
];

const isId = (v: string): boolean => /^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(v) && v.startsWith('005');

/** Read the org for the policy and (optionally) the named users; undefined users = every holder of the own sets. */
export async function readOrgSnapshot(
  client: SalesforceClient,
  policy: Policy,
  requestedUsers?: string[]
): Promise<PermissionSnapshot> {
  const own = soqlIn(policy.permissionSets);
  const wildcards = wildcardObjects(policy);

  // Call 1: who is audited, every group component (groups are few), own and profile sets, and the describes.
  const first: CompositeSubrequest[] = [];
  if (requestedUsers?.length) {
    const ids = requestedUsers.filter(isId);
    const names = requestedUsers.filter((u) => !isId(u));
    first.push(query('users', `SELECT Id FROM User WHERE Username IN ${soqlIn(names)} OR Id IN ${soqlIn(ids)}`));
  } else {
    first.push(
      query('direct', `SELECT AssigneeId FROM PermissionSetAssignment WHERE PermissionSet.Name IN ${own}`)
    );
  }
  first.push(
    query('components', 'SELECT Id, PermissionSetGroupId, PermissionSetId FROM PermissionSetGroupComponent'),
    query('ownSets', `SELECT Id, Name FROM PermissionSet WHERE Name IN ${own} AND IsOwnedByProfile = false`),
    { method: 'GET', url: '/sobjects/PermissionSet/describe', referenceId: 'describePermissionSet' },
    { method: 'GET', url: '/sobjects/MutingPermissionSet/describe', referenceId: 'describeMuting' },
    { method: 'GET', url: '/sobjects/ObjectPermissions/describe', referenceId: 'describeObjectPermissions' }
  );
  wildcards.forEach((o, i) => first.push({ method: 'GET', url: `/sobjects/${o}/describe`, referenceId: `describe${i}` }));
  const r1 = await runComposite(client, first);

  const components = await records<ComponentRow>(client, r1.get('components'));
  const ownSets = await records<{ Id: string; Name: string }>(client, r1.get('ownSets'));
  const psDescribe = r1.get('describePermissionSet')?.body as Describe | undefined;
  const mutingDescribe = r1.get('describeMuting')?.body as Describe | undefined;
  const opDescribe = r1.get('describeObjectPermissions')?.body as Describe | undefined;
  const describes = new Map<string, DescribedField[] | undefined>();
  wildcards.forEach((o, i) => {
    const r = r1.get(`describe${i}`);
    describes.set(o, r && r.httpStatusCode < 300 ? (r.body as Describe).fields : undefined);
  });

  const permissionLabels = permissionFieldsOf(psDescribe, policy);
  if (psDescribe?.fields) refuseUnknownPermissions(policy, permissionLabels);
  const mutingPermissions = mutingDescribe
    ? Object.keys(permissionFieldsOf(mutingDescribe, policy)).filter((p) => p in permissionLabels)
    : Object.keys(permissionLabels);
  const viewAllFieldsSupported = opDescribe
    ? opDescribe.fields.some((f) => f.name === 'PermissionsViewAllFields')
    : false;

  let userIds: string[];
  let unknownUsers: string[] = [];
  if (requestedUsers?.length) {
    const found = await records<UserRow>(client, r1.get('users'));
    userIds = found.map((u) => u.Id);
  } else {
    const direct = await records<{ AssigneeId: string }>(client, r1.get('direct'));
    userIds = direct.map((a) => a.AssigneeId);
    // Call 2 (only when an own set sits in a group): the users holding it through that group.
    const ownIds = new Set(ownSets.map((s) => s.Id));
    const ownGroups = unique(components.filter((c) => ownIds.has(c.PermissionSetId)).map((c) => c.PermissionSetGroupId));
    if (ownGroups.length) {
      const viaGroup = await client.query<{ AssigneeId: string }>(
        `SELECT AssigneeId FROM PermissionSetAssignment WHERE PermissionSetGroupId IN ${soqlIn(ownGroups)}`
      );
      userIds.push(...viaGroup.map((a) => a.AssigneeId));
    }
  }
  userIds = unique(userIds);

  // Call 3: the users and all their assignments.
  let users: UserRow[] = [];
  let assignments: AssignmentRow[] = [];
  if (userIds.length) {
    const r3 = await runComposite(client, [
      query('users', `SELECT Id, Username, Name, IsActive, ProfileId, Profile.Name FROM User WHERE Id IN ${soqlIn(userIds)}`),
      query(
        'assignments',
        'SELECT Id, AssigneeId, PermissionSetId, PermissionSetGroupId, IsActive, ExpirationDate, ' +
          'PermissionSetGroup.DeveloperName, PermissionSetGroup.MasterLabel ' +
          `FROM PermissionSetAssignment WHERE AssigneeId IN ${soqlIn(userIds)}`
      ),
    ]);
    users = await records<UserRow>(client, r3.get('users'));
    assignments = await records<AssignmentRow>(client, r3.get('assignments'));
  }
  if (requestedUsers?.length) {
    unknownUsers = requestedUsers.filter(
      (u) => !users.some((f) => sameId(f.Id, u) || f.Username.toLowerCase() === u.toLowerCase())
    );
  }

  // Call 4: every set involved (profile, direct, group members, own), muting sets, their object and field access.
  const profileIds = unique(users.map((u) => u.ProfileId).filter((p): p is string => Boolean(p)));
  const groupIds = new Set(assignments.map((a) => a.PermissionSetGroupId).filter(Boolean));
  const memberIds = components.filter((c) => groupIds.has(c.PermissionSetGroupId)).map((c) => c.PermissionSetId);
  const setIds = unique([
    ...assignments.map((a) => a.PermissionSetId).filter((p): p is string => Boolean(p)),
    ...memberIds,
    ...ownSets.map((s) => s.Id),
  ]);
  const permissionSelect = Object.keys(permissionLabels).map((p) => `Permissions${p}`);
  const policyObjects = unique(policy.required.objects.map((o) => o.object));
  const objectFlags = viewAllFieldsSupported ? [...OBJECT_FLAGS, 'PermissionsViewAllFields'] : OBJECT_FLAGS;
  const setFilter = `Id IN ${soqlIn(setIds)}${profileIds.length ? ` OR ProfileId IN ${soqlIn(profileIds)}` : ''}`;
  const r4 = await runComposite(client, [
    query(
      'sets',
      `SELECT Id, Name, Label, IsOwnedByProfile, ProfileId, Profile.Name, Type, ${permissionSelect.join(', ')} ` +
        `FROM PermissionSet WHERE ${setFilter}`
    ),
    query(
      'muting',
      `SELECT Id, DeveloperName, MasterLabel${mutingPermissions.map((p) => `, Permissions${p}`).join('')} ` +
        `FROM MutingPermissionSet WHERE Id IN ${soqlIn(memberIds)}`
    ),
  ]);
  const permissionSets = await records<PermissionSetRow>(client, r4.get('sets'));
  const mutingSets = await records<MutingSetRow>(client, r4.get('muting'));

  // Call 5: object and field permissions of exactly those sets (field permissions only for the policy's objects:
  // access to any other object is reported at object level).
  const parentIds = unique([...permissionSets.map((p) => p.Id), ...mutingSets.map((m) => m.Id)]);
  const r5 = await runComposite(client, [
    query(
      'objects',
      `SELECT Id, ParentId, SobjectType, ${objectFlags.join(', ')} FROM ObjectPermissions WHERE ParentId IN ${soqlIn(parentIds)}`
    ),
    query(
      'fields',
      'SELECT Id, ParentId, SobjectType, Field, PermissionsRead, PermissionsEdit FROM FieldPermissions ' +
        `WHERE ParentId IN ${soqlIn(parentIds)} AND SobjectType IN ${soqlIn(policyObjects)}`
    ),
  ]);

  return {
    users,
    unknownUsers,
    assignments,
    components,
    permissionSets,
    mutingSets,
    objectPermissions: await records<ObjectPermissionRow>(client, r5.get('objects')),
    fieldPermissions: await records<FieldPermissionRow>(client, r5.get('fields')),
    permissionLabels,
    describes,
    viewAllFieldsSupported,
  };
}

function query(referenceId: string, soql: string): CompositeSubrequest {
  return { method: 'GET', url: `/query?q=${encodeURIComponent(soql)}`, referenceId };
}

async function runComposite(client: SalesforceClient, subrequests: CompositeSubrequest[]): Promise<Map<string, CompositeSubresponse>> {
  const responses = await client.composite(subrequests);
  return new Map(responses.map((r) => [r.referenceId, r]));
}

/** The records of a query subresponse, every page of them. */
async function records<T>(client: SalesforceClient, sub: CompositeSubresponse | undefined): Promise<T[]> {
  return sub ? client.subresponseRecords<T>(sub) : [];
}

/** `Permissions<Name>` boolean fields of a describe, as name -> label; the policy's names when there is no describe. */
/**
 * A policy naming a permission the org does not have would be audited against nothing (forbidden) or fail late with
 * INVALID_FIELD (reduce): refuse it before auditing, naming each one and the list it is in.
 */
function refuseUnknownPermissions(policy: Policy, known: Record<string, string>): void {
  const lists: Array<[string, string[]]> = [
    ['required', policy.required.userPermissions.map((p) => p.name)],
    ['installOnly', policy.installOnly.map((p) => p.name)],
    ['forbidden', policy.forbidden.map((p) => p.name)],
    ['allowed', (policy.allowed?.userPermissions ?? []).map((p) => p.name)],
    ['dependencies', Object.entries(policy.dependencies ?? {}).flatMap(([p, needs]) => [p, ...needs])],
  ];
  const problems = lists.flatMap(([list, names]) =>
    [...new Set(names)].filter((n) => !(n in known)).map((n) => `${list}: "${n}" is not a permission of this org (PermissionSet has no field Permissions${n})`)
  );
  if (problems.length) {
    const path = policy.path ?? '<policy>';
    throw new PolicyError(`The policy ${path} names permissions this org does not have.`, path, problems);
  }
}

function permissionFieldsOf(describe: Describe | undefined, policy: Policy): Record<string, string> {
  const out: Record<string, string> = {};
  if (describe?.fields) {
    for (const f of describe.fields) {
      if (f.name.startsWith('Permissions') && (f.type === undefined || f.type === 'boolean')) {
        out[f.name.slice('Permissions'.length)] = f.label ?? f.name;
      }
    }
    return out;
  }
  for (const p of namedPermissions(policy)) out[p] = p;
  return out;
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/** Kept here for the modules of src/perms that import it from the snapshot. */
export { sameId };
