/*
 * What an admin meets around `sf instruqt sync`, through the real sf CLI: one sync per org at a time (a second run is
 * refused, a lock left by a killed run is taken over), Ctrl-C exits 130 with a resumable journal, a journal applies
 * only to the exact input it was written for (a bad line fixed in place is synced, wherever it is), and bad input or
 * paths get an error naming the flag, file or line instead of a crash.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { SfRunner, type SfResult } from '../helpers/sf.js';
import type { SyncResult } from '../../src/sync/engine.js';
import type { JournalData } from '../../src/sync/journal.js';
import { startSyncOrg, type SyncOrg } from '../sync/org-fixture.js';
import { completedRaw, inviteRaw, reviewRaw, startedRaw, type Person } from '../sync/fixtures.js';

type Env = { o: SyncOrg; alias: string; dir: string; journalDir: string; input: string; config: string };

async function setup(config: Record<string, unknown> = { batchSize: 5 }): Promise<Env> {
  const o = await startSyncOrg();
  const alias = `safe-${Math.random().toString(36).slice(2, 8)}`;
  await SfRunner.get().login(o.local.instanceUrl, o.integrationToken, alias);
  const dir = mkdtempSync(join(tmpdir(), 'sync-safe-'));
  const configFile = join(dir, 'config.json');
  writeFileSync(configFile, JSON.stringify(config));
  return { o, alias, dir, journalDir: join(dir, 'journal'), input: join(dir, 'events.ndjson'), config: configFile };
}

const person = (i: number): Person => ({ id: `p-${i}`, email: `player${i}@example.com`, firstName: 'Player', lastName: `No${i}` });

/** n plays, each a form submission, a start, a completion and a review: 4n lines, n Leads, 4n posts. */
function plays(n: number, from = 0): string[] {
  const lines: string[] = [];
  for (let i = from; i < from + n; i++) {
    const p = person(i);
    lines.push(...[inviteRaw(p, i), startedRaw(p, `play-${i}`), completedRaw(p, `play-${i}`, 600), reviewRaw(p, `play-${i}`, { score: 4 })].map((e) => JSON.stringify(e)));
  }
  return lines;
}

const write = (file: string, lines: string[]): void => writeFileSync(file, lines.join('\n') + '\n');

function args(env: Env, extra: string[] = []): string[] {
  const own = ['--journal-dir', env.journalDir, '--failed-records', join(env.dir, 'failed.ndjson'), '--config', env.config];
  const keep = own.filter((_, i) => !extra.includes(own[i - (i % 2)]));
  return ['instruqt', 'sync', '-o', env.alias, '--file', env.input, ...keep, ...extra];
}

const run = (env: Env, extra: string[] = [], json = true): Promise<SfResult<SyncResult>> =>
  SfRunner.get().run<SyncResult>([...args(env, extra), ...(json ? ['--json'] : [])], { timeoutMs: 240_000 });

const lockFile = (env: Env): string => join(env.journalDir, `${env.o.local.orgId}.lock`);
const journal = (env: Env): JournalData | undefined => {
  try {
    return JSON.parse(readFileSync(join(env.journalDir, `${env.o.local.orgId}.json`), 'utf8')) as JournalData;
  } catch {
    return undefined;
  }
};

/** Every Lead email once, every (parent, body) post once. */
function expectNoDuplicates(o: SyncOrg): void {
  const emails = o.records('Lead').map((l) => String(l.Email).toLowerCase());
  expect(emails.length, 'Leads').to.equal(new Set(emails).size);
  const posts = o.records('FeedItem').map((f) => `${String(f.ParentId)}|${String(f.Body)}`);
  expect(posts.length, 'posts').to.equal(new Set(posts).size);
  const playIds = o.records('Instruqt_Play__c').map((p) => String(p.Play_ID__c));
  expect(playIds.length, 'plays').to.equal(new Set(playIds).size);
}

const closed = (child: ReturnType<SfRunner['spawn']>): Promise<{ code: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });

const noStackTrace = (text: string): void => {
  expect(text).to.not.match(/\n\s+at .+:\d+:\d+/);
};

describe('sf instruqt sync: one writer, exact resume, clear errors (end to end)', function () {
  this.timeout(600_000);
  let env: Env;
  before(async () => {
    env = await setup();
  });
  after(async () => env?.o.stop());
  const latency = (ms: number): void => {
    env.o.local.org.options.latencyMs = ms;
  };
  const waitFor = async (what: string, holds: () => boolean): Promise<void> => {
    for (let i = 0; i < 12_000 && !holds(); i++) await new Promise((r) => setTimeout(r, 10));
    if (!holds()) throw new Error(`timed out waiting for ${what}`);
  };

  it('one sync per org: the lock of a killed run is taken over, a second run is refused while one runs, Ctrl-C exits 130 and the next run finishes without duplicates', async () => {
    write(env.input, plays(12));
    latency(40);
    // A run killed outright leaves its lock behind.
    const killed = SfRunner.get().spawn(args(env));
    killed.stdin?.end();
    const killedDone = closed(killed);
    await waitFor('a first batch', () => (journal(env)?.batches ?? 0) >= 1 && journal(env)?.inFlight !== undefined);
    killed.kill('SIGKILL');
    await killedDone;
    expect(existsSync(lockFile(env)), 'a killed run leaves its lock').to.equal(true);
    const batchesBefore = journal(env)?.batches ?? 0;

    // The next run takes that stale lock over and makes progress.
    const running = SfRunner.get().spawn(args(env));
    running.stdin?.end();
    const runningDone = closed(running);
    await waitFor('progress of the second run', () => (journal(env)?.batches ?? 0) > batchesBefore);
    const owner = JSON.parse(readFileSync(lockFile(env), 'utf8')) as { pid: number };
    expect(owner.pid).to.equal(running.pid);

    // While it runs (slowed down), another run on the same org is refused, naming it.
    latency(5000);
    const refused = await run(env);
    expect(refused.code, refused.stdout).to.equal(1);
    expect(refused.json?.name).to.equal('SyncLockedError');
    expect(refused.json?.message).to.contain(`process ${running.pid ?? ''}`).and.contain('Only one sync per org');

    // Ctrl-C: exit 130, the advice, no stack trace, the lock released, no half-written journal file.
    running.kill('SIGINT');
    const interrupted = await runningDone;
    latency(0);
    expect(interrupted.code, interrupted.stdout + interrupted.stderr).to.equal(130);
    expect(interrupted.stderr).to.contain('run the same command again');
    noStackTrace(interrupted.stderr + interrupted.stdout);
    expect(existsSync(lockFile(env)), 'lock released').to.equal(false);
    expect(readdirSync(env.journalDir).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);

    // A live run on another machine cannot be checked: refused, naming the machine and the lock file.
    writeFileSync(lockFile(env), JSON.stringify({ pid: 4242, host: 'build-agent-7', startedAt: '2026-11-28T10:00:00.000Z' }));
    const foreign = await run(env, [], false);
    expect(foreign.code).to.equal(1);
    expect(foreign.stderr).to.contain('build-agent-7').and.contain(lockFile(env));
    noStackTrace(foreign.stderr);
    rmSync(lockFile(env));

    const again = await run(env);
    expect(again.code, again.stdout + again.stderr).to.equal(0);
    expect(again.json?.result.resumedAfterLine).to.be.greaterThan(0);
    expect(existsSync(lockFile(env))).to.equal(false);
    expectNoDuplicates(env.o);
    expect(env.o.records('Lead')).to.have.length(12);
    expect(env.o.records('Instruqt_Play__c')).to.have.length(12);
    expect(env.o.records('FeedItem')).to.have.length(36);
  });

  it('a journal applies only to its exact input: bad lines on lines 2 and 1,003 are reported on every run and synced once fixed in place', async () => {
    const dir = join(env.dir, 'resume');
    const own = ['--journal-dir', join(dir, 'journal'), '--config', join(dir, 'config.json')];
    mkdirSync(dir);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ batchSize: 400 }));
    const who = (line: number): Person => ({ id: `fix-${line}`, email: `fixed${line}@example.com`, firstName: 'Fixed', lastName: `Line${line}` });
    /** 1,010 lines: one play started again and again, and form submissions on lines 2 and 1,003 (bad email unless fixed). */
    const input = (fixed: number[]): void => {
      const lines: string[] = [];
      for (let i = 1; i <= 1010; i++) {
        if (i === 2 || i === 1003) lines.push(JSON.stringify(inviteRaw(fixed.includes(i) ? who(i) : { ...who(i), email: 'not-an-email' }, 1, `form-${i}`)));
        else lines.push(JSON.stringify(startedRaw(person(100), 'play-100', 'kubernetes-101', 1, `start-${i}`)));
      }
      write(env.input, lines);
    };
    const leadsFor = (line: number): number => env.o.records('Lead').filter((l) => l.Email === who(line).email).length;

    input([]);
    const first = await run(env, own);
    expect(first.code, first.stdout).to.equal(68);
    expect(first.json?.result.rejectedLines.map((l) => l.line)).to.deep.equal([2, 1003]);
    // The same input again: every applied line skipped, the rejected ones reported again (they were never applied).
    const same = await run(env, own);
    expect(same.code).to.equal(68);
    expect(same.json?.result.resumedAfterLine).to.equal(1010);
    expect(same.json?.result.rejectedLines.map((l) => l.line)).to.deep.equal([2, 1003]);
    // Line 1,003 fixed in place (past the first 1,000 lines), then line 2.
    input([1003]);
    const fixedLate = await run(env, own);
    expect(fixedLate.code, fixedLate.stdout).to.equal(68);
    expect(fixedLate.json?.result.resumedAfterLine).to.equal(undefined);
    expect(fixedLate.json?.result.rejectedLines.map((l) => l.line)).to.deep.equal([2]);
    expect([leadsFor(1003), leadsFor(2)]).to.deep.equal([1, 0]);
    input([2, 1003]);
    const fixedEarly = await run(env, own);
    expect(fixedEarly.code, fixedEarly.stdout).to.equal(0);
    expect([leadsFor(1003), leadsFor(2)]).to.deep.equal([1, 1]);
  });

  it('refuses an unwritable --failed-records path before writing anything, naming it, with no temporary file left', async () => {
    write(env.input, ['{bad', ...plays(1, 300)]);
    const path = join(env.dir, 'no-such-folder', 'failed.ndjson');
    const r = await run(env, ['--failed-records', path, '--journal-dir', join(env.dir, 'j2')], false);
    expect(r.code, r.stderr).to.equal(1);
    expect(r.stderr).to.contain(path).and.contain('--failed-records');
    noStackTrace(r.stderr);
    expect(env.o.records('Lead').filter((l) => l.Email === 'player300@example.com')).to.have.length(0);
    expect(existsSync(join(env.dir, 'j2')) ? readdirSync(join(env.dir, 'j2')) : []).to.deep.equal([]);
  });

  it('--file naming a folder is an error naming the flag and the path', async () => {
    const r = SfRunner.get().run(['instruqt', 'sync', '-o', env.alias, '--file', env.dir], { timeoutMs: 120_000 });
    const folder = await r;
    expect(folder.code).to.equal(1);
    expect(folder.stderr).to.contain(`--file ${env.dir} is a folder`);
    expect(folder.stderr).to.not.contain('EISDIR');
  });

  it('rejects a line that is not UTF-8 and binary lines by number, writes no U+FFFD, and prints no control byte', async () => {
    const who: Person = { id: 'latin1', email: 'jose@example.com', firstName: 'Jose', lastName: 'Nunez' };
    const latin1 = Buffer.from(JSON.stringify(inviteRaw(who, 1, 'latin1-form')).replace('Nunez', 'Nu\u00f1ez'), 'latin1');
    const binary = Buffer.from([0x7b, 0x1b, 0x5b, 0x32, 0x4a, 0x00, 0x07, 0xff, 0x1b, 0x5d, 0x30, 0x3b, 0x07]);
    const controls = Buffer.from('{"id": "\u001b[31mred\u0007"');
    const good = Buffer.from(plays(1, 200).join('\n') + '\n');
    writeFileSync(env.input, Buffer.concat([good, latin1, Buffer.from('\n'), binary, Buffer.from('\n'), controls, Buffer.from('\n')]));
    const r = await run(env, ['--journal-dir', join(env.dir, 'j3')], false);
    expect(r.code, r.stderr).to.equal(68);
    expect(r.stderr).to.match(/line 5: not valid UTF-8/).and.match(/line 6: binary data/).and.match(/line 7: not valid JSON/);
    // eslint-disable-next-line no-control-regex
    expect(r.stdout + r.stderr).to.not.match(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/);
    expect(env.o.records('Lead').some((l) => String(l.LastName).includes('\ufffd'))).to.equal(false);
    expect(env.o.records('Lead').filter((l) => l.Email === who.email)).to.have.length(0);
    expect(env.o.records('Lead').filter((l) => l.Email === 'player200@example.com')).to.have.length(1);
  });

  it('--api-version the org does not serve names the flag and the versions it does', async () => {
    const r = await run(env, ['--api-version', '99.0'], false);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain('--api-version 99.0').and.match(/serves API versions \d+\.0 to \d+\.0/);
    expect(r.stderr).to.not.contain('The requested resource does not exist');
  });
});
