/*
 * `sf instruqt sync` as a library function: stream the input, batch it, and for every batch read the org, plan,
 * write, and journal. Owns the run's lifecycle: preflight checks before any write (footprint, LeadStatus), resume from
 * the journal, API budget, re-planning after a call failed midway, progress, and the summary.
 */
import type { Readable } from 'node:stream';
import { isRetryable } from '../salesforce/errors.js';
import { BudgetExceededError, type SalesforceClient } from '../salesforce/client.js';
import { Bulk2 } from '../salesforce/bulk2.js';
import type { SyncConfig } from './config.js';
import type { SyncEvent } from './events.js';
import { FailedRecordsFile } from './failed.js';
import { foldBatch } from './fold.js';
import { readInput, type InputLine } from './input.js';
import { InputHead, Journal, defaultJournalDir, type JournalData } from './journal.js';
import {
  assemblePlan,
  isEmptyPlan,
  parentsToCheck,
  planPlays,
  planPosts,
  resolvePeople,
  type Plan,
  type PlanIssue,
} from './plan.js';
import { loadPostKeys, loadState } from './state.js';
import { PlanWriter, emptyCounts, type WriteCounts } from './writers.js';

export type SyncProgress = { eventsRead: number; batches: number; apiCalls: number; skipped: number };

export type SyncOptions = {
  client: SalesforceClient;
  orgId: string;
  input: Readable;
  config: SyncConfig;
  dryRun?: boolean;
  /** Directory of the journal; default ~/.sf/instruqt-sync. */
  journalDir?: string;
  failedRecordsFile?: string;
  onProgress?: (p: SyncProgress) => void;
  onWarning?: (message: string) => void;
};

export type SyncResult = {
  dryRun: boolean;
  status: 'complete' | 'stopped';
  stoppedReason?: string;
  /** The run skipped input lines up to this one: a previous run had applied them (journal). */
  resumedAfterLine?: number;
  events: { read: number; valid: number; rejected: number; duplicates: number; skipped: number };
  batches: number;
  leads: { created: number };
  tracks: { created: number };
  plays: { created: number; updated: number; linked: number; unmatched: number };
  posts: { started: number; completed: number; score: number; feedback: number; total: number };
  /** Records Salesforce refused plus input lines rejected. */
  failures: number;
  failedRecordsFile?: string;
  rejectedLines: Array<{ line: number; reason: string }>;
  fieldIssues: PlanIssue[];
  apiCalls: number;
  apiUsage?: { used: number; max: number };
  bulkJobs: number;
  journalFile?: string;
  leadStatus?: string;
};

export class SyncError extends Error {
  public constructor(public readonly code: 'MissingFootprint' | 'InvalidLeadStatus' | 'NoLeadStatus', message: string, public readonly detail?: string[]) {
    super(message);
    this.name = 'SyncError';
  }
}

/** Lists in the result are capped; the failed-records file has everything. */
const LIST_CAP = 200;
/** Re-plans of one batch after a call failed midway (dropped connection, 5xx beyond the client's retries). */
const MAX_ROUNDS = 6;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Checks before any write: the footprint objects exist for this user, and the configured LeadStatus is valid. */
export type Preflight = { leadStatus?: string; convertedLeads: boolean };

export async function preflight(client: SalesforceClient, cfg: SyncConfig): Promise<Preflight> {
  const { sobjects } = await client.describeGlobal();
  const names = new Set(sobjects.map((s) => s.name.toLowerCase()));
  const needed = [
    ...(cfg.workflows.plays ? ['Instruqt_Play__c', 'Instruqt_Track__c'] : []),
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
async function settleJobs(client: SalesforceClient, cfg: SyncConfig, jobIds: string[]): Promise<void> {
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

export async function runSync(opts: SyncOptions): Promise<SyncResult> {
  const { client, config: cfg } = opts;
  const dryRun = opts.dryRun ?? false;
  const result: SyncResult = {
    dryRun,
    status: 'complete',
    events: { read: 0, valid: 0, rejected: 0, duplicates: 0, skipped: 0 },
    batches: 0,
    leads: { created: 0 },
    tracks: { created: 0 },
    plays: { created: 0, updated: 0, linked: 0, unmatched: 0 },
    posts: { started: 0, completed: 0, score: 0, feedback: 0, total: 0 },
    failures: 0,
    rejectedLines: [],
    fieldIssues: [],
    apiCalls: 0,
    bulkJobs: 0,
  };
  const failed = new FailedRecordsFile(dryRun ? undefined : opts.failedRecordsFile);
  const journal = dryRun ? undefined : new Journal(opts.journalDir ?? defaultJournalDir(), opts.orgId);
  result.journalFile = journal?.file;
  const head = new InputHead();
  const counts: WriteCounts = emptyCounts();
  const progress = (): void =>
    opts.onProgress?.({
      eventsRead: result.events.read,
      batches: result.batches,
      apiCalls: client.apiCalls,
      skipped: result.events.skipped,
    });

  const reserveLeft = (): boolean => {
    const u = client.apiUsage;
    return !u || u.max - u.used > Math.ceil((u.max * cfg.apiReservePercent) / 100);
  };

  let journalData: JournalData | undefined;
  try {
    const checked = await preflight(client, cfg);
    result.leadStatus = checked.leadStatus;
    const previous = await journal?.load();
    if (previous?.inFlight?.bulkJobs.length) await settleJobs(client, cfg, previous.inFlight.bulkJobs);

    const save = async (patch: Partial<JournalData>): Promise<void> => {
      if (!journal) return;
      journalData = {
        version: 1,
        orgId: opts.orgId,
        input: { headLines: head.lines, headHash: head.digest() },
        committedLine: journalData?.committedLine ?? 0,
        status: 'running',
        batches: journalData?.batches ?? 0,
        updatedAt: '',
        ...journalData,
        ...patch,
      };
      journalData.input = { headLines: head.lines, headHash: head.digest() };
      await journal.save(journalData);
    };

    // --- one batch ---------------------------------------------------------------------------------------------
    const processBatch = async (events: SyncEvent[], toLine: number): Promise<void> => {
      const fromLine = events[0]?.line ?? toLine;
      if (!reserveLeft()) throw new BudgetExceededError(client.apiCalls, client.apiCalls);
      client.assertBudget(3);
      await save({ inFlight: { fromLine, toLine, bulkJobs: [] }, status: 'running' });
      const fold = foldBatch(events);
      result.events.duplicates += fold.duplicates;
      let firstRound = true;
      for (let round = 1; ; round++) {
        try {
          const plan = await planBatch(client, fold, cfg, checked);
          if (firstRound) {
            for (const issue of plan.issues) {
              if (result.fieldIssues.length < LIST_CAP) result.fieldIssues.push(issue);
              opts.onWarning?.(`line ${issue.line ?? '?'}: play ${issue.playId ?? ''}: ${issue.field} ${issue.action}: ${issue.reason}`);
            }
            result.plays.unmatched += plan.unmatched;
            firstRound = false;
          }
          if (dryRun) {
            addPlanCounts(counts, plan);
            result.plays.linked += plan.linked;
            break;
          }
          if (isEmptyPlan(plan)) break;
          const writer = new PlanWriter(client, cfg, {
            onBulkJob: async (jobId) => {
              const inFlight = journalData?.inFlight ?? { fromLine, toLine, bulkJobs: [] };
              await save({ inFlight: { ...inFlight, bulkJobs: [...inFlight.bulkJobs, jobId] } });
            },
          });
          const written = await writer.apply(plan);
          addWriteCounts(counts, written);
          result.plays.linked += plan.linked;
          result.bulkJobs += written.bulkJobs;
          for (const f of written.failures) {
            await failed.add({ kind: 'record', ...f });
            opts.onWarning?.(`${f.object} ${f.key} (line ${f.lines.join(', ') || '-'}): ${f.errors.join('; ')}`);
          }
          break;
        } catch (e) {
          if (e instanceof BudgetExceededError || !isRetryable(e) || round >= MAX_ROUNDS) throw e;
          // Part of the plan may have been applied: wait, then plan again from the org's state.
          await sleep(Math.min(500 * 2 ** round, 8000) * (0.5 + Math.random() / 2));
        }
      }
      result.batches++;
      await save({ committedLine: toLine, inFlight: undefined, batches: (journalData?.batches ?? 0) + 1 });
      progress();
    };

    // --- the stream ---------------------------------------------------------------------------------------------
    let batch: SyncEvent[] = [];
    let lastLine = 0;
    let skipThrough = 0;
    const handle = async (item: InputLine): Promise<void> => {
      result.events.read++;
      lastLine = item.line;
      if (item.line <= skipThrough) {
        result.events.skipped++;
        return;
      }
      if (!item.ok) {
        result.events.rejected++;
        if (result.rejectedLines.length < LIST_CAP) result.rejectedLines.push({ line: item.line, reason: item.reason });
        opts.onWarning?.(`line ${item.line}: ${item.reason}`);
        await failed.add({ kind: 'input', line: item.line, reason: item.reason, text: item.text });
        return;
      }
      result.events.valid++;
      batch.push(item.event);
      if (batch.length >= cfg.batchSize) {
        const events = batch;
        batch = [];
        await processBatch(events, item.line);
      }
    };

    // Until the input's head is known to match the journal's, lines wait here (at most HEAD_LINES of them).
    let pending: InputLine[] | undefined = previous && previous.committedLine > 0 ? [] : undefined;
    const decide = (): void => {
      if (previous && head.lines === previous.input.headLines && head.digest() === previous.input.headHash) {
        skipThrough = previous.committedLine;
        result.resumedAfterLine = skipThrough;
        journalData = { ...previous, inFlight: undefined };
      }
    };
    for await (const item of readInput(opts.input)) {
      head.add(item.text);
      if (pending) {
        pending.push(item);
        if (head.lines < (previous?.input.headLines ?? 0)) continue;
        decide();
        const held = pending;
        pending = undefined;
        for (const h of held) await handle(h);
        continue;
      }
      await handle(item);
      if (result.events.read % 10_000 === 0) progress();
    }
    if (pending) {
      decide();
      for (const h of pending) await handle(h);
    }
    if (batch.length) await processBatch(batch, lastLine);
    else if (!dryRun && lastLine > (journalData?.committedLine ?? 0)) await save({ committedLine: lastLine });
    await save({ status: 'complete', stoppedReason: undefined });
  } catch (e) {
    if (!(e instanceof BudgetExceededError)) throw e;
    result.status = 'stopped';
    result.stoppedReason = client.apiUsage && !reserveLeft() ? 'api-limit-reserve' : 'max-api-calls';
    if (journal && journalData) await journal.save({ ...journalData, status: 'stopped', stoppedReason: result.stoppedReason });
  } finally {
    await failed.close();
  }

  result.leads.created = counts.leadsCreated;
  result.tracks.created = counts.tracksCreated;
  result.plays.created = counts.playsCreated;
  result.plays.updated = counts.playsUpdated;
  result.posts = { ...counts.posts, total: Object.values(counts.posts).reduce((a, b) => a + b, 0) };
  result.failures = failed.count;
  result.failedRecordsFile = failed.count > 0 ? opts.failedRecordsFile : undefined;
  result.apiCalls = client.apiCalls;
  result.apiUsage = client.apiUsage;
  progress();
  return result;
}

/** Read the org for one batch and plan it. */
export async function planBatch(
  client: SalesforceClient,
  fold: ReturnType<typeof foldBatch>,
  cfg: SyncConfig,
  checked: Preflight
): Promise<Plan> {
  const state = await loadState(client, fold, { plays: cfg.workflows.plays, convertedLeads: checked.convertedLeads });
  const people = resolvePeople(fold, state, cfg, checked.leadStatus);
  const issues: PlanIssue[] = [];
  const plays = planPlays(fold, state, people.people, cfg, issues);
  const parents = cfg.workflows.chatter ? parentsToCheck(plays.plays, cfg) : [];
  const existing = parents.length ? await loadPostKeys(client, parents, cfg.activity) : new Set<string>();
  return assemblePlan(people, plays, planPosts(plays.plays, existing, cfg), issues);
}

function addWriteCounts(into: WriteCounts, w: WriteCounts): void {
  into.leadsCreated += w.leadsCreated;
  into.tracksCreated += w.tracksCreated;
  into.playsCreated += w.playsCreated;
  into.playsUpdated += w.playsUpdated;
  for (const k of Object.keys(into.posts) as Array<keyof WriteCounts['posts']>) into.posts[k] += w.posts[k];
}

/** --dry-run: what the plan would write. */
function addPlanCounts(into: WriteCounts, plan: Plan): void {
  into.leadsCreated += plan.leads.length;
  into.tracksCreated += plan.tracks.length;
  for (const p of plan.plays) {
    if (p.isNew) into.playsCreated++;
    else into.playsUpdated++;
  }
  for (const p of plan.posts) into.posts[p.milestone]++;
}
