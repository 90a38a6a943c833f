/*
 * Doctor's checks of the org around the integration user: the Instruqt objects and fields, the Lead status the sync
 * uses, Chatter, the daily API requests left, and the last sync's journal.
 */
import type { SalesforceClient, DescribeSObject } from '../salesforce/client.js';
import { SalesforceApiError } from '../salesforce/errors.js';
import { readLastSync, type LastSync } from './last-sync.js';
import { check, quote, type Context, type DoctorCheck } from './check.js';

export const DEFAULT_NEW_LEAD_STATUS = 'Open - Not Contacted';

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

export async function checkObjects(ctx: Context): Promise<DoctorCheck> {
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


/**
 * The sync creates Leads with the configured status (matched on label or API name, as the sync's preflight does), or
 * the org's default one; Lead.Status is a restricted picklist fed by LeadStatus.
 */
export async function checkLeadStatus(ctx: Context): Promise<DoctorCheck> {
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

export async function checkChatter(ctx: Context): Promise<DoctorCheck> {
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

export async function checkApiHeadroom(ctx: Context): Promise<DoctorCheck> {
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

export async function checkLastSync(ctx: Context): Promise<DoctorCheck> {
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
