/*
 * Salesforce API errors as one typed error, so callers branch on Salesforce's errorCode, never on message text.
 */

export type SalesforceErrorItem = { errorCode: string; message: string; fields?: string[] };

export class SalesforceApiError extends Error {
  public constructor(
    public readonly status: number,
    public readonly errorCode: string,
    message: string,
    public readonly fields: string[] = [],
    public readonly items: SalesforceErrorItem[] = []
  ) {
    super(message);
    this.name = 'SalesforceApiError';
  }

  /** Build from a REST error body: `[{message, errorCode, fields}]`, an OAuth `{error, error_description}`, or text. */
  public static fromResponse(status: number, body: unknown): SalesforceApiError {
    if (Array.isArray(body) && body.length > 0) {
      const items = body as SalesforceErrorItem[];
      const first = items[0];
      return new SalesforceApiError(status, first.errorCode ?? 'UNKNOWN_ERROR', first.message ?? '', first.fields ?? [], items);
    }
    if (body && typeof body === 'object') {
      const o = body as Record<string, unknown>;
      if (typeof o.errorCode === 'string') {
        return new SalesforceApiError(status, o.errorCode, String(o.message ?? ''), []);
      }
      if (typeof o.error === 'string') {
        return new SalesforceApiError(status, o.error, String(o.error_description ?? o.error), []);
      }
    }
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    return new SalesforceApiError(status, status >= 500 ? 'SERVER_ERROR' : 'UNKNOWN_ERROR', text.slice(0, 500));
  }
}

/**
 * 403 REQUEST_LIMIT_EXCEEDED comes in two kinds (Salesforce Developer Limits and Allocations Quick Reference): too many
 * concurrent long-running requests ("ConcurrentPerOrgLongTxn Limit exceeded"), which passes in seconds, and the
 * daily allowance ("TotalRequests Limit exceeded"), which does not pass today.
 */
export function isConcurrentLimit(error: unknown): boolean {
  return (
    error instanceof SalesforceApiError &&
    error.errorCode === 'REQUEST_LIMIT_EXCEEDED' &&
    /ConcurrentPerOrgLongTxn/i.test(error.message)
  );
}

export function isDailyLimit(error: unknown): boolean {
  return error instanceof SalesforceApiError && error.errorCode === 'REQUEST_LIMIT_EXCEEDED' && /TotalRequests/i.test(error.message);
}

/** Refusals Salesforce answers before doing anything, so repeating the call cannot apply it twice. */
export function refusedBeforeProcessing(error: unknown): boolean {
  return (
    error instanceof SalesforceApiError &&
    (error.errorCode === 'UNABLE_TO_LOCK_ROW' || error.status === 503 || isConcurrentLimit(error))
  );
}

/** Errors worth retrying: row locks, server faults, concurrent-request limits, dropped connections. */
export function isRetryable(error: unknown): boolean {
  if (error instanceof SalesforceApiError) {
    return error.errorCode === 'UNABLE_TO_LOCK_ROW' || error.status >= 500 || error.status === 0 || isConcurrentLimit(error);
  }
  return isNetworkError(error);
}

export function isNetworkError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const cause = (error as Error & { cause?: { code?: string } }).cause;
  const code = cause?.code ?? (error as Error & { code?: string }).code;
  return (
    (error.name === 'TypeError' && error.message === 'fetch failed') ||
    ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'].includes(code ?? '')
  );
}
