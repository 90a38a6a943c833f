/*
 * Reliability of `sf instruqt sync` through the real sf CLI: a multi-batch run killed with SIGKILL at several points
 * and resumed each time ends in the same org state as a clean run; so does a run while the org injects lock errors,
 * 503s and dropped connections (some after the write was carried out, which the client never hears of).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { SfRunner } from '../helpers/sf.js';
import type { SyncResult } from '../../src/sync/engine.js';
import type { JournalData } from '../../src/sync/journal.js';
import { startSyncOrg, seedPerson, type SyncOrg } from '../sync/org-fixture.js';
import { completedRaw, inviteRaw, ndjson, reviewRaw, startedRaw, type Person } from '../sync/fixtures.js';
import { snapshot } from '../sync/snapshot.js';
// Static, so the org's metadata store is the one the local org below uses.
import { applySettings } from '../../emulator/metadata/settings.js';

/** 30 plays over 120+ events: new people, known Contacts, repeat players, out-of-order tails. */
function corpus(): string {
  const raws: Array<Record<string, unknown>> = [];
  for (let i = 0; i < 30; i++) {
    const p: Person = { id: `p-${i % 24}`, email: `player${i % 24}@example.com`, firstName: 'Player', lastName: `No${i % 24}` };
    if (i < 24) raws.push(inviteRaw(p, i));
    raws.push(startedRaw(p, `play-${i}`, i % 3 ? 'kubernetes-101' : 'terraform-101', i + 1));
    raws.push(completedRaw(p, `play-${i}`, 600 + i * 7, i % 3 ? 'kubernetes-101' : 'terraform-101', i + 30));
    if (i % 2 === 0) raws.push(reviewRaw(p, `play-${i}`, { score: i % 10, comment: `Comment ${i}` }, i % 3 ? 'kubernetes-101' : 'terraform-101', i + 40));
  }
  // A few late duplicates.
  raws.push(...raws.slice(0, 6));
  return ndjson(raws);
}

const CONFIG = { batchSize: 12, bulkThreshold: 5, bulkPollMs: 20, bulkPollMaxMs: 200 };

type Env = { o: SyncOrg; alias: string; dir: string; input: string; config: string };

async function setup(latencyMs = 0): Promise<Env> {
  const o = await startSyncOrg({ latencyMs });
  for (let i = 20; i < 24; i++) seedPerson(o.local, 'Contact', { FirstName: 'Player', LastName: `No${i}`, Email: `player${i}@example.com` });
  const alias = `rel-${Math.random().toString(36).slice(2, 8)}`;
  await SfRunner.get().login(o.local.instanceUrl, o.integrationToken, alias);
  const dir = mkdtempSync(join(tmpdir(), 'sync-rel-'));
  const input = join(dir, 'events.ndjson');
  writeFileSync(input, corpus());
  const config = join(dir, 'config.json');
  writeFileSync(config, JSON.stringify(CONFIG));
  return { o, alias, dir, input, config };
}

const args = (env: Env, journalDir = join(env.dir, 'journal')): string[] => [
  'instruqt',
  'sync',
  '-o',
  env.alias,
  '--file',
  env.input,
  '--config',
  env.config,
  '--journal-dir',
  journalDir,
  '--failed-records',
  join(env.dir, 'failed.ndjson'),
  '--json',
];

function journal(env: Env): JournalData | undefined {
  const file = join(env.dir, 'journal', `${env.o.local.orgId}.json`);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as JournalData;
  } catch {
    return undefined;
  }
}

/** Start a sync and SIGKILL it as soon as `when` holds for its journal (or it ends by itself). */
async function killWhen(env: Env, when: (j: JournalData) => boolean): Promise<'killed' | 'finished'> {
  const child = SfRunner.get().spawn(args(env));
  child.stdin?.end();
  return new Promise((resolve) => {
    let done = false;
    const timer = setInterval(() => {
      const j = journal(env);
      if (!done && j && when(j)) {
        done = true;
        clearInterval(timer);
        child.kill('SIGKILL');
      }
    }, 5);
    child.on('close', () => {
      clearInterval(timer);
      resolve(done ? 'killed' : 'finished');
    });
  });
}

describe('sf instruqt sync reliability (end to end)', function () {
  this.timeout(900_000);
  let clean: Env;
  let expected: unknown;
  let cleanCalls = 0;

  before(async () => {
    clean = await setup();
    const r = await SfRunner.get().run<SyncResult>(args(clean), { timeoutMs: 300_000 });
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(r.json?.result.batches).to.be.greaterThan(5);
    expect(r.json?.result.bulkJobs).to.be.greaterThan(0);
    expected = snapshot(clean.o);
    cleanCalls = r.json?.result.apiCalls ?? 0;
  });
  after(async () => clean?.o.stop());

  it('resumes after SIGKILL at several points (mid-batch, mid-bulk-job, between batches) and ends in the clean state', async () => {
    const env = await setup(15);
    try {
      const points: Array<[string, (j: JournalData) => boolean]> = [
        ['first batch in flight', (j): boolean => j.inFlight !== undefined],
        ['a bulk job in flight', (j): boolean => (j.inFlight?.bulkJobs.length ?? 0) > 0],
        ['after three batches', (j): boolean => j.batches >= 3],
        ['another batch in flight', (j): boolean => j.batches >= 5 && j.inFlight !== undefined],
      ];
      const outcomes: string[] = [];
      for (const [, when] of points) outcomes.push(await killWhen(env, when));
      expect(outcomes.filter((o) => o === 'killed').length).to.be.greaterThan(2);
      const last = await SfRunner.get().run<SyncResult>(args(env), { timeoutMs: 300_000 });
      expect(last.code, last.stdout + last.stderr).to.equal(0);
      expect(last.json?.result.resumedAfterLine).to.be.greaterThan(0);
      expect(snapshot(env.o)).to.deep.equal(expected);
      expect(journal(env)).to.include({ status: 'complete' });
    } finally {
      await env.o.stop();
    }
  });

  it('ends in the clean state when the journal is lost after a kill (the org is the source of truth)', async () => {
    const env = await setup(15);
    try {
      await killWhen(env, (j) => j.batches >= 2 && j.inFlight !== undefined);
      const r = await SfRunner.get().run<SyncResult>(args(env, join(env.dir, 'another-machine')), { timeoutMs: 300_000 });
      expect(r.code, r.stdout + r.stderr).to.equal(0);
      expect(snapshot(env.o)).to.deep.equal(expected);
    } finally {
      await env.o.stop();
    }
  });

  it('ends in the clean state while the org injects lock errors, 503s and dropped connections', async () => {
    const env = await setup();
    try {
      const { local } = env.o;
      local.injectFault({ kind: 'UNABLE_TO_LOCK_ROW', path: /composite\/sobjects/, times: 3, afterCalls: 2 });
      local.injectFault({ kind: '503', path: /\/query/, times: 3, afterCalls: 4 });
      local.injectFault({ kind: 'drop', method: 'GET', path: /\/query/, times: 2, afterCalls: 10 });
      // Carried out, then the connection drops: the client never hears that the Leads / posts were created.
      local.injectFault({ kind: 'drop', method: 'POST', path: /composite\/sobjects$/, times: 2, afterCalls: 1, phase: 'after' });
      local.injectFault({ kind: '503', method: 'PUT', path: /jobs\/ingest/, times: 1 });
      local.injectFault({ kind: 'drop', method: 'PATCH', path: /jobs\/ingest/, times: 1, afterCalls: 1, phase: 'after' });
      const r = await SfRunner.get().run<SyncResult>(args(env), { timeoutMs: 300_000 });
      expect(r.code, r.stdout + r.stderr).to.equal(0);
      expect(snapshot(env.o)).to.deep.equal(expected);
    } finally {
      await env.o.stop();
    }
  });

  it('ends in the clean state under faults on demand lock=0.05,unavailable=0.02,drop=0.01,concurrent=0.01 (re-run on exit 68)', async () => {
    const env = await setup();
    try {
      env.o.local.setFaults({ lock: 0.05, unavailable: 0.02, drop: 0.01, concurrent: 0.01, seed: 2026 });
      const codes: number[] = [];
      let calls = 0;
      for (let run = 0; run < 3; run++) {
        const r = await SfRunner.get().run<SyncResult>(args(env), { timeoutMs: 300_000 });
        codes.push(r.code);
        calls += r.json?.result?.apiCalls ?? 0;
        expect([0, 68], r.stdout + r.stderr).to.include(r.code);
        if (r.code === 0) break;
      }
      expect(codes[codes.length - 1], `exit codes ${codes.join(', ')}`).to.equal(0);
      expect(calls, 'the faults cost retries').to.be.greaterThan(cleanCalls);
      env.o.local.setFaults({});
      expect(snapshot(env.o)).to.deep.equal(expected);
    } finally {
      await env.o.stop();
    }
  });

  it('stops cleanly with exit 68 when the daily API limit is spent, and the next run resumes to the clean state', async () => {
    const env = await setup();
    try {
      const { local } = env.o;
      // No reserve of its own: the org's 403 "TotalRequests Limit exceeded" is what stops this run.
      writeFileSync(env.config, JSON.stringify({ ...CONFIG, apiReservePercent: 0 }));
      local.org.options.dailyApiLimit = local.apiCalls() + 30;
      const stopped = await SfRunner.get().run<SyncResult>(args(env), { timeoutMs: 300_000 });
      expect(stopped.code, stopped.stdout + stopped.stderr).to.equal(68);
      expect(stopped.json?.result).to.include({ status: 'stopped', stoppedReason: 'daily-api-limit' });
      expect(journal(env)).to.include({ status: 'stopped', stoppedReason: 'daily-api-limit' });
      expect(journal(env)?.batches).to.be.greaterThan(0);
      // The next day: the allowance is back.
      local.resetApiCalls();
      local.org.options.dailyApiLimit = 100_000;
      const resumed = await SfRunner.get().run<SyncResult>(args(env), { timeoutMs: 300_000 });
      expect(resumed.code, resumed.stdout + resumed.stderr).to.equal(0);
      expect(resumed.json?.result.resumedAfterLine).to.be.greaterThan(0);
      expect(snapshot(env.o)).to.deep.equal(expected);
      expect(journal(env)).to.include({ status: 'complete' });
    } finally {
      await env.o.stop();
    }
  });
});

describe('sf instruqt sync with an expired session (JWT login, end to end)', function () {
  this.timeout(600_000);

  it('refreshes the session once and ends in the same state as a run without the fault', async () => {
    const { ensureExternalClientApp } = await import('../../src/install/extras/external-client-app.js');
    const { connectAs } = await import('../helpers/installed-org.js');
    const { makeKeyPair } = await import('../helpers/jwt-keys.js');
    const env = await setup();
    const reference = await setup();
    try {
      const keys = makeKeyPair();
      applySettings(env.o.local.org, 'ExternalClientApp', { enableConsumerSecretApiAccess: 'true' });
      const app = await ensureExternalClientApp(await connectAs(env.o.local), { certificatePath: keys.certFile, contactEmail: 'admin@acme.test', maxPollMs: 50 });
      const username = String(env.o.local.org.get('User', env.o.integrationUserId)?.Username);
      const alias = `jwt-${Math.random().toString(36).slice(2, 8)}`;
      const login = await SfRunner.get().run(
        ['org', 'login', 'jwt', '--username', username, '--jwt-key-file', keys.keyFile, '--client-id', app.consumerKey ?? '', '--instance-url', env.o.local.instanceUrl, '--alias', alias, '--json'],
        { timeoutMs: 120_000 }
      );
      expect(login.code, login.stdout + login.stderr).to.equal(0);
      // Count the sessions the org hands out from here on: the refresh after the expiry is one.
      const org = env.o.local.org;
      const issue = org.issueToken.bind(org);
      let issued = 0;
      org.issueToken = (userId: string): string => {
        issued++;
        return issue(userId);
      };
      env.o.local.injectFault({ kind: 'expire-session', times: 1, afterCalls: 6 });
      env.o.local.injectFault({ kind: 'UNABLE_TO_LOCK_ROW', path: /composite\/sobjects/, times: 2 });
      const r = await SfRunner.get().run<SyncResult>(args({ ...env, alias }), { timeoutMs: 300_000 });
      expect(r.code, r.stdout + r.stderr).to.equal(0);
      expect(issued, 'sessions issued during the run (the refresh)').to.equal(1);
      const ref = await SfRunner.get().run<SyncResult>(args(reference), { timeoutMs: 300_000 });
      expect(ref.code, ref.stdout + ref.stderr).to.equal(0);
      expect(snapshot(env.o)).to.deep.equal(snapshot(reference.o));
    } finally {
      await env.o.stop();
      await reference.o.stop();
    }
  });
});
