/*
 * The sync configuration (`--config file.json`, schema in schemas/instruqt-sync-config.json): which workflows run,
 * how Leads are created, how people are matched, and the engine's batch sizes. Defaults follow seed 000.
 */
import { readFile } from 'node:fs/promises';
import { errorPath, schemaValidator, type SchemaError } from './schemas.js';

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

/** The file as the schema describes it: every key optional. */
type ConfigFile = {
  workflows?: Partial<SyncConfig['workflows']>;
  newLeadStatus?: string | null;
  companyPlaceholder?: string | null;
  leadSource?: string | null;
  matching?: Partial<SyncConfig['matching']>;
  activity?: ActivityKind;
} & Partial<Pick<SyncConfig, 'bulkThreshold' | 'batchSize' | 'collectionsSize' | 'apiReservePercent' | 'bulkPollMs' | 'bulkPollMaxMs' | 'bulkTimeoutMs'>>;

/** The order today's checks report in: unknown keys and wrong objects first, then each setting. */
const REPORT_ORDER = [
  'additionalProperties:',
  'type:workflows',
  'additionalProperties:workflows',
  'type:matching',
  'additionalProperties:matching',
  'workflows.createLeads',
  'workflows.plays',
  'workflows.chatter',
  'newLeadStatus',
  'companyPlaceholder',
  'leadSource',
  'matching.rule',
  'matching.contactFirst',
  'activity',
  'bulkThreshold',
  'batchSize',
  'collectionsSize',
  'apiReservePercent',
  'bulkPollMs',
  'bulkPollMaxMs',
  'bulkTimeoutMs',
];

const UNKNOWN: Record<string, string> = { '': 'configuration key(s)', workflows: 'workflow(s)', matching: 'matching key(s)' };

function slotOf(error: SchemaError): string {
  const path = errorPath(error);
  if (error.keyword === 'additionalProperties') return `additionalProperties:${path.slice(0, -1).join('.')}`;
  if (path.length === 1 && (path[0] === 'workflows' || path[0] === 'matching')) return `type:${path[0]}`;
  return path.join('.');
}

/** The reason users read for the first fault, in today's words. */
function reasonOf(errors: SchemaError[]): string {
  const rank = (e: SchemaError): number => {
    const i = REPORT_ORDER.indexOf(slotOf(e));
    return i < 0 ? REPORT_ORDER.length : i;
  };
  const first = [...errors].sort((a, b) => rank(a) - rank(b))[0];
  if (!first) return 'the configuration does not match schemas/instruqt-sync-config.json';
  const slot = slotOf(first);
  const path = errorPath(first);
  const key = path.at(-1) ?? '';
  const prefix = path.length > 1 ? `${path[0]}.` : '';
  if (first.keyword === 'additionalProperties') {
    const keys = errors.filter((e) => slotOf(e) === slot).map((e) => errorPath(e).at(-1));
    return `unknown ${UNKNOWN[path.slice(0, -1).join('.')]}: ${keys.join(', ')}`;
  }
  if (slot.startsWith('type:')) return `${key} must be an object`;
  const property = (first.parentSchema ?? {}) as { type?: unknown; minimum?: number; maximum?: number; enum?: string[] };
  if (first.keyword === 'enum' || property.enum) {
    return `${prefix}${key} must be one of ${(property.enum ?? []).map((x) => JSON.stringify(x)).join(', ')}`;
  }
  if (property.type === 'boolean') return `${prefix}${key} must be true or false`;
  if (property.type === 'integer') return `${key} must be an integer from ${property.minimum ?? 0} to ${property.maximum ?? 0}`;
  if (Array.isArray(property.type) && property.type.includes('string')) return `${key} must be a non-empty string of at most 255 characters`;
  return `${prefix}${key} ${first.message ?? 'is invalid'}`;
}

const trimmedOr = (v: string | null | undefined, dflt: string | undefined): string | undefined =>
  v === undefined ? dflt : v === null ? undefined : v.trim();

/**
 * Validate a parsed config object with schemas/instruqt-sync-config.json and fill in defaults. Unknown keys are
 * refused: a typo must not pass silently.
 */
export function parseConfig(raw: unknown): SyncConfig {
  if (raw === undefined) return structuredClone(DEFAULT_CONFIG);
  if (!isObj(raw)) throw new ConfigError('the configuration must be a JSON object');
  // A null section means its defaults.
  const given: Obj = { ...raw };
  if (given.workflows === null) delete given.workflows;
  if (given.matching === null) delete given.matching;
  const validate = schemaValidator('instruqt-sync-config');
  if (!validate(given)) throw new ConfigError(reasonOf(validate.errors ?? []));
  const c = given as ConfigFile;
  const d = DEFAULT_CONFIG;
  return {
    workflows: { ...d.workflows, ...c.workflows },
    newLeadStatus: trimmedOr(c.newLeadStatus, undefined),
    companyPlaceholder: trimmedOr(c.companyPlaceholder, d.companyPlaceholder) ?? d.companyPlaceholder,
    leadSource: trimmedOr(c.leadSource, d.leadSource),
    matching: { ...d.matching, ...c.matching },
    activity: c.activity ?? d.activity,
    bulkThreshold: c.bulkThreshold ?? d.bulkThreshold,
    batchSize: c.batchSize ?? d.batchSize,
    collectionsSize: c.collectionsSize ?? d.collectionsSize,
    apiReservePercent: c.apiReservePercent ?? d.apiReservePercent,
    bulkPollMs: c.bulkPollMs ?? d.bulkPollMs,
    bulkPollMaxMs: c.bulkPollMaxMs ?? d.bulkPollMaxMs,
    bulkTimeoutMs: c.bulkTimeoutMs ?? d.bulkTimeoutMs,
  };
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
