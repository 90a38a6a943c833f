/*
 * The one door to Instruqt's GraphQL API: POST {url} with "Authorization: Bearer <team API key>", through undici with
 * EnvHttpProxyAgent so HTTP(S)_PROXY / NO_PROXY apply as they do to Salesforce traffic (Node's global fetch ignores
 * them). Retries 429 (honouring Retry-After), 5xx and dropped connections with backoff; a 401/403 is
 * InstruqtApiError('Unauthorized'); GraphQL `errors` in a 200 answer are errors. The key never leaves this module:
 * no message, log line or result carries it.
 */
import { EnvHttpProxyAgent, fetch, type Dispatcher } from 'undici';

export const DEFAULT_INSTRUQT_URL = 'https://play.instruqt.com/graphql';

export type InstruqtErrorCode = 'Unauthorized' | 'GraphQL' | 'Http' | 'Network';

export class InstruqtApiError extends Error {
  public constructor(public readonly code: InstruqtErrorCode, message: string, public readonly status?: number) {
    super(message);
    this.name = 'InstruqtApiError';
  }
}

export type InstruqtClientOptions = {
  apiKey: string;
  url?: string;
  /** Retries of one request after 429, 5xx or a dropped connection. */
  maxRetries?: number;
  /** Longest wait honoured from Retry-After, and the cap of the backoff. */
  maxWaitMs?: number;
  /** First backoff step; doubled per retry, with jitter. */
  backoffMs?: number;
  /** A request without a complete answer after this long is abandoned and retried (reads are idempotent). */
  timeoutMs?: number;
  dispatcher?: Dispatcher;
  onRetry?: (reason: string, waitMs: number) => void;
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Seconds or an HTTP date (RFC 9110 Retry-After); undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export class InstruqtClient {
  /** HTTP requests sent (retries included). */
  public requests = 0;
  public retries = 0;
  private readonly url: string;
  private readonly dispatcher: Dispatcher;
  private readonly maxRetries: number;
  private readonly maxWaitMs: number;
  private readonly backoffMs: number;

  public constructor(private readonly options: InstruqtClientOptions) {
    this.url = options.url ?? DEFAULT_INSTRUQT_URL;
    this.dispatcher = options.dispatcher ?? new EnvHttpProxyAgent();
    this.maxRetries = options.maxRetries ?? 5;
    this.maxWaitMs = options.maxWaitMs ?? 60_000;
    this.backoffMs = options.backoffMs ?? 500;
  }

  public get endpoint(): string {
    return this.url;
  }

  /** Run one GraphQL operation and return its `data`. */
  public async query<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.send(query, variables);
      if ('data' in outcome) return outcome.data as T;
      if (attempt >= this.maxRetries) throw outcome.error;
      const backoff = Math.min(this.backoffMs * 2 ** attempt, this.maxWaitMs) * (0.5 + Math.random() / 2);
      const wait = Math.min(outcome.waitMs ?? backoff, this.maxWaitMs);
      this.retries++;
      this.options.onRetry?.(outcome.error.message, wait);
      await sleep(wait);
    }
  }

  /** One request: the data, or an error with whether (and after how long) to retry. Non-retryable errors throw. */
  private async send(query: string, variables: Record<string, unknown>): Promise<{ data: unknown } | { error: InstruqtApiError; waitMs?: number }> {
    this.requests++;
    let response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', Authorization: `Bearer ${this.options.apiKey}` },
        body: JSON.stringify({ query, variables }),
        dispatcher: this.dispatcher,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 60_000),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const reason = (e as Error).name === 'TimeoutError' ? 'no answer in time' : cause?.code ?? cause?.message ?? (e as Error).message;
      return { error: new InstruqtApiError('Network', `${this.where()}: ${reason}`) };
    }
    let text: string;
    try {
      text = await response.text();
    } catch (e) {
      return { error: new InstruqtApiError('Network', `${this.where()}: the answer was cut off (${(e as Error).name})`) };
    }
    if (response.status === 401 || response.status === 403) {
      throw new InstruqtApiError('Unauthorized', `${this.where()} answered HTTP ${response.status}`, response.status);
    }
    if (response.status === 429) {
      return {
        error: new InstruqtApiError('Http', `${this.where()} answered HTTP 429 (too many requests)`, 429),
        waitMs: retryAfterMs(response.headers.get('retry-after')),
      };
    }
    if (response.status >= 500) {
      return { error: new InstruqtApiError('Http', `${this.where()} answered HTTP ${response.status}`, response.status) };
    }
    let body: { data?: unknown; errors?: Array<{ message?: string }> };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new InstruqtApiError('Http', `${this.where()} answered HTTP ${response.status} with a body that is not JSON`, response.status);
    }
    if (Array.isArray(body.errors) && body.errors.length > 0) {
      throw new InstruqtApiError('GraphQL', body.errors.map((e) => e.message ?? JSON.stringify(e)).join('; '), response.status);
    }
    if (response.status !== 200 || body.data === undefined || body.data === null) {
      throw new InstruqtApiError('Http', `${this.where()} answered HTTP ${response.status} without data`, response.status);
    }
    return { data: body.data };
  }

  private where(): string {
    // The endpoint without credentials or query string: safe to print.
    try {
      const u = new URL(this.url);
      return `${u.protocol}//${u.host}${u.pathname}`;
    } catch {
      return 'the Instruqt API';
    }
  }
}
