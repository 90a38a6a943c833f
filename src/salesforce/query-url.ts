/*
 * How long a query URL is as it goes on the wire. Salesforce answers 414 URI Too Long past 16,384 bytes of URI and
 * 431 when URI plus headers pass 16,384 bytes (Salesforce Developer Limits, Platform API). The URL sent is the
 * WHATWG serialisation (fetch, undici and jsforce all build one), which turns the `'` that encodeURIComponent
 * leaves alone into %27: a SOQL IN list of quoted values grows by two bytes per value on the way out.
 */

/** Longest request target sent as a GET; the rest of the 16,384 bytes is left for the headers. */
export const MAX_GET_URI_BYTES = 12_000;

/** Bytes of the request target (path and query) a client sends for `path` against `instanceUrl`. */
export function requestTargetBytes(instanceUrl: string, path: string): number {
  const url = new URL(path, instanceUrl);
  return Buffer.byteLength(url.pathname + url.search, 'utf8');
}

/** The REST path of a query. */
export function queryPath(apiVersion: string, soql: string): string {
  return `/services/data/v${apiVersion}/query?q=${encodeURIComponent(soql)}`;
}

/** Whether a query can go as a GET without meeting Salesforce's URI limits; longer ones go in a Composite body. */
export function queryFitsInUrl(instanceUrl: string, apiVersion: string, soql: string): boolean {
  return requestTargetBytes(instanceUrl, queryPath(apiVersion, soql)) <= MAX_GET_URI_BYTES;
}
