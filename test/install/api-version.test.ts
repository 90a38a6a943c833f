/* eslint-disable camelcase -- Salesforce API names */
/*
 * Every command's library with a connection at API 60.0 (`--api-version 60.0`), against a local org that refuses
 * fields newer than the request's version: install (twice: the second run changes nothing, and converges through perms
 * reduce), a sync as the integration user, and perms check, doctor and uninstall answering as at the newest version.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { expect } from 'chai';
import { install } from '../../src/install/install.js';
import { SalesforceClient } from '../../src/salesforce/client.js';
import { DEFAULT_CONFIG } from '../../src/sync/config.js';
import { runSync } from '../../src/sync/engine.js';
import type { AuditResult } from '../../src/perms/index.js';
import { auditIntegration } from '../../src/perms/audit.js';
import { loadPolicy } from '../../src/perms/policy.js';
import { runDoctor } from '../../src/doctor/doctor.js';
import { uninstall, uninstallExitCode } from '../../src/uninstall/uninstall.js';
import { completedRaw, inviteRaw, ndjson, startedRaw } from '../sync/fixtures.js';
import { connectAs, startOrg, type LocalOrg } from './local-org.js';

describe('every command at --api-version 60.0', function () {
  this.timeout(120_000);
  let local: LocalOrg;
  after(async () => local?.stop());

  it('installs, re-installs without a change, audits clean and syncs, never naming a field API 60.0 lacks', async () => {
    const started = await startOrg();
    local = started.local;
    const connection = started.connection;
    connection.setApiVersion('60.0');
    const opts = { dryRun: false, waitMinutes: 1, keepInstallPermissions: false, noPrompt: false, targetOrg: 'acme' };
    const first = await install(connection, opts);
    expect(first.success, JSON.stringify(first.error)).to.equal(true);
    expect((first.audit as AuditResult).verdict).to.equal('pass');
    const again = await install(connection, opts);
    expect(again.success, JSON.stringify(again.error)).to.equal(true);
    expect(again.apiCalls.writes, JSON.stringify(again.plan)).to.equal(0);

    const user = local.org.query('User', (u) => String(u.Username).startsWith('instruqt.integration.'))[0];
    const integration = await connectAs(local, local.tokenFor(user.Id));
    integration.setApiVersion('60.0');
    const client = new SalesforceClient(integration, { baseDelayMs: 5 });
    expect(client.apiVersion).to.equal('60.0');
    const p = { id: 'p-1', email: "ann.o'hara@example.com", firstName: 'Ann', lastName: "O'Hara" };
    const r = await runSync({
      client,
      orgId: local.orgId,
      input: Readable.from([Buffer.from(ndjson([inviteRaw(p), startedRaw(p, 'play-1'), completedRaw(p, 'play-1', 60)]))]),
      config: structuredClone(DEFAULT_CONFIG),
      journalDir: mkdtempSync(join(tmpdir(), 'journal-')),
    });
    expect(r.failures, JSON.stringify(r.failedRecords)).to.equal(0);
    expect(r.posts.total).to.equal(2);
    expect(local.org.query('Instruqt_Play__c')).to.have.length(1);

    // perms check, doctor and uninstall (dry run) answer at 60.0 as they do at the newest version.
    const latest = await connectAs(local);
    const at = (c: typeof connection): SalesforceClient => new SalesforceClient(c, { baseDelayMs: 5 });
    const policy = loadPolicy();
    const audit = async (c: typeof connection): Promise<unknown> => {
      const a = await auditIntegration(at(c), { policy, targetOrg: 'acme' });
      return { verdict: a.verdict, users: a.users.map((u) => [u.username, u.findings.length]) };
    };
    expect(await audit(connection)).to.deep.equal(await audit(latest));
    const doctor = async (c: typeof connection): Promise<unknown> => {
      const d = await runDoctor(at(c), { orgLabel: 'acme', orgId: local.orgId, journalDir: mkdtempSync(join(tmpdir(), 'j-')) });
      return { ok: d.ok, checks: d.checks.map((k) => [k.id, k.status]) };
    };
    expect(await doctor(connection)).to.deep.equal(await doctor(latest));
    const plan = async (c: typeof connection): Promise<unknown> => {
      const u = await uninstall(c, { purge: true, dryRun: true, confirm: () => Promise.resolve(true) });
      return { code: uninstallExitCode(u), steps: u.steps.map((st) => st.status) };
    };
    expect(await plan(connection)).to.deep.equal(await plan(latest));
  });
});
