/*
 * Every command through the real sf CLI with `--api-version 60.0`, against a local org that refuses fields newer than
 * the request's version (Object Reference: ObjectPermissions.PermissionsViewAllFields, API 63.0 and later).
 * Install twice, perms reduce and a sync at 60.0 are also covered in-process by test/install/api-version.test.ts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import type { SfResult } from '../helpers/sf.js';
import { loginAs, startE2EOrg, type E2EOrg } from '../helpers/org.js';
import { completedRaw, inviteRaw, ndjson, startedRaw } from '../sync/fixtures.js';

const env = { INSTRUQT_DEPLOY_POLL_MS: '100', INSTRUQT_WAIT_POLL_MS: '250' };
const V = ['--api-version', '60.0'];

describe('every command with --api-version 60.0 (end to end)', function () {
  this.timeout(600_000);
  let o: E2EOrg;
  let dir: string;
  before(async () => {
    o = await startE2EOrg();
    dir = mkdtempSync(join(tmpdir(), 'api60-'));
  });
  after(async () => o?.local.stop());
  const sf = (args: string[]): Promise<SfResult<Record<string, unknown>>> =>
    o.sf.run<Record<string, unknown>>([...args, ...V, '--json'], { env, cwd: dir, timeoutMs: 240_000 });
  const why = (r: SfResult): string => `${r.stdout.slice(0, 1500)} ${r.stderr.slice(0, 1500)}`;

  it('installs, audits, syncs as the integration user, diagnoses and uninstalls', async () => {
    const installed = await sf(['instruqt', 'install', '-o', o.alias, '--no-prompt']);
    expect(installed.code, why(installed)).to.equal(0);

    const check = await sf(['instruqt', 'perms', 'check', '-o', o.alias]);
    expect(check.code, why(check)).to.equal(0);

    const user = o.local.org.query('User', (u) => String(u.Username).startsWith('instruqt.integration.'))[0];
    const integration = await loginAs(o, user.Id);
    const p = { id: 'p-1', email: "ann.o'hara@example.com", firstName: 'Ann', lastName: "O'Hara" };
    writeFileSync(join(dir, 'plays.ndjson'), ndjson([inviteRaw(p), startedRaw(p, 'play-1'), completedRaw(p, 'play-1', 60)]));
    const sync = await sf(['instruqt', 'sync', '-o', integration, '--file', join(dir, 'plays.ndjson'), '--journal-dir', join(dir, 'journal')]);
    expect(sync.code, why(sync)).to.equal(0);
    expect(o.local.org.query('Instruqt_Play__c')).to.have.length(1);

    const doctor = await sf(['instruqt', 'doctor', '-o', o.alias, '--integration-org', integration, '--journal-dir', join(dir, 'journal')]);
    expect(doctor.code, why(doctor)).to.equal(0);
    const uninstall = await sf(['instruqt', 'uninstall', '-o', o.alias, '--no-prompt']);
    expect(uninstall.code, why(uninstall)).to.equal(0);
  });
});
