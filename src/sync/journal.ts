/*
 * The sync journal: one small JSON file per org (mode 0600, no tokens or record data inside) saying which input
 * it is about (a hash of its first lines), up to which line every event is applied, and the batch in flight with its
 * Bulk API jobs. Written before and after each batch, atomically (write + rename), so a killed run resumes there.
 * The journal only saves work: correctness never depends on it (the org is read before every write).
 */
import { createHash, type Hash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile, chmod } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

export type JournalData = {
  version: 1;
  orgId: string;
  input: { headLines: number; headHash: string };
  /** Every event on a line <= committedLine is applied. */
  committedLine: number;
  inFlight?: { fromLine: number; toLine: number; bulkJobs: string[] };
  status: 'running' | 'stopped' | 'complete';
  stoppedReason?: string;
  batches: number;
  updatedAt: string;
};

/** How many leading lines identify an input (enough to tell exports apart, bounded memory to check). */
export const HEAD_LINES = 1000;

export const defaultJournalDir = (): string => join(homedir(), '.sf', 'instruqt-sync');

/** Incremental hash of the first HEAD_LINES non-blank input lines. */
export class InputHead {
  private readonly hash: Hash = createHash('sha256');
  private count = 0;

  public get lines(): number {
    return this.count;
  }

  public get full(): boolean {
    return this.count >= HEAD_LINES;
  }

  public add(text: string): void {
    if (this.count >= HEAD_LINES) return;
    this.hash.update(text);
    this.hash.update('\n');
    this.count++;
  }

  public digest(): string {
    return this.hash.copy().digest('hex');
  }
}

export class Journal {
  public readonly file: string;

  public constructor(dir: string, public readonly orgId: string) {
    this.file = join(dir, `${orgId.replace(/[^\w-]/g, '_')}.json`);
  }

  public async load(): Promise<JournalData | undefined> {
    try {
      const data = JSON.parse(await readFile(this.file, 'utf8')) as JournalData;
      return data.version === 1 && data.orgId === this.orgId ? data : undefined;
    } catch {
      // Missing or unreadable (e.g. cut off by a crash before rename existed): start from the org's state.
      return undefined;
    }
  }

  public async save(data: JournalData): Promise<void> {
    const dir = join(this.file, '..');
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify({ ...data, updatedAt: new Date().toISOString() }, null, 2), { mode: 0o600 });
    await chmod(tmp, 0o600);
    await rename(tmp, this.file);
  }
}
