/*
 * Install and uninstall never turn an administrator into the integration user or deactivate one, through the real sf
 * CLI against a local org: install refuses the running user and users with administrator powers (from a profile or a
 * permission set) before changing anything; a user without setup rights is told which permissions are missing;
 * uninstall deactivates only the integration user and says whom it keeps active and why. A policy naming permissions
 * the org lacks is refused before auditing, and the printed fix of a failed audit keeps the admin's --policy.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { SfRunner, repoRoot, type SfResult } from '../helpers/sf.js';
import type { Policy } from '../../src/perms/policy.js';
import { loginAs } from '../helpers/org.js';
import { makeUser } from '../helpers/users.js';
import { startSyncOrg, type SyncOrg } from '../sync/org-fixture.js';
import type { UninstallResult } from '../../src/uninstall/uninstall.js';
import type { SRecord } from '../../emulator/core/types.js';

type ErrorJson = { name: string; message: string; actions?: string[]; status: number };

const same = (a: unknown, b: unknown): boolean => typeof a === 'string' && typeof b === 'string' && a.slice(0, 15) === b.slice(0, 15);

describe('administrators are never the integration user (end to end)', function () {
  this.timeout(600_000);
  let o: SyncOrg;
  let alias: string;
  const sf = (): SfRunner => SfRunner.get();
  const run = <T>(args: string[], as = alias): Promise<SfResult<T>> => sf().run<T>([...args, '-o', as], { timeoutMs: 180_000 });
  const userOf = (id: string): SRecord => o.local.org.get('User', id) as SRecord;
  const integrationSet = (): SRecord => o.local.org.query('PermissionSet', (p) => p.Name === 'Instruqt_Integration')[0];
  const holdsSet = (userId: string): boolean =>
    o.local.org.query('PermissionSetAssignment', (a) => same(a.AssigneeId, userId) && same(a.PermissionSetId, integrationSet().Id)).length > 0;
  const assignments = (): number => o.local.org.query('PermissionSetAssignment').length;

  before(async () => {
    // The footprint deployed and an integration user holding Instruqt_Integration, as install leaves them.
    o = await startSyncOrg();
    alias = `admin-${Math.random().toString(36).slice(2, 8)}`;
    await sf().login(o.local.instanceUrl, o.local.adminToken, alias);
  });
  after(async () => o?.stop());

  it('install refuses the running admin, another System Administrator and a user with Modify All Data from a permission set, changing nothing', async () => {
    const otherAdmin = makeUser(o.local.org, 'System Administrator');
    const powered = makeUser(o.local.org, 'Standard User', ['ModifyAllData']);
    const before = assignments();
    const cases: Array<[string, string, RegExp]> = [
      [o.local.adminUsername, 'RunningUserAsIntegrationUserError', /is the user running this install/],
      [String(userOf(otherAdmin).Username), 'UnsuitableIntegrationUserError', /holds Modify All Data, View All Data, .* through profile System Administrator/],
      [String(userOf(powered).Username), 'UnsuitableIntegrationUserError', /holds Modify All Data through permission set Extra_/],
    ];
    for (const [username, name, message] of cases) {
      const r = await run<unknown>(['instruqt', 'install', '--username', username, '--no-prompt', '--json']);
      const error = r.json as unknown as ErrorJson;
      expect(r.code, r.stdout).to.equal(1);
      expect(error.name).to.equal(name);
      expect(error.message).to.match(message);
      expect(error.actions?.join(' ')).to.contain('--username');
    }
    expect(assignments(), 'no assignment added').to.equal(before);
    expect([otherAdmin, powered].map(holdsSet)).to.deep.equal([false, false]);
  });

  it('install as a Standard User names the permissions it needs and which are missing, without INVALID_TYPE advice to re-run', async () => {
    const standard = await loginAs({ local: o.local, sf: sf(), alias }, makeUser(o.local.org, 'Standard User'));
    const r = await run<unknown>(['instruqt', 'install', '--no-prompt'], standard);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.contain('View Setup and Configuration').and.contain('Missing:').and.contain('Manage Users');
    expect(r.stderr).to.not.contain('Re-run this command');
    expect(r.stderr.match(/INVALID_TYPE/g) ?? []).to.have.length.at.most(1);
  });

  it('perms check refuses a policy naming a permission the org lacks; its printed fix keeps --policy and, run as printed, reduces against that policy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'policy-'));
    const shipped = JSON.parse(readFileSync(join(repoRoot, 'policy', 'instruqt-integration.policy.json'), 'utf8')) as Policy & { $schema?: string };
    delete shipped.$schema;
    const unknown = join(dir, 'typo.policy.json');
    writeFileSync(unknown, JSON.stringify({ ...shipped, forbidden: [...shipped.forbidden, { name: 'ModifyAllDatta', label: 'Typo' }] }));
    const before = JSON.stringify(integrationSet());
    for (const command of [['perms', 'check'], ['perms', 'reduce', '--no-prompt']]) {
      const r = await run<unknown>(['instruqt', ...command, '--policy', unknown, '--json']);
      const error = r.json as unknown as ErrorJson;
      expect(r.code, r.stdout).to.equal(1);
      expect(error.name).to.equal('PolicyError');
      expect(error.actions?.join(' ')).to.contain('forbidden: "ModifyAllDatta" is not a permission of this org');
    }
    expect(JSON.stringify(integrationSet())).to.equal(before);

    // The admin's own policy: Password Never Expires is forbidden there (the shipped one allows it).
    const own = join(dir, 'own policy.json');
    const allowed = (shipped.allowed?.userPermissions ?? []).filter((p) => p.name !== 'PasswordNeverExpires');
    writeFileSync(own, JSON.stringify({ ...shipped, allowed: { userPermissions: allowed }, forbidden: [...shipped.forbidden, { name: 'PasswordNeverExpires', label: 'Password Never Expires' }] }));
    o.local.org.update('PermissionSet', integrationSet().Id, { PermissionsPasswordNeverExpires: true });
    const check = await run<unknown>(['instruqt', 'perms', 'check', '--policy', own]);
    expect(check.code, check.stdout + check.stderr).to.equal(1);
    const fix = check.stdout.split('\n').map((l) => /Run: (sf instruqt perms reduce .*)$/.exec(l)?.[1]).find(Boolean);
    expect(fix).to.equal(`sf instruqt perms reduce --target-org ${alias} --policy "${own}"`);
    const words = [...(fix ?? '').matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]).slice(1);
    const reduced = await sf().run<unknown>([...words, '--no-prompt'], { timeoutMs: 180_000 });
    expect(reduced.code, reduced.stdout + reduced.stderr).to.equal(0);
    expect(integrationSet().PermissionsPasswordNeverExpires).to.equal(false);
  });

  it('uninstall deactivates the integration user only: an administrator holding Instruqt_Integration, and the running admin, only lose the set', async () => {
    const otherAdmin = makeUser(o.local.org, 'System Administrator');
    // What an earlier install --username <admin> left behind: administrators holding the integration set.
    for (const id of [otherAdmin, o.local.adminUserId]) {
      o.local.org.insert('PermissionSetAssignment', { AssigneeId: id, PermissionSetId: integrationSet().Id });
    }
    const integration = String(userOf(o.integrationUserId).Username);
    const adminName = String(userOf(otherAdmin).Username);

    const badVersion = await run<unknown>(['instruqt', 'uninstall', '--api-version', '99.0']);
    expect(badVersion.code).to.equal(1);
    expect(badVersion.stderr).to.match(/--api-version 99\.0 is not a version this org supports: it serves API versions \d+\.0 to \d+\.0/);

    const plan = await run<unknown>(['instruqt', 'uninstall', '--dry-run']);
    expect(plan.code, plan.stderr).to.equal(0);
    expect(plan.stdout).to.contain(`Deactivate user ${integration}: the integration user (holds Instruqt_Integration`);
    expect(plan.stdout).to.match(new RegExp(`Kept: user ${adminName.replace(/\./g, '\\.')}, active: it is an administrator: Modify All Data`));
    expect(plan.stdout).to.contain(`Kept: user ${o.local.adminUsername}, active: it is the user running this uninstall`);
    expect(plan.stdout).to.not.contain(`Deactivate user ${adminName}`);

    const done = await run<UninstallResult>(['instruqt', 'uninstall', '--json']);
    expect(done.code, done.stdout).to.equal(0);
    const deactivated = done.json?.result.steps.filter((s) => s.action === 'deactivate-user').map((s) => s.target);
    expect(deactivated).to.deep.equal([integration]);
    expect(userOf(o.integrationUserId).IsActive).to.equal(false);
    expect(userOf(otherAdmin).IsActive).to.equal(true);
    expect(userOf(o.local.adminUserId).IsActive).to.equal(true);
    expect([otherAdmin, o.local.adminUserId, o.integrationUserId].map(holdsSet)).to.deep.equal([false, false, false]);
  });
});
