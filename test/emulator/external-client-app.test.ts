/* eslint-disable camelcase -- OAuth's wire format (grant_type) */
/*
 * Conformance of the local org's external client app types with the Metadata API Developer Guide:
 * "ExternalClientApplication" (meta_externalclientapplication.htm), "ExtlClntAppGlobalOauthSettings"
 * (meta_extlclntappglobaloauthsettings.htm, Special Access Rules: the org's "Allow Access to OAuth Consumer Secrets via
 * Metadata API"), "ExtlClntAppOauthSettings", "ExtlClntAppOauthConfigurablePolicies" (permittedUsersPolicyType,
 * commaSeparatedPermissionSet) and "ExternalClientAppSettings" (enableExternalClientApps,
 * enableConsumerSecretApiAccess), and with the JWT bearer flow (Salesforce Help "OAuth 2.0 JWT Bearer Flow for
 * Server-to-Server Integration").
 */
import { expect } from 'chai';
import JSZip from 'jszip';
import { startLocalOrg, type LocalOrg } from '../../emulator/index.js';
import { makeKeyPair, signAssertion } from '../helpers/jwt-keys.js';
import { connect, deploy, destructiveXml, problemsOf } from './metadata-client.js';

const head = '<?xml version="1.0" encoding="UTF-8"?>\n';
const ns = 'xmlns="http://soap.sforce.com/2006/04/metadata"';
const el = (root: string, body: Record<string, string>): string =>
  `${head}<${root} ${ns}>${Object.entries(body)
    .map(([k, v]) => `<${k}>${v}</${k}>`)
    .join('')}</${root}>`;

const settings = (consumerSecrets: boolean): Record<string, string> => ({
  'settings/ExternalClientApp.settings': el('ExternalClientAppSettings', { enableConsumerSecretApiAccess: String(consumerSecrets) }),
});

function appFiles(cert: string, permissionSet = 'Sync_User'): Record<string, string> {
  return {
    'externalClientApps/Sync.eca': el('ExternalClientApplication', { contactEmail: 'a@acme.test', distributionState: 'Local', label: 'Sync' }),
    'extlClntAppGlobalOauthSets/Sync_glbloauth.ecaGlblOauth': el('ExtlClntAppGlobalOauthSettings', {
      callbackUrl: 'http://localhost:1717/OauthRedirect',
      certificate: cert,
      externalClientApplication: 'Sync',
      label: 'Sync',
    }),
    'extlClntAppOauthSettings/Sync_oauth.ecaOauth': el('ExtlClntAppOauthSettings', { commaSeparatedOauthScopes: 'Api,RefreshToken', externalClientApplication: 'Sync', label: 'Sync' }),
    'extlClntAppOauthPolicies/Sync_oauthPlcy.ecaOauthPlcy': el('ExtlClntAppOauthConfigurablePolicies', {
      commaSeparatedPermissionSet: permissionSet,
      externalClientApplication: 'Sync',
      label: 'Sync',
      permittedUsersPolicyType: 'AdminApprovedPreAuthorized',
    }),
  };
}

describe('local org external client apps (Metadata API types and the JWT bearer flow)', function () {
  this.timeout(30_000);
  let local: LocalOrg;
  const keys = makeKeyPair();

  beforeEach(async () => {
    local = await startLocalOrg({ deployStepMs: 5 });
    local.org.insert('PermissionSet', { Name: 'Sync_User', Label: 'Sync User' });
  });
  afterEach(async () => local.stop());

  const retrieveGlobal = async (): Promise<{ file?: string; problems: string[] }> => {
    const conn = await connect(local);
    const result = await conn.metadata
      .retrieve({ apiVersion: 65, singlePackage: true, unpackaged: { types: [{ name: 'ExtlClntAppGlobalOauthSettings', members: ['Sync_glbloauth'] }], version: '65.0' } as never })
      .complete();
    const zip = await JSZip.loadAsync(Buffer.from(result.zipFile, 'base64'));
    const messages = ([] as Array<{ problem: string }>).concat((result.messages ?? []) as never);
    return { file: await zip.file('extlClntAppGlobalOauthSets/Sync_glbloauth.ecaGlblOauth')?.async('string'), problems: messages.map((m) => m.problem) };
  };

  it('refuses the global OAuth settings while the org keeps consumer secrets from the Metadata API, and rolls the app back', async () => {
    const result = await deploy(await connect(local), appFiles(keys.cert));
    expect(result.status).to.equal('Failed');
    expect(problemsOf(result).join()).to.include('Allow Access to OAuth Consumer Secrets via Metadata API');
    const listed = await (await connect(local)).metadata.list({ type: 'ExternalClientApplication' });
    expect(([] as unknown[]).concat(listed ?? [])).to.deep.equal([]);
  });

  it('generates the consumer key on creation, keeps it when the certificate is replaced, and shows it only with consumer secret access', async () => {
    const conn = await connect(local);
    expect((await deploy(conn, settings(true))).status).to.equal('Succeeded');
    const created = await deploy(conn, appFiles(keys.cert));
    expect(created.status, problemsOf(created).join()).to.equal('Succeeded');
    const first = await retrieveGlobal();
    const key = /<consumerKey>([^<]+)<\/consumerKey>/.exec(first.file ?? '')?.[1] ?? '';
    expect(key).to.match(/^3MVG9/);

    const other = makeKeyPair();
    expect((await deploy(conn, appFiles(other.cert))).status).to.equal('Succeeded');
    const second = await retrieveGlobal();
    expect(second.file).to.include(`<consumerKey>${key}</consumerKey>`).and.include(other.cert.split('\n')[1]);

    const listed = ([] as Array<{ fullName: string }>).concat((await conn.metadata.list({ type: 'ExternalClientApplication' })) as never);
    expect(listed.map((l) => l.fullName)).to.deep.equal(['Sync']);

    expect((await deploy(conn, settings(false))).status).to.equal('Succeeded');
    const hidden = await retrieveGlobal();
    expect(hidden.file).to.equal(undefined);
    expect(hidden.problems.join()).to.include('Allow Access to OAuth Consumer Secrets via Metadata API');
  });

  it('refuses components that name no app or a permission set the org does not have', async () => {
    const conn = await connect(local);
    await deploy(conn, settings(true));
    const files = appFiles(keys.cert, 'No_Such_Set');
    expect(problemsOf(await deploy(conn, files)).join('\n')).to.include('In field: commaSeparatedPermissionSet - no PermissionSet named No_Such_Set found');
    delete files['externalClientApps/Sync.eca'];
    expect(problemsOf(await deploy(conn, files)).join('\n')).to.include('In field: externalClientApplication - no ExternalClientApplication named Sync found');
  });

  it('logs in through the app only holders of its permission set, and deletes the whole app with its header', async () => {
    const conn = await connect(local);
    await deploy(conn, settings(true));
    await deploy(conn, appFiles(keys.cert));
    const key = /<consumerKey>([^<]+)<\/consumerKey>/.exec((await retrieveGlobal()).file ?? '')?.[1] ?? '';
    const token = async (): Promise<{ status: number; body: Record<string, string> }> => {
      const assertion = signAssertion({ iss: key, sub: local.adminUsername, aud: 'https://login.salesforce.com', exp: Math.floor(Date.now() / 1000) + 60 }, keys.key);
      const response = await fetch(`${local.instanceUrl}/services/oauth2/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
      });
      return { status: response.status, body: (await response.json()) as Record<string, string> };
    };
    expect((await token()).body).to.deep.equal({ error: 'invalid_grant', error_description: "user hasn't approved this consumer" });
    const set = local.org.query('PermissionSet', (p) => p.Name === 'Sync_User')[0];
    local.org.insert('PermissionSetAssignment', { AssigneeId: local.adminUserId, PermissionSetId: set.Id });
    expect((await token()).status).to.equal(200);

    const zip = new JSZip();
    zip.file('package.xml', `${head}<Package ${ns}><version>65.0</version></Package>`);
    zip.file('destructiveChanges.xml', destructiveXml({ ExternalClientApplication: ['Sync'] }));
    const deleted = await conn.metadata.deploy(await zip.generateAsync({ type: 'nodebuffer' }), { singlePackage: true }).complete(true);
    expect(deleted.status, problemsOf(deleted).join()).to.equal('Succeeded');
    expect((await token()).body.error).to.equal('invalid_client_id');
    expect(([] as unknown[]).concat((await conn.metadata.list({ type: 'ExtlClntAppOauthConfigurablePolicies' })) ?? [])).to.deep.equal([]);
  });
});
