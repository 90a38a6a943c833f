/*
 * One sync per org at a time: a lock file beside the journal (`<org id>.lock`), created exclusively (O_EXCL), holding
 * the owner's pid, host and start time. Released on every exit the process sees; a lock whose owner on this host is
 * gone (a killed run) is stale and taken over. Any sync source takes it before writing.
 */
import { mkdirSync, openSync, readFileSync, unlinkSync, writeSync, closeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export type LockOwner = { pid: number; host: string; startedAt: string };

export class SyncLockedError extends Error {
  public constructor(public readonly file: string, public readonly owner?: LockOwner) {
    super(`sync of this org already running (${file})`);
    this.name = 'SyncLockedError';
  }
}

export const lockFileOf = (dir: string, orgId: string): string => join(dir, `${orgId.replace(/[^\w-]/g, '_')}.lock`);

function readOwner(file: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockOwner>;
    return typeof owner.pid === 'number' && typeof owner.host === 'string'
      ? { pid: owner.pid, host: owner.host, startedAt: String(owner.startedAt ?? '') }
      : undefined;
  } catch {
    return undefined;
  }
}

/** True when the owner surely no longer runs: same host and no such process. Another host's run cannot be checked. */
function isStale(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return false;
  if (owner.pid === process.pid) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

export class SyncLock {
  private released = false;

  private constructor(public readonly file: string) {}

  /** Take the org's lock or throw SyncLockedError naming the run that holds it. Synchronous, so nothing interleaves. */
  public static acquire(dir: string, orgId: string): SyncLock {
    const file = lockFileOf(dir, orgId);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const fd = openSync(file, 'wx', 0o600);
        const owner: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
        writeSync(fd, JSON.stringify(owner));
        closeSync(fd);
        return new SyncLock(file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const owner = readOwner(file);
      // An unreadable lock may be one being written this instant: treat it as held.
      if (!owner || !isStale(owner)) throw new SyncLockedError(file, owner);
      try {
        unlinkSync(file);
      } catch {
        // Another run removed it first; try again.
      }
    }
    throw new SyncLockedError(file, readOwner(file));
  }

  /** Idempotent and synchronous: safe from a signal handler and from `finally`. */
  public release(): void {
    if (this.released) return;
    this.released = true;
    const owner = readOwner(this.file);
    if (owner && (owner.pid !== process.pid || owner.host !== hostname())) return;
    try {
      unlinkSync(this.file);
    } catch {
      // Already gone.
    }
  }
}
