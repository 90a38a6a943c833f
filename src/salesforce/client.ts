/*
 * The one door to Salesforce: every REST call of the plugin goes through SalesforceClient, and SalesforceClient sends
 * it through the sf CLI's Connection (jsforce: proxy, timeout, user agent, request logging, session refresh). On top
 * it owns the API-call budget, paging, sObject Collections batching (200 records a call) with per-record
 * UNABLE_TO_LOCK_ROW retries, Composite, retry with backoff and jitter of refusals that are safe to repeat, and
 * API-call accounting (meter.ts) from Sforce-Limit-Info.
 */
import type { Connection } from '@salesforce/core';
import { SalesforceApiError, isDailyLimit, isRetryable, refusedBeforeProcessing } from './errors.js';
import { queryFitsInUrl } from './query-url.js';
import { meterOf, type ApiUsage, type CallMeter, type MeteredOptions, type RawResponse } from './meter.js';
import type { DescribeSObject } from './describe.js';

export type { ApiUsage } from './meter.js';
export type { DescribeField, DescribeSObject } from './describe.js';


/** duplicateResult: present on DUPLICATES_DETECTED, naming the records an active duplicate rule matched. */
export type SaveError = { statusCode: string; message: string; fields: string[]; duplicateResult?: DuplicateResult };
export type DuplicateResult = {
  duplicateRule?: string;
  matchResults?: Array<{ entityType: string; matchRecords?: Array<{ record?: { Id?: string } }> }>;
};
export type SaveResult = { id?: string; success: boolean; created?: boolean; errors: SaveError[] };
export type SObjectInput = Record<string, unknown>;
export type QueryResult<T> = { totalSize: number; done: boolean; nextRecordsUrl?: string; records: T[] };
export type CompositeSubrequest = { method: string; url: string; referenceId: string; body?: unknown };
export type CompositeSubresponse = { body: unknown; httpStatusCode: number; referenceId: string };

export type ClientOptions = {
  /** Retries after the first attempt for retryable failures. */
  maxRetries?: number;
  /** First backoff; doubled each retry, with full jitter. */
  baseDelayMs?: number;
  /** Refuse to start a call past this many calls made by this client (BudgetExceededError). */
  maxApiCalls?: number;
  /** Called after every API call (for progress). */
  onCall?: (calls: number, usage?: ApiUsage) => void;
};

/** Thrown before a call that would exceed the caller's API budget; nothing was sent. */
export class BudgetExceededError extends Error {
  public constructor(public readonly calls: number, public readonly limit: number) {
    super(`API call budget of ${limit} reached`);
    this.name = 'BudgetExceededError';
  }
}

/**
 * Thrown when the org's daily API allowance is spent (403 REQUEST_LIMIT_EXCEEDED "TotalRequests Limit exceeded"):
 * nothing more can be sent today, so a run stops where it is, resumably.
 */
export class DailyLimitError extends BudgetExceededError {
  public constructor(calls: number, public readonly cause: SalesforceApiError) {
    super(calls, calls);
    this.message = cause.message;
    this.name = 'DailyLimitError';
  }
}

const COLLECTION_SIZE = 200;

export class SalesforceClient {
  public readonly apiVersion: string;
  private readonly meter: CallMeter;
  private readonly callsBefore: number;
  private writes = 0;

  public constructor(private readonly connection: Connection, private readonly options: ClientOptions = {}) {
    this.apiVersion = connection.getApiVersion();
    this.meter = meterOf(connection);
    this.callsBefore = this.meter.calls;
  }

  /**
   * API calls made through this client's connection since the client was created: each HTTP request to the org
   * counts, as Salesforce counts them, Metadata API calls (deploys, their polls) included.
   */
  public get apiCalls(): number {
    return this.meter.calls - this.callsBefore;
  }

  /** Calls that could change data (POST/PATCH/PUT/DELETE outside queries). */
  public get writeCalls(): number {
    return this.writes;
  }

  /** The org's daily API usage from the last response's Sforce-Limit-Info header. */
  public get apiUsage(): ApiUsage | undefined {
    return this.meter.usage;
  }

  public get instanceUrl(): string {
    return this.connection.instanceUrl;
  }

  public get conn(): Connection {
    return this.connection;
  }

  /** Raw REST call. `path` is relative to /services/data/vXX.X (e.g. '/sobjects/Lead') or absolute ('/services/...'). */
  public async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    options: { safeToRepeat?: boolean } = {}
  ): Promise<T> {
    // A POST whose connection dropped may have been applied: repeating it could create a record twice, so only
    // idempotent calls (and POSTs the caller marks safe) are retried on dropped connections and 5xx. Refusals that
    // Salesforce answers before doing anything (503, row locks, ConcurrentPerOrgLongTxn) are always safe to repeat.
    const safeToRepeat = options.safeToRepeat ?? method !== 'POST';
    let attempt = 0;
    let refreshed = false;
    for (;;) {
      try {
        return await this.send<T>(method, path, body, headers);
      } catch (error) {
        if (error instanceof SalesforceApiError && error.errorCode === 'INVALID_SESSION_ID' && !refreshed) {
          refreshed = true;
          await this.refreshSession(error);
          continue;
        }
        if (isDailyLimit(error)) throw new DailyLimitError(this.apiCalls, error as SalesforceApiError);
        const retry = isRetryable(error) && (safeToRepeat || refusedBeforeProcessing(error));
        if (retry && attempt < (this.options.maxRetries ?? 5)) {
          attempt++;
          const base = (this.options.baseDelayMs ?? 250) * 2 ** (attempt - 1);
          await sleep(Math.random() * base + base / 2);
          continue;
        }
        throw error;
      }
    }
  }

  /** Every record of a query, following nextRecordsUrl; a query too long for a URL goes in a Composite body. */
  public async query<T = Record<string, unknown>>(soql: string): Promise<T[]> {
    if (!queryFitsInUrl(this.instanceUrl, this.apiVersion, soql)) return (await this.queries<T>([soql]))[0];
    let page = await this.request<QueryResult<T>>('GET', `/query?q=${encodeURIComponent(soql)}`);
    const records = [...page.records];
    while (!page.done && page.nextRecordsUrl) {
      page = await this.request<QueryResult<T>>('GET', page.nextRecordsUrl);
      records.push(...page.records);
    }
    return records;
  }

  /** Iterate query pages without holding them all (large result sets). */
  public async *queryPages<T = Record<string, unknown>>(soql: string): AsyncGenerator<T[]> {
    if (!queryFitsInUrl(this.instanceUrl, this.apiVersion, soql)) {
      yield (await this.queries<T>([soql]))[0];
      return;
    }
    let page = await this.request<QueryResult<T>>('GET', `/query?q=${encodeURIComponent(soql)}`);
    yield page.records;
    while (!page.done && page.nextRecordsUrl) {
      page = await this.request<QueryResult<T>>('GET', page.nextRecordsUrl);
      yield page.records;
    }
  }

  /** Insert through sObject Collections, 200 per call, allOrNone=false: one result per input, in order. */
  public async insert(type: string, records: SObjectInput[]): Promise<SaveResult[]> {
    return this.inChunks(records, (chunk) =>
      this.request<SaveResult[]>('POST', '/composite/sobjects', {
        allOrNone: false,
        records: chunk.map((r) => ({ attributes: { type }, ...stripAttributes(r) })),
      })
    );
  }

  /** Update through sObject Collections; every record needs an Id. */
  public async update(type: string, records: SObjectInput[]): Promise<SaveResult[]> {
    return this.inChunks(records, (chunk) =>
      this.request<SaveResult[]>('PATCH', '/composite/sobjects', {
        allOrNone: false,
        records: chunk.map((r) => ({ attributes: { type }, ...stripAttributes(r) })),
      })
    );
  }

  /** Upsert by external id through sObject Collections (API 46+). */
  public async upsert(type: string, externalIdField: string, records: SObjectInput[]): Promise<SaveResult[]> {
    return this.inChunks(records, (chunk) =>
      this.request<SaveResult[]>('PATCH', `/composite/sobjects/${type}/${externalIdField}`, {
        allOrNone: false,
        records: chunk.map((r) => ({ attributes: { type }, ...stripAttributes(r) })),
      })
    );
  }

  /** Delete by ids through sObject Collections. */
  public async delete(ids: string[]): Promise<SaveResult[]> {
    return this.inChunks(ids, (chunk) =>
      this.request<SaveResult[]>('DELETE', `/composite/sobjects?allOrNone=false&ids=${chunk.join(',')}`)
    );
  }

  /** Create one record; throws SalesforceApiError on refusal. */
  public async create(type: string, record: SObjectInput): Promise<string> {
    const result = await this.request<{ id: string }>('POST', `/sobjects/${type}`, stripAttributes(record));
    return result.id;
  }

  /** Update one record; throws SalesforceApiError on refusal. */
  public async patch(type: string, id: string, record: SObjectInput): Promise<void> {
    await this.request('PATCH', `/sobjects/${type}/${id}`, stripAttributes(record));
  }

  /**
   * Composite request: up to 25 subrequests (5 queries) in one API call. A Composite of reads only is safe to send
   * again after a dropped connection; one with writes is not. `inOrder` runs unrelated subrequests in request order.
   */
  public async composite(
    subrequests: CompositeSubrequest[],
    allOrNone = false,
    options: { inOrder?: boolean } = {}
  ): Promise<CompositeSubresponse[]> {
    const prefix = `/services/data/v${this.apiVersion}`;
    const result = await this.request<{ compositeResponse: CompositeSubresponse[] }>(
      'POST',
      '/composite',
      {
        allOrNone,
        // From API 49.0 Salesforce collates unrelated subrequests and runs them in any order unless told not to.
        ...(options.inOrder ? { collateSubrequests: false } : {}),
        compositeRequest: subrequests.map((s) => ({ ...s, url: s.url.startsWith('/services/') ? s.url : prefix + s.url })),
      },
      {},
      { safeToRepeat: subrequests.every((s) => s.method === 'GET') }
    );
    return result.compositeResponse;
  }

  /** Several queries in one Composite call (at most 5), each with every record. */
  public async queries<T = Record<string, unknown>>(soqls: string[]): Promise<T[][]> {
    if (soqls.length > 5) throw new RangeError('A Composite request carries at most 5 queries');
    const responses = await this.composite(
      soqls.map((q, i) => ({ method: 'GET', url: `/query?q=${encodeURIComponent(q)}`, referenceId: `q${i}` }))
    );
    const results: T[][] = [];
    for (const r of responses) results.push(await this.subresponseRecords<T>(r));
    return results;
  }

  /**
   * Every record of a query answered inside a Composite call: its error is thrown as a SalesforceApiError, and pages
   * past the first (over 2,000 rows) are read with plain calls.
   */
  public async subresponseRecords<T = Record<string, unknown>>(sub: CompositeSubresponse): Promise<T[]> {
    if (sub.httpStatusCode >= 400) throw SalesforceApiError.fromResponse(sub.httpStatusCode, sub.body);
    let page = sub.body as QueryResult<T>;
    const records = [...page.records];
    while (!page.done && page.nextRecordsUrl) {
      page = await this.request<QueryResult<T>>('GET', page.nextRecordsUrl);
      records.push(...page.records);
    }
    return records;
  }

  public async describe<T = DescribeSObject>(type: string): Promise<T> {
    return this.request<T>('GET', `/sobjects/${type}/describe`);
  }

  public async describeGlobal(): Promise<{ sobjects: Array<{ name: string; label: string; custom: boolean; keyPrefix: string | null }> }> {
    return this.request('GET', '/sobjects');
  }

  /** Fail fast, before sending, once the budget is spent. */
  public assertBudget(extra = 1): void {
    const max = this.options.maxApiCalls;
    if (max !== undefined && this.apiCalls + extra > max) throw new BudgetExceededError(this.apiCalls, max);
  }

  /**
   * Sends items 200 at a time. Records refused with UNABLE_TO_LOCK_ROW were not written, so they are sent again
   * (bounded, with backoff); every other per-record error is returned to the caller.
   */
  private async inChunks<T>(items: T[], call: (chunk: T[]) => Promise<SaveResult[]>): Promise<SaveResult[]> {
    const results: SaveResult[] = [];
    for (let i = 0; i < items.length; i += COLLECTION_SIZE) {
      const chunk = items.slice(i, i + COLLECTION_SIZE);
      const chunkResults = await call(chunk);
      for (let attempt = 1; attempt <= (this.options.maxRetries ?? 5); attempt++) {
        const locked = chunkResults.flatMap((r, index) =>
          !r.success && r.errors.some((e) => e.statusCode === 'UNABLE_TO_LOCK_ROW') ? [index] : []
        );
        if (locked.length === 0) break;
        await sleep(Math.random() * (this.options.baseDelayMs ?? 250) * 2 ** attempt);
        const retried = await call(locked.map((index) => chunk[index]));
        locked.forEach((index, k) => (chunkResults[index] = retried[k]));
      }
      results.push(...chunkResults);
    }
    return results;
  }

  /** A path as jsforce resolves it against the connection's current instance URL (which a refresh may move). */
  private path(path: string): string {
    if (/^https?:\/\//.test(path) || path.startsWith('/services/')) return path;
    return `/services/data/v${this.apiVersion}${path}`;
  }

  private async send<T>(method: string, path: string, body: unknown, headers: Record<string, string>): Promise<T> {
    this.assertBudget();
    const url = this.path(path);
    const isQuery = method === 'GET' || /\/query(All)?[/?]/.test(url);
    if (!isQuery) this.writes++;
    const isRaw = typeof body === 'string' || body instanceof Uint8Array;
    let response: RawResponse | undefined;
    const options: MeteredOptions & { responseType: string; retry: { maxRetries: number } } = {
      // The raw text: this layer parses it, so CSV stays CSV and an error keeps its status and body.
      responseType: 'text/plain',
      // Retries are this layer's (it knows which calls are safe to repeat, and counts each attempt).
      retry: { maxRetries: 0 },
      onSend: () => (response = undefined),
      onResponse: (r) => (response = r),
    };
    let text: unknown;
    try {
      text = await this.connection.request(
        {
          method: method as 'GET',
          url,
          headers: {
            Accept: 'application/json',
            ...(body === undefined ? {} : { 'Content-Type': isRaw ? 'text/csv' : 'application/json' }),
            ...headers,
          },
          body: body === undefined ? undefined : isRaw ? (body as string) : JSON.stringify(body),
        },
        // jsforce hands these options to the transport, where the meter gives this request its raw answer.
        options as unknown as Parameters<Connection['request']>[1]
      );
    } catch (error) {
      // jsforce reports an error status without it; the transport's answer has status and Salesforce's error body.
      const answered = response;
      if (answered && answered.statusCode >= 400) throw SalesforceApiError.fromResponse(answered.statusCode, parseBody(answered));
      throw error;
    } finally {
      this.options.onCall?.(this.apiCalls, this.apiUsage);
    }
    const answered = response;
    if (!answered) return (typeof text === 'string' ? text : undefined) as T;
    return parseBody(answered) as T;
  }

  private async refreshSession(original: SalesforceApiError): Promise<void> {
    try {
      await this.connection.refreshAuth();
    } catch {
      // An access-token login has no refresh token: the expired session is the error the user must see.
      throw original;
    }
  }
}

function stripAttributes(record: SObjectInput): SObjectInput {
  const { attributes, ...rest } = record;
  void attributes;
  return rest;
}

function parseBody(response: RawResponse): unknown {
  const text = response.body ?? '';
  const contentType = response.headers['content-type'] ?? '';
  if (!text || !contentType.includes('json')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
