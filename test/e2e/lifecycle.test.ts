/*
 * The lifecycle features end to end, through the real sf CLI against a local org where `sf instruqt install` ran:
 * the External Client App of --jwt-cert (ExternalClientAppSettings switched on by a settings deploy first, listed and
 * retrieved by the sf CLI), JWT login of the integration user and a sync under it, a forged assertion and a user the
 * app does not pre-authorize refused, a Connected App deploy refused (Salesforce Help 005228017), each doctor check failing on a
 * broken org and passing after running the fix it prints, the smoke test leaving nothing behind, uninstall then install.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { expect } from 'chai';
import { Ajv } from 'ajv';
import { startE2EOrg, type E2EOrg } from '../helpers/org.js';
import { repoRoot, type SfResult } from '../helpers/sf.js';
import type { DoctorResult, DoctorCheck } from '../../src/doctor/doctor.js';
import type { UninstallResult } from '../../src/uninstall/uninstall.js';
import type { SyncResult } from '../../src/sync/engine.js';
import type { InstructInstallResult as InstallWithExtras } from '../../src/commands/instruqt/install.js';
import { withoutRelatedList } from '../../src/install/extras/related-lists.js';
import { storeOf } from '../../emulator/metadata/store.js';
import type { ObjectDef, SRecord } from '../../emulator/core/types.js';
import { makeKeyPair } from '../helpers/jwt-keys.js';
import { makeUser } from '../helpers/users.js';
import { deleteComponents } from '../../src/salesforce/metadata.js';
import { connectAs } from '../helpers/installed-org.js';

const schema = (name: string): ReturnType<Ajv['compile']> =>
  new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(join(repoRoot, 'schemas', name), 'utf8')) as object);

/** Split a printed command into argv the way a shell would (double quotes group words). */
function argv(command: string): string[] {
  const words = [...command.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/\\"/g, '"') : m[2]));
  expect(words[0]).to.equal('sf');
  return words.slice(1);
}

function findFile(dir: string, name: string): string | undefined {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const found = entry.isDirectory() ? findFile(path, name) : entry.name === name ? path : undefined;
    if (found) return found;
  }
  return undefined;
}

const same = (a: unknown, b: unknown): boolean => typeof a === 'string' && typeof b === 'string' && a.slice(0, 15) === b.slice(0, 15);

describe('lifecycle (e2e)', function () {
  this.timeout(900_000);
  let o: E2EOrg;
  let dir: string;
  const validDoctor = schema('instruqt-doctor.json');
  const validInstall = new Ajv({ allErrors: true, strict: false })
    .addSchema(JSON.parse(readFileSync(join(repoRoot, 'schemas', 'instruqt-perms-check.json'), 'utf8')) as object, 'instruqt-perms-check.json')
    .compile(JSON.parse(readFileSync(join(repoRoot, 'schemas', 'instruqt-install.json'), 'utf8')) as object);

  const sf = <T>(args: string[]): Promise<SfResult<T>> => o.sf.run<T>(args, { cwd: dir, timeoutMs: 240_000 });
  const integrationUser = (): SRecord => o.local.org.query('User', (u) => String(u.Username).startsWith('instruqt.integration.'))[0];
  const doctor = async (extra: string[] = []): Promise<SfResult<DoctorResult>> => {
    const result = await sf<DoctorResult>(['instruqt', 'doctor', '-o', o.alias, '--json', '--journal-dir', join(dir, 'journal'), ...extra]);
    expect(result.json?.result, result.stdout + result.stderr).to.not.equal(undefined);
    expect(validDoctor(result.json?.result), JSON.stringify(validDoctor.errors)).to.equal(true);
    return result;
  };
  const checkOf = (result: SfResult<DoctorResult>, id: DoctorCheck['id']): DoctorCheck => {
    const found = result.json?.result.checks.find((c) => c.id === id);
    if (!found) throw new Error(`no ${id} in ${result.stdout}`);
    return found;
  };
  /** Run every command the check prints, through the sf CLI, as a person would paste them. */
  const applyFix = async (check: DoctorCheck): Promise<void> => {
    expect(check.commands ?? [], `${check.id} prints no command`).to.not.deep.equal([]);
    for (const command of check.commands ?? []) {
      const args = argv(command).map((a) => (a === o.local.adminUsername ? o.alias : a));
      const ran = await sf(args.includes('--json') ? args : [...args, '--json']);
      expect(ran.code, `${command}\n${ran.stdout}${ran.stderr}`).to.equal(0);
    }
  };
  const breakAndFix = async (id: DoctorCheck['id'], breakIt: () => unknown, extra: string[] = []): Promise<void> => {
    await breakIt();
    const broken = await doctor(extra);
    expect(broken.code).to.equal(1);
    const check = checkOf(broken, id);
    expect(check.status, check.detail).to.equal('fail');
    await applyFix(check);
    const fixed = await doctor(extra);
    expect(checkOf(fixed, id).status, checkOf(fixed, id).detail).to.equal('pass');
  };

  before(async () => {
    o = await startE2EOrg();
    dir = mkdtempSync(join(tmpdir(), 'lifecycle-e2e-'));
    const installed = await sf(['instruqt', 'install', '-o', o.alias, '--no-prompt', '--json']);
    expect(installed.code, installed.stdout + installed.stderr).to.equal(0);
  });
  after(async () => o?.local.stop());

  describe('JWT login of the integration user', () => {
    const keys = makeKeyPair();
    let consumerKey: string;
    let project: string;

    /** An sf project holding one metadata file, deployed with sf project deploy start. */
    const deploySource = async (path: string, content: string): Promise<SfResult<unknown>> => {
      project = mkdtempSync(join(tmpdir(), 'eca-project-'));
      writeFileSync(join(project, 'sfdx-project.json'), JSON.stringify({ packageDirectories: [{ path: 'force-app', default: true }], sourceApiVersion: '65.0' }));
      const file = join(project, 'force-app', 'main', 'default', path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, content);
      return o.sf.run(['project', 'deploy', 'start', '--source-dir', 'force-app', '-o', o.alias, '--json'], { cwd: project, timeoutMs: 240_000 });
    };

    before(async () => {
      // Metadata API reference, ExtlClntAppGlobalOauthSettings "Special Access Rules": install stops before changing
      // anything, naming the Setup switch, while the org keeps OAuth consumer secrets from the Metadata API.
      const refused = await sf<InstallWithExtras>(['instruqt', 'install', '-o', o.alias, '--no-prompt', '--jwt-cert', keys.certFile, '--json']);
      expect(refused.code, refused.stdout + refused.stderr).to.equal(1);
      expect(refused.json?.name).to.equal('ConsumerSecretAccessOffError');
      expect((refused.json?.actions ?? []).join(' ')).to.include('Allow Access to OAuth Consumer Secrets via Metadata API');
      expect(storeOf(o.local.org).externalClientApps.get('ExternalClientApplication')?.size ?? 0).to.equal(0);

      // What the admin switches on, as a settings deploy (ExternalClientAppSettings.enableConsumerSecretApiAccess).
      const settings = await deploySource(
        'settings/ExternalClientApp.settings-meta.xml',
        '<?xml version="1.0" encoding="UTF-8"?>\n<ExternalClientAppSettings xmlns="http://soap.sforce.com/2006/04/metadata">\n    <enableConsumerSecretApiAccess>true</enableConsumerSecretApiAccess>\n</ExternalClientAppSettings>\n'
      );
      expect(settings.code, settings.stdout + settings.stderr).to.equal(0);

      const installed = await sf<InstallWithExtras>(['instruqt', 'install', '-o', o.alias, '--no-prompt', '--jwt-cert', keys.certFile, '--json']);
      expect(installed.code, installed.stdout + installed.stderr).to.equal(0);
      expect(validInstall(installed.json?.result), JSON.stringify(validInstall.errors)).to.equal(true);
      const app = installed.json?.result.lifecycle?.externalClientApp;
      expect(app?.status).to.equal('created');
      expect(app?.scopes).to.deep.equal(['Api', 'RefreshToken']);
      consumerKey = app?.consumerKey ?? '';
      expect(consumerKey).to.match(/^3MVG9/);

      const again = await sf<InstallWithExtras>(['instruqt', 'install', '-o', o.alias, '--no-prompt', '--jwt-cert', keys.certFile]);
      expect(again.code, again.stdout + again.stderr).to.equal(0);
      expect(again.stdout).to.include(`already carries this certificate (scopes: Api, RefreshToken). Consumer key: ${consumerKey}`);
    });

    it('lists the app and retrieves it with the sf CLI', async () => {
      const listed = await o.sf.run<Array<{ fullName: string }>>(
        ['org', 'list', 'metadata', '--metadata-type', 'ExternalClientApplication', '-o', o.alias, '--json'],
        { cwd: project, timeoutMs: 240_000 }
      );
      expect(listed.json?.result.map((r) => r.fullName), listed.stdout + listed.stderr).to.deep.equal(['Instruqt_Integration']);
      const retrieved = await o.sf.run(
        ['project', 'retrieve', 'start', '--metadata', 'ExternalClientApplication:Instruqt_Integration', 'ExtlClntAppOauthConfigurablePolicies', '-o', o.alias, '--json'],
        { cwd: project, timeoutMs: 240_000 }
      );
      expect(retrieved.code, retrieved.stdout + retrieved.stderr).to.equal(0);
      expect(readFileSync(join(project, 'force-app/main/default/externalClientApps/Instruqt_Integration.eca-meta.xml'), 'utf8')).to.include('Created by sf instruqt install');
      const policies = readFileSync(join(project, 'force-app/main/default/extlClntAppOauthPolicies/Instruqt_Integration_oauthPlcy.ecaOauthPlcy-meta.xml'), 'utf8');
      expect(policies).to.include('<permittedUsersPolicyType>AdminApprovedPreAuthorized</permittedUsersPolicyType>');
    });

    it('refuses to deploy a new Connected App, as Salesforce does since Spring 26', async () => {
      const deployed = await deploySource(
        'connectedApps/Other_App.connectedApp-meta.xml',
        '<?xml version="1.0" encoding="UTF-8"?>\n<ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata">\n    <contactEmail>a@acme.test</contactEmail>\n    <label>Other App</label>\n</ConnectedApp>\n'
      );
      expect(deployed.code).to.not.equal(0);
      expect(deployed.stdout + deployed.stderr).to.include("Connected apps creation is restricted as of Spring '26");
      expect(storeOf(o.local.org).connectedApps.size).to.equal(0);
    });

    it("refuses an administrator the app does not pre-authorize with \"user hasn't approved this consumer\"", async () => {
      const admin = o.local.org.get('User', makeUser(o.local.org, 'System Administrator'));
      const login = await sf([
        'org', 'login', 'jwt', '--username', String(admin?.Username), '--jwt-key-file', keys.keyFile, '--client-id', consumerKey,
        '--instance-url', o.local.instanceUrl, '--alias', 'instruqt-admin-jwt', '--json',
      ]);
      expect(login.code).to.not.equal(0);
      expect(login.stdout + login.stderr).to.include("user hasn't approved this consumer");
    });

    // First: a failed `sf org login jwt` removes the username's auth file, as the sf CLI does for any JWT login.
    it('refuses an assertion signed with a key that does not match the certificate', async () => {
      const forger = makeKeyPair();
      const login = await sf([
        'org', 'login', 'jwt', '--username', String(integrationUser().Username), '--jwt-key-file', forger.keyFile, '--client-id', consumerKey,
        '--instance-url', o.local.instanceUrl, '--alias', 'instruqt-forged', '--json',
      ]);
      expect(login.code).to.not.equal(0);
      expect(login.stdout + login.stderr).to.include('invalid assertion');
    });

    it('logs in with sf org login jwt and runs a sync under that alias as the integration user', async () => {
      const user = integrationUser();
      const login = await sf([
        'org', 'login', 'jwt', '--username', String(user.Username), '--jwt-key-file', keys.keyFile, '--client-id', consumerKey,
        '--instance-url', o.local.instanceUrl, '--alias', 'instruqt-jwt', '--json',
      ]);
      expect(login.code, login.stdout + login.stderr).to.equal(0);
      const display = await sf<{ username: string; connectedStatus: string }>(['org', 'display', '-o', 'instruqt-jwt', '--json']);
      expect(display.json?.result.username).to.equal(user.Username);

      const synced = await sf<SyncResult>([
        'instruqt', 'sync', '-o', 'instruqt-jwt', '--file', join(repoRoot, 'examples', 'plays.ndjson'), '--journal-dir', join(dir, 'journal'), '--json',
      ]);
      expect(synced.code, synced.stdout + synced.stderr).to.equal(0);
      const leads = o.local.org.query('Lead', (l) => same(l.CreatedById, user.Id));
      expect(leads.length).to.be.greaterThan(0);
      expect(o.local.org.query('Instruqt_Play__c', (p) => same(p.CreatedById, user.Id)).length).to.be.greaterThan(0);
    });
  });

  describe('doctor', () => {
    it('passes every check on the installed org', async () => {
      const result = await doctor();
      const bad = result.json?.result.checks.filter((c) => c.status === 'fail' || c.status === 'warn');
      expect(bad, JSON.stringify(bad, null, 2)).to.deep.equal([]);
      expect(result.code).to.equal(0);
      const human = await sf(['instruqt', 'doctor', '-o', o.alias, '--journal-dir', join(dir, 'journal')]);
      expect(human.code, human.stderr).to.equal(0);
      expect(human.stdout).to.match(/PASS.*Integration user is active/);
      expect(human.stdout).to.match(/All \d+ checks passed or were skipped/);
    });

    it('user-active: fails for a deactivated user and passes after the printed fix', async () => {
      await breakAndFix('user-active', () => o.local.org.update('User', integrationUser().Id, { IsActive: false }));
    });

    it('api-access: fails without API Enabled and passes after the printed fix', async () => {
      const user = integrationUser();
      const profileSet = o.local.org.query('PermissionSet', (p) => p.IsOwnedByProfile === true && same(p.ProfileId, user.ProfileId))[0];
      await breakAndFix('api-access', () => o.local.org.update('PermissionSet', profileSet.Id, { PermissionsApiEnabled: false }));
    });

    it('assignments: fails without the permission set and passes after the printed fix', async () => {
      const user = integrationUser();
      const ps = o.local.org.query('PermissionSet', (p) => p.Name === 'Instruqt_Integration')[0];
      await breakAndFix(
        'assignments',
        () => {
          const psa = o.local.org.query('PermissionSetAssignment', (a) => same(a.AssigneeId, user.Id) && same(a.PermissionSetId, ps.Id))[0];
          o.local.org.delete('PermissionSetAssignment', psa.Id);
        },
        ['--username', String(user.Username)]
      );
    });

    it('objects: fails for a missing field and passes after the printed fix', async () => {
      // As an admin deleting the field in Setup would: through the Metadata API, which also drops its field permissions.
      await breakAndFix('objects', async () => {
        const outcome = await deleteComponents(await connectAs(o.local), [{ type: 'CustomField', members: ['Instruqt_Play__c.Score__c'] }], { maxPollMs: 50 });
        expect(outcome.success, JSON.stringify(outcome.failures)).to.equal(true);
      });
    });

    it('field-security: fails when an edit the sync needs is taken away and passes after the printed fix', async () => {
      const ps = o.local.org.query('PermissionSet', (p) => p.Name === 'Instruqt_Integration')[0];
      await breakAndFix('field-security', () => {
        const row = o.local.org.query('FieldPermissions', (f) => same(f.ParentId, ps.Id) && f.Field === 'Lead.Title')[0];
        o.local.org.update('FieldPermissions', row.Id, { PermissionsEdit: false });
      });
    });

    it('lead-status: fails for a status the org does not have and passes once the configuration names one it has', async () => {
      const config = join(dir, 'sync-config.json');
      writeFileSync(config, JSON.stringify({ newLeadStatus: 'Hot Prospect' }));
      const broken = await doctor(['--config', config]);
      expect(broken.code).to.equal(1);
      expect(checkOf(broken, 'lead-status').fix).to.include('"Open - Not Contacted"');
      writeFileSync(config, JSON.stringify({ newLeadStatus: 'Open - Not Contacted' }));
      expect(checkOf(await doctor(['--config', config]), 'lead-status').status).to.equal('pass');
    });

    it('chatter: fails when FeedItem is not available and passes once Chatter is back', async () => {
      const feedItem = o.local.org.getObject('FeedItem') as ObjectDef;
      o.local.org.removeObject('FeedItem');
      try {
        const broken = await doctor();
        expect(checkOf(broken, 'chatter').status).to.equal('fail');
        expect(checkOf(broken, 'chatter').fix).to.include('"activity": "task"');
      } finally {
        o.local.org.defineObject(feedItem);
      }
      expect(checkOf(await doctor(), 'chatter').status).to.equal('pass');
    });

    it('last-sync: fails for a sync that stopped and passes after running the sync again', async () => {
      const journal = join(dir, 'journal', `${o.local.orgId}.json`);
      writeFileSync(
        journal,
        JSON.stringify({ version: 1, orgId: o.local.orgId, input: { headLines: 1, headHash: 'x' }, committedLine: 2, status: 'stopped', stoppedReason: 'API budget reached', batches: 1, updatedAt: new Date().toISOString() })
      );
      const broken = await doctor();
      expect(checkOf(broken, 'last-sync').status).to.equal('fail');
      const synced = await sf(['instruqt', 'sync', '-o', o.alias, '--file', join(repoRoot, 'examples', 'plays.ndjson'), '--journal-dir', join(dir, 'journal'), '--json']);
      expect(synced.code, synced.stdout + synced.stderr).to.equal(0);
      expect(checkOf(await doctor(), 'last-sync').status).to.equal('pass');
    });

    it('api-headroom: fails when the daily requests are spent and passes once the window frees them', async () => {
      const limits = (o.local.org.options as { dailyApiLimit: number }).dailyApiLimit;
      const spend = o.local.org.options;
      // Spend the day's requests down to 3%, below the sync's 5% reserve (doctor itself makes a few before /limits).
      Object.assign(spend, { dailyApiLimit: 1000 });
      while (o.local.apiCalls() < 966) {
        await fetch(`${o.local.instanceUrl}/services/data/v65.0/limits`, { headers: { Authorization: `Bearer ${o.local.adminToken}` } });
      }
      try {
        const broken = await doctor();
        expect(checkOf(broken, 'api-headroom').status, checkOf(broken, 'api-headroom').detail).to.equal('fail');
      } finally {
        Object.assign(spend, { dailyApiLimit: limits });
      }
      o.local.resetApiCalls();
      expect(checkOf(await doctor(), 'api-headroom').status).to.equal('pass');
    });

    it('--smoke as the integration user turns a test form into an enriched Lead and leaves nothing behind', async () => {
      const counts = (): number[] => ['Lead', 'Instruqt_Play__c', 'Instruqt_Track__c', 'FeedItem'].map((n) => o.local.org.query(n).length);
      const before = counts();
      const result = await doctor(['--smoke', '--integration-org', 'instruqt-jwt']);
      const smoke = checkOf(result, 'smoke');
      expect(smoke.status, smoke.detail).to.equal('pass');
      expect(counts()).to.deep.equal(before);
    });
  });

  describe('install --viewers and --related-lists', () => {
    it('adds the Instruqt Plays related list without losing another section of either layout, and twice adds nothing', async () => {
      const layouts = storeOf(o.local.org).layouts;
      const before = { lead: layouts.get('Lead-Lead Layout')?.raw ?? '', contact: layouts.get('Contact-Contact Layout')?.raw ?? '' };
      const first = await sf<InstallWithExtras>(['instruqt', 'install', '-o', o.alias, '--no-prompt', '--related-lists', '--json']);
      expect(first.code, first.stdout + first.stderr).to.equal(0);
      expect(first.json?.result.lifecycle?.relatedLists?.changes.map((c) => c.status)).to.deep.equal(['added', 'added']);
      // Read back the way an admin would, through the sf CLI's retrieve.
      const retrieved = await sf(['project', 'retrieve', 'start', '--metadata', 'Layout:Lead-Lead Layout', '--target-org', o.alias, '--target-metadata-dir', join(dir, 'retrieved'), '--unzip', '--json']);
      expect(retrieved.code, retrieved.stdout + retrieved.stderr).to.equal(0);
      const file = findFile(join(dir, 'retrieved'), 'Lead-Lead Layout.layout');
      const lead = readFileSync(file ?? '', 'utf8');
      expect(withoutRelatedList(lead, 'Instruqt_Play__c.Lead__c')).to.equal(before.lead);
      expect(withoutRelatedList(layouts.get('Contact-Contact Layout')?.raw ?? '', 'Instruqt_Play__c.Contact__c')).to.equal(before.contact);
      for (const section of ['Lead Information', 'Address Information', 'Additional Information', 'System Information', 'Description Information']) {
        expect(lead).to.include(`<label>${section}</label>`);
      }
      const modified = layouts.get('Lead-Lead Layout')?.lastModifiedDate;
      const second = await sf<InstallWithExtras>(['instruqt', 'install', '-o', o.alias, '--no-prompt', '--related-lists', '--json']);
      expect(second.code, second.stdout + second.stderr).to.equal(0);
      expect(second.json?.result.lifecycle?.relatedLists?.changes.map((c) => c.status)).to.deep.equal(['present', 'present']);
      expect(layouts.get('Lead-Lead Layout')?.lastModifiedDate).to.equal(modified);
    });

    it('gives Instruqt_Viewer to a permission set group and a user, once', async () => {
      const group = o.local.org.insert('PermissionSetGroup', { DeveloperName: 'Sales_Reps', MasterLabel: 'Sales Reps' });
      const human = await sf(['instruqt', 'install', '-o', o.alias, '--no-prompt', '--viewers', `Sales_Reps,${o.local.adminUsername}`]);
      expect(human.code, human.stdout + human.stderr).to.equal(0);
      expect(human.stdout).to.include('Instruqt_Viewer given to: Sales_Reps');
      const viewer = o.local.org.query('PermissionSet', (p) => p.Name === 'Instruqt_Viewer')[0];
      expect(o.local.org.query('PermissionSetGroupComponent', (c) => same(c.PermissionSetGroupId, group.Id) && same(c.PermissionSetId, viewer.Id))).to.have.length(1);
      expect(o.local.org.query('PermissionSetAssignment', (a) => same(a.AssigneeId, o.local.adminUserId) && same(a.PermissionSetId, viewer.Id))).to.have.length(1);
      const again = await sf<InstallWithExtras>(['instruqt', 'install', '-o', o.alias, '--no-prompt', '--viewers', `Sales_Reps,${o.local.adminUsername}`, '--json']);
      expect(again.json?.result.lifecycle?.viewers?.writes).to.equal(0);
    });
  });

  describe('uninstall', () => {
    it('shows the plan in a dry run, removes the access, is idempotent, and install works again afterwards', async () => {
      const valid = schema('instruqt-uninstall.json');
      const user = integrationUser();
      const dry = await sf<UninstallResult>(['instruqt', 'uninstall', '-o', o.alias, '--dry-run', '--json']);
      expect(dry.code).to.equal(0);
      expect(valid(dry.json?.result), JSON.stringify(valid.errors)).to.equal(true);
      expect(dry.json?.result.steps.map((s) => s.action)).to.include.members(['remove-permission-set-assignment', 'deactivate-user']);
      expect(o.local.org.get('User', user.Id)?.IsActive).to.equal(true);

      const unconfirmed = await sf<UninstallResult>(['instruqt', 'uninstall', '-o', o.alias, '--purge', '--json']);
      expect(unconfirmed.code).to.equal(1);
      expect(unconfirmed.json?.name).to.equal('PurgeNeedsConfirmationError');
      expect(o.local.org.get('User', user.Id)?.IsActive).to.equal(true);

      const done = await sf<UninstallResult>(['instruqt', 'uninstall', '-o', o.alias, '--json']);
      expect(done.code, done.stdout + done.stderr).to.equal(0);
      expect(valid(done.json?.result), JSON.stringify(valid.errors)).to.equal(true);
      expect(o.local.org.get('User', user.Id)?.IsActive).to.equal(false);
      expect(o.local.org.query('PermissionSetLicenseAssign', (a) => same(a.AssigneeId, user.Id))).to.deep.equal([]);
      expect(o.local.org.getObject('Instruqt_Play__c')).to.not.equal(undefined);

      const again = await sf<UninstallResult>(['instruqt', 'uninstall', '-o', o.alias, '--json']);
      expect(again.json?.result.steps).to.deep.equal([]);

      const reinstalled = await sf(['instruqt', 'install', '-o', o.alias, '--no-prompt', '--json']);
      expect(reinstalled.code, reinstalled.stdout + reinstalled.stderr).to.equal(0);
      expect(o.local.org.get('User', user.Id)?.IsActive).to.equal(true);
      const after = await doctor();
      expect(after.json?.result.checks.filter((c) => c.status === 'fail')).to.deep.equal([]);
    });
  });

  describe('uninstall --purge', () => {
    it('deletes the External Client App with the footprint, so the org lists none', async () => {
      const purged = await sf<UninstallResult>(['instruqt', 'uninstall', '-o', o.alias, '--purge', '--no-prompt', '--json']);
      expect(purged.code, purged.stdout + purged.stderr).to.equal(0);
      expect(purged.json?.result.steps.find((s) => s.action === 'delete-external-client-app')?.status).to.equal('done');
      const listed = await sf<Array<{ fullName: string }>>(['org', 'list', 'metadata', '--metadata-type', 'ExternalClientApplication', '-o', o.alias, '--json']);
      expect(listed.code, listed.stdout + listed.stderr).to.equal(0);
      expect(listed.json?.result ?? []).to.deep.equal([]);
      expect(o.local.org.getObject('Instruqt_Play__c')).to.equal(undefined);
    });
  });
});
