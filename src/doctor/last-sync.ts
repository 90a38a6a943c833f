/*
 * The last sync run of an org as its journal (src/sync/journal.ts) tells it, for the doctor. Read-only: the journal
 * belongs to the sync. Counts of failed records are read when the journal carries them (`failures`,
 * `failedRecordsFile`); a run that stopped or never finished is reported either way.
 */
import { Journal, defaultJournalDir } from '../sync/journal.js';

export type LastSync = {
  file: string;
  status: 'running' | 'stopped' | 'complete';
  stoppedReason?: string;
  committedLine: number;
  updatedAt: string;
  failures?: number;
  failedRecordsFile?: string;
};

/** Undefined when this machine has no journal for the org. */
export async function readLastSync(orgId: string, journalDir?: string): Promise<LastSync | undefined> {
  const journal = new Journal(journalDir ?? defaultJournalDir(), orgId);
  const data = (await journal.load()) as
    | (Awaited<ReturnType<Journal['load']>> & { failures?: unknown; failedRecordsFile?: unknown })
    | undefined;
  if (!data) return undefined;
  return {
    file: journal.file,
    status: data.status,
    stoppedReason: data.stoppedReason,
    committedLine: data.committedLine,
    updatedAt: data.updatedAt,
    ...(typeof data.failures === 'number' ? { failures: data.failures } : {}),
    ...(typeof data.failedRecordsFile === 'string' ? { failedRecordsFile: data.failedRecordsFile } : {}),
  };
}
