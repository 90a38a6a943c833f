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
   * One whole ingest. `onJob` hears the job id as soon as it exists (the sync journals it, so a killed run can
   * wait for the job instead of writing its records a second time).
   */
  public async ingest(
    object: string,
    operation: IngestOperation,
    records: Array<Record<string, unknown>>,
    opts: { externalIdFieldName?: string; onJob?: (jobId: string) => void | Promise<void> } = {}
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
