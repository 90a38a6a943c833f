/*
 * Call accounting on a Connection's own transport: every HTTP request jsforce sends for it (REST, Composite, Bulk
 * API 2.0, and the Metadata API calls source-deploy-retrieve makes) is counted and its Sforce-Limit-Info read, so
 * each command's apiCalls includes them. The request itself stays jsforce's (proxy, timeout, user agent, logging).
 */
import type { Connection } from '@salesforce/core';

export type ApiUsage = { used: number; max: number };

/** What the transport answered for one request (before jsforce turns an error status into an exception). */
export type RawResponse = { statusCode: number; headers: Record<string, string>; body: string };

/** Options a SalesforceClient passes through Connection.request to hear its own request's raw answer. */
export type MeteredOptions = {
  /** Each HTTP request sent for the call (jsforce sends it again after refreshing the session). */
  onSend?: () => void;
  onResponse?: (response: RawResponse) => void;
};

export type CallMeter = {
  /** HTTP requests sent through the connection since it was metered. */
  calls: number;
  /** The org's daily API usage from the newest Sforce-Limit-Info header. */
  usage?: ApiUsage;
};

type Transport = Connection['_transport'];
type HttpRequest = Parameters<Transport['httpRequest']>[0];
type HttpOptions = Parameters<Transport['httpRequest']>[1];

const meters = new WeakMap<Connection, CallMeter>();

/** The connection's meter; the first call wraps the connection's transport (once per connection). */
export function meterOf(connection: Connection): CallMeter {
  const known = meters.get(connection);
  if (known) return known;
  const meter: CallMeter = { calls: 0 };
  meters.set(connection, meter);
  // eslint-disable-next-line no-underscore-dangle -- jsforce's transport: the one place every request passes
  const transport = connection._transport;
  const send = transport.httpRequest.bind(transport);
  // A session refresh can answer with another instance URL (an org moved to a new instance): the sf CLI's auth info
  // takes it, the Connection does not. Follow it, and send what was addressed to the old instance to the new one.
  const formerInstances: string[] = [];
  const trim = (url: string): string => url.replace(/\/+$/, '');
  connection.on('refresh', () => {
    const moved = connection.getAuthInfoFields().instanceUrl;
    if (moved && trim(moved) !== trim(connection.instanceUrl)) {
      formerInstances.push(trim(connection.instanceUrl));
      // eslint-disable-next-line no-param-reassign -- the Connection is shared: every later request must use the new URL
      connection.instanceUrl = trim(moved);
    }
  });
  transport.httpRequest = (request: HttpRequest, options?: HttpOptions): ReturnType<Transport['httpRequest']> => {
    const former = formerInstances.find((url) => request.url.startsWith(`${url}/`));
    // eslint-disable-next-line no-param-reassign -- jsforce re-sends this same request object after a refresh
    if (former) request.url = trim(connection.instanceUrl) + request.url.slice(former.length);
    meter.calls++;
    (options as MeteredOptions | undefined)?.onSend?.();
    const pending = send(request, options);
    pending.then(
      (response) => {
        const raw = response as unknown as RawResponse;
        const match = /api-usage=(\d+)\/(\d+)/.exec(raw.headers?.['sforce-limit-info'] ?? '');
        if (match) meter.usage = { used: Number(match[1]), max: Number(match[2]) };
        (options as MeteredOptions | undefined)?.onResponse?.(raw);
      },
      () => undefined
    );
    return pending;
  };
  return meter;
}
