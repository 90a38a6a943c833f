/*
 * The sync journal: one small JSON file per org (mode 0600, no tokens or record data inside) saying which input
 * it is about (a hash of every line up to the committed one), up to which line every event is applied, and the
 * batch in flight with its Bulk API jobs. Written before and after each batch, atomically (write + rename), so a
 * killed run resumes there. It applies only to the input it was written for: any line up to the committed one that
 * differs (a bad line fixed in place, wherever it is) makes the next run read everything again.
 * The journal only saves work: correctness never depends on it (the org is read before every write).
 */
import { createHash, type Hash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile, chmod, unlink } from 'node:fs/promises';
import { unlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export type JournalData = {
  version: 1;
  orgId: string;
  /** Hash of every non-blank input line (number and text) up to throughLine, which is committedLine. */
  input: { throughLine: number; hash: string };
  /** Every valid event on a line <= committedLine is applied; rejected lines there were rejected, not applied. */
  committedLine: number;
  inFlight?: { fromLine: number; toLine: number; bulkJobs: string[] };
  status: 'running' | 'stopped' | 'complete';
  stoppedReason?: string;
  batches: number;
  updatedAt: string;
};

export const defaultJournalDir = (): string => join(homedir(), '.sf', 'instruqt-sync');

/** Incremental hash of an input's numbered lines, in order. */
export class InputDigest {
  private readonly hash: Hash = createHash('sha256');
  private last = 0;

  /** The last line added. */
  public get line(): number {
    return this.last;
  }

  public add(line: number, text: string): void {
    this.hash.update(`${line}\t${text}\n`);
    this.last = line;
  }

  public digest(): string {
    return this.hash.copy().digest('hex');
  }
}

export class Journal {
  public readonly file: string;
  private readonly tmp: string;

  public constructor(dir: string, public readonly orgId: string) {
    this.file = join(dir, `${orgId.replace(/[^\w-]/g, '_')}.json`);
    this.tmp = `${this.file}.${process.pid}.tmp`;
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
    await mkdir(join(this.file, '..'), { recursive: true, mode: 0o700 });
    try {
      await writeFile(this.tmp, JSON.stringify({ ...data, updatedAt: new Date().toISOString() }, null, 2), { mode: 0o600 });
      await chmod(this.tmp, 0o600);
      await rename(this.tmp, this.file);
    } catch (e) {
      await unlink(this.tmp).catch(() => undefined);
      throw e;
    }
  }

  /** Remove a half-written temporary file (an interrupted save); the journal itself is always whole. */
  public discardPartialSync(): void {
    try {
      unlinkSync(this.tmp);
    } catch {
      // Nothing was being written.
    }
  }
}
