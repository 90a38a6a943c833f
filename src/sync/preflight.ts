/*
 * What the sync reads from the org before it writes: the preflight checks (footprint objects, LeadStatus), Bulk API
 * jobs a killed run left behind, and the org's state for one batch, planned. Its refusals are SyncErrors.
 */
import { SalesforceApiError } from '../salesforce/errors.js';
import { BudgetExceededError, type SalesforceClient } from '../salesforce/client.js';
import { Bulk2 } from '../salesforce/bulk2.js';
import { PLAY_OBJECT, TRACK_OBJECT } from '../footprint/vocabulary.js';
import type { SyncConfig } from './config.js';
import type { foldBatch } from './fold.js';
import { assemblePlan, parentsToCheck, planPlays, planPosts, resolvePeople, type Plan, type PlanIssue } from './plan.js';
import { loadPostKeys, loadState } from './state.js';

export class SyncError extends Error {
  public constructor(public readonly code: 'MissingFootprint' | 'InvalidLeadStatus' | 'NoLeadStatus', message: string, public readonly detail?: string[]) {
    super(message);
    this.name = 'SyncError';
  }
}

/** Checks before any write: the footprint objects exist for this user, and the configured LeadStatus is valid. */
export type Preflight = { leadStatus?: string; convertedLeads: boolean };

export async function preflight(client: SalesforceClient, cfg: SyncConfig): Promise<Preflight> {
  const { sobjects } = await client.describeGlobal();
  const names = new Set(sobjects.map((s) => s.name.toLowerCase()));
  const needed = [
    ...(cfg.workflows.plays ? [PLAY_OBJECT, TRACK_OBJECT] : []),
    ...(cfg.workflows.chatter ? [cfg.activity === 'chatter' ? 'FeedItem' : 'Task'] : []),
    'Lead',
    'Contact',
  ];
  const missing = needed.filter((n) => !names.has(n.toLowerCase()));
  if (missing.length) throw new SyncError('MissingFootprint', missing.join(', '), missing);
  // Conversion fields may be hidden from the integration user (field-level security): then converted Leads are
  // matched as Leads.
  const lead = await client.describe('Lead');
  const leadFields = new Set(lead.fields.map((f) => f.name));
  const convertedLeads = leadFields.has('IsConverted') && leadFields.has('ConvertedContactId');
  if (!cfg.workflows.createLeads) return { convertedLeads };
  const statuses = await client.query<{ MasterLabel: string; ApiName?: string | null; IsDefault?: boolean }>(
    'SELECT MasterLabel, ApiName, IsDefault FROM LeadStatus ORDER BY SortOrder'
  );
  const valueOf = (s: { MasterLabel: string; ApiName?: string | null }): string => s.ApiName ?? s.MasterLabel;
  if (cfg.newLeadStatus) {
    const wanted = cfg.newLeadStatus.trim().toLowerCase();
    const found = statuses.find((s) => s.MasterLabel.toLowerCase() === wanted || (s.ApiName ?? '').toLowerCase() === wanted);
    if (!found) {
      throw new SyncError('InvalidLeadStatus', cfg.newLeadStatus, statuses.map((s) => s.MasterLabel));
    }
    return { leadStatus: valueOf(found), convertedLeads };
  }
  const dflt = statuses.find((s) => s.IsDefault);
  if (!dflt) throw new SyncError('NoLeadStatus', 'no default Lead Status', statuses.map((s) => s.MasterLabel));
  return { leadStatus: valueOf(dflt), convertedLeads };
}

/** Let Bulk API jobs a killed run left behind finish (or abort them if never uploaded) before reading the org. */
export async function settleJobs(client: SalesforceClient, cfg: SyncConfig, jobIds: string[]): Promise<void> {
  const bulk = new Bulk2(client, { pollMs: cfg.bulkPollMs, pollMaxMs: cfg.bulkPollMaxMs, timeoutMs: cfg.bulkTimeoutMs });
  for (const id of jobIds) {
    try {
      const job = await bulk.getJob(id);
      if (job.state === 'Open') await bulk.setState(id, 'Aborted');
      else if (job.state === 'UploadComplete' || job.state === 'InProgress') await bulk.waitForJob(id);
    } catch (e) {
      if (e instanceof BudgetExceededError) throw e;
      // A job the org no longer knows cannot write anything any more.
    }
  }
}

/** Read the org for one batch and plan it. */
export async function planBatch(
  client: SalesforceClient,
  fold: ReturnType<typeof foldBatch>,
  cfg: SyncConfig,
  checked: Preflight
): Promise<Plan> {
  const state = await loadState(client, fold, { plays: cfg.workflows.plays, convertedLeads: checked.convertedLeads }).catch(
    (e: unknown) => {
      // Instruqt_Play__c.User_ID__c came after the first footprint (sf instruqt install adds it).
      if (e instanceof SalesforceApiError && e.errorCode === 'INVALID_FIELD' && e.message.includes('User_ID__c')) {
        throw new SyncError('MissingFootprint', 'Instruqt_Play__c.User_ID__c', ['Instruqt_Play__c.User_ID__c']);
      }
      throw e;
    }
  );
  const people = resolvePeople(fold, state, cfg, checked.leadStatus);
  const issues: PlanIssue[] = [];
  const plays = planPlays(fold, state, people.people, cfg, issues);
  const parents = cfg.workflows.chatter ? parentsToCheck(plays.plays, cfg) : [];
  const existing = parents.length ? await loadPostKeys(client, parents, cfg.activity) : new Set<string>();
  return assemblePlan(people, plays, planPosts(plays.plays, existing, cfg), issues);
}
