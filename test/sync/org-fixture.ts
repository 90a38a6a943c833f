/*
 * A local org with the Instruqt footprint installed for sync tests: force-app deployed through the emulator's
 * Metadata API, an integration user (Salesforce Integration licence, API-only profile) holding the
 * Instruqt_Integration permission set, and a SalesforceClient logged in as that user.
 */
import { join } from 'node:path';
import { AuthInfo, Connection } from '@salesforce/core';
import { ComponentSet, MetadataConverter } from '@salesforce/source-deploy-retrieve';
import { startLocalOrg, type LocalOrg } from '../../emulator/index.js';
import type { LocalOrgOptions, SRecord } from '../../emulator/core/types.js';
import { deployOptions, findJob, startDeploy } from '../../emulator/metadata/deploy.js';
import { SalesforceClient, type ClientOptions } from '../../src/salesforce/client.js';
import { repoRoot } from '../helpers/sf.js';

export type SyncOrg = {
  local: LocalOrg;
  integrationUserId: string;
  integrationToken: string;
  client(options?: ClientOptions): Promise<SalesforceClient>;
  /** Records of an object, as the org stores them (system view). */
  records(object: string): SRecord[];
  stop(): Promise<void>;
};

let zip: Buffer | undefined;

async function footprintZip(): Promise<Buffer> {
  if (!zip) {
    const set = ComponentSet.fromSource(join(repoRoot, 'force-app'));
    const converted = await new MetadataConverter().convert(set, 'metadata', { type: 'zip' });
    zip = converted.zipBuffer!;
  }
  return zip;
}

/** Deploy force-app as the system (the install command's job in real life) and wait for it. */
export async function deployFootprint(local: LocalOrg): Promise<void> {
  const job = startDeploy(local.org, undefined, await footprintZip(), deployOptions({ singlePackage: false }));
  for (let i = 0; i < 400 && !findJob(local.org, job.id)?.done; i++) await new Promise((r) => setTimeout(r, 25));
  const done = findJob(local.org, job.id);
  if (!done?.done || done.status !== 'Succeeded') {
    throw new Error(`footprint deploy ${done?.status ?? 'unknown'}: ${JSON.stringify(done?.failures ?? done?.errorMessage)}`);
  }
}

/** The integration user of seed 000 with the footprint's steady-state permission set. */
export function createIntegrationUser(local: LocalOrg, username = `instruqt-${Date.now()}@example.invalid`): string {
  const { org } = local;
  const profile = org.query('Profile', (p) => p.Name === 'Minimum Access - API Only Integrations')[0];
  const user = org.insert('User', {
    Username: username,
    Email: username,
    FirstName: 'Instruqt',
    LastName: 'Integration',
    Alias: 'instruqt',
    CommunityNickname: `instruqt${Date.now()}`,
    TimeZoneSidKey: 'Europe/Amsterdam',
    LocaleSidKey: 'en_US',
    EmailEncodingKey: 'UTF-8',
    LanguageLocaleKey: 'en_US',
    ProfileId: profile.Id,
    IsActive: true,
  });
  const psl = org.query('PermissionSetLicense', (l) => l.DeveloperName === 'SalesforceAPIIntegrationPsl')[0];
  org.insert('PermissionSetLicenseAssign', { AssigneeId: user.Id, PermissionSetLicenseId: psl.Id });
  const ps = org.query('PermissionSet', (p) => p.Name === 'Instruqt_Integration')[0];
  if (!ps) throw new Error('Instruqt_Integration permission set is not deployed');
  org.insert('PermissionSetAssignment', { AssigneeId: user.Id, PermissionSetId: ps.Id });
  return user.Id;
}

export async function clientFor(instanceUrl: string, token: string, options: ClientOptions = {}): Promise<SalesforceClient> {
  const authInfo = await AuthInfo.create({ accessTokenOptions: { accessToken: token, instanceUrl, loginUrl: instanceUrl } });
  const connection = await Connection.create({ authInfo });
  return new SalesforceClient(connection, { baseDelayMs: 20, ...options });
}

export async function startSyncOrg(options: LocalOrgOptions = {}): Promise<SyncOrg> {
  const local = await startLocalOrg(options);
  await deployFootprint(local);
  const integrationUserId = createIntegrationUser(local);
  const integrationToken = local.tokenFor(integrationUserId);
  return {
    local,
    integrationUserId,
    integrationToken,
    client: (o) => clientFor(local.instanceUrl, integrationToken, o),
    records: (object) => local.org.query(object),
    stop: () => local.stop(),
  };
}

/** People the sync may match: system inserts (as an admin's data). */
export function seedPerson(local: LocalOrg, kind: 'Lead' | 'Contact', fields: Record<string, unknown>): SRecord {
  return local.org.insert(kind, kind === 'Lead' ? { Company: 'Acme', ...fields } : fields);
}
