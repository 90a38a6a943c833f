import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { SyncLock, SyncLockedError, lockFileOf } from '../../src/sync/lock.js';

describe('sync lock (one sync per org)', () => {
  const dir = (): string => mkdtempSync(join(tmpdir(), 'sync-lock-'));

  it('refuses a second holder for the same org, naming the owner, and is free again after release', () => {
    const d = dir();
    const lock = SyncLock.acquire(d, '00D000000000001AAA');
    expect(() => SyncLock.acquire(d, '00D000000000001AAA')).to.throw(SyncLockedError).with.property('owner').that.includes({ pid: process.pid, host: hostname() });
    // Another org is another lock.
    SyncLock.acquire(d, '00D000000000002AAA').release();
    lock.release();
    lock.release();
    expect(existsSync(lockFileOf(d, '00D000000000001AAA'))).to.equal(false);
    SyncLock.acquire(d, '00D000000000001AAA').release();
  });

  it('takes over the lock of a process that is gone, not one of another machine', () => {
    const d = dir();
    const file = lockFileOf(d, '00D000000000001AAA');
    writeFileSync(file, JSON.stringify({ pid: spawnSync(process.execPath, ['-e', '0']).pid, host: hostname(), startedAt: '' }));
    const taken = SyncLock.acquire(d, '00D000000000001AAA');
    taken.release();
    writeFileSync(file, JSON.stringify({ pid: 1, host: 'elsewhere', startedAt: '' }));
    expect(() => SyncLock.acquire(d, '00D000000000001AAA')).to.throw(SyncLockedError);
    // Never removes a lock it does not own.
    taken.release();
    expect(existsSync(file)).to.equal(true);
  });
});
