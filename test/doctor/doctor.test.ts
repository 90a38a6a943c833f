/*
 * sf instruqt doctor as a library: on a healthy install every check passes; each way seed 003's troubleshooting table
 * says an install breaks makes exactly its check fail, with a fix, and the check passes again once the fix is applied.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { runDoctor, type DoctorCheck, type DoctorResult } from '../../src/doctor/doctor.js';
import { runSmoke } from '../../src/doctor/smoke.js';
import { SalesforceClient } from '../../src/salesforce/client.js';
import { connectAs, startInstalled, permissionSet, same, type Installed } from '../helpers/installed-org.js';

const statusOf = (result: DoctorResult, id: DoctorCheck['id']): DoctorCheck => {
  const found = result.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no ${id} check in ${result.checks.map((c) => c.id).join(', ')}`);
  return found;
};

describe('doctor', function () {
  this.timeout(60_000);
  let env: Installed;
  let journalDir: string;
  const doctor = (options: Partial<Parameters<typeof runDoctor>[1]> = {}): Promise<DoctorResult> =>
    runDoctor(env.client, { orgLabel: 'acme', orgId: env.local.orgId, journalDir, ...options });

  beforeEach(async () => {
    env = await startInstalled();
    journalDir = mkdtempSync(join(tmpdir(), 'doctor-journal-'));
  });
  afterEach(async () => env.local.stop());

  it('passes every check on a fresh install (and warns that there is no JWT login without --jwt-cert)', async () => {
    const result = await doctor();
    expect(statusOf(result, 'external-client-app').status).to.equal('warn');
    const notPassing = result.checks.filter((c) => c.status !== 'pass' && c.status !== 'skip' && c.id !== 'external-client-app');
    expect(notPassing, JSON.stringify(notPassing, null, 2)).to.deep.equal([]);
    expect(result.ok).to.equal(true);
    expect(result.user?.username).to.match(/^instruqt\.integration\./);
    expect(statusOf(result, 'last-sync').status).to.equal('skip');
  });

  it('fails user-active for a deactivated integration user and passes after reactivating it', async () => {
    env.local.org.update('User', env.user.Id, { IsActive: false });
    const broken = await doctor();
    const check = statusOf(broken, 'user-active');
    expect(check.status).to.equal('fail');
    expect(check.commands?.[0]).to.include('IsActive=true');
    expect(broken.ok).to.equal(false);
    env.local.org.update('User', env.user.Id, { IsActive: true });
    expect(statusOf(await doctor(), 'user-active').status).to.equal('pass');
  });

  it('fails assignments when the permission set is unassigned and names the command that assigns it', async () => {
    const ps = permissionSet(env.local, 'Instruqt_Integration');
    const psa = env.local.org.query('PermissionSetAssignment', (a) => same(a.PermissionSetId, ps.Id))[0];
    env.local.org.delete('PermissionSetAssignment', psa.Id);
    const check = statusOf(await doctor({ username: String(env.user.Username) }), 'assignments');
    expect(check.status).to.equal('fail');
    expect(check.detail).to.include('Instruqt_Integration permission set is not assigned');
    expect(check.commands?.join('\n')).to.include(`sf org assign permset --name Instruqt_Integration --on-behalf-of ${String(env.user.Username)}`);
    env.local.org.insert('PermissionSetAssignment', { AssigneeId: env.user.Id, PermissionSetId: ps.Id });
    expect(statusOf(await doctor(), 'assignments').status).to.equal('pass');
  });

  it('fails field-security when an edit permission the sync needs is taken away', async () => {
    const ps = permissionSet(env.local, 'Instruqt_Integration');
    const row = env.local.org.query('FieldPermissions', (f) => same(f.ParentId, ps.Id) && f.Field === 'Instruqt_Play__c.Score__c')[0];
    env.local.org.update('FieldPermissions', row.Id, { PermissionsEdit: false });
    const check = statusOf(await doctor(), 'field-security');
    expect(check.status).to.equal('fail');
    expect(check.detail).to.include('Instruqt_Play__c.Score__c: Edit');
    env.local.org.update('FieldPermissions', row.Id, { PermissionsEdit: true });
    expect(statusOf(await doctor(), 'field-security').status).to.equal('pass');
  });

  it('fails api-access when no profile or permission set grants API Enabled', async () => {
    const profileSet = env.local.org.query('PermissionSet', (p) => p.IsOwnedByProfile === true && same(p.ProfileId, env.user.ProfileId))[0];
    env.local.org.update('PermissionSet', profileSet.Id, { PermissionsApiEnabled: false });
    const check = statusOf(await doctor(), 'api-access');
    expect(check.status).to.equal('fail');
    expect(check.commands?.[0]).to.include('PermissionsApiEnabled=true');
    env.local.org.update('PermissionSet', profileSet.Id, { PermissionsApiEnabled: true });
    expect(statusOf(await doctor(), 'api-access').status).to.equal('pass');
  });

  it('fails lead-status for a configured status the org does not have, and passes with one it has', async () => {
    const config = join(journalDir, 'sync.json');
    writeFileSync(config, JSON.stringify({ newLeadStatus: 'Hot Prospect' }));
    const check = statusOf(await doctor({ configPath: config }), 'lead-status');
    expect(check.status).to.equal('fail');
    expect(check.fix).to.include('"Open - Not Contacted"');
    writeFileSync(config, JSON.stringify({ newLeadStatus: 'Open - Not Contacted' }));
    expect(statusOf(await doctor({ configPath: config }), 'lead-status').status).to.equal('pass');
  });

  it('skips the chatter check when the Chatter workflow is off', async () => {
    const config = join(journalDir, 'sync.json');
    writeFileSync(config, JSON.stringify({ workflows: { chatter: false } }));
    expect(statusOf(await doctor({ configPath: config }), 'chatter').status).to.equal('skip');
  });

  it('fails api-headroom when the daily API requests are nearly used up', async () => {
    await env.local.stop();
    env = await startInstalled({ dailyApiLimit: 200 });
    // Use the org's requests up to its last 4% (the sync keeps a 5% reserve).
    while (env.local.apiCalls() < 192) await env.client.request('GET', '/limits');
    const check = statusOf(await doctor(), 'api-headroom');
    expect(check.status, check.detail).to.equal('fail');
    expect(check.detail).to.match(/daily API requests left/);
  });

  it('reports a sync that stopped, from its journal', async () => {
    writeFileSync(
      join(journalDir, `${env.local.orgId}.json`),
      JSON.stringify({ version: 1, orgId: env.local.orgId, input: { headLines: 1, headHash: 'x' }, committedLine: 40, status: 'stopped', stoppedReason: 'API budget reached', batches: 1, updatedAt: '2026-11-20T10:00:00.000Z' })
    );
    const check = statusOf(await doctor(), 'last-sync');
    expect(check.status).to.equal('fail');
    expect(check.detail).to.include('API budget reached');
  });

  describe('--smoke', () => {
    const counts = (): number[] =>
      ['Lead', 'Instruqt_Play__c', 'Instruqt_Track__c', 'FeedItem'].map((o) => env.local.org.query(o).length);

    it('turns a test form submission into an enriched Lead as the integration user, then leaves nothing behind', async () => {
      const before = counts();
      const asIntegration = new SalesforceClient(await connectAs(env.local, env.local.tokenFor(env.user.Id)));
      const { check, report } = await runSmoke({
        syncClient: asIntegration,
        syncUsername: String(env.user.Username),
        adminClient: env.client,
        orgId: env.local.orgId,
        asAdmin: false,
      });
      expect(check.status, check.detail).to.equal('pass');
      expect(report.created.leads).to.have.length(1);
      expect(report.created.plays).to.have.length(1);
      expect(report.created.posts.length).to.be.greaterThan(0);
      expect(report.leftBehind).to.deep.equal([]);
      expect(counts()).to.deep.equal(before);
    });

    it('fails when the integration user may not create Leads, and still cleans up', async () => {
      const ps = permissionSet(env.local, 'Instruqt_Integration');
      const lead = env.local.org.query('ObjectPermissions', (o) => same(o.ParentId, ps.Id) && o.SobjectType === 'Lead')[0];
      env.local.org.update('ObjectPermissions', lead.Id, { PermissionsCreate: false });
      const before = counts();
      const asIntegration = new SalesforceClient(await connectAs(env.local, env.local.tokenFor(env.user.Id)), { maxRetries: 0 });
      const { check } = await runSmoke({
        syncClient: asIntegration,
        syncUsername: String(env.user.Username),
        adminClient: env.client,
        orgId: env.local.orgId,
        asAdmin: false,
      });
      expect(check.status).to.equal('fail');
      expect(counts()).to.deep.equal(before);
    });
  });
});
