/* eslint-disable camelcase -- OAuth's wire format uses snake_case names */
/*
 * The local org's OAuth 2.0 username-password flow (Salesforce Help "OAuth 2.0 Username-Password Flow for Special
 * Scenarios"): POST /services/oauth2/token. LOCAL ONLY: any password is accepted for an active user.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { startLocalOrg, type LocalOrg } from '../../emulator/index.js';
import { apiFor } from './http.js';

type TokenBody = { access_token: string; instance_url: string; id: string; token_type: string; issued_at: string; signature: string };
type OAuthError = { error: string; error_description: string };

async function token(local: LocalOrg, params: Record<string, string>): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${local.instanceUrl}/services/oauth2/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, body: await res.json() };
}

describe('local org OAuth token endpoint (username-password flow)', () => {
  let local: LocalOrg;
  beforeEach(async () => {
    local = await startLocalOrg();
  });
  afterEach(async () => local.stop());

  it('issues a Bearer token for an active user, with Salesforce response fields', async () => {
    const res = await token(local, { grant_type: 'password', username: local.adminUsername, password: 'anything', client_id: 'x', client_secret: 'y' });
    expect(res.status).to.equal(200);
    const body = res.body as TokenBody;
    expect(body.token_type).to.equal('Bearer');
    expect(body.instance_url).to.equal(local.instanceUrl);
    expect(body.id).to.equal(`${local.instanceUrl}/id/${local.orgId}/${local.adminUserId}`);
    expect(body.issued_at).to.match(/^\d{13}$/);
    expect(body.signature).to.be.a('string').and.not.equal('');
    expect(body.access_token).to.match(/^00D\w{12,15}![.\w]*$/);
    const me = await apiFor(local, body.access_token).get<{ totalSize: number }>(`/query?q=${encodeURIComponent('SELECT Id FROM User')}`);
    expect(me.status).to.equal(200);
  });

  it('answers invalid_grant / authentication failure for an unknown or inactive user', async () => {
    const unknown = await token(local, { grant_type: 'password', username: 'nobody@nowhere.test', password: 'x' });
    expect(unknown.status).to.equal(400);
    expect(unknown.body as OAuthError).to.deep.equal({ error: 'invalid_grant', error_description: 'authentication failure' });

    const profile = local.org.query('Profile', (p) => p.Name === 'Standard User')[0];
    const username = `${randomUUID().slice(0, 8)}@oauth.example.test`;
    const user = local.org.insert('User', {
      Username: username,
      Email: username,
      LastName: 'Gone',
      Alias: 'gone',
      TimeZoneSidKey: 'GMT',
      LocaleSidKey: 'en_US',
      EmailEncodingKey: 'UTF-8',
      LanguageLocaleKey: 'en_US',
      ProfileId: profile.Id,
    });
    expect((await token(local, { grant_type: 'password', username, password: 'x' })).status).to.equal(200);
    local.org.update('User', user.Id, { IsActive: false });
    const inactive = await token(local, { grant_type: 'password', username, password: 'x' });
    expect(inactive.body as OAuthError).to.deep.equal({ error: 'invalid_grant', error_description: 'authentication failure' });
  });

  it('refuses other grant types with unsupported_grant_type', async () => {
    const res = await token(local, { grant_type: 'client_credentials' });
    expect(res.status).to.equal(400);
    expect((res.body as OAuthError).error).to.equal('unsupported_grant_type');
  });
});
