/*
 * A tiny REST client for conformance tests: fetch against a local org as some user, JSON in and out, and the
 * response headers (Sforce-Limit-Info) kept for assertions.
 */
import type { LocalOrg } from '../../emulator/index.js';

export type ApiResponse<T = unknown> = { status: number; body: T; headers: Headers };

export type Api = {
  version: string;
  call<T = unknown>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<ApiResponse<T>>;
  get<T = unknown>(path: string): Promise<ApiResponse<T>>;
  post<T = unknown>(path: string, body: unknown): Promise<ApiResponse<T>>;
  patch<T = unknown>(path: string, body: unknown): Promise<ApiResponse<T>>;
  del<T = unknown>(path: string): Promise<ApiResponse<T>>;
};

/** A client for `/services/data/vXX.X` + path (absolute paths starting with '/services' are used as they are). */
export function apiFor(local: LocalOrg, token = local.adminToken, version = '65.0'): Api {
  const call = async <T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> => {
    const url = path.startsWith('/services') || path.startsWith('//') ? path : `/services/data/v${version}${path}`;
    const res = await fetch(local.instanceUrl + url, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON (SOAP, text): keep the text
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  };
  return {
    version,
    call,
    get: (path) => call('GET', path),
    post: (path, body) => call('POST', path, body),
    patch: (path, body) => call('PATCH', path, body),
    del: (path) => call('DELETE', path),
  };
}

export type ErrorBody = Array<{ message: string; errorCode: string; fields?: string[] }>;
export type SaveResult = { id?: string; success: boolean; created?: boolean; errors: Array<{ statusCode: string; message: string; fields: string[] }> };
export type QueryResult<R = Record<string, unknown>> = { totalSize: number; done: boolean; nextRecordsUrl?: string; records: R[] };
