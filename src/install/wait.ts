/*
 * Stage 5: wait until the new objects are usable: describe and a query on each succeed (one Composite call per
 * check). Salesforce can take minutes to activate new custom objects; the wait is bounded by --wait and a timeout
 * says how to resume.
 */
import type { SalesforceClient } from '../salesforce/client.js';
import { installError } from './messages.js';

export type WaitOptions = {
  objects: string[];
  timeoutMs: number;
  /** A fixed pause between checks instead of 5 s doubling up to 30 s (each check is an API call). */
  intervalMs?: number;
  targetOrg: string;
  /** --wait as the user gave it, for the timeout message. */
  waitMinutes: number;
};

export type WaitOutcome = { checks: number; waitedMs: number };

const MAX_PAUSE_MS = 30_000;

/** The pause after the given number of checks. */
export function waitIntervalMs(checks: number, explicit?: number): number {
  if (explicit !== undefined) return explicit;
  return Math.min(5000 * 2 ** Math.max(0, checks - 1), MAX_PAUSE_MS);
}

/** Objects of `objects` that are not usable yet (empty when all are). */
export async function unusableObjects(client: SalesforceClient, objects: string[]): Promise<string[]> {
  const responses = await client.composite(
    objects.flatMap((o) => [
      { method: 'GET', url: `/sobjects/${o}/describe`, referenceId: `describe_${o}` },
      { method: 'GET', url: `/query?q=${encodeURIComponent(`SELECT Id FROM ${o} LIMIT 1`)}`, referenceId: `query_${o}` },
    ])
  );
  return objects.filter((o) =>
    responses.some((r) => (r.referenceId === `describe_${o}` || r.referenceId === `query_${o}`) && r.httpStatusCode >= 400)
  );
}

export async function waitForObjects(client: SalesforceClient, options: WaitOptions): Promise<WaitOutcome> {
  const started = Date.now();
  let checks = 0;
  let pending = options.objects;
  for (;;) {
    checks++;
    pending = await unusableObjects(client, pending);
    if (pending.length === 0) return { checks, waitedMs: Date.now() - started };
    const left = options.timeoutMs - (Date.now() - started);
    if (left <= 0) {
      throw installError('ObjectsNotUsable', [pending.join(', '), options.waitMinutes], [options.targetOrg]);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(waitIntervalMs(checks, options.intervalMs), left)));
  }
}
