/*
 * Bulk API 2.0 ingest in the local org, as the Bulk API 2.0 Developer Guide describes it: create a job, PUT one CSV,
 * PATCH UploadComplete, the job runs in the background (UploadComplete -> InProgress -> JobComplete), then
 * successfulResults (sf__Id, sf__Created, ...), failedResults (sf__Id, sf__Error, ...) and unprocessedrecords.
 * Every row is written as the job's user through the same record operations (and access checks) as REST.
 */
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { base62, to18 } from '../core/ids.js';
import { SalesforceError, type EmulatorModule, type FieldDef, type ObjectDef, type OrgApi, type Principal, type Reply, type RequestContext } from '../core/types.js';
import { apiVersionOf, createRecord, deleteRecord, objectFor, updateRecord } from '../rest/records.js';
import { externalIdField, upsertRecord } from '../rest/sobjects.js';
import { toCollectionError } from '../rest/collections.js';
import { LOCK_MESSAGE, chaosOf } from '../http/chaos.js';

type Operation = 'insert' | 'update' | 'upsert' | 'delete' | 'hardDelete';
type State = 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';

type Job = {
  id: string;
  object: string;
  operation: Operation;
  externalIdFieldName?: string;
  principal: Principal;
  apiVersion: string;
  state: State;
  createdDate: string;
  systemModstamp: string;
  lineEnding: 'LF' | 'CRLF';
  columnDelimiter: string;
  csv?: string;
  uploads: number;
  errorMessage?: string;
  columns: string[];
  successful: string[][];
  failed: string[][];
  unprocessed: string[][];
  processed: number;
  started?: number;
  processingMs: number;
};

const DELIMITERS: Record<string, string> = { COMMA: ',', TAB: '\t', PIPE: '|', SEMICOLON: ';', CARET: '^', BACKQUOTE: '`' };
/** Rows written per tick, so the server keeps answering (polls see InProgress) while a big job runs. */
const ROWS_PER_TICK = 500;

const now = (): string => new Date().toISOString().replace('Z', '+0000');

function jobError(code: string, message: string, status = 400): SalesforceError {
  return new SalesforceError(code, message, [], status);
}

function jobInfo(job: Job): Record<string, unknown> {
  const info: Record<string, unknown> = {
    id: job.id,
    operation: job.operation,
    object: job.object,
    createdById: job.principal.userId,
    createdDate: job.createdDate,
    systemModstamp: job.systemModstamp,
    state: job.state,
    concurrencyMode: 'Parallel',
    contentType: 'CSV',
    apiVersion: Number(job.apiVersion),
    jobType: 'V2Ingest',
    contentUrl: `services/data/v${job.apiVersion}/jobs/ingest/${job.id}/batches`,
    lineEnding: job.lineEnding,
    columnDelimiter: job.columnDelimiter,
    numberRecordsProcessed: job.processed,
    numberRecordsFailed: job.failed.length,
    retries: 0,
    totalProcessingTime: job.processingMs,
    apiActiveProcessingTime: job.processingMs,
    apexProcessingTime: 0,
  };
  if (job.externalIdFieldName) info.externalIdFieldName = job.externalIdFieldName;
  if (job.errorMessage) info.errorMessage = job.errorMessage;
  return info;
}

/** A CSV value as the field wants it: '' leaves the field alone, '#N/A' sets null, numbers and booleans converted. */
function convert(f: FieldDef, raw: string): unknown {
  if (raw === '#N/A') return null;
  switch (f.type) {
    case 'int':
    case 'double':
    case 'currency':
    case 'percent': {
      const n = Number(raw);
      return Number.isFinite(n) ? n : raw;
    }
    case 'boolean':
      return /^(true|1|yes)$/i.test(raw) ? true : /^(false|0|no)$/i.test(raw) ? false : raw;
    default:
      return raw;
  }
}

class BulkIngest {
  private readonly jobs = new Map<string, Job>();
  private seq = Math.floor(Math.random() * 1_000_000);

  public constructor(private readonly org: OrgApi) {}

  public install(router: Parameters<EmulatorModule['install']>[1]): void {
    const base = '/services/data/:version/jobs/ingest';
    router.add('POST', base, (ctx) => this.create(ctx));
    router.add('GET', base, (ctx) => this.list(ctx));
    router.add('GET', `${base}/:id`, (ctx) => ({ status: 200, body: jobInfo(this.job(ctx)) }));
    router.add('PATCH', `${base}/:id`, (ctx) => this.patch(ctx));
    router.add('DELETE', `${base}/:id`, (ctx) => this.remove(ctx));
    router.add('PUT', `${base}/:id/batches`, (ctx) => this.upload(ctx));
    router.add('GET', `${base}/:id/successfulResults`, (ctx) => this.results(ctx, 'successful'));
    router.add('GET', `${base}/:id/failedResults`, (ctx) => this.results(ctx, 'failed'));
    router.add('GET', `${base}/:id/unprocessedrecords`, (ctx) => this.results(ctx, 'unprocessed'));
  }

  private principal(ctx: RequestContext): Principal {
    if (!ctx.principal) throw new SalesforceError('INVALID_SESSION_ID', 'Session expired or invalid', [], 401);
    return ctx.principal;
  }

  /** A job of the caller (other users' jobs do not exist for them). */
  private job(ctx: RequestContext): Job {
    const p = this.principal(ctx);
    const job = this.jobs.get(ctx.params.id) ?? [...this.jobs.values()].find((j) => j.id.slice(0, 15) === ctx.params.id.slice(0, 15));
    if (!job || (job.principal.userId !== p.userId && !this.org.access.hasPermission(p, 'ModifyAllData'))) {
      throw jobError('NOT_FOUND', 'The requested resource does not exist', 404);
    }
    return job;
  }

  private create(ctx: RequestContext): Reply {
    const version = apiVersionOf(ctx);
    const p = this.principal(ctx);
    const body = ctx.json<Record<string, unknown>>();
    const operation = body.operation as Operation;
    if (!['insert', 'update', 'upsert', 'delete', 'hardDelete'].includes(String(operation))) {
      throw jobError('INVALIDJOB', `InvalidJob : Invalid operation: ${String(body.operation)}`);
    }
    if (typeof body.object !== 'string' || !body.object) throw jobError('INVALIDJOB', 'InvalidJob : object is required');
    if (body.contentType !== undefined && body.contentType !== 'CSV') {
      throw jobError('INVALIDJOB', `InvalidJob : Unsupported content type: ${String(body.contentType)}`);
    }
    let def: ObjectDef;
    try {
      def = objectFor(this.org, p, body.object, 'invalidType');
    } catch {
      throw jobError('INVALIDJOB', `InvalidJob : Unable to find object: ${body.object}`);
    }
    let externalIdFieldName: string | undefined;
    if (operation === 'upsert') {
      if (typeof body.externalIdFieldName !== 'string') {
        throw jobError('INVALIDJOB', 'InvalidJob : External ID was blank for ' + def.name + '. An External ID must be specified for upsert.');
      }
      try {
        externalIdFieldName = externalIdField(this.org, p, def, body.externalIdFieldName).name;
      } catch {
        throw jobError('INVALIDJOB', `InvalidJob : Field name not found : ${body.externalIdFieldName}`);
      }
    }
    const delimiter = typeof body.columnDelimiter === 'string' ? body.columnDelimiter : 'COMMA';
    if (!(delimiter in DELIMITERS)) throw jobError('INVALIDJOB', `InvalidJob : Invalid columnDelimiter: ${delimiter}`);
    const id = to18(`750${base62(this.seq++, 12)}`);
    const job: Job = {
      id,
      object: def.name,
      operation,
      externalIdFieldName,
      principal: p,
      apiVersion: version,
      state: 'Open',
      createdDate: now(),
      systemModstamp: now(),
      lineEnding: body.lineEnding === 'CRLF' ? 'CRLF' : 'LF',
      columnDelimiter: delimiter,
      uploads: 0,
      columns: [],
      successful: [],
      failed: [],
      unprocessed: [],
      processed: 0,
      processingMs: 0,
    };
    this.jobs.set(id, job);
    return { status: 200, body: jobInfo(job) };
  }

  private list(ctx: RequestContext): Reply {
    const p = this.principal(ctx);
    const records = [...this.jobs.values()].filter((j) => j.principal.userId === p.userId).map(jobInfo);
    return { status: 200, body: { done: true, records, nextRecordsUrl: null } };
  }

  private upload(ctx: RequestContext): Reply {
    const job = this.job(ctx);
    if (job.state !== 'Open') throw jobError('INVALIDJOBSTATE', `Job is not in Open state: ${job.state}`, 409);
    job.uploads++;
    if (job.uploads > 1) {
      // Salesforce accepts only one upload per job and fails the job when it is closed.
      job.errorMessage = `Found multiple contents for job: <${job.id}>, please 'Close' / 'Abort' / 'Delete' the current Job then create a new Job and make sure you only do 'PUT' once on a given Job.`;
    }
    job.csv = ctx.body.toString('utf8');
    job.systemModstamp = now();
    return { status: 201 };
  }

  private patch(ctx: RequestContext): Reply {
    const job = this.job(ctx);
    const { state } = ctx.json<{ state?: string }>();
    if (state === 'UploadComplete') {
      if (job.state !== 'Open') throw jobError('INVALIDJOBSTATE', `Job is not in Open state: ${job.state}`, 409);
      job.state = 'UploadComplete';
      job.systemModstamp = now();
      setImmediate(() => this.run(job));
    } else if (state === 'Aborted') {
      if (!['Open', 'UploadComplete', 'InProgress'].includes(job.state)) {
        throw jobError('INVALIDJOBSTATE', `Job is already finished: ${job.state}`, 409);
      }
      job.state = 'Aborted';
      job.systemModstamp = now();
    } else {
      throw jobError('INVALIDJOBSTATE', `Invalid state: ${String(state)}`);
    }
    return { status: 200, body: jobInfo(job) };
  }

  private remove(ctx: RequestContext): Reply {
    const job = this.job(ctx);
    if (!['UploadComplete', 'JobComplete', 'Aborted', 'Failed'].includes(job.state)) {
      throw jobError('INVALIDJOBSTATE', `Job cannot be deleted in state ${job.state}`, 409);
    }
    this.jobs.delete(job.id);
    return { status: 204 };
  }

  private results(ctx: RequestContext, kind: 'successful' | 'failed' | 'unprocessed'): Reply {
    const job = this.job(ctx);
    if (['Open', 'UploadComplete', 'InProgress'].includes(job.state) && kind !== 'unprocessed') {
      throw jobError('INVALIDJOBSTATE', `Job is not finished: ${job.state}`, 409);
    }
    const lead = kind === 'successful' ? ['sf__Id', 'sf__Created'] : kind === 'failed' ? ['sf__Id', 'sf__Error'] : [];
    const rows = kind === 'successful' ? job.successful : kind === 'failed' ? job.failed : job.unprocessed;
    const csv = job.columns.length || lead.length ? stringify(rows, { header: true, columns: [...lead, ...job.columns] }) : '';
    return { status: 200, body: csv, contentType: 'text/csv' };
  }

  /** Background processing: parse, check the header, write row by row as the job's user. */
  private run(job: Job): void {
    if (job.state !== 'UploadComplete') return;
    job.state = 'InProgress';
    job.started = Date.now();
    let rows: string[][];
    try {
      const parsed: string[][] = parse(job.csv ?? '', {
        delimiter: DELIMITERS[job.columnDelimiter],
        relaxColumnCount: false,
        bom: true,
        skipEmptyLines: true,
      });
      job.columns = parsed[0] ?? [];
      rows = parsed.slice(1);
    } catch (e) {
      return this.fail(job, `InvalidBatch : Failed to parse CSV: ${(e as Error).message}`, []);
    }
    if (job.errorMessage) return this.fail(job, job.errorMessage, rows);
    const def = this.org.getObject(job.object);
    if (!def) return this.fail(job, `InvalidBatch : Unable to find object: ${job.object}`, rows);
    const fields: Array<FieldDef | undefined> = job.columns.map((c) => def.fields.get(c.toLowerCase()));
    const unknown = job.columns.filter((c, i) => !fields[i]);
    if (unknown.length) return this.fail(job, `InvalidBatch : Field name not found : ${unknown[0]}`, rows);
    let at = 0;
    const step = (): void => {
      if (job.state !== 'InProgress') {
        job.unprocessed.push(...rows.slice(at));
        return;
      }
      const end = Math.min(rows.length, at + ROWS_PER_TICK);
      for (; at < end; at++) this.row(job, def, fields as FieldDef[], rows[at]);
      job.processingMs = Date.now() - (job.started ?? Date.now());
      job.systemModstamp = now();
      if (at < rows.length) setImmediate(step);
      else job.state = 'JobComplete';
    };
    step();
  }

  private row(job: Job, def: ObjectDef, fields: FieldDef[], row: string[]): void {
    const record: Record<string, unknown> = {};
    fields.forEach((f, i) => {
      const raw = row[i] ?? '';
      if (raw !== '') record[f.name] = convert(f, raw);
    });
    const p = job.principal;
    if (chaosOf(this.org).hit('lock')) {
      // The `lock` fault on demand: the row is refused and not written (Bulk API 2.0 rows fail on record locks).
      job.failed.push([typeof record.Id === 'string' ? record.Id : '', `UNABLE_TO_LOCK_ROW:${LOCK_MESSAGE}: --`, ...row]);
      job.processed++;
      return;
    }
    try {
      const out = this.org.transaction(() => {
        switch (job.operation) {
          case 'insert':
            return { id: createRecord(this.org, p, def, record).Id, created: true };
          case 'update': {
            const { Id: id, ...rest } = record;
            if (typeof id !== 'string') throw new SalesforceError('MISSING_ARGUMENT', 'Id not specified in an update call', ['Id']);
            return { id: updateRecord(this.org, p, def, id, rest).Id, created: false };
          }
          case 'upsert': {
            const f = def.fields.get(job.externalIdFieldName!.toLowerCase())!;
            const value = record[f.name];
            if (value === undefined || value === null) throw new SalesforceError('MISSING_ARGUMENT', `${f.name} not specified`, [f.name]);
            return upsertRecord(this.org, p, def, f, String(value), record, job.apiVersion);
          }
          default: {
            const id = record.Id;
            if (typeof id !== 'string') throw new SalesforceError('MISSING_ARGUMENT', 'Id not specified in a delete call', ['Id']);
            deleteRecord(this.org, p, def, id);
            return { id, created: false };
          }
        }
      });
      job.successful.push([out.id, String(out.created), ...row]);
    } catch (e) {
      const err = toCollectionError(e);
      const id = typeof record.Id === 'string' ? record.Id : '';
      job.failed.push([id, `${err.statusCode}:${err.message}:${err.fields.join(',')} --`, ...row]);
    }
    job.processed++;
  }

  private fail(job: Job, message: string, rows: string[][]): void {
    job.state = 'Failed';
    job.errorMessage = message;
    job.unprocessed.push(...rows);
    job.systemModstamp = now();
  }
}

export const bulkModule: EmulatorModule = {
  name: 'bulk-api-2',
  install(org: OrgApi, router) {
    new BulkIngest(org).install(router);
  },
};
