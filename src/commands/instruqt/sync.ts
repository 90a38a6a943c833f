/*
 * `sf instruqt sync`: parses flags, opens the input and the client, shows progress (silent with --json), and
 * renders the typed result of src/sync/engine.ts. Exit 68 when some records or lines failed or the run stopped early.
 */
import { access } from 'node:fs/promises';
import { Flags, SfCommand } from '@salesforce/sf-plugins-core';
import { Messages, SfError } from '@salesforce/core';
import { SalesforceClient } from '../../salesforce/client.js';
import { ConfigError, loadConfig } from '../../sync/config.js';
import { runSync, SyncError, type SyncProgress, type SyncResult } from '../../sync/engine.js';
import { openInput } from '../../sync/input.js';
import { ExitCode, exitCodesHelp, setExitCode } from '../../exit-codes.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-instruqt', 'instruqt.sync');

export type InstruqtSyncResult = SyncResult;

/** Warnings shown one by one; the rest are counted. */
const MAX_WARNINGS = 50;

/** Plain progress lines at most this often when there is no progress bar (CI logs). */
const PLAIN_PROGRESS_MS = 10_000;

export default class Sync extends SfCommand<SyncResult> {
  public static readonly summary = messages.getMessage('summary');
  public static readonly description = messages.getMessage('description');
  public static readonly examples = messages.getMessages('examples');
  public static readonly errorCodes = exitCodesHelp('sync');

  public static readonly flags = {
    'target-org': Flags.requiredOrg(),
    'api-version': Flags.orgApiVersion(),
    file: Flags.string({ char: 'f', required: true, summary: messages.getMessage('flags.file.summary') }),
    config: Flags.file({ char: 'c', exists: true, summary: messages.getMessage('flags.config.summary') }),
    'dry-run': Flags.boolean({ summary: messages.getMessage('flags.dry-run.summary') }),
    'max-api-calls': Flags.integer({ min: 1, summary: messages.getMessage('flags.max-api-calls.summary') }),
    'journal-dir': Flags.directory({ summary: messages.getMessage('flags.journal-dir.summary') }),
    'failed-records': Flags.string({
      summary: messages.getMessage('flags.failed-records.summary'),
      default: 'instruqt-sync-failed-records.ndjson',
    }),
  };

  public async run(): Promise<SyncResult> {
    const { flags } = await this.parse(Sync);
    const config = await loadConfig(flags.config).catch((e: unknown) => {
      if (e instanceof ConfigError) throw messages.createError('error.InvalidConfig', [e.message]);
      throw e;
    });
    if (flags.file !== '-') {
      await access(flags.file).catch(() => {
        throw messages.createError('error.InputNotFound', [flags.file]);
      });
    }
    const org = flags['target-org'];
    const client = new SalesforceClient(org.getConnection(flags['api-version']), { maxApiCalls: flags['max-api-calls'] });
    const onProgress = this.progressReporter();

    let result: SyncResult;
    let warnings = 0;
    try {
      result = await runSync({
        client,
        orgId: org.getOrgId(),
        input: openInput(flags.file),
        config,
        dryRun: flags['dry-run'],
        journalDir: flags['journal-dir'],
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
    }
    this.spinner.stop(messages.getMessage('progress.done'));
    if (warnings > MAX_WARNINGS) this.warn(messages.getMessage('summary.moreWarnings', [warnings - MAX_WARNINGS]));
    this.report(result);
    if (result.failures > 0 || result.status === 'stopped') setExitCode(ExitCode.Partial);
    return result;
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
    if (e instanceof SyncError) {
      const name = `error.${e.code}`;
      return messages.createError(name, [e.message, (e.detail ?? []).join(', ')]);
    }
    if (e instanceof SfError || e instanceof Error) return e;
    return new SfError(String(e));
  }

  private report(r: SyncResult): void {
    const key = r.dryRun ? 'summary.dryRun' : 'summary.done';
    this.log(messages.getMessage(key, [r.events.read, r.events.valid, r.events.rejected, r.batches]));
    this.table({
      data: [
        { record: 'Lead', created: r.leads.created, updated: '-' },
        { record: 'Instruqt_Track__c', created: r.tracks.created, updated: '-' },
        { record: 'Instruqt_Play__c', created: r.plays.created, updated: r.plays.updated },
        { record: messages.getMessage('summary.posts'), created: r.posts.total, updated: '-' },
      ],
    });
    this.log(messages.getMessage('summary.links', [r.plays.linked, r.plays.unmatched]));
    if (r.resumedAfterLine) this.log(messages.getMessage('summary.resumed', [r.resumedAfterLine]));
    this.log(messages.getMessage('summary.apiCalls', [r.apiCalls, r.bulkJobs]));
    if (r.failures > 0) this.warn(messages.getMessage('summary.failures', [r.failures, r.failedRecordsFile ?? '-']));
    if (r.status === 'stopped') this.warn(messages.getMessage('summary.stopped', [r.stoppedReason ?? '']));
  }
}
