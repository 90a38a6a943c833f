/*
 * `sf instruqt sync` as a library function: stream the input, batch it, and for every batch read the org, plan,
 * write, and journal. Owns the run's lifecycle: preflight checks before any write (footprint, LeadStatus), resume from
 * the journal, API budget, re-planning after a call failed midway, progress, and the summary.
 */
import type { Readable } from 'node:stream';
import { isRetryable } from '../salesforce/errors.js';
import { BudgetExceededError, DailyLimitError, type SalesforceClient } from '../salesforce/client.js';
import type { SyncConfig } from './config.js';
import type { SyncEvent } from './events.js';
import { FailedRecordsFile } from './failed.js';
import { foldBatch } from './fold.js';
import { printable, readInput, type InputLine } from './input.js';
import { InputDigest, Journal, defaultJournalDir, type JournalData } from './journal.js';
import { isEmptyPlan, type Plan, type PlanIssue } from './plan.js';
import type { DuplicateLink } from './duplicates.js';
import { planBatch, preflight, settleJobs, type Preflight } from './preflight.js';
import { PlanWriter, addPlanCounts, addWriteCounts, emptyCounts, type WriteCounts } from './writers.js';

export { SyncError } from './preflight.js';

export type SyncProgress = { eventsRead: number; batches: number; apiCalls: number; skipped: number };

export type SyncOptions = {
  client: SalesforceClient;
  orgId: string;
  input: Readable;
  /** The same input from its start again (a file), to check it against the journal before reading it for real. */
  rereadInput?: () => Readable;
  config: SyncConfig;
  dryRun?: boolean;
  /** Directory of the journal; default ~/.sf/instruqt-sync. */
  journalDir?: string;
  failedRecordsFile?: string;
  onProgress?: (p: SyncProgress) => void;
  onWarning?: (message: string) => void;
  /** false: do not skip lines an earlier run applied (an input that is produced anew each run, e.g. an API pull). */
  resume?: boolean;
};

export type SyncResult = {
  /** True: nothing was written; counts say what would be. */
  dryRun: boolean;
  /** stopped: the API budget ran out; run again to resume. */
  status: 'complete' | 'stopped';
  stoppedReason?: string;
  /** Input lines up to this one were applied by an earlier run (journal) and skipped. */
  resumedAfterLine?: number;
  events: {
    read: number;
    valid: number;
    rejected: number;
    /** Events whose id came earlier in the same batch. */
    duplicates: number;
    /** Lines skipped because the journal says they were applied. */
    skipped: number;
  };
  batches: number;
  leads: { created: number };
  tracks: { created: number };
  plays: {
    created: number;
    updated: number;
    /** Plays linked to a Lead or Contact by this run. */
    linked: number;
    /** Plays stored without a Lead or Contact. */
    unmatched: number;
  };
  posts: { started: number; completed: number; score: number; feedback: number; total: number };
  /** Rejected input lines plus records Salesforce refused (exit code 68 when > 0). */
  failures: number;
  failedRecordsFile?: string;
  /** The first 200 rejected lines; the failed-records file has all of them. */
  rejectedLines: Array<{ line: number; reason: string }>;
  /** Records Salesforce refused (the first 200; the failed-records file has all of them). */
  failedRecords: Array<{
    object: string;
    /** Play id, track slug, Lead email, or milestone + play id of a post. */
    key: string;
    lines: number[];
    /** STATUS_CODE: message, as Salesforce gave them. */
    errors: string[];
  }>;
  /** Values that did not fit a field: truncated (nothing lost elsewhere) or skipped. */
  fieldIssues: PlanIssue[];
  /** Leads an org duplicate rule refused; their plays and posts went to the record the rule named (first 200). */
  duplicateLeads: DuplicateLink[];
  /** API calls made by this run. */
  apiCalls: number;
  apiUsage?: { used: number; max: number };
  bulkJobs: number;
  journalFile?: string;
  leadStatus?: string;
};

/** Lists in the result are capped; the failed-records file has everything. */
const LIST_CAP = 200;
/** Lines held while checking a one-pass input (stdin) against the journal; beyond, the run reads it all again. */
const MAX_HELD_LINES = 20_000;
/** Re-plans of one batch after a call failed midway (dropped connection, 5xx beyond the client's retries). */
const MAX_ROUNDS = 6;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function emptyResult(dryRun: boolean): SyncResult {
  return {
    dryRun,
    status: 'complete',
    events: { read: 0, valid: 0, rejected: 0, duplicates: 0, skipped: 0 },
    batches: 0,
    leads: { created: 0 },
    duplicateLeads: [],
    tracks: { created: 0 },
    plays: { created: 0, updated: 0, linked: 0, unmatched: 0 },
    posts: { started: 0, completed: 0, score: 0, feedback: 0, total: 0 },
    failures: 0,
    rejectedLines: [],
    failedRecords: [],
    fieldIssues: [],
    apiCalls: 0,
    bulkJobs: 0,
  };
}

/** One run: its counters, journal state and the input position. */
class SyncRun {
  public readonly result: SyncResult;
  private readonly cfg: SyncConfig;
  private readonly client: SalesforceClient;
  private readonly dryRun: boolean;
  private readonly failed: FailedRecordsFile;
  private readonly journal?: Journal;
  /** Hash of the lines handled so far, in order: the journal's proof of which input it describes. */
  private readonly digest = new InputDigest();
  private readonly counts: WriteCounts = emptyCounts();
  private checked: Preflight = { convertedLeads: false };
  private journalData?: JournalData;
  private previous?: JournalData;
  private batch: SyncEvent[] = [];
  private lastLine = 0;
  private skipThrough = 0;

  public constructor(private readonly opts: SyncOptions) {
    this.cfg = opts.config;
    this.client = opts.client;
    this.dryRun = opts.dryRun ?? false;
    this.result = emptyResult(this.dryRun);
    this.failed = new FailedRecordsFile(this.dryRun ? undefined : opts.failedRecordsFile);
    this.journal = this.dryRun ? undefined : new Journal(opts.journalDir ?? defaultJournalDir(), opts.orgId);
    this.result.journalFile = this.journal?.file;
  }

  public async run(): Promise<SyncResult> {
    try {
      await this.failed.check();
      this.checked = await preflight(this.client, this.cfg);
      this.result.leadStatus = this.checked.leadStatus;
      this.previous = await this.journal?.load();
      if (this.previous?.inFlight?.bulkJobs.length) await settleJobs(this.client, this.cfg, this.previous.inFlight.bulkJobs);
      await this.stream();
      if (this.batch.length) await this.processBatch(this.batch, this.lastLine);
      else if (this.lastLine > (this.journalData?.committedLine ?? 0)) await this.save({ committedLine: this.lastLine });
      await this.save({ status: 'complete', stoppedReason: undefined });
    } catch (e) {
      if (!(e instanceof BudgetExceededError)) throw e;
      this.result.status = 'stopped';
      // The org's daily allowance is spent (403 TotalRequests Limit exceeded): the journal lets tomorrow's run resume.
      this.result.stoppedReason =
        e instanceof DailyLimitError ? 'daily-api-limit' : this.reserveLeft() ? 'max-api-calls' : 'api-limit-reserve';
      if (this.journal && this.journalData) {
        await this.journal.save({ ...this.journalData, status: 'stopped', stoppedReason: this.result.stoppedReason });
      }
    } finally {
      await this.failed.close();
    }
    return this.finish();
  }

  private finish(): SyncResult {
    const r = this.result;
    const c = this.counts;
    r.leads.created = c.leadsCreated;
    r.tracks.created = c.tracksCreated;
    r.plays.created = c.playsCreated;
    r.plays.updated = c.playsUpdated;
    r.posts = { ...c.posts, total: Object.values(c.posts).reduce((a, b) => a + b, 0) };
    r.failures = this.failed.count;
    r.failedRecordsFile = this.failed.count > 0 ? this.failed.path : undefined;
    r.apiCalls = this.client.apiCalls;
    r.apiUsage = this.client.apiUsage;
    this.progress();
    return r;
  }

  private progress(): void {
    this.opts.onProgress?.({
      eventsRead: this.result.events.read,
      batches: this.result.batches,
      apiCalls: this.client.apiCalls,
      skipped: this.result.events.skipped,
    });
  }

  private reserveLeft(): boolean {
    const u = this.client.apiUsage;
    return !u || u.max - u.used > Math.ceil((u.max * this.cfg.apiReservePercent) / 100);
  }

  private async save(patch: Partial<JournalData>): Promise<void> {
    if (!this.journal) return;
    // The hash moves with the committed line only: lines read since are not applied yet.
    const input =
      patch.committedLine !== undefined
        ? { throughLine: patch.committedLine, hash: this.digest.digest() }
        : this.journalData?.input ?? { throughLine: 0, hash: new InputDigest().digest() };
    this.journalData = {
      version: 1,
      orgId: this.opts.orgId,
      committedLine: 0,
      status: 'running',
      batches: 0,
      updatedAt: '',
      ...this.journalData,
      ...patch,
      input,
    };
    await this.journal.save(this.journalData);
  }

  /** The line through which the journal says the input is applied, when it can tell which input that was. */
  private resumePoint(): number {
    // A source that re-reads a window (the Instruqt pull) never skips lines on the journal's word.
    if (this.opts.resume === false) return 0;
    const p = this.previous;
    return p && p.committedLine > 0 && p.input?.hash && p.input.throughLine === p.committedLine ? p.committedLine : 0;
  }

  private resumeAfter(line: number): void {
    this.skipThrough = line;
    this.result.resumedAfterLine = line;
    this.journalData = { ...(this.previous as JournalData), inFlight: undefined };
  }

  /** Whether the lines of `input` through `line` are exactly those the journal was written for. */
  private async samePrefix(lines: AsyncIterable<InputLine>, line: number): Promise<boolean> {
    const check = new InputDigest();
    for await (const item of lines) {
      if (item.line > line) break;
      check.add(item.line, item.text);
    }
    return check.line === line && check.digest() === this.previous?.input.hash;
  }

  /**
   * Read the input. A journal is used only for the input it was written for: a file is checked in a first pass;
   * stdin's lines are held (up to MAX_HELD_LINES) until the journal's last line is reached and compared.
   */
  private async stream(): Promise<void> {
    let resumeAt = this.resumePoint();
    if (resumeAt && this.opts.rereadInput) {
      if (await this.samePrefix(readInput(this.opts.rereadInput()), resumeAt)) this.resumeAfter(resumeAt);
      resumeAt = 0;
    }
    const check = new InputDigest();
    let held: InputLine[] | undefined = resumeAt ? [] : undefined;
    const settle = async (same: boolean): Promise<void> => {
      if (same) this.resumeAfter(resumeAt);
      const lines = held ?? [];
      held = undefined;
      for (const h of lines) await this.handle(h);
    };
    for await (const item of readInput(this.opts.input)) {
      if (held && item.line <= resumeAt) {
        check.add(item.line, item.text);
        held.push(item);
        if (item.line === resumeAt) await settle(check.digest() === this.previous?.input.hash);
        else if (held.length > MAX_HELD_LINES) await settle(false);
        continue;
      }
      // The journal's last line is blank or missing in this input: it is another input.
      if (held) await settle(false);
      await this.handle(item);
      if (this.result.events.read % 10_000 === 0) this.progress();
    }
    if (held) await settle(false);
  }

  private async handle(item: InputLine): Promise<void> {
    const r = this.result;
    this.digest.add(item.line, item.text);
    r.events.read++;
    this.lastLine = item.line;
    // A rejected line is never applied: it is reported again even inside the part a previous run applied.
    if (!item.ok) {
      r.events.rejected++;
      if (r.rejectedLines.length < LIST_CAP) r.rejectedLines.push({ line: item.line, reason: item.reason });
      this.opts.onWarning?.(`line ${item.line}: ${printable(item.reason, 500)}`);
      await this.failed.add({ kind: 'input', line: item.line, reason: item.reason, text: item.text });
      return;
    }
    if (item.line <= this.skipThrough) {
      r.events.skipped++;
      return;
    }
    r.events.valid++;
    this.batch.push(item.event);
    if (this.batch.length >= this.cfg.batchSize) {
      const events = this.batch;
      this.batch = [];
      await this.processBatch(events, item.line);
    }
  }

  private async processBatch(events: SyncEvent[], toLine: number): Promise<void> {
    const fromLine = events[0]?.line ?? toLine;
    if (!this.reserveLeft()) throw new BudgetExceededError(this.client.apiCalls, this.client.apiCalls);
    this.client.assertBudget(3);
    await this.save({ inFlight: { fromLine, toLine, bulkJobs: [] }, status: 'running' });
    const fold = foldBatch(events);
    this.result.events.duplicates += fold.duplicates;
    for (let round = 1; ; round++) {
      try {
        const plan = await planBatch(this.client, fold, this.cfg, this.checked);
        if (round === 1) this.noteIssues(plan);
        if (!this.dryRun && !isEmptyPlan(plan)) await this.apply(plan, fromLine, toLine);
        else if (this.dryRun) addPlanCounts(this.counts, plan);
        this.result.plays.linked += plan.linked;
        break;
      } catch (e) {
        if (e instanceof BudgetExceededError || !isRetryable(e) || round >= MAX_ROUNDS) throw e;
        // Part of the plan may have been applied: wait, then plan again from the org's state.
        await sleep(Math.min(500 * 2 ** round, 8000) * (0.5 + Math.random() / 2));
      }
    }
    this.result.batches++;
    await this.save({ committedLine: toLine, inFlight: undefined, batches: (this.journalData?.batches ?? 0) + 1 });
    this.progress();
  }

  private noteIssues(plan: Plan): void {
    for (const issue of plan.issues) {
      if (this.result.fieldIssues.length < LIST_CAP) this.result.fieldIssues.push(issue);
      this.opts.onWarning?.(`line ${issue.line ?? '?'}: play ${issue.playId ?? ''}: ${issue.field} ${issue.action}: ${issue.reason}`);
    }
    this.result.plays.unmatched += plan.unmatched;
  }

  private async apply(plan: Plan, fromLine: number, toLine: number): Promise<void> {
    const writer = new PlanWriter(this.client, this.cfg, {
      onBulkJob: async (jobId): Promise<void> => {
        const inFlight = this.journalData?.inFlight ?? { fromLine, toLine, bulkJobs: [] };
        await this.save({ inFlight: { ...inFlight, bulkJobs: [...inFlight.bulkJobs, jobId] } });
      },
    });
    const written = await writer.apply(plan);
    addWriteCounts(this.counts, written);
    this.result.bulkJobs += written.bulkJobs;
    for (const d of written.duplicates) {
      if (this.result.duplicateLeads.length < LIST_CAP) this.result.duplicateLeads.push(d);
      this.opts.onWarning?.(
        `Lead ${d.email} (line ${d.lines.join(', ') || '-'}): refused by duplicate rule ${d.rule}; its plays and posts went to the ${d.object} ${d.linkedTo}`
      );
    }
    for (const f of written.failures) {
      await this.failed.add({ kind: 'record', ...f });
      if (this.result.failedRecords.length < LIST_CAP) {
        this.result.failedRecords.push({ object: f.object, key: f.key, lines: f.lines, errors: f.errors });
      }
      this.opts.onWarning?.(`${f.object} ${f.key} (line ${f.lines.join(', ') || '-'}): ${f.errors.join('; ')}`);
    }
  }
}

export async function runSync(opts: SyncOptions): Promise<SyncResult> {
  return new SyncRun(opts).run();
}
