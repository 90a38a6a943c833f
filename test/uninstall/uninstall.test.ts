/*
 * sf instruqt uninstall as a library: the plan comes first, only what is there is removed, the user is deactivated and
 * never deleted, data stays unless purged, and a second run has nothing to do.
 */
/* eslint-disable camelcase -- Salesforce API names (Track_Slug__c) */
import { expect } from 'chai';
import { uninstall, uninstallExitCode } from '../../src/uninstall/uninstall.js';
import { install } from '../../src/install/install.js';
import { runDoctor } from '../../src/doctor/doctor.js';
import { ensureExternalClientApp, APP_NAME } from '../../src/install/extras/external-client-app.js';
import { ecaStore } from '../../emulator/metadata/external-client-app.js';
import { applySettings } from '../../emulator/metadata/settings.js';
import { makeKeyPair } from '../helpers/jwt-keys.js';
import { startInstalled, permissionSet, same, type Installed } from '../helpers/installed-org.js';

describe('uninstall', function () {
  this.timeout(60_000);
  let env: Installed;
  beforeEach(async () => {
    env = await startInstalled();
  });
  afterEach(async () => env.local.stop());

  const assignmentsOf = (userId: string): unknown[] => [
    ...env.local.org.query('PermissionSetAssignment', (a) => same(a.AssigneeId, userId) && same(a.PermissionSetId, permissionSet(env.local, 'Instruqt_Integration')?.Id)),
    ...env.local.org.query('PermissionSetLicenseAssign', (a) => same(a.AssigneeId, userId)),
  ];

  it('plans without changing anything in a dry run', async () => {
    const before = JSON.stringify(env.local.org.query('PermissionSetAssignment'));
    const result = await uninstall(env.conn, { dryRun: true, maxPollMs: 20 });
    expect(result.steps.map((s) => s.action)).to.deep.equal([
      'remove-permission-set-assignment',
      'remove-licence-assignment',
      'deactivate-user',
    ]);
    expect(result.steps.every((s) => s.status === 'planned')).to.equal(true);
    expect(JSON.stringify(env.local.org.query('PermissionSetAssignment'))).to.equal(before);
    expect(env.local.org.get('User', env.user.Id)?.IsActive).to.equal(true);
  });

  it('removes the assignments, deactivates the user, keeps objects and data, and is idempotent', async () => {
    const track = env.local.org.insert('Instruqt_Track__c', { Name: 'Kubernetes 101', Track_Slug__c: 'k8s-101' });
    const result = await uninstall(env.conn, { maxPollMs: 20 });
    expect(result.steps.every((s) => s.status === 'done'), JSON.stringify(result.steps)).to.equal(true);
    expect(uninstallExitCode(result)).to.equal(0);
    expect(assignmentsOf(env.user.Id)).to.deep.equal([]);
    const user = env.local.org.get('User', env.user.Id);
    expect(user?.IsActive).to.equal(false);
    expect(env.local.org.get('Instruqt_Track__c', track.Id)?.Track_Slug__c).to.equal('k8s-101');
    expect(permissionSet(env.local, 'Instruqt_Integration')).to.not.equal(undefined);
    expect(result.kept.join('\n')).to.include('Instruqt_Play__c, Instruqt_Track__c and their records');

    const again = await uninstall(env.conn, { maxPollMs: 20 });
    expect(again.steps).to.deep.equal([]);
    expect(again.changed).to.equal(false);
  });

  it('asks before purging and changes nothing when the answer is no', async () => {
    let asked = 0;
    const result = await uninstall(env.conn, { purge: true, maxPollMs: 20, confirm: () => Promise.resolve(++asked < 0) });
    expect(asked).to.equal(1);
    expect(result.changed).to.equal(false);
    expect(env.local.org.getObject('Instruqt_Play__c')).to.not.equal(undefined);
    expect(env.local.org.get('User', env.user.Id)?.IsActive).to.equal(true);
  });

  it('purges the objects, their records and the permission sets through a destructive deploy', async () => {
    env.local.org.insert('Instruqt_Track__c', { Name: 'Kubernetes 101', Track_Slug__c: 'k8s-101' });
    const result = await uninstall(env.conn, { purge: true, maxPollMs: 20, confirm: () => Promise.resolve(true) });
    expect(result.steps.filter((s) => s.status !== 'done'), JSON.stringify(result.steps)).to.deep.equal([]);
    expect(result.steps.map((s) => s.action)).to.include('delete-metadata');
    expect(env.local.org.getObject('Instruqt_Play__c')).to.equal(undefined);
    expect(env.local.org.getObject('Instruqt_Track__c')).to.equal(undefined);
    expect(permissionSet(env.local, 'Instruqt_Integration')).to.equal(undefined);
    expect(permissionSet(env.local, 'Instruqt_Viewer')).to.equal(undefined);
    expect(env.local.org.get('User', env.user.Id)?.IsActive).to.equal(false);
    expect((await uninstall(env.conn, { purge: true, maxPollMs: 20 })).steps).to.deep.equal([]);
  });

  it('keeps the External Client App without --purge (no holder of the set can log in) and deletes it with --purge', async () => {
    applySettings(env.local.org, 'ExternalClientApp', { enableConsumerSecretApiAccess: 'true' });
    await ensureExternalClientApp(env.conn, { certificatePath: makeKeyPair().certFile, contactEmail: 'admin@acme.test', maxPollMs: 20 });
    const plain = await uninstall(env.conn, { maxPollMs: 20 });
    expect(plain.steps.map((s) => s.action)).to.not.include('delete-external-client-app');
    expect(plain.kept.join('\n')).to.include(`External Client App ${APP_NAME}`);
    expect(ecaStore(env.local.org, 'ExternalClientApplication').has(APP_NAME)).to.equal(true);

    const purged = await uninstall(env.conn, { purge: true, maxPollMs: 20 });
    expect(purged.steps.find((s) => s.action === 'delete-external-client-app')?.status, JSON.stringify(purged.steps)).to.equal('done');
    for (const type of ['ExternalClientApplication', 'ExtlClntAppGlobalOauthSettings', 'ExtlClntAppOauthSettings', 'ExtlClntAppOauthConfigurablePolicies']) {
      expect(ecaStore(env.local.org, type).size, type).to.equal(0);
    }
  });

  it('keeps an External Client App of that name install did not create', async () => {
    const at = new Date().toISOString();
    ecaStore(env.local.org, 'ExternalClientApplication').set(APP_NAME, {
      fullName: APP_NAME,
      raw: '<ExternalClientApplication><label>Theirs</label><contactEmail>x@acme.test</contactEmail></ExternalClientApplication>',
      createdDate: at,
      lastModifiedDate: at,
      createdById: '',
    });
    const result = await uninstall(env.conn, { purge: true, maxPollMs: 20 });
    expect(result.steps.map((s) => s.action)).to.not.include('delete-external-client-app');
    expect(result.kept.join('\n')).to.include('install did not create it');
    expect(ecaStore(env.local.org, 'ExternalClientApplication').has(APP_NAME)).to.equal(true);
  });

  it('lets install bring the integration back after an uninstall', async () => {
    await uninstall(env.conn, { maxPollMs: 20 });
    const again = await install(env.conn, {
      dryRun: false,
      waitMinutes: 1,
      keepInstallPermissions: false,
      noPrompt: true,
      targetOrg: 'acme',
      deployPollMs: 20,
      waitPollMs: 20,
    });
    expect(again.success, JSON.stringify(again.error)).to.equal(true);
    expect(env.local.org.get('User', env.user.Id)?.IsActive).to.equal(true);
    expect(assignmentsOf(env.user.Id)).to.have.length(2);
    const doctor = await runDoctor(env.client, { orgLabel: 'acme' });
    expect(doctor.checks.filter((c) => c.status === 'fail')).to.deep.equal([]);
  });
});
