/*
 * The External Client App of install --jwt-cert and the local org's JWT bearer flow: the app carries the certificate
 * (ExtlClntAppGlobalOauthSettings), only the api and refresh_token scopes (ExtlClntAppOauthSettings), admin-approved
 * users pre-authorized through Instruqt_Integration (ExtlClntAppOauthConfigurablePolicies); Salesforce generates the
 * consumer key and keeps it across deploys. The token endpoint checks signature, issuer, audience, expiry and subject,
 * with Salesforce's OAuth error bodies (Salesforce Help "OAuth 2.0 JWT Bearer Flow for Server-to-Server Integration").
 */
/* eslint-disable camelcase -- OAuth's wire format (grant_type, error_description) */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { APP_NAME, ensureExternalClientApp, readCertificate } from '../../../src/install/extras/external-client-app.js';
import { ecaStore } from '../../../emulator/metadata/external-client-app.js';
import { applySettings } from '../../../emulator/metadata/settings.js';
import { makeKeyPair, signAssertion, type KeyPair } from '../../helpers/jwt-keys.js';
import { startInstalled, type Installed } from '../../helpers/installed-org.js';

const GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

describe('JWT bearer login through the External Client App', function () {
  this.timeout(60_000);
  let env: Installed;
  let keys: KeyPair;
  let consumerKey: string;

  before(() => {
    keys = makeKeyPair();
  });
  beforeEach(async () => {
    env = await startInstalled();
    applySettings(env.local.org, 'ExternalClientApp', { enableConsumerSecretApiAccess: 'true' });
    const app = await ensureExternalClientApp(env.conn, { certificatePath: keys.certFile, contactEmail: 'admin@acme.test', maxPollMs: 20 });
    consumerKey = app.consumerKey ?? '';
  });
  afterEach(async () => env.local.stop());

  const token = async (assertion: string): Promise<{ status: number; body: Record<string, string> }> => {
    const response = await fetch(`${env.local.instanceUrl}/services/oauth2/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: GRANT, assertion }).toString(),
    });
    return { status: response.status, body: (await response.json()) as Record<string, string> };
  };
  const claims = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
    iss: consumerKey,
    sub: env.user.Username,
    aud: 'https://login.salesforce.com',
    exp: Math.floor(Date.now() / 1000) + 180,
    ...overrides,
  });

  it('deploys the app with the certificate, two scopes, admin-approved users pre-authorized through the integration permission set', () => {
    const raw = (type: string, name: string): string => ecaStore(env.local.org, type).get(name)?.raw ?? '';
    expect(raw('ExternalClientApplication', APP_NAME)).to.include('<distributionState>Local</distributionState>');
    expect(raw('ExtlClntAppOauthSettings', `${APP_NAME}_oauth`)).to.include('<commaSeparatedOauthScopes>Api,RefreshToken</commaSeparatedOauthScopes>');
    const policies = raw('ExtlClntAppOauthConfigurablePolicies', `${APP_NAME}_oauthPlcy`);
    expect(policies).to.include('<permittedUsersPolicyType>AdminApprovedPreAuthorized</permittedUsersPolicyType>');
    expect(policies).to.include('<commaSeparatedPermissionSet>Instruqt_Integration</commaSeparatedPermissionSet>');
    expect(raw('ExtlClntAppGlobalOauthSettings', `${APP_NAME}_glbloauth`)).to.include(keys.cert.split('\n')[1]);
    expect(consumerKey).to.equal(ecaStore(env.local.org, 'ExtlClntAppGlobalOauthSettings').get(`${APP_NAME}_glbloauth`)?.consumerKey);
  });

  it('stops before deploying anything when the org keeps OAuth consumer secrets from the Metadata API, naming the Setup switch', async () => {
    applySettings(env.local.org, 'ExternalClientApp', { enableConsumerSecretApiAccess: 'false' });
    const other = makeKeyPair();
    const error = await ensureExternalClientApp(env.conn, { certificatePath: other.certFile, contactEmail: 'admin@acme.test', maxPollMs: 20 }).catch(
      (e: Error & { actions?: string[] }) => e
    );
    expect((error as Error).name).to.equal('ConsumerSecretAccessOffError');
    expect(((error as { actions?: string[] }).actions ?? []).join(' ')).to.include('Allow Access to OAuth Consumer Secrets via Metadata API');
    expect(ecaStore(env.local.org, 'ExtlClntAppGlobalOauthSettings').get(`${APP_NAME}_glbloauth`)?.raw).to.include(keys.cert.split('\n')[1]);
  });

  it('keeps the app and its consumer key when run again with the same certificate, and rotates the certificate in place', async () => {
    const again = await ensureExternalClientApp(env.conn, { certificatePath: keys.certFile, contactEmail: 'admin@acme.test', maxPollMs: 20 });
    expect(again).to.include({ status: 'unchanged', consumerKey });
    const other = makeKeyPair();
    const rotated = await ensureExternalClientApp(env.conn, { certificatePath: other.certFile, contactEmail: 'admin@acme.test', maxPollMs: 20 });
    expect(rotated).to.include({ status: 'updated', consumerKey });
    expect((await token(signAssertion(claims(), keys.key))).body.error).to.equal('invalid_grant');
    expect((await token(signAssertion(claims(), other.key))).status).to.equal(200);
  });

  it('refuses a private key passed as the certificate', async () => {
    let message = '';
    try {
      await readCertificate(keys.keyFile);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).to.include('holds a private key');
    const notPem = join(keys.dir, 'not.pem');
    writeFileSync(notPem, 'hello');
    expect(await readCertificate(notPem).catch((e: Error) => e.message)).to.include('not a PEM certificate');
  });

  it('issues a token for the integration user that acts as that user', async () => {
    const { status, body } = await token(signAssertion(claims(), keys.key));
    expect(status).to.equal(200);
    expect(body.instance_url).to.equal(env.local.instanceUrl);
    expect(body.id).to.match(new RegExp(`/id/${env.local.orgId}/${env.user.Id}$`));
    const info = await fetch(`${env.local.instanceUrl}/services/oauth2/userinfo`, { headers: { Authorization: `Bearer ${body.access_token}` } });
    expect(((await info.json()) as { user_id: string }).user_id).to.equal(env.user.Id);
  });

  it('accepts the org URL and the sf CLI millisecond expiry as audience and exp', async () => {
    const { status } = await token(signAssertion(claims({ aud: env.local.instanceUrl, exp: Date.now() + 300 }), keys.key));
    expect(status).to.equal(200);
  });

  it('refuses a tampered assertion', async () => {
    const [header, , signature] = signAssertion(claims(), keys.key).split('.');
    const forged = Buffer.from(JSON.stringify(claims({ sub: 'admin@acme.test' }))).toString('base64url');
    expect(await token(`${header}.${forged}.${signature}`)).to.deep.equal({
      status: 400,
      body: { error: 'invalid_grant', error_description: 'invalid assertion' },
    });
  });

  it('refuses an assertion signed by another key', async () => {
    expect((await token(signAssertion(claims(), makeKeyPair().key))).body).to.deep.equal({ error: 'invalid_grant', error_description: 'invalid assertion' });
  });

  it('refuses an unknown consumer key, a wrong audience and an expired assertion', async () => {
    expect((await token(signAssertion(claims({ iss: '3MVG9unknown' }), keys.key))).body).to.deep.equal({
      error: 'invalid_client_id',
      error_description: 'client identifier invalid',
    });
    expect((await token(signAssertion(claims({ aud: 'https://evil.example.com' }), keys.key))).body).to.deep.equal({
      error: 'invalid_grant',
      error_description: 'audience is invalid',
    });
    expect((await token(signAssertion(claims({ exp: Math.floor(Date.now() / 1000) - 600 }), keys.key))).body).to.deep.equal({
      error: 'invalid_grant',
      error_description: 'expired authorization code',
    });
  });

  it("refuses a user the app does not pre-authorize with \"user hasn't approved this consumer\"", async () => {
    expect((await token(signAssertion(claims({ sub: env.local.adminUsername }), keys.key))).body).to.deep.equal({
      error: 'invalid_grant',
      error_description: "user hasn't approved this consumer",
    });
  });

  it('refuses a deactivated integration user with inactive_user', async () => {
    env.local.org.update('User', env.user.Id, { IsActive: false });
    expect((await token(signAssertion(claims(), keys.key))).body).to.deep.equal({ error: 'inactive_user', error_description: 'user is inactive' });
  });
});
