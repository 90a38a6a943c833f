/*
 * Doctor's checks of the integration user and its access: it exists and is active, has API access, field-level
 * security lets the sync write, and the permission set licence and permission set are assigned.
 */
import { soqlIn, soqlLiteral } from '../salesforce/soql.js';
import { integrationPermissionSet } from '../footprint/footprint.js';
import type { IntegrationUser } from '../install/integration-user.js';
import { integrationLicenceOf } from '../install/integration-user.js';
import { INTEGRATION_PERMISSION_SET, INTEGRATION_PROFILE, INTEGRATION_PSL_LABEL } from '../footprint/vocabulary.js';
import { checkExternalClientApp } from './app-doctor.js';
import { check, quote, type Context, type DoctorCheck } from './check.js';

/** Salesforce's limit on permission sets assigned to one user (Salesforce Help: "Permission Set Assignment limits"). */
export const PERMISSION_SET_ASSIGNMENT_LIMIT = 1000;

export async function checkApp(ctx: Context, user: IntegrationUser): Promise<DoctorCheck> {
  const holdsPermissionSet = ctx.assignments.some((a) => a.name === INTEGRATION_PERMISSION_SET);
  const found = await checkExternalClientApp(ctx.client.conn, { orgLabel: quote(ctx.orgLabel), username: user.username, holdsPermissionSet });
  return check('external-client-app', found.status, found.detail, found.fix, found.commands);
}

export function checkUserExists(ctx: Context): DoctorCheck {
  if (ctx.user) {
    return check('integration-user', 'pass', `${ctx.user.username} (found by ${ctx.user.foundBy})`);
  }
  const how = ctx.username
    ? `No user with username ${ctx.username}.`
    : `No user holds the ${INTEGRATION_PERMISSION_SET} permission set and no user is named "Instruqt Integration".`;
  return check(
    'integration-user',
    'fail',
    how,
    'Install the integration (it creates the integration user), or name the user with --username.',
    [`sf instruqt install --target-org ${quote(ctx.orgLabel)}`]
  );
}

export function checkActive(ctx: Context, user: IntegrationUser): DoctorCheck {
  if (user.isActive) return check('user-active', 'pass', `${user.username} is active.`);
  return check(
    'user-active',
    'fail',
    `${user.username} is deactivated: every API call of the sync fails with INVALID_LOGIN or INVALID_SESSION_ID.`,
    'Reactivate the integration user.',
    [`sf data update record --sobject User --record-id ${user.id} --values "IsActive=true" --target-org ${quote(ctx.orgLabel)}`]
  );
}

/** API Enabled comes from the profile's own permission set or any assigned one (salesforce-reference.md). */
export async function checkApiAccess(ctx: Context, user: IntegrationUser): Promise<DoctorCheck> {
  const ids = ctx.assignments.map((a) => a.permissionSetId);
  const sets = await ctx.client.query<{ Id: string; Name: string; IsOwnedByProfile: boolean; PermissionsApiEnabled: boolean }>(
    `SELECT Id, Name, IsOwnedByProfile, PermissionsApiEnabled FROM PermissionSet WHERE Id IN ${soqlIn(ids)}${
      user.profileId ? ` OR ProfileId = ${soqlLiteral(user.profileId)}` : ''
    }`
  );
  const granting = sets.filter((s) => s.PermissionsApiEnabled);
  if (granting.length > 0) {
    const names = granting.map((s) => (s.IsOwnedByProfile ? `profile ${user.profileName ?? s.Name}` : s.Name));
    return check('api-access', 'pass', `API Enabled through ${names.join(', ')}.`);
  }
  const profileSet = sets.find((s) => s.IsOwnedByProfile);
  return check(
    'api-access',
    'fail',
    `No profile or permission set of ${user.username} grants API Enabled: every call is refused with API_DISABLED_FOR_ORG.`,
    `Give the user's profile${user.profileName ? ` (${user.profileName})` : ''} the API Enabled permission, or use the profile "${INTEGRATION_PROFILE}", which has it.`,
    profileSet
      ? [
          `sf data update record --sobject PermissionSet --record-id ${profileSet.Id} --values "PermissionsApiEnabled=true" --target-org ${quote(
            ctx.orgLabel
          )}`,
        ]
      : undefined
  );
}


type ObjectRow = {
  SobjectType: string;
  PermissionsRead: boolean;
  PermissionsCreate: boolean;
  PermissionsEdit: boolean;
};
type FieldRow = { Field: string; PermissionsRead: boolean; PermissionsEdit: boolean };

/** The union of the user's sets must grant what the steady-state Instruqt_Integration set of the footprint grants. */
export async function checkFieldSecurity(ctx: Context): Promise<DoctorCheck> {
  const required = integrationPermissionSet(ctx.footprint);
  const ids = ctx.assignments.map((a) => a.permissionSetId);
  const objects = [...new Set(required.objectPermissions.map((o) => o.object))];
  const [objectRows, fieldRows] = await Promise.all([
    ctx.client.query<ObjectRow>(
      `SELECT SobjectType, PermissionsRead, PermissionsCreate, PermissionsEdit FROM ObjectPermissions WHERE ParentId IN ${soqlIn(
        ids
      )} AND SobjectType IN ${soqlIn(objects)}`
    ),
    ctx.client.query<FieldRow>(
      `SELECT Field, PermissionsRead, PermissionsEdit FROM FieldPermissions WHERE ParentId IN ${soqlIn(
        ids
      )} AND SobjectType IN ${soqlIn([...new Set(required.fieldPermissions.map((f) => f.field.split('.')[0]))])}`
    ),
  ]);
  const grants = (object: string, pick: (r: ObjectRow) => boolean): boolean =>
    objectRows.some((r) => r.SobjectType.toLowerCase() === object.toLowerCase() && pick(r));
  const fieldGrants = (field: string, pick: (r: FieldRow) => boolean): boolean =>
    fieldRows.some((r) => r.Field.toLowerCase() === field.toLowerCase() && pick(r));
  const missing: string[] = [];
  for (const o of required.objectPermissions) {
    if (o.allowRead && !grants(o.object, (r) => r.PermissionsRead)) missing.push(`${o.object}: Read`);
    if (o.allowCreate && !grants(o.object, (r) => r.PermissionsCreate)) missing.push(`${o.object}: Create`);
    if (o.allowEdit && !grants(o.object, (r) => r.PermissionsEdit)) missing.push(`${o.object}: Edit`);
  }
  for (const f of required.fieldPermissions) {
    if (f.editable && !fieldGrants(f.field, (r) => r.PermissionsEdit)) missing.push(`${f.field}: Edit`);
    else if (f.readable && !fieldGrants(f.field, (r) => r.PermissionsRead)) missing.push(`${f.field}: Read`);
  }
  if (missing.length === 0) {
    return check(
      'field-security',
      'pass',
      `${required.objectPermissions.length} object and ${required.fieldPermissions.length} field permissions the sync needs are granted.`
    );
  }
  return check(
    'field-security',
    'fail',
    `The integration user lacks ${missing.join(', ')}: the sync's writes of these are refused.`,
    `Deploy the ${INTEGRATION_PERMISSION_SET} permission set again (a deploy replaces the whole set), then audit it.`,
    [`sf instruqt install --target-org ${quote(ctx.orgLabel)}`, `sf instruqt perms check --target-org ${quote(ctx.orgLabel)}`]
  );
}

/** The licence first, then the set: the set's standard-object access needs the licence (salesforce-reference.md). */
export async function checkAssignments(ctx: Context, user: IntegrationUser): Promise<DoctorCheck> {
  const org = quote(ctx.orgLabel);
  const licence = await integrationLicenceOf(ctx.client, user.id);
  const problems: string[] = [];
  const commands: string[] = [];
  const fixes: string[] = [];
  const onIntegrationLicence = /Integration/i.test(user.profileName ?? '');
  if (!licence.assignmentId && (licence.licence !== undefined || onIntegrationLicence)) {
    problems.push(`the ${INTEGRATION_PSL_LABEL} permission set licence is not assigned`);
    const { total, used } = licence.licence ?? {};
    if (total !== undefined && used !== undefined && used >= total) {
      problems.push(`all ${total} ${INTEGRATION_PSL_LABEL} licences are in use`);
      fixes.push('Free a licence (remove it from a user who no longer needs it) or buy more');
    }
    commands.push(`sf org assign permsetlicense --name ${quote(INTEGRATION_PSL_LABEL)} --on-behalf-of ${user.username} --target-org ${org}`);
  }
  const holds = ctx.assignments.some((a) => a.name === INTEGRATION_PERMISSION_SET);
  if (!holds) {
    problems.push(`the ${INTEGRATION_PERMISSION_SET} permission set is not assigned`);
    const own = ctx.assignments.filter((a) => !a.isOwnedByProfile).length;
    if (own >= PERMISSION_SET_ASSIGNMENT_LIMIT) {
      problems.push(`the user already holds ${own} permission sets, Salesforce's limit`);
      fixes.push('Remove permission sets the user does not need, or group them in a permission set group');
    }
    commands.push(`sf org assign permset --name ${INTEGRATION_PERMISSION_SET} --on-behalf-of ${user.username} --target-org ${org}`);
  }
  if (problems.length === 0) {
    return check(
      'assignments',
      'pass',
      `${user.username} holds ${licence.licence ? `the ${INTEGRATION_PSL_LABEL} licence and ` : ''}${INTEGRATION_PERMISSION_SET}.`
    );
  }
  fixes.push('Assign the licence first, then the permission set (in this order)');
  return check('assignments', 'fail', `${problems.join('; ')}.`, `${fixes.join('. ')}.`, commands);
}

