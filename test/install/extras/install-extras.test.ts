/*
 * The opt-in install steps together (--jwt-cert, --viewers, --related-lists): a dry run writes nothing, the first run
 * changes what is missing, the second run changes nothing, and what is printed says so.
 */
import { expect } from 'chai';
import { describeExtras, installExtras, wantsExtras } from '../../../src/install/extras/install-extras.js';
import { storeOf } from '../../../emulator/metadata/store.js';
import { ecaStore } from '../../../emulator/metadata/external-client-app.js';
import { applySettings } from '../../../emulator/metadata/settings.js';
import { makeKeyPair } from '../../helpers/jwt-keys.js';
import { startInstalled, type Installed } from '../../helpers/installed-org.js';

describe('install extras', function () {
  this.timeout(60_000);

  it('runs only when one of the three flags asks for it', () => {
    expect(wantsExtras({})).to.equal(false);
    expect(wantsExtras({ relatedLists: false, viewers: [] })).to.equal(false);
    expect(wantsExtras({ relatedLists: false, viewers: ['Sales_Reps'] })).to.equal(true);
    expect(wantsExtras({ jwtCert: 'cert.pem' })).to.equal(true);
    expect(wantsExtras({ relatedLists: true })).to.equal(true);
  });

  let env: Installed;
  beforeEach(async () => {
    env = await startInstalled();
    applySettings(env.local.org, 'ExternalClientApp', { enableConsumerSecretApiAccess: 'true' });
  });
  afterEach(async () => env.local.stop());

  it('plans in a dry run, applies once, then finds nothing to do', async () => {
    const keys = makeKeyPair();
    const group = env.local.org.insert('PermissionSetGroup', { DeveloperName: 'Sales_Reps', MasterLabel: 'Sales Reps' });
    const options = { jwtCert: keys.certFile, viewers: ['Sales_Reps,ghost@acme.test'], relatedLists: true, maxPollMs: 20 };
    const layoutsBefore = storeOf(env.local.org).layouts.get('Lead-Lead Layout')?.raw;

    const dry = await installExtras(env.conn, { ...options, dryRun: true });
    expect(dry.externalClientApp?.status).to.equal('created');
    expect(dry.externalClientApp?.consumerKey).to.equal(undefined);
    expect(ecaStore(env.local.org, 'ExternalClientApplication').size).to.equal(0);
    expect(env.local.org.query('PermissionSetGroupComponent', (c) => c.PermissionSetGroupId === group.Id)).to.deep.equal([]);
    expect(storeOf(env.local.org).layouts.get('Lead-Lead Layout')?.raw).to.equal(layoutsBefore);
    expect(describeExtras(dry, { instanceUrl: env.local.instanceUrl, dryRun: true }).lines.join('\n')).to.include('would be added to Lead-Lead Layout');

    const first = await installExtras(env.conn, options);
    const printed = describeExtras(first, { username: String(env.user.Username), instanceUrl: env.local.instanceUrl });
    expect(printed.lines.join('\n')).to.include(`sf org login jwt --username ${String(env.user.Username)} --jwt-key-file <key.pem> --client-id ${first.externalClientApp?.consumerKey ?? ''}`);
    expect(printed.lines.join('\n')).to.include('Instruqt_Viewer given to: Sales_Reps');
    expect(printed.warnings.join('\n')).to.include('ghost@acme.test');

    const second = await installExtras(env.conn, options);
    expect(second.externalClientApp?.status).to.equal('unchanged');
    expect(second.viewers?.writes).to.equal(0);
    expect(second.relatedLists?.deployed).to.equal(false);
    expect(describeExtras(second, { instanceUrl: env.local.instanceUrl }).lines.join('\n')).to.include('already on Contact-Contact Layout');
  });
});
