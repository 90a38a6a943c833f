/*
 * `sf instruqt sync`: parses flags, opens the input and the client, shows progress (silent with --json), and
 * renders the typed result of src/sync/engine.ts. Exit 68 when some records or lines failed or the run stopped early.
 */
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages, SfError } from '@salesforce/core';
import { SalesforceClient } from '../../salesforce/client.js';
import { ConfigError, loadConfig } from '../../sync/config.js';
import { runSync, SyncError, type SyncProgress, type SyncResult } from '../../sync/engine.js';
import { openInput } from '../../sync/input.js';
import { InstruqtApiError } from '../../sync/instruqt/client.js';
import { InstruqtSourceError, openInstruqtSource, type InstruqtPullSummary, type InstruqtSource } from '../../sync/instruqt/source.js';
import { FailedRecordsPathError } from '../../sync/failed.js';
import { defaultJournalDir, Journal } from '../../sync/journal.js';
import { SyncLock, SyncLockedError } from '../../sync/lock.js';
import { assertApiVersion } from '../../salesforce/api-version.js';
import { exitOnInterrupt } from '../../cli/interrupt.js';
import { ExitCode, exitCodesHelp, setExitCode } from '../../exit-codes.js';
import { PLAY_OBJECT, TRACK_OBJECT } from '../../footprint/vocabulary.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-instruqt', 'instruqt.sync');

/** The sync's result; `instruqt` says what a --source instruqt run pulled. */
export type InstruqtSyncResult = SyncResult & { instruqt?: InstruqtPullSummary };

type Input = { input: Readable; reread?: () => Readable; resume?: boolean; instruqt?: InstruqtSource };

// ISO 8601 date, or date-time with a zone.
const SINCE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/;

/** Warnings shown one by one; the rest are counted. */
const MAX_WARNINGS = 50;

/** Plain progress lines at most this often when there is no progress bar (CI logs). */
const PLAIN_PROGRESS_MS = 10_000;

export default class Sync extends SfCommand<InstruqtSyncResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly errorCodes = exitCodesHelp('sync');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    source: Flags.string({ options: ['file', 'instruqt'], default: 'file', summary: messages.getMessage('flags.source.summary') }),
    file: Flags.string({ char: 'f', summary: messages.getMessage('flags.file.summary') }),
    team: Flags.string({ summary: messages.getMessage('flags.team.summary') }),
    since: Flags.string({ summary: messages.getMessage('flags.since.summary') }),
    lookback: Flags.integer({ min: 0, default: 7, summary: messages.getMessage('flags.lookback.summary') }),
    'include-developer-plays': Flags.boolean({ summary: messages.getMessage('flags.include-developer-plays.summary') }),
    config: Flags.file({ char: 'c', exists: true, summary: messages.getMessage('flags.config.summary') }),
    'dry-run': Flags.boolean({ summary: messages.getMessage('flags.dry-run.summary') }),
    'max-api-calls': Flags.integer({ min: 1, summary: messages.getMessage('flags.max-api-calls.summary') }),
    'journal-dir': Flags.directory({ summary: messages.getMessage('flags.journal-dir.summary') }),
    'failed-records': Flags.string({
      summary: messages.getMessage('flags.failed-records.summary'),
      default: 'instruqt-sync-failed-records.ndjson',
    }),
  };

  public async run(): Promise<InstruqtSyncResult> {
    const { flags } = await this.parse(Sync);
    const config = await loadConfig(flags.config).catch((e: unknown) => {
      if (e instanceof ConfigError) throw messages.createError('error.InvalidConfig', [e.message]);
      throw e;
    });
    const org = flags['target-org'];
    const connection = org.getConnection(flags['api-version']);
    await assertApiVersion(connection, flags['api-version']);
    const orgId = org.getOrgId();
    const journalDir = flags['journal-dir'] ?? defaultJournalDir();
    // One writer per org (a file or a pull alike): a dry run writes neither the org nor the journal.
    const lock = flags['dry-run'] ? undefined : takeLock(journalDir, orgId);
    const restoreSignals = exitOnInterrupt({
      json: this.jsonEnabled(),
      message: messages.getMessage('error.Interrupted'),
      cleanup: () => {
        this.spinner.stop(messages.getMessage('progress.interrupted'));
        new Journal(journalDir, orgId).discardPartialSync();
        lock?.release();
      },
    });
    let source: Input;
    try {
      source = await this.openSource(flags, orgId);
    } catch (e) {
      lock?.release();
      restoreSignals();
      throw e;
    }
    const client = new SalesforceClient(connection, { maxApiCalls: flags['max-api-calls'] });
    const onProgress = this.progressReporter();

    let result: InstruqtSyncResult;
    let warnings = 0;
    try {
      result = await runSync({
        client,
        orgId,
        input: source.input,
        rereadInput: source.reread,
        resume: source.resume,
        config,
        dryRun: flags['dry-run'],
        journalDir,
        failedRecordsFile: flags['failed-records'],
        onProgress,
        onWarning: (message) => {
          // A bad export must not flood the terminal or the JSON: the failed-records file has every entry.
          if (++warnings <= MAX_WARNINGS) this.warn(message);
        },
      });
    } catch (e) {
      this.spinner.stop(messages.getMessage('progress.failed'));
      throw this.explain(e);
    } finally {
      lock?.release();
      restoreSignals();
    }
    this.spinner.stop(messages.getMessage('progress.done'));
    if (source.instruqt) {
      // Only a run that read and applied everything moves the watermark; otherwise the next run reads the range again.
      const failure = source.instruqt.failure();
      if (!result.dryRun && result.status === 'complete' && !failure) await source.instruqt.commit();
      result = { ...result, instruqt: { ...source.instruqt.summary } };
      if (failure) {
        this.warn(messages.getMessage('summary.pullFailed', [this.explain(failure).message]));
        setExitCode(ExitCode.Partial);
      }
    }
    if (warnings > MAX_WARNINGS) this.warn(messages.getMessage('summary.moreWarnings', [warnings - MAX_WARNINGS]));
    this.report(result);
    if (result.failures > 0 || result.status === 'stopped') setExitCode(ExitCode.Partial);
    return result;
  }

  /** The events to sync: the NDJSON file or stdin, or a pull from Instruqt's API. */
  private async openSource(
    flags: { source: string; file?: string; team?: string; since?: string; lookback: number; 'include-developer-plays': boolean },
    orgId: string
  ): Promise<Input> {
    if (flags.source !== 'instruqt') {
      for (const name of ['team', 'since'] as const) {
        if (flags[name] !== undefined) throw messages.createError('error.InstruqtFlagWithoutSource', [name], [name]);
      }
      if (flags['include-developer-plays']) {
        throw messages.createError('error.InstruqtFlagWithoutSource', ['include-developer-plays'], ['include-developer-plays']);
      }
      if (!flags.file) throw messages.createError('error.MissingFile');
      const file = flags.file;
      if (file === '-') return { input: openInput(file) };
      await checkInputFile(file);
      return { input: openInput(file), reread: (): Readable => openInput(file) };
    }
    if (flags.file) throw messages.createError('error.FileWithInstruqt');
    if (!flags.team?.trim()) throw messages.createError('error.MissingTeam');
    const apiKey = process.env.INSTRUQT_API_KEY?.trim();
    if (!apiKey) throw messages.createError('error.MissingApiKey');
    const url = process.env.INSTRUQT_API_URL?.trim() ? process.env.INSTRUQT_API_URL.trim() : undefined;
    if (url && !/^https?:\/\/\S+$/i.test(url)) throw messages.createError('error.InvalidApiUrl', [url]);
    let since: Date | undefined;
    if (flags.since !== undefined) {
      since = new Date(SINCE.test(flags.since) ? Date.parse(flags.since.length === 10 ? `${flags.since}T00:00:00Z` : flags.since) : NaN);
      if (Number.isNaN(since.getTime())) throw messages.createError('error.InvalidSince', [flags.since]);
    }
    const team = flags.team.trim();
    try {
      const instruqt = await openInstruqtSource({
        apiKey,
        url,
        team,
        orgId,
        since,
        lookbackDays: flags.lookback,
        includeDeveloperPlays: flags['include-developer-plays'],
        onWarning: (m) => this.warn(m),
        client: { onRetry: (reason, waitMs) => this.logToStderr(messages.getMessage('progress.instruqtRetry', [reason, Math.round(waitMs)])) },
      });
      return { input: instruqt.input, resume: false, instruqt };
    } catch (e) {
      if (e instanceof InstruqtSourceError) throw messages.createError('error.NoSince', [team]);
      throw this.explain(e);
    }
  }

  private progressReporter(): ((p: SyncProgress) => void) | undefined {
    if (this.jsonEnabled()) return undefined;
    const status = (p: SyncProgress): string =>
      messages.getMessage('progress.status', [p.eventsRead, p.batches, p.apiCalls]);
    if (process.env.SF_USE_PROGRESS_BAR !== 'false' && process.stderr.isTTY) {
      this.spinner.start(messages.getMessage('progress.title'));
      return (p) => {
        this.spinner.status = status(p);
      };
    }
    let last = Date.now();
    return (p) => {
      if (Date.now() - last < PLAIN_PROGRESS_MS) return;
      last = Date.now();
      this.logToStderr(status(p));
    };
  }

  private explain(e: unknown): Error {
    if (e instanceof InstruqtApiError) {
      if (e.code === 'Unauthorized') return messages.createError('error.InstruqtUnauthorized', [e.message]);
      if (e.code === 'GraphQL') return messages.createError('error.InstruqtGraphQL', [e.message]);
      return messages.createError('error.InstruqtHttp', [e.message]);
    }
    if (e instanceof FailedRecordsPathError) return messages.createError('error.FailedRecordsNotWritable', [e.path, e.message]);
    if (e instanceof SyncError) {
      const name = `error.${e.code}`;
      return messages.createError(name, [e.message, (e.detail ?? []).join(', ')]);
    }
    if (e instanceof SfError || e instanceof Error) return e;
    return new SfError(String(e));
  }

  private report(r: InstruqtSyncResult): void {
    const p = r.instruqt;
    if (p) {
      this.log(
        messages.getMessage('summary.pulled', [p.plays, p.anonymousPlays, p.team, p.from, p.to, p.requests, p.retries])
      );
    }
    const key = r.dryRun ? 'summary.dryRun' : 'summary.done';
    this.log(messages.getMessage(key, [r.events.read, r.events.valid, r.events.rejected, r.batches]));
    this.table({
      data: [
        { record: 'Lead', created: r.leads.created, updated: '-' },
        { record: TRACK_OBJECT, created: r.tracks.created, updated: '-' },
        { record: PLAY_OBJECT, created: r.plays.created, updated: r.plays.updated },
        { record: messages.getMessage('summary.posts'), created: r.posts.total, updated: '-' },
      ],
    });
    this.log(messages.getMessage('summary.links', [r.plays.linked, r.plays.unmatched]));
    if (r.resumedAfterLine) this.log(messages.getMessage('summary.resumed', [r.resumedAfterLine]));
    this.log(messages.getMessage('summary.apiCalls', [r.apiCalls, r.bulkJobs]));
    if (r.duplicateLeads.length > 0) this.log(messages.getMessage('summary.duplicates', [r.duplicateLeads.length]));
    if (r.failures > 0) this.warn(messages.getMessage('summary.failures', [r.failures, r.failedRecordsFile ?? '-']));
    if (r.status === 'stopped') this.warn(messages.getMessage('summary.stopped', [r.stoppedReason ?? '']));
  }
}

/** --file must name a readable file: not a folder, not missing. */
async function checkInputFile(file: string): Promise<void> {
  const info = await stat(file).catch(() => undefined);
  if (!info) throw messages.createError('error.InputNotFound', [file]);
  if (info.isDirectory()) throw messages.createError('error.InputIsDirectory', [file]);
}

function takeLock(dir: string, orgId: string): SyncLock {
  try {
    return SyncLock.acquire(dir, orgId);
  } catch (e) {
    if (!(e instanceof SyncLockedError)) throw e;
    const o = e.owner;
    const who = o ? messages.getMessage('lock.owner', [o.pid, o.host, o.startedAt]) : messages.getMessage('lock.unknownOwner');
    throw messages.createError('error.SyncLocked', [orgId, who], [e.file]);
  }
}
