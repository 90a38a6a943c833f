/*
 * Salesforce's rules for setup objects, as the local org enforces them through the REST API. Pages followed:
 * Object Reference "PermissionSetAssignment", "PermissionSetLicenseAssign", "User", "UserLicense", "PermissionSet";
 * Salesforce Help "Give Integration Users API Only Access" (the Salesforce API Integration permission set licence);
 * Salesforce Help "Deactivate Users" (users cannot be deleted).
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { startLocalOrg, type LocalOrg } from '../../emulator/index.js';
import { apiFor, type Api, type ErrorBody } from './http.js';

function userBody(local: LocalOrg, profileName: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const profile = local.org.query('Profile', (p) => p.Name === profileName)[0];
  const alias = randomUUID().slice(0, 8);
  return {
    Username: `${alias}@rules.example.test`,
    Email: `${alias}@rules.example.test`,
    LastName: 'Rules',
    Alias: alias,
    TimeZoneSidKey: 'GMT',
    LocaleSidKey: 'en_US',
    EmailEncodingKey: 'UTF-8',
    LanguageLocaleKey: 'en_US',
    ProfileId: profile.Id,
    ...overrides,
  };
}

const integrationProfile = 'Minimum Access - API Only Integrations';

describe('local org setup-object rules', () => {
  let local: LocalOrg;
  let api: Api;
  beforeEach(async () => {
    local = await startLocalOrg({ deployStepMs: 5 });
    api = apiFor(local);
  });
  afterEach(async () => local.stop());

  async function createUser(profileName: string, overrides: Record<string, unknown> = {}): Promise<string> {
    const res = await api.post<{ id: string }>('/sobjects/User', userBody(local, profileName, overrides));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.id;
  }

  function leadReaderSet(): string {
    const ps = local.org.insert('PermissionSet', { Name: `Lead_Reader_${randomUUID().slice(0, 4)}`, Label: 'Lead Reader' });
    local.org.insert('ObjectPermissions', { ParentId: ps.Id, SobjectType: 'Lead', PermissionsRead: true });
    return ps.Id;
  }

  it('refuses a duplicate PermissionSetAssignment with "Duplicate PermissionSetAssignment"', async () => {
    const userId = await createUser('Standard User');
    const setId = leadReaderSet();
    expect((await api.post('/sobjects/PermissionSetAssignment', { AssigneeId: userId, PermissionSetId: setId })).status).to.equal(201);
    const again = await api.post<ErrorBody>('/sobjects/PermissionSetAssignment', { AssigneeId: userId, PermissionSetId: setId });
    expect(again.status).to.equal(400);
    expect(again.body[0]).to.include({ errorCode: 'DUPLICATE_VALUE', message: 'Duplicate PermissionSetAssignment' });
  });

  it('refuses a duplicate PermissionSetLicenseAssign with "duplicate value found"', async () => {
    const userId = await createUser(integrationProfile);
    const psl = local.org.query('PermissionSetLicense', (l) => l.DeveloperName === 'SalesforceAPIIntegrationPsl')[0];
    const body = { AssigneeId: userId, PermissionSetLicenseId: psl.Id };
    expect((await api.post('/sobjects/PermissionSetLicenseAssign', body)).status).to.equal(201);
    const again = await api.post<ErrorBody>('/sobjects/PermissionSetLicenseAssign', body);
    expect(again.body[0].errorCode).to.equal('DUPLICATE_VALUE');
    expect(again.body[0].message).to.match(/^duplicate value found/);
    expect(local.org.get('PermissionSetLicense', psl.Id)!.UsedLicenses).to.equal(1);
  });

  it('refuses standard-object access to an integration user until the Salesforce API Integration PSL is assigned', async () => {
    const userId = await createUser(integrationProfile);
    const setId = leadReaderSet();
    const refused = await api.post<ErrorBody>('/sobjects/PermissionSetAssignment', { AssigneeId: userId, PermissionSetId: setId });
    expect(refused.status).to.equal(400);
    expect(refused.body[0].message).to.equal("The user license doesn't allow the permission: Read Leads");
    const psl = local.org.query('PermissionSetLicense', (l) => l.DeveloperName === 'SalesforceAPIIntegrationPsl')[0];
    await api.post('/sobjects/PermissionSetLicenseAssign', { AssigneeId: userId, PermissionSetLicenseId: psl.Id });
    const allowed = await api.post('/sobjects/PermissionSetAssignment', { AssigneeId: userId, PermissionSetId: setId });
    expect(allowed.status).to.equal(201);
  });

  it('refuses standard-object access added to a set already assigned to an integration user without the PSL', async () => {
    const userId = await createUser(integrationProfile);
    const ps = local.org.insert('PermissionSet', { Name: 'Empty_For_Now', Label: 'Empty For Now' });
    expect((await api.post('/sobjects/PermissionSetAssignment', { AssigneeId: userId, PermissionSetId: ps.Id })).status).to.equal(201);
    const row = await api.post<ErrorBody>('/sobjects/ObjectPermissions', { ParentId: ps.Id, SobjectType: 'Contact', PermissionsRead: true });
    expect(row.status).to.equal(400);
    expect(row.body[0].message).to.equal("The user license doesn't allow the permission: Read Contacts");
  });

  it('shows the profile-owned permission set as an assignment of every user, and refuses to assign it by hand', async () => {
    const userId = await createUser(integrationProfile);
    const assignments = local.org.query('PermissionSetAssignment', (a) => a.AssigneeId === userId);
    expect(assignments).to.have.length(1);
    const owned = local.org.get('PermissionSet', String(assignments[0].PermissionSetId))!;
    expect(owned.IsOwnedByProfile).to.equal(true);
    const other = await createUser('Standard User');
    const refused = await api.post<ErrorBody>('/sobjects/PermissionSetAssignment', { AssigneeId: other, PermissionSetId: owned.Id });
    expect(refused.status).to.equal(400);
    const del = await api.del<ErrorBody>(`/sobjects/PermissionSet/${owned.Id}`);
    expect(del.status).to.equal(400);
    expect(local.org.get('PermissionSet', owned.Id)).to.not.equal(undefined);
  });

  it('refuses a username already used in this or another local org (DUPLICATE_USERNAME)', async () => {
    const body = userBody(local, 'Standard User');
    expect((await api.post('/sobjects/User', body)).status).to.equal(201);
    const other = await startLocalOrg();
    try {
      const otherBody = { ...userBody(other, 'Standard User'), Username: body.Username };
      const res = await apiFor(other).post<ErrorBody>('/sobjects/User', otherBody);
      expect(res.status).to.equal(400);
      expect(res.body[0].errorCode).to.equal('DUPLICATE_USERNAME');
      expect(res.body[0].message).to.match(/^Duplicate Username\.<br>The username already exists in this or another Salesforce organization/);
    } finally {
      await other.stop();
    }
  });

  it('refuses an Alias longer than 8 characters', async () => {
    const res = await api.post<ErrorBody>('/sobjects/User', userBody(local, 'Standard User', { Alias: 'ninechars' }));
    expect(res.status).to.equal(400);
    expect(res.body[0].errorCode).to.equal('STRING_TOO_LONG');
  });

  it('deactivates users instead of deleting them', async () => {
    const userId = await createUser('Standard User');
    const del = await api.del<ErrorBody>(`/sobjects/User/${userId}`);
    expect(del.status).to.equal(400);
    expect(local.org.get('User', userId)).to.not.equal(undefined);
    expect((await api.patch(`/sobjects/User/${userId}`, { IsActive: false })).status).to.equal(204);
  });

  it('refuses an active user beyond the licence count (LICENSE_LIMIT_EXCEEDED) and frees a seat on deactivation', async () => {
    const licence = local.org.query('UserLicense', (l) => l.Name === 'Salesforce Integration')[0];
    const total = Number(licence.TotalLicenses);
    const ids: string[] = [];
    for (let i = Number(licence.UsedLicenses ?? 0); i < total; i++) ids.push(await createUser(integrationProfile));
    expect(local.org.get('UserLicense', licence.Id)!.UsedLicenses).to.equal(total);
    const over = await api.post<ErrorBody>('/sobjects/User', userBody(local, integrationProfile));
    expect(over.status).to.equal(400);
    expect(over.body[0]).to.include({ errorCode: 'LICENSE_LIMIT_EXCEEDED' });
    await api.patch(`/sobjects/User/${ids[0]}`, { IsActive: false });
    expect((await api.post('/sobjects/User', userBody(local, integrationProfile))).status).to.equal(201);
  });

  it('refuses a second permission set with the same Name', async () => {
    expect((await api.post('/sobjects/PermissionSet', { Name: 'Same_Name', Label: 'One' })).status).to.equal(201);
    const again = await api.post<ErrorBody>('/sobjects/PermissionSet', { Name: 'Same_Name', Label: 'Two' });
    expect(again.status).to.equal(400);
    expect(again.body[0].errorCode).to.equal('DUPLICATE_DEVELOPER_NAME');
  });

  it('refuses to enable a permission without what it depends on, and to remove what another depends on', async () => {
    const add = await api.post<ErrorBody>('/sobjects/PermissionSet', { Name: 'Meta', Label: 'Meta', PermissionsModifyMetadata: true });
    expect(add.status).to.equal(400);
    expect(add.body[0].message).to.equal('Permission ModifyMetadata depends on permission(s): ViewSetup');
    const ok = await api.post<{ id: string }>('/sobjects/PermissionSet', {
      Name: 'Meta',
      Label: 'Meta',
      PermissionsModifyMetadata: true,
      PermissionsViewSetup: true,
    });
    expect(ok.status).to.equal(201);
    const remove = await api.patch<ErrorBody>(`/sobjects/PermissionSet/${ok.body.id}`, { PermissionsViewSetup: false });
    expect(remove.body[0].message).to.equal('Permission ModifyMetadata depends on permission(s): ViewSetup');
    expect((await api.patch(`/sobjects/PermissionSet/${ok.body.id}`, { PermissionsModifyMetadata: false })).status).to.equal(204);
    expect((await api.patch(`/sobjects/PermissionSet/${ok.body.id}`, { PermissionsViewSetup: false })).status).to.equal(204);
  });

  it('refuses an object permission whose flags lack what they depend on', async () => {
    const ps = local.org.insert('PermissionSet', { Name: 'Rows', Label: 'Rows' });
    const res = await api.post<ErrorBody>('/sobjects/ObjectPermissions', { ParentId: ps.Id, SobjectType: 'Lead', PermissionsDelete: true, PermissionsRead: true });
    expect(res.status).to.equal(400);
    expect(res.body[0].message).to.equal('Permission Delete depends on permission(s): Edit');
  });
});
