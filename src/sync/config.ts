/*
 * The sync configuration (`--config file.json`, schema in schemas/instruqt-sync-config.json): which workflows run,
 * how Leads are created, how people are matched, and the engine's batch sizes. Defaults follow seed 000.
 */
import { readFile } from 'node:fs/promises';

export type MatchRule = 'email+names' | 'email';
export type ActivityKind = 'chatter' | 'task';

export type SyncConfig = {
  workflows: { createLeads: boolean; plays: boolean; chatter: boolean };
  /** A LeadStatus value; undefined -> the org's default status. Checked against the org before any write. */
  newLeadStatus?: string;
  /** Company of a new Lead when the form has none (Lead.Company is required). */
  companyPlaceholder: string;
  /** Lead.LeadSource of new Leads; undefined -> not set. */
  leadSource?: string;
  matching: { rule: MatchRule; contactFirst: boolean };
  /** Where the four milestone posts go: Chatter FeedItems, or Tasks for orgs without Chatter. */
  activity: ActivityKind;
  /** Above this many records of one kind in a batch, writes go through a Bulk API 2.0 ingest job. */
  bulkThreshold: number;
  /** Events per batch: the unit of planning, writing and journaling. */
  batchSize: number;
  /** Records per sObject Collections call (Salesforce allows at most 200). */
  collectionsSize: number;
  /** Stop before the org's daily API usage passes (100 - reserve)% of its limit. */
  apiReservePercent: number;
  /** First Bulk API 2.0 poll interval; doubles up to bulkPollMaxMs. */
  bulkPollMs: number;
  bulkPollMaxMs: number;
  bulkTimeoutMs: number;
};

export const DEFAULT_CONFIG: SyncConfig = {
  workflows: { createLeads: true, plays: true, chatter: true },
  companyPlaceholder: '[not provided]',
  leadSource: 'Instruqt',
  matching: { rule: 'email+names', contactFirst: true },
  activity: 'chatter',
  bulkThreshold: 2000,
  batchSize: 5000,
  collectionsSize: 200,
  apiReservePercent: 5,
  bulkPollMs: 250,
  bulkPollMaxMs: 5000,
  bulkTimeoutMs: 600_000,
};

export class ConfigError extends Error {}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function pickBool(o: Obj, key: string, path: string, dflt: boolean): boolean {
  const v = o[key];
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw new ConfigError(`${path}${key} must be true or false`);
  return v;
}

function pickInt(o: Obj, key: string, min: number, max: number, dflt: number): number {
  const v = o[key];
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ConfigError(`${key} must be an integer from ${min} to ${max}`);
  }
  return v;
}

function pickString(o: Obj, key: string, dflt: string | undefined, maxLen: number): string | undefined {
  const v = o[key];
  if (v === undefined) return dflt;
  if (v === null) return undefined;
  if (typeof v !== 'string' || v.trim() === '' || v.length > maxLen) {
    throw new ConfigError(`${key} must be a non-empty string of at most ${maxLen} characters`);
  }
  return v.trim();
}

function pickEnum<T extends string>(o: Obj, key: string, path: string, values: readonly T[], dflt: T): T {
  const v = o[key];
  if (v === undefined) return dflt;
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
    throw new ConfigError(`${path}${key} must be one of ${values.map((x) => JSON.stringify(x)).join(', ')}`);
  }
  return v as T;
}

const KNOWN = new Set([
  '$schema',
  'workflows',
  'newLeadStatus',
  'companyPlaceholder',
  'leadSource',
  'matching',
  'activity',
  'bulkThreshold',
  'batchSize',
  'collectionsSize',
  'apiReservePercent',
  'bulkPollMs',
  'bulkPollMaxMs',
  'bulkTimeoutMs',
]);

/** Validate a parsed config object and fill in defaults. Unknown keys are refused: a typo must not pass silently. */
export function parseConfig(raw: unknown): SyncConfig {
  if (raw === undefined) return structuredClone(DEFAULT_CONFIG);
  if (!isObj(raw)) throw new ConfigError('the configuration must be a JSON object');
  const unknown = Object.keys(raw).filter((k) => !KNOWN.has(k));
  if (unknown.length) throw new ConfigError(`unknown configuration key(s): ${unknown.join(', ')}`);
  const d = DEFAULT_CONFIG;
  const wf = raw.workflows ?? {};
  if (!isObj(wf)) throw new ConfigError('workflows must be an object');
  const wfUnknown = Object.keys(wf).filter((k) => !['createLeads', 'plays', 'chatter'].includes(k));
  if (wfUnknown.length) throw new ConfigError(`unknown workflow(s): ${wfUnknown.join(', ')}`);
  const m = raw.matching ?? {};
  if (!isObj(m)) throw new ConfigError('matching must be an object');
  const mUnknown = Object.keys(m).filter((k) => !['rule', 'contactFirst'].includes(k));
  if (mUnknown.length) throw new ConfigError(`unknown matching key(s): ${mUnknown.join(', ')}`);
  const cfg: SyncConfig = {
    workflows: {
      createLeads: pickBool(wf, 'createLeads', 'workflows.', d.workflows.createLeads),
      plays: pickBool(wf, 'plays', 'workflows.', d.workflows.plays),
      chatter: pickBool(wf, 'chatter', 'workflows.', d.workflows.chatter),
    },
    newLeadStatus: pickString(raw, 'newLeadStatus', undefined, 255),
    companyPlaceholder: pickString(raw, 'companyPlaceholder', d.companyPlaceholder, 255) ?? d.companyPlaceholder,
    leadSource: pickString(raw, 'leadSource', d.leadSource, 255),
    matching: {
      rule: pickEnum(m, 'rule', 'matching.', ['email+names', 'email'] as const, d.matching.rule),
      contactFirst: pickBool(m, 'contactFirst', 'matching.', d.matching.contactFirst),
    },
    activity: pickEnum(raw, 'activity', '', ['chatter', 'task'] as const, d.activity),
    bulkThreshold: pickInt(raw, 'bulkThreshold', 1, 100_000_000, d.bulkThreshold),
    batchSize: pickInt(raw, 'batchSize', 1, 50_000, d.batchSize),
    collectionsSize: pickInt(raw, 'collectionsSize', 1, 200, d.collectionsSize),
    apiReservePercent: pickInt(raw, 'apiReservePercent', 0, 90, d.apiReservePercent),
    bulkPollMs: pickInt(raw, 'bulkPollMs', 10, 60_000, d.bulkPollMs),
    bulkPollMaxMs: pickInt(raw, 'bulkPollMaxMs', 10, 600_000, d.bulkPollMaxMs),
    bulkTimeoutMs: pickInt(raw, 'bulkTimeoutMs', 1000, 86_400_000, d.bulkTimeoutMs),
  };
  return cfg;
}

/** Read and validate `--config`; no path -> defaults. */
export async function loadConfig(path?: string): Promise<SyncConfig> {
  if (!path) return parseConfig(undefined);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read ${path}: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  return parseConfig(raw);
}
