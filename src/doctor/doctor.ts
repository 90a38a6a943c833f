/*
 * `sf instruqt doctor`: seed 003's troubleshooting table as checks. Each check reads the org (as the admin running it),
 * answers pass / warn / fail / skip with what it saw, and for anything not passing a fix to run. Read-only, except
 * `--smoke` (smoke.ts), which creates a throwaway Lead through the sync and removes it again.
 */
import type { SalesforceClient, DescribeSObject } from '../salesforce/client.js';
import { SalesforceApiError } from '../salesforce/errors.js';
import { soqlIn, soqlLiteral } from '../salesforce/soql.js';
import { readFootprint, integrationPermissionSet, type Footprint } from '../footprint/footprint.js';
import { loadConfig, type SyncConfig } from '../sync/config.js';
import { assignmentsOf, findIntegrationUser, integrationLicenceOf, type Assignment, type IntegrationUser } from '../install/integration-user.js';
import { INTEGRATION_PERMISSION_SET, INTEGRATION_PROFILE, INTEGRATION_PSL_LABEL } from '../footprint/vocabulary.js';
import { readLastSync, type LastSync } from './last-sync.js';
import { checkExternalClientApp } from './app-doctor.js';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';
export type CheckId =
  | 'integration-user'
  | 'user-active'
  | 'api-access'
  | 'objects'
  | 'field-security'
  | 'assignments'
  | 'lead-status'
  | 'chatter'
  | 'api-headroom'
  | 'last-sync'
  | 'external-client-app'
  | 'smoke';

export type DoctorCheck = {
  id: CheckId;
  title: string;
  status: CheckStatus;
  /** What was seen. */
  detail: string;
  /** What to do when the check does not pass: a sentence, and the command(s) to run when there is one. */
  fix?: string;
  commands?: string[];
};

export type DoctorResult = {
  /** False when any check failed (exit code 1). */
  ok: boolean;
  user?: { id: string; username: string; isActive: boolean };
  checks: DoctorCheck[];
  apiCalls: number;
};

export type DoctorOptions = {
  /** Alias or username of the org, as the user typed it: printed fixes carry it. */
  orgLabel: string;
  /** The integration user's username; default: the holder of Instruqt_Integration. */
  username?: string;
  /** Sync configuration file (`sf instruqt sync --config`). */
  configPath?: string;
  /** Where the sync keeps its journals (default: the sync's own default). */
  journalDir?: string;
  /** The org's id: the sync's journal is kept per org. */
  orgId?: string;
  footprint?: Footprint;
  /** Warn below this share of the daily API limit left (percent). */
  headroomWarnPercent?: number;
};

/** Salesforce's limit on permission sets assigned to one user (Salesforce Help: "Permission Set Assignment limits"). */
export const PERMISSION_SET_ASSIGNMENT_LIMIT = 1000;
export const DEFAULT_NEW_LEAD_STATUS = 'Open - Not Contacted';

type Context = DoctorOptions & {
  client: SalesforceClient;
  footprint: Footprint;
  config: SyncConfig;
  user?: IntegrationUser;
  assignments: Assignment[];
};

const TITLES: Record<CheckId, string> = {
  'integration-user': 'Integration user exists',
  'user-active': 'Integration user is active',
  'api-access': 'Integration user has API access',
  objects: 'Instruqt objects and fields are deployed',
  'field-security': 'Field-level security allows the sync to write',
  assignments: 'Permission set licence and permission set assigned',
  'lead-status': 'New Lead Status is valid',
  chatter: 'Chatter is available for the activity posts',
  'api-headroom': 'Daily API requests left',
  'last-sync': 'Last sync wrote every record',
  'external-client-app': 'External Client App lets the integration user log in (JWT)',
  smoke: 'Smoke test: a form submission becomes an enriched Lead',
};

function check(id: CheckId, status: CheckStatus, detail: string, fix?: string, commands?: string[]): DoctorCheck {
  return { id, title: TITLES[id], status, detail, ...(fix ? { fix } : {}), ...(commands?.length ? { commands } : {}) };
}

const quote = (value: string): string => (/^[\w@.:/-]+$/.test(value) ? value : `"${value.replace(/"/g, '\\"')}"`);

/** Run every check; the smoke test is added by the caller (it needs the integration user's connection). */
export async function runDoctor(client: SalesforceClient, options: DoctorOptions): Promise<DoctorResult> {
  const footprint = options.footprint ?? readFootprint();
  const config = await loadConfig(options.configPath);
  const ctx: Context = { ...options, client, footprint, config, assignments: [] };
  // Headroom first: with the daily limit spent, every later check would only report REQUEST_LIMIT_EXCEEDED.
  const checks: DoctorCheck[] = [await guarded('api-headroom', () => checkApiHeadroom(ctx))];
  let user: IntegrationUser | undefined;
  try {
    user = await findIntegrationUser(client, options.username);
    ctx.user = user;
    ctx.assignments = user ? await assignmentsOf(client, user.id) : [];
  } catch (error) {
    // Without the user nothing else can be judged (API limit spent, API access refused to the admin...).
    checks.push(await guarded('integration-user', () => Promise.reject(error)));
    return summarize(client, undefined, checks);
  }
  checks.push(checkUserExists(ctx));
  if (user) {
    checks.push(checkActive(ctx, user));
    checks.push(await guarded('api-access', () => checkApiAccess(ctx, user)));
  }
  checks.push(await guarded('objects', () => checkObjects(ctx)));
  if (user) {
    checks.push(await guarded('field-security', () => checkFieldSecurity(ctx)));
    checks.push(await guarded('assignments', () => checkAssignments(ctx, user)));
    checks.push(await guarded('external-client-app', () => checkApp(ctx, user)));
  }
  checks.push(await guarded('lead-status', () => checkLeadStatus(ctx)));
  checks.push(await guarded('chatter', () => checkChatter(ctx)));
  checks.push(await checkLastSync(ctx));
  return summarize(client, user, checks);
}

async function checkApp(ctx: Context, user: IntegrationUser): Promise<DoctorCheck> {
  const holdsPermissionSet = ctx.assignments.some((a) => a.name === INTEGRATION_PERMISSION_SET);
  const found = await checkExternalClientApp(ctx.client.conn, { orgLabel: quote(ctx.orgLabel), username: user.username, holdsPermissionSet });
  return check('external-client-app', found.status, found.detail, found.fix, found.commands);
}

/** A check whose calls fail reports that failure instead of ending the whole diagnosis. */
async function guarded(id: CheckId, run: () => Promise<DoctorCheck>): Promise<DoctorCheck> {
  try {
    return await run();
  } catch (error) {
    const reason = error instanceof SalesforceApiError ? `${error.errorCode}: ${error.message}` : (error as Error).message;
    return check(id, 'fail', `Could not be checked: ${reason}`, 'Fix the error above (see the other checks), then run doctor again.');
  }
}

export function summarize(client: SalesforceClient, user: IntegrationUser | undefined, checks: DoctorCheck[]): DoctorResult {
  return {
    ok: checks.every((c) => c.status !== 'fail'),
    ...(user ? { user: { id: user.id, username: user.username, isActive: user.isActive } } : {}),
    checks,
    apiCalls: client.apiCalls,
  };
}

function checkUserExists(ctx: Context): DoctorCheck {
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

function checkActive(ctx: Context, user: IntegrationUser): DoctorCheck {
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
async function checkApiAccess(ctx: Context, user: IntegrationUser): Promise<DoctorCheck> {
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

async function describeOrUndefined(client: SalesforceClient, object: string): Promise<DescribeSObject | undefined> {
  try {
    return await client.describe(object);
  } catch (error) {
    if (error instanceof SalesforceApiError && (error.status === 404 || error.errorCode === 'NOT_FOUND' || error.errorCode === 'INVALID_TYPE')) {
      return undefined;
    }
    throw error;
  }
}

async function checkObjects(ctx: Context): Promise<DoctorCheck> {
  const problems: string[] = [];
  let fields = 0;
  for (const object of ctx.footprint.objects) {
    // eslint-disable-next-line no-await-in-loop
    const describe = await describeOrUndefined(ctx.client, object.name);
    if (!describe) {
      problems.push(`${object.name} is missing (or not yet usable)`);
      continue;
    }
    const present = new Set(describe.fields.map((f) => f.name.toLowerCase()));
    const missing = object.fields.filter((f) => !present.has(f.name.toLowerCase())).map((f) => f.fullName);
    if (missing.length) problems.push(`missing field(s) ${missing.join(', ')}`);
    fields += object.fields.length - missing.length;
  }
  if (problems.length === 0) {
    return check('objects', 'pass', `${ctx.footprint.objects.map((o) => o.name).join(', ')} with all ${fields} custom fields.`);
  }
  return check(
    'objects',
    'fail',
    `${problems.join('; ')}. New objects can take a few minutes to become usable after a deploy.`,
    'Deploy the footprint again (install is idempotent and only deploys what is missing).',
    [`sf instruqt install --target-org ${quote(ctx.orgLabel)}`]
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
async function checkFieldSecurity(ctx: Context): Promise<DoctorCheck> {
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
async function checkAssignments(ctx: Context, user: IntegrationUser): Promise<DoctorCheck> {
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

/**
 * The sync creates Leads with the configured status (matched on label or API name, as the sync's preflight does), or
 * the org's default one; Lead.Status is a restricted picklist fed by LeadStatus.
 */
async function checkLeadStatus(ctx: Context): Promise<DoctorCheck> {
  if (!ctx.config.workflows.createLeads) return check('lead-status', 'skip', 'The Create Lead workflow is off.');
  const statuses = await ctx.client.query<{ MasterLabel: string; ApiName?: string | null; IsDefault: boolean }>(
    'SELECT MasterLabel, ApiName, IsDefault FROM LeadStatus ORDER BY SortOrder'
  );
  const names = statuses.map((s) => `"${s.MasterLabel}"`).join(', ');
  const configured = ctx.config.newLeadStatus;
  if (!configured) {
    const dflt = statuses.find((s) => s.IsDefault);
    if (dflt) return check('lead-status', 'pass', `New Leads get the org's default status "${dflt.MasterLabel}".`);
    return check(
      'lead-status',
      'fail',
      'No newLeadStatus is configured and the org has no default Lead status: the sync cannot create Leads.',
      `Mark a default in Setup > Lead Status, or set newLeadStatus in the sync configuration to one of ${names} (for example "${DEFAULT_NEW_LEAD_STATUS}").`
    );
  }
  const wanted = configured.trim().toLowerCase();
  const found = statuses.find((s) => s.MasterLabel.toLowerCase() === wanted || (s.ApiName ?? '').toLowerCase() === wanted);
  const source = `newLeadStatus in ${ctx.configPath ?? 'the configuration'}`;
  if (found) return check('lead-status', 'pass', `"${found.MasterLabel}" (${source}) is a Lead status of the org.`);
  return check(
    'lead-status',
    'fail',
    `"${configured}" (${source}) is not a Lead status of the org: new Leads would be refused with INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST.`,
    `Set newLeadStatus in ${ctx.configPath ?? 'the sync configuration'} to one of ${names}, or add "${configured}" in Setup > Lead Status.`
  );
}

async function checkChatter(ctx: Context): Promise<DoctorCheck> {
  if (!ctx.config.workflows.chatter) return check('chatter', 'skip', 'The Chatter workflow is off.');
  const object = ctx.config.activity === 'task' ? 'Task' : 'FeedItem';
  const describe = await describeOrUndefined(ctx.client, object);
  if (describe?.createable) {
    return check('chatter', 'pass', `${object} can be created: the activity posts will be written.`);
  }
  return check(
    'chatter',
    'fail',
    object === 'FeedItem'
      ? 'FeedItem cannot be described or created: Chatter is off in this org, so no activity post can be written.'
      : 'Task cannot be created in this org.',
    object === 'FeedItem'
      ? 'Turn Chatter on (Setup > Chatter Settings), or set "activity": "task" in the sync configuration to log Tasks instead.'
      : 'Turn activities on for the org, or turn the Chatter workflow off in the sync configuration.'
  );
}

async function checkApiHeadroom(ctx: Context): Promise<DoctorCheck> {
  const limits = await ctx.client.request<Record<string, { Max: number; Remaining: number }>>('GET', '/limits');
  const daily = limits.DailyApiRequests;
  if (!daily) return check('api-headroom', 'skip', 'The org does not report DailyApiRequests.');
  const percent = daily.Max > 0 ? (daily.Remaining / daily.Max) * 100 : 0;
  const detail = `${daily.Remaining} of ${daily.Max} daily API requests left (${percent.toFixed(1)}%).`;
  const reserve = ctx.config.apiReservePercent;
  const fix =
    'Wait for the rolling 24-hour window to free requests, find the integration using them (Setup > API Usage), or buy more API capacity.';
  if (percent <= reserve) {
    return check('api-headroom', 'fail', `${detail} The sync stops at its ${reserve}% reserve.`, fix);
  }
  if (percent < (ctx.headroomWarnPercent ?? 20)) return check('api-headroom', 'warn', detail, fix);
  return check('api-headroom', 'pass', detail);
}

async function checkLastSync(ctx: Context): Promise<DoctorCheck> {
  if (!ctx.orgId) return check('last-sync', 'skip', 'The org id is unknown, so its sync journal cannot be found.');
  let last: LastSync | undefined;
  try {
    last = await readLastSync(ctx.orgId, ctx.journalDir);
  } catch (error) {
    return check('last-sync', 'warn', `The last sync's journal could not be read: ${(error as Error).message}`);
  }
  if (!last) return check('last-sync', 'skip', 'No sync journal for this org on this machine.');
  const when = `(${last.updatedAt}, journal ${last.file})`;
  const resume = 'Fix what the other checks report, then run the same sync again: it resumes where it stopped.';
  if (last.status === 'stopped') {
    return check('last-sync', 'fail', `The last sync stopped after line ${last.committedLine}: ${last.stoppedReason ?? 'no reason recorded'} ${when}.`, resume);
  }
  if (last.status === 'running') {
    return check('last-sync', 'warn', `The last sync did not finish (killed, or still running) after line ${last.committedLine} ${when}.`, resume);
  }
  if (last.failures) {
    return check(
      'last-sync',
      'fail',
      `The last sync could not write ${last.failures} record(s) ${when}.`,
      `Fix the causes (the other checks name most of them), then feed the failed records again${
        last.failedRecordsFile ? ` from ${last.failedRecordsFile}` : ''
      }.`
    );
  }
  return check('last-sync', 'pass', `The last sync completed ${when}.`);
}
