/*
 * doctor's external-client-app check against the local org: it warns when there is no app, passes for the app
 * install deployed, and fails, with the fix, for a certificate with less than 30 days left, a policy that no longer
 * pre-authorizes the integration permission set, and an integration user without that set.
 */
import { expect } from 'chai';
import { runDoctor, type DoctorCheck } from '../../src/doctor/doctor.js';
import { APP_NAME, ensureExternalClientApp } from '../../src/install/extras/external-client-app.js';
import { ecaStore } from '../../emulator/metadata/external-client-app.js';
import { applySettings } from '../../emulator/metadata/settings.js';
import { makeKeyPair } from '../helpers/jwt-keys.js';
import { permissionSet, same, startInstalled, type Installed } from '../helpers/installed-org.js';

describe('doctor: the External Client App of the JWT login', function () {
  this.timeout(60_000);
  let env: Installed;
  beforeEach(async () => {
    env = await startInstalled();
    applySettings(env.local.org, 'ExternalClientApp', { enableConsumerSecretApiAccess: 'true' });
  });
  afterEach(async () => env.local.stop());

  const appCheck = async (): Promise<DoctorCheck> => {
    const result = await runDoctor(env.client, { orgLabel: 'acme' });
    const found = result.checks.find((c) => c.id === 'external-client-app');
    if (!found) throw new Error(JSON.stringify(result.checks));
    return found;
  };
  const install = (certFile: string): Promise<unknown> =>
    ensureExternalClientApp(env.conn, { certificatePath: certFile, contactEmail: 'admin@acme.test', maxPollMs: 20 });

  it('warns without an app and passes for the app install deployed', async () => {
    const none = await appCheck();
    expect(none.status).to.equal('warn');
    expect(none.commands).to.deep.equal(['sf instruqt install --target-org acme --jwt-cert cert.pem']);
    await install(makeKeyPair().certFile);
    const ok = await appCheck();
    expect(ok.status, ok.detail).to.equal('pass');
  });

  it('fails for a certificate with less than 30 days left, naming the date and the install that replaces it', async () => {
    await install(makeKeyPair(10).certFile);
    const found = await appCheck();
    expect(found.status).to.equal('fail');
    expect(found.detail).to.match(/certificate expires in \d days/);
    expect(found.commands).to.include('sf instruqt install --target-org acme --jwt-cert cert.pem');
  });

  it('fails when the policy stops pre-authorizing the set, and when the integration user loses it', async () => {
    await install(makeKeyPair().certFile);
    const policies = ecaStore(env.local.org, 'ExtlClntAppOauthConfigurablePolicies').get(`${APP_NAME}_oauthPlcy`);
    if (!policies) throw new Error('no policies');
    policies.raw = policies.raw.replace('AdminApprovedPreAuthorized', 'AllSelfAuthorized');
    expect((await appCheck()).detail).to.include('does not pre-authorize the holders of Instruqt_Integration');
    policies.raw = policies.raw.replace('AllSelfAuthorized', 'AdminApprovedPreAuthorized');

    const set = permissionSet(env.local, 'Instruqt_Integration');
    for (const a of env.local.org.query('PermissionSetAssignment', (x) => same(x.AssigneeId, env.user.Id) && same(x.PermissionSetId, set.Id))) {
      env.local.org.delete('PermissionSetAssignment', a.Id);
    }
    const found = await appCheck();
    expect(found.status).to.equal('fail');
    expect(found.commands).to.deep.equal([`sf org assign permset --name Instruqt_Integration --on-behalf-of ${String(env.user.Username)} --target-org acme`]);
  });
});
