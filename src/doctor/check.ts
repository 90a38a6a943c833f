/*
 * What every doctor check shares: the check ids and their titles, the result of one check, the options and the
 * context the checks read. No Salesforce calls here.
 */
import type { SalesforceClient } from '../salesforce/client.js';
import type { Footprint } from '../footprint/footprint.js';
import type { SyncConfig } from '../sync/config.js';
import type { Assignment, IntegrationUser } from '../install/integration-user.js';

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';
export type CheckId =
  | 'integration-user'
  | 'user-active'
  | 'api-access'
  | 'objects'
  | 'field-security'
  | 'assignments'
  | 'lead-status'
  | 'chatter'
  | 'api-headroom'
  | 'last-sync'
  | 'external-client-app'
  | 'smoke';

export type DoctorCheck = {
  id: CheckId;
  title: string;
  status: CheckStatus;
  /** What was seen. */
  detail: string;
  /** What to do when the check does not pass: a sentence, and the command(s) to run when there is one. */
  fix?: string;
  commands?: string[];
};

export type DoctorOptions = {
  /** Alias or username of the org, as the user typed it: printed fixes carry it. */
  orgLabel: string;
  /** The integration user's username; default: the holder of Instruqt_Integration. */
  username?: string;
  /** Sync configuration file (`sf instruqt sync --config`). */
  configPath?: string;
  /** Where the sync keeps its journals (default: the sync's own default). */
  journalDir?: string;
  /** The org's id: the sync's journal is kept per org. */
  orgId?: string;
  footprint?: Footprint;
  /** Warn below this share of the daily API limit left (percent). */
  headroomWarnPercent?: number;
};

/** What the checks read: the options, the org's client, and what runDoctor found first. */
export type Context = DoctorOptions & {
  client: SalesforceClient;
  footprint: Footprint;
  config: SyncConfig;
  user?: IntegrationUser;
  assignments: Assignment[];
};

const TITLES: Record<CheckId, string> = {
  'integration-user': 'Integration user exists',
  'user-active': 'Integration user is active',
  'api-access': 'Integration user has API access',
  objects: 'Instruqt objects and fields are deployed',
  'field-security': 'Field-level security allows the sync to write',
  assignments: 'Permission set licence and permission set assigned',
  'lead-status': 'New Lead Status is valid',
  chatter: 'Chatter is available for the activity posts',
  'api-headroom': 'Daily API requests left',
  'last-sync': 'Last sync wrote every record',
  'external-client-app': 'External Client App lets the integration user log in (JWT)',
  smoke: 'Smoke test: a form submission becomes an enriched Lead',
};

export function check(id: CheckId, status: CheckStatus, detail: string, fix?: string, commands?: string[]): DoctorCheck {
  return { id, title: TITLES[id], status, detail, ...(fix ? { fix } : {}), ...(commands?.length ? { commands } : {}) };
}

export const quote = (value: string): string => (/^[\w@.:/-]+$/.test(value) ? value : `"${value.replace(/"/g, '\\"')}"`);
