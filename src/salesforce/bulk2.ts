/*
 * Bulk API 2.0 ingest, the protocol in one place: create a job, upload one CSV, mark it UploadComplete, poll until it
 * is JobComplete / Failed / Aborted, read successfulResults, failedResults and unprocessedrecords. Salesforce
 * recommends it above about 2,000 records; it costs a handful of API calls whatever the record count.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { SalesforceClient } from './client.js';

export type IngestOperation = 'insert' | 'update' | 'upsert' | 'delete';
export type JobState = 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';

export type JobInfo = {
  id: string;
  object: string;
  operation: IngestOperation;
  state: JobState;
  createdById?: string;
  createdDate?: string;
  externalIdFieldName?: string;
  numberRecordsProcessed?: number;
  numberRecordsFailed?: number;
  errorMessage?: string;
  contentUrl?: string;
};

export type CsvRow = Record<string, string>;

export type IngestResult = {
  job: JobInfo;
  successful: CsvRow[];
  failed: CsvRow[];
  unprocessed: CsvRow[];
};

export type Bulk2Options = {
  /** First poll delay; doubles up to pollMaxMs (Salesforce asks for polling no faster than every few seconds). */
  pollMs?: number;
  pollMaxMs?: number;
  timeoutMs?: number;
  /** New jobs for rows refused with UNABLE_TO_LOCK_ROW, after the first (default 4). */
  lockRetries?: number;
};

export class Bulk2Error extends Error {
  public constructor(message: string, public readonly job?: JobInfo) {
    super(message);
    this.name = 'Bulk2Error';
  }
}

/** A value as Bulk API 2.0 CSV wants it: empty leaves a field unchanged, `#N/A` sets it to null. */
function csvValue(v: unknown): string {
  if (v === undefined) return '';
  if (v === null) return '#N/A';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof Date) return v.toISOString();
  return String(v);
}

/** Records -> CSV with the union of their fields as columns (LF line endings). */
export function toCsv(records: Array<Record<string, unknown>>): string {
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const r of records) {
    for (const k of Object.keys(r)) {
      if (k !== 'attributes' && !seen.has(k)) {
        seen.add(k);
        columns.push(k);
      }
    }
  }
  return stringify(
    records.map((r) => columns.map((c) => csvValue(r[c]))),
    { header: true, columns }
  );
}

export function parseCsv(text: string): CsvRow[] {
  if (!text?.trim()) return [];
  return parse(text, { columns: true, skipEmptyLines: true, relaxColumnCount: true, bom: true });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A row Salesforce refused because another transaction held a lock it needed: it was not written. */
const isLockedRow = (row: CsvRow): boolean => (row.sf__Error ?? '').startsWith('UNABLE_TO_LOCK_ROW');

/** The input columns of a result row (the job's own sf__ columns removed), to send it again as it was. */
function inputOf(row: CsvRow): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) if (!k.startsWith('sf__')) record[k] = v;
  return record;
}

export class Bulk2 {
  public constructor(private readonly client: SalesforceClient, private readonly options: Bulk2Options = {}) {}

  /** POST /jobs/ingest. */
  public async createJob(object: string, operation: IngestOperation, externalIdFieldName?: string): Promise<JobInfo> {
    return this.client.request<JobInfo>('POST', '/jobs/ingest', {
      object,
      operation,
      ...(externalIdFieldName ? { externalIdFieldName } : {}),
      contentType: 'CSV',
      lineEnding: 'LF',
    });
  }

  /** PUT the job's CSV. Not repeated on a dropped connection: a second upload could double the data. */
  public async upload(jobId: string, csv: string): Promise<void> {
    await this.client.request('PUT', `/jobs/ingest/${jobId}/batches`, csv, { 'Content-Type': 'text/csv' }, { safeToRepeat: false });
  }

  public async setState(jobId: string, state: 'UploadComplete' | 'Aborted'): Promise<JobInfo> {
    return this.client.request<JobInfo>('PATCH', `/jobs/ingest/${jobId}`, { state });
  }

  public async getJob(jobId: string): Promise<JobInfo> {
    return this.client.request<JobInfo>('GET', `/jobs/ingest/${jobId}`);
  }

  /** Poll until the job leaves UploadComplete/InProgress. */
  public async waitForJob(jobId: string): Promise<JobInfo> {
    const started = Date.now();
    let delay = this.options.pollMs ?? 2000;
    for (;;) {
      const job = await this.getJob(jobId);
      if (job.state === 'JobComplete' || job.state === 'Failed' || job.state === 'Aborted') return job;
      if (job.state === 'Open') throw new Bulk2Error(`Bulk API job ${jobId} is still Open: its upload was never completed`, job);
      if (Date.now() - started > (this.options.timeoutMs ?? 600_000)) {
        throw new Bulk2Error(`Bulk API job ${jobId} did not finish in time (state ${job.state})`, job);
      }
      await sleep(delay);
      delay = Math.min(delay * 2, this.options.pollMaxMs ?? 10_000);
    }
  }

  public async results(jobId: string, kind: 'successfulResults' | 'failedResults' | 'unprocessedrecords'): Promise<CsvRow[]> {
    const text = await this.client.request<string>('GET', `/jobs/ingest/${jobId}/${kind}/`, undefined, { Accept: 'text/csv' });
    return parseCsv(typeof text === 'string' ? text : '');
  }

  /** The results of a finished job; unprocessed records are only asked for when some were not processed. */
  public async collect(job: JobInfo, total?: number): Promise<IngestResult> {
    const processed = job.numberRecordsProcessed ?? 0;
    const failedCount = job.numberRecordsFailed ?? 0;
    const successful = processed - failedCount > 0 ? await this.results(job.id, 'successfulResults') : [];
    const failed = failedCount > 0 ? await this.results(job.id, 'failedResults') : [];
    const unprocessed =
      job.state !== 'JobComplete' || (total !== undefined && processed < total) ? await this.results(job.id, 'unprocessedrecords') : [];
    return { job, successful, failed, unprocessed };
  }

  /**
   * One whole ingest. `onJob` hears each job id as soon as it exists (the sync journals it, so a killed run can
   * wait for the job instead of writing its records a second time). Bulk API 2.0 processes a job's rows in parallel,
   * so rows can fail on record locks; those were not written and "must be resubmitted" (Bulk API 2.0 Developer Guide,
   * General Guidelines for Data Loads): they go again in a new job, with backoff, a few times.
   */
  public async ingest(
    object: string,
    operation: IngestOperation,
    records: Array<Record<string, unknown>>,
    opts: { externalIdFieldName?: string; onJob?: (jobId: string) => void | Promise<void> } = {}
  ): Promise<IngestResult> {
    const result = await this.ingestOnce(object, operation, records, opts);
    for (let attempt = 1; attempt <= (this.options.lockRetries ?? 4); attempt++) {
      const locked = result.failed.filter(isLockedRow);
      if (locked.length === 0) break;
      await sleep(Math.random() * Math.min((this.options.pollMs ?? 2000) * 2 ** (attempt - 1), 8000));
      const again = await this.ingestOnce(object, operation, locked.map(inputOf), opts);
      result.failed = [...result.failed.filter((r) => !isLockedRow(r)), ...again.failed];
      result.successful.push(...again.successful);
      result.unprocessed.push(...again.unprocessed);
    }
    return result;
  }

  private async ingestOnce(
    object: string,
    operation: IngestOperation,
    records: Array<Record<string, unknown>>,
    opts: { externalIdFieldName?: string; onJob?: (jobId: string) => void | Promise<void> }
  ): Promise<IngestResult> {
    const job = await this.createJob(object, operation, opts.externalIdFieldName);
    await opts.onJob?.(job.id);
    try {
      await this.upload(job.id, toCsv(records));
    } catch (e) {
      // Nothing was processed: abort so the job never runs with a partial upload.
      await this.setState(job.id, 'Aborted').catch(() => undefined);
      throw e;
    }
    try {
      await this.setState(job.id, 'UploadComplete');
    } catch (e) {
      // A repeated PATCH after a dropped connection finds the job already closed: that is success.
      if ((await this.getJob(job.id)).state === 'Open') throw e;
    }
    const done = await this.waitForJob(job.id);
    if (done.state === 'Aborted') throw new Bulk2Error(`Bulk API job ${job.id} was aborted`, done);
    return this.collect(done, records.length);
  }
}
