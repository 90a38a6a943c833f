/*
 * `sf instruqt doctor`: seed 003's troubleshooting table as checks. Each check reads the org (as the admin running it),
 * answers pass / warn / fail / skip with what it saw, and for anything not passing a fix to run. Read-only, except
 * `--smoke` (smoke.ts), which creates a throwaway Lead through the sync and removes it again. This module runs the
 * checks in order; user-checks.ts and org-checks.ts hold them, check.ts what they share.
 */
import type { SalesforceClient } from '../salesforce/client.js';
import { SalesforceApiError } from '../salesforce/errors.js';
import { readFootprint } from '../footprint/footprint.js';
import { loadConfig } from '../sync/config.js';
import { assignmentsOf, findIntegrationUser, type IntegrationUser } from '../install/integration-user.js';
import { check, type CheckId, type Context, type DoctorCheck, type DoctorOptions } from './check.js';
import { checkActive, checkApiAccess, checkApp, checkAssignments, checkFieldSecurity, checkUserExists } from './user-checks.js';
import { checkApiHeadroom, checkChatter, checkLastSync, checkLeadStatus, checkObjects } from './org-checks.js';

export type { CheckId, CheckStatus, DoctorCheck, DoctorOptions } from './check.js';
export { PERMISSION_SET_ASSIGNMENT_LIMIT } from './user-checks.js';
export { DEFAULT_NEW_LEAD_STATUS } from './org-checks.js';

export type DoctorResult = {
  /** False when any check failed (exit code 1). */
  ok: boolean;
  user?: { id: string; username: string; isActive: boolean };
  checks: DoctorCheck[];
  apiCalls: number;
};

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

