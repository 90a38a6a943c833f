/*
 * `sf instruqt uninstall`: plan, then apply only what is still there, so a second run does nothing. Removes the
 * integration permission set and licence assignments (which also ends the integration user's JWT logins), deactivates
 * the integration user (users cannot be deleted); with purge, also the External Client App install created, the
 * Instruqt objects (and their data) and permission sets.
 */
import type { Connection } from '@salesforce/core';
import { SalesforceClient } from '../salesforce/client.js';
import { soqlIn, soqlLiteral } from '../salesforce/soql.js';
import { sameId } from '../salesforce/ids.js';
import { ExitCode } from '../exit-codes.js';
import { integrationLicenceOf, type IntegrationUser } from '../install/integration-user.js';
import { APP_COMPONENTS, APP_NAME, createdByInstall, readExternalClientApp, type DeployedApp } from '../install/extras/external-client-app.js';
import { deleteComponents, describeFailures, type PollOptions } from '../salesforce/metadata.js';
import { removeRelatedLists } from '../install/extras/related-lists.js';
import { INTEGRATION_PERMISSION_SET, INTEGRATION_PSL_LABEL, PLAY_OBJECT, TRACK_OBJECT, VIEWER_PERMISSION_SET } from '../footprint/vocabulary.js';
import { decideUsers, type UserDecision } from './uninstall-users.js';


export type UninstallAction =
  | 'remove-permission-set-assignment'
  | 'remove-group-component'
  | 'remove-licence-assignment'
  | 'deactivate-user'
  | 'delete-external-client-app'
  | 'remove-related-lists'
  | 'delete-metadata';

export type UninstallStep = {
  action: UninstallAction;
  /** What it acts on, for people: 'Instruqt_Integration -> user@x', 'CustomObject Instruqt_Play__c'. */
  target: string;
  /** Why this step is planned (whom a user step acts on, and why that user). */
  reason?: string;
  ids?: string[];
  status: 'planned' | 'done' | 'failed' | 'skipped';
  error?: string;
};

export type UninstallResult = {
  dryRun: boolean;
  purge: boolean;
  user?: { id: string; username: string };
  /** The plan, in the order it is applied, each with its outcome. */
  steps: UninstallStep[];
  /** What stays in the org, and why. */
  kept: string[];
  changed: boolean;
  apiCalls: number;
};

export type UninstallOptions = PollOptions & {
  username?: string;
  /** The user running the uninstall: never deactivated. */
  runningUsername?: string;
  purge?: boolean;
  dryRun?: boolean;
  /** Called with the plan before anything changes; false stops (nothing changed). */
  confirm?: (steps: UninstallStep[]) => Promise<boolean>;
  onStep?: (step: UninstallStep) => void;
};

type Plan = { user?: IntegrationUser; steps: UninstallStep[]; kept: string[] };

export async function planUninstall(client: SalesforceClient, options: UninstallOptions): Promise<Plan> {
  const purge = options.purge === true;
  const decisions = await decideUsers(client, options.runningUsername ?? '', options.username);
  const user = decisions.find((d) => d.deactivate)?.user;
  const sets = await client.query<PermissionSetRow>(
    `SELECT Id, Name FROM PermissionSet WHERE Name IN ${soqlIn([INTEGRATION_PERMISSION_SET, VIEWER_PERMISSION_SET])}`
  );
  const plan: Plan = { user, steps: [], kept: [] };
  await planAssignments(client, plan, sets, purge);
  for (const decision of decisions) await planUser(client, plan, decision);
  await planExternalClientApp(client, plan, options);
  await planMetadata(client, plan, sets, purge);
  return plan;
}

type PermissionSetRow = { Id: string; Name: string };

/** Every holder of the integration set loses it; viewers keep theirs unless the sets are purged (an assigned
 * permission set cannot be deleted). */
async function planAssignments(client: SalesforceClient, plan: Plan, sets: PermissionSetRow[], purge: boolean): Promise<void> {
  const viewerSet = sets.find((s) => s.Name === VIEWER_PERMISSION_SET);
  const removable = sets.filter((s) => s.Name === INTEGRATION_PERMISSION_SET || purge);
  if (viewerSet && !purge) plan.kept.push(`${VIEWER_PERMISSION_SET} and its assignments (people keep seeing plays; --purge removes it)`);
  if (removable.length === 0) return;
  const assignments = await client.query<{ Id: string; PermissionSetId: string; Assignee?: { Username?: string } | null }>(
    `SELECT Id, PermissionSetId, Assignee.Username FROM PermissionSetAssignment WHERE PermissionSetId IN ${soqlIn(
      removable.map((s) => s.Id)
    )}`
  );
  for (const a of assignments) {
    const set = removable.find((s) => sameId(s.Id, a.PermissionSetId));
    plan.steps.push({
      action: 'remove-permission-set-assignment',
      target: `${set?.Name ?? a.PermissionSetId} -> ${a.Assignee?.Username ?? 'user'}`,
      ids: [a.Id],
      status: 'planned',
    });
  }
  if (!purge || !viewerSet) return;
  const components = await client.query<{ Id: string; PermissionSetGroup?: { DeveloperName?: string } | null }>(
    `SELECT Id, PermissionSetGroup.DeveloperName FROM PermissionSetGroupComponent WHERE PermissionSetId = ${soqlLiteral(
      viewerSet.Id
    )}`
  );
  for (const c of components) {
    plan.steps.push({
      action: 'remove-group-component',
      target: `${VIEWER_PERMISSION_SET} in group ${c.PermissionSetGroup?.DeveloperName ?? c.Id}`,
      ids: [c.Id],
      status: 'planned',
    });
  }
}

async function planUser(client: SalesforceClient, plan: Plan, decision: UserDecision): Promise<void> {
  const { user, reason } = decision;
  if (!decision.deactivate) {
    if (user.isActive) plan.kept.push(`user ${user.username}, active: ${reason}; it only loses ${INTEGRATION_PERMISSION_SET}`);
    return;
  }
  const licence = await integrationLicenceOf(client, user.id);
  if (licence.assignmentId) {
    plan.steps.push({
      action: 'remove-licence-assignment',
      target: `${INTEGRATION_PSL_LABEL} -> ${user.username}`,
      ids: [licence.assignmentId],
      status: 'planned',
    });
  }
  if (user.isActive) plan.steps.push({ action: 'deactivate-user', target: user.username, reason, ids: [user.id], status: 'planned' });
  plan.kept.push(`user ${user.username}, deactivated (Salesforce users cannot be deleted)`);
}

/** The app stays without --purge: with the permission set unassigned nobody is pre-authorized, so nobody logs in. */
async function planExternalClientApp(client: SalesforceClient, plan: Plan, options: UninstallOptions): Promise<void> {
  const app = await readAppSafely(client.conn, options);
  if (app === undefined) return;
  if (!createdByInstall(app)) {
    plan.kept.push(`External Client App ${APP_NAME} (install did not create it)`);
  } else if (options.purge === true) {
    plan.steps.push({ action: 'delete-external-client-app', target: `External Client App ${APP_NAME}`, status: 'planned' });
  } else {
    plan.kept.push(`External Client App ${APP_NAME}, which logs nobody in without ${INTEGRATION_PERMISSION_SET} (--purge deletes it)`);
  }
}

async function planMetadata(client: SalesforceClient, plan: Plan, sets: PermissionSetRow[], purge: boolean): Promise<void> {
  const objects = await presentObjects(client);
  if (!purge) {
    if (objects.length) plan.kept.push(`${objects.join(', ')} and their records (--purge deletes them)`);
    if (sets.some((s) => s.Name === INTEGRATION_PERMISSION_SET)) {
      plan.kept.push(`${INTEGRATION_PERMISSION_SET} permission set, unassigned (--purge deletes it)`);
    }
    return;
  }
  if (objects.includes(PLAY_OBJECT)) {
    plan.steps.push({ action: 'remove-related-lists', target: 'Instruqt Plays on Lead and Contact layouts', status: 'planned' });
  }
  const components = [...objects.map((o) => `CustomObject ${o}`), ...sets.map((s) => `PermissionSet ${s.Name}`)];
  if (components.length) plan.steps.push({ action: 'delete-metadata', target: components.join(', '), status: 'planned' });
}

export async function uninstall(conn: Connection, options: UninstallOptions = {}): Promise<UninstallResult> {
  const client = new SalesforceClient(conn);
  const plan = await planUninstall(client, options);
  const result = (changed: boolean): UninstallResult => ({
    dryRun: options.dryRun === true,
    purge: options.purge === true,
    ...(plan.user ? { user: { id: plan.user.id, username: plan.user.username } } : {}),
    steps: plan.steps,
    kept: plan.kept,
    changed,
    apiCalls: client.apiCalls,
  });
  if (options.dryRun === true || plan.steps.length === 0) return result(false);
  if (options.confirm && !(await options.confirm(plan.steps))) {
    for (const step of plan.steps) step.status = 'skipped';
    return result(false);
  }
  let changed = false;
  // Order matters: permission sets before the licence they need, assignments before deleting the sets, the related
  // lists before the object they list.
  const run = async (action: UninstallAction, apply: (steps: UninstallStep[]) => Promise<void>): Promise<void> => {
    const batch = plan.steps.filter((s) => s.action === action && s.status === 'planned');
    if (batch.length === 0) return;
    try {
      await apply(batch);
    } catch (error) {
      for (const s of batch) if (s.status === 'planned') Object.assign(s, { status: 'failed', error: (error as Error).message });
    }
    for (const s of batch) {
      if (s.status === 'planned') s.status = 'done';
      if (s.status === 'done') changed = true;
      options.onStep?.(s);
    }
  };
  const deleteRecords = async (batch: UninstallStep[]): Promise<void> => {
    const results = await client.delete(batch.flatMap((s) => s.ids ?? []));
    batch.forEach((s, i) => {
      const r = results[i];
      // Already gone (someone else removed it since the plan) is what we wanted.
      if (r && !r.success && !r.errors.some((e) => e.statusCode === 'ENTITY_IS_DELETED' || e.statusCode === 'NOT_FOUND')) {
        Object.assign(s, { status: 'failed', error: r.errors.map((e) => `${e.statusCode}: ${e.message}`).join('; ') });
      }
    });
  };
  await run('remove-permission-set-assignment', deleteRecords);
  await run('remove-group-component', deleteRecords);
  await run('remove-licence-assignment', deleteRecords);
  await run('deactivate-user', async (batch) => {
    const results = await client.update('User', batch.map((s) => ({ Id: s.ids?.[0], IsActive: false })));
    batch.forEach((s, i) => {
      if (!results[i]?.success) Object.assign(s, { status: 'failed', error: results[i]?.errors.map((e) => e.message).join('; ') });
    });
  });
  await run('delete-external-client-app', async () => {
    const outcome = await deleteComponents(conn, APP_COMPONENTS.map((c) => ({ type: c.type, members: [c.name] })).reverse(), options);
    if (!outcome.success) throw new Error(describeFailures(outcome.failures) || outcome.status);
  });
  await run('remove-related-lists', async () => {
    await removeRelatedLists(conn, options);
  });
  await run('delete-metadata', async () => {
    const failedBefore = plan.steps.some((s) => s.status === 'failed');
    if (failedBefore) throw new Error('Not attempted: an earlier step failed (a permission set that is still assigned cannot be deleted).');
    const objects = await presentObjects(client);
    const sets = await client.query<{ Name: string }>(
      `SELECT Name FROM PermissionSet WHERE Name IN ${soqlIn([INTEGRATION_PERMISSION_SET, VIEWER_PERMISSION_SET])}`
    );
    const outcome = await deleteComponents(
      conn,
      [
        { type: 'CustomObject', members: objects },
        { type: 'PermissionSet', members: sets.map((s) => s.Name) },
      ],
      options
    );
    if (!outcome.success) throw new Error(describeFailures(outcome.failures) || outcome.status);
  });
  return result(changed);
}

/** Exit code: 0 done (or nothing to do), 1 nothing changed because of a failure, 68 changed some things then failed. */
export function uninstallExitCode(result: UninstallResult): ExitCode {
  const failed = result.steps.some((s) => s.status === 'failed');
  if (!failed) return ExitCode.Ok;
  return result.changed ? ExitCode.Partial : ExitCode.Failed;
}

async function presentObjects(client: SalesforceClient): Promise<string[]> {
  const global = await client.describeGlobal();
  const names = new Set(global.sobjects.map((s) => s.name.toLowerCase()));
  return [PLAY_OBJECT, TRACK_OBJECT].filter((o) => names.has(o.toLowerCase()));
}

/** An org whose Metadata API cannot list ExternalClientApplication has none install created. */
async function readAppSafely(conn: Connection, options: PollOptions): Promise<DeployedApp | undefined> {
  try {
    return await readExternalClientApp(conn, options);
  } catch {
    return undefined;
  }
}
