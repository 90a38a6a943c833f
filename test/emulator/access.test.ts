/* eslint-disable camelcase -- Salesforce API names (Lead__c...) are used as they are */
/*
 * Per-user access enforcement in the local org: each request runs as its token's user with the union of the
 * profile's and the assigned permission sets (minus muting). Behaviour follows Salesforce Help "Object Permissions",
 * "Field-Level Security", "Permission Set Groups" / "Muting Permission Sets", the REST API Developer Guide "Status
 * Codes and Error Responses", and the Object Reference pages for PermissionSet, ObjectPermissions, FieldPermissions.
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { startLocalOrg, type LocalOrg } from '../../emulator/index.js';
import { apiFor, type Api, type ErrorBody, type QueryResult } from './http.js';
import { connect, deploy, objectXml, permissionSetXml, problemsOf, type ObjectPerm, type FieldPerm } from './metadata-client.js';

type Describe = { fields: Array<{ name: string }> };

export function newUser(local: LocalOrg, profileName: string, fields: Record<string, unknown> = {}): string {
  const profile = local.org.query('Profile', (p) => p.Name === profileName)[0];
  const alias = randomUUID().slice(0, 8);
  return local.org.insert('User', {
    Username: `${alias}@access.example.test`,
    Email: `${alias}@access.example.test`,
    LastName: 'Tester',
    Alias: alias,
    TimeZoneSidKey: 'GMT',
    LocaleSidKey: 'en_US',
    EmailEncodingKey: 'UTF-8',
    LanguageLocaleKey: 'en_US',
    ProfileId: profile.Id,
    ...fields,
  }).Id;
}

/** An integration user (Salesforce Integration licence) holding the PSL and only the permission set `setName`. */
async function integrationUserWith(
  local: LocalOrg,
  setName: string,
  perms: { objects?: ObjectPerm[]; fields?: FieldPerm[]; users?: string[] }
): Promise<{ userId: string; api: Api; setId: string }> {
  const userId = newUser(local, 'Minimum Access - API Only Integrations');
  const psl = local.org.query('PermissionSetLicense', (l) => l.DeveloperName === 'SalesforceAPIIntegrationPsl')[0];
  local.org.insert('PermissionSetLicenseAssign', { AssigneeId: userId, PermissionSetLicenseId: psl.Id });
  const result = await deploy(await connect(local), { [`permissionsets/${setName}.permissionset`]: permissionSetXml(perms) });
  expect(result.status, problemsOf(result).join()).to.equal('Succeeded');
  const setId = local.org.query('PermissionSet', (p) => p.Name === setName)[0].Id;
  local.org.insert('PermissionSetAssignment', { AssigneeId: userId, PermissionSetId: setId });
  return { userId, api: apiFor(local, local.tokenFor(userId)), setId };
}

const q = (soql: string): string => `/query?q=${encodeURIComponent(soql)}`;

describe('local org access enforcement', () => {
  let local: LocalOrg;
  beforeEach(async () => {
    local = await startLocalOrg({ deployStepMs: 5 });
  });
  afterEach(async () => local.stop());

  describe('a user with only a test permission set does exactly what it allows', () => {
    let user: { userId: string; api: Api; setId: string };
    beforeEach(async () => {
      user = await integrationUserWith(local, 'Lead_Writer', {
        objects: [{ object: 'Lead', read: true, create: true, edit: true }],
        fields: [
          { field: 'Lead.Email', read: true, edit: true },
          { field: 'Lead.Phone', read: true },
        ],
      });
    });

    it('creates and reads Leads with the fields it can see', async () => {
      const created = await user.api.post<{ id: string }>('/sobjects/Lead', { LastName: 'Ada', Company: 'Acme', Email: 'ada@acme.test' });
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      const read = await user.api.get<QueryResult>(q(`SELECT Id, LastName, Email, Phone FROM Lead WHERE Id = '${created.body.id}'`));
      expect(read.status).to.equal(200);
      expect(read.body.records[0]).to.include({ LastName: 'Ada', Email: 'ada@acme.test', Phone: null });
    });

    it('does not see a field without read access: describe omits it, SOQL says INVALID_FIELD, writes are refused', async () => {
      const describe = await user.api.get<Describe>('/sobjects/Lead/describe');
      const names = describe.body.fields.map((f) => f.name);
      expect(names).to.include.members(['Email', 'Phone', 'LastName', 'Company']);
      expect(names).to.not.include('Title');
      const query = await user.api.get<ErrorBody>(q('SELECT Id, Title FROM Lead'));
      expect(query.status).to.equal(400);
      expect(query.body[0].errorCode).to.equal('INVALID_FIELD');
      const write = await user.api.post<ErrorBody>('/sobjects/Lead', { LastName: 'X', Company: 'Y', Title: 'CEO' });
      expect(write.status).to.equal(400);
      expect(write.body[0].errorCode).to.equal('INVALID_FIELD');
    });

    it('refuses to write a field it can only read', async () => {
      const write = await user.api.post<ErrorBody>('/sobjects/Lead', { LastName: 'X', Company: 'Y', Phone: '123' });
      expect(write.status).to.equal(400);
      expect(write.body[0]).to.include({ errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE' });
      expect(write.body[0].message).to.include('Unable to create/update fields: Phone');
    });

    it('refuses to delete a Lead (no Delete) with INSUFFICIENT_ACCESS_OR_READONLY', async () => {
      const lead = local.org.insert('Lead', { LastName: 'Del', Company: 'Acme' });
      const res = await user.api.del<ErrorBody>(`/sobjects/Lead/${lead.Id}`);
      expect(res.body[0].errorCode).to.equal('INSUFFICIENT_ACCESS_OR_READONLY');
      expect(local.org.get('Lead', lead.Id)).to.not.equal(undefined);
    });

    it('does not see objects it has no access to (INVALID_TYPE), nor setup objects without View Setup', async () => {
      for (const soql of ['SELECT Id FROM Contact', 'SELECT Id FROM Account', 'SELECT Id FROM PermissionSet', 'SELECT Id FROM ObjectPermissions']) {
        const res = await user.api.get<ErrorBody>(q(soql));
        expect(res.status, soql).to.equal(400);
        expect(res.body[0].errorCode, soql).to.equal('INVALID_TYPE');
      }
      const create = await user.api.post<ErrorBody>('/sobjects/Contact', { LastName: 'C' });
      expect(create.status).to.be.oneOf([400, 404]);
    });

    it('cannot use the Metadata API without Modify Metadata', async () => {
      const conn = await connect(local, local.tokenFor(user.userId));
      let error: Error | undefined;
      try {
        await conn.metadata.list([{ type: 'PermissionSet' }]);
      } catch (e) {
        error = e as Error;
      }
      expect(error?.message).to.include('use of the Metadata API requires a user with the ModifyAllData or ModifyMetadata permissions');
    });

    it('loses Create on the next request after the ObjectPermissions row is PATCHed', async () => {
      const admin = apiFor(local);
      const row = local.org.query('ObjectPermissions', (r) => r.ParentId === user.setId && r.SobjectType === 'Lead')[0];
      expect((await user.api.post('/sobjects/Lead', { LastName: 'A', Company: 'B' })).status).to.equal(201);
      expect((await admin.patch(`/sobjects/ObjectPermissions/${row.Id}`, { PermissionsCreate: false })).status).to.equal(204);
      const refused = await user.api.post<ErrorBody>('/sobjects/Lead', { LastName: 'A', Company: 'B' });
      expect(refused.body[0].errorCode).to.equal('INSUFFICIENT_ACCESS_OR_READONLY');
    });

    it('loses a field on the next request after its FieldPermissions row is deleted', async () => {
      const admin = apiFor(local);
      expect((await user.api.get(q('SELECT Email FROM Lead'))).status).to.equal(200);
      const row = local.org.query('FieldPermissions', (r) => r.ParentId === user.setId && r.Field === 'Lead.Email')[0];
      expect((await admin.del(`/sobjects/FieldPermissions/${row.Id}`)).status).to.equal(204);
      const after = await user.api.get<ErrorBody>(q('SELECT Email FROM Lead'));
      expect(after.body[0].errorCode).to.equal('INVALID_FIELD');
    });

    it('loses the object on the next request after a redeploy of the set without it', async () => {
      expect((await user.api.get(q('SELECT Id FROM Lead'))).status).to.equal(200);
      await deploy(await connect(local), { 'permissionsets/Lead_Writer.permissionset': permissionSetXml({ objects: [] }) });
      const after = await user.api.get<ErrorBody>(q('SELECT Id FROM Lead'));
      expect(after.body[0].errorCode).to.equal('INVALID_TYPE');
    });

    it('is refused the API once API Enabled is removed from its profile (API_DISABLED_FOR_ORG)', async () => {
      const profileId = local.org.get('User', user.userId)!.ProfileId;
      const profileSet = local.org.query('PermissionSet', (p) => p.IsOwnedByProfile === true && p.ProfileId === profileId)[0];
      expect((await apiFor(local).patch(`/sobjects/PermissionSet/${profileSet.Id}`, { PermissionsApiEnabled: false })).status).to.equal(204);
      const res = await user.api.get<ErrorBody>(q('SELECT Id FROM Lead'));
      expect(res.status).to.equal(403);
      expect(res.body[0]).to.deep.include({ errorCode: 'API_DISABLED_FOR_ORG', message: 'The REST API is not enabled for this Organization.' });
    });
  });

  it('refuses a lookup to a record of an object the user cannot read (INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY)', async () => {
    const admin = await connect(local);
    await deploy(admin, {
      'objects/Widget__c.object': objectXml({}, [
        { fullName: 'Lead__c', label: 'Lead', type: 'Lookup', referenceTo: 'Lead', relationshipName: 'Widgets' },
      ]),
    });
    const user = await integrationUserWith(local, 'Widget_Writer', {
      objects: [{ object: 'Widget__c', read: true, create: true, edit: true }],
      fields: [{ field: 'Widget__c.Lead__c', read: true, edit: true }],
    });
    const lead = local.org.insert('Lead', { LastName: 'Hidden', Company: 'Acme' });
    const res = await user.api.post<ErrorBody>('/sobjects/Widget__c', { Name: 'W', Lead__c: lead.Id });
    expect(res.status).to.equal(400);
    expect(res.body[0]).to.deep.include({
      errorCode: 'INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY',
      message: `insufficient access rights on cross-reference id: ${lead.Id}`,
    });
    expect((await user.api.post('/sobjects/Widget__c', { Name: 'W' })).status).to.equal(201);
  });

  it('gives View All Data read access to every object, and View Setup to setup objects', async () => {
    const user = await integrationUserWith(local, 'Reader', {
      users: [
        'ApiEnabled',
        'ViewSetup',
        'ViewAllData',
        'ViewEventLogFiles',
        'ViewPublicDashboards',
        'ViewPublicReports',
        'ViewPlatformEvents',
        'ViewDataLeakageEvents',
      ],
    });
    for (const soql of ['SELECT Id FROM Contact', 'SELECT Id FROM Account', 'SELECT Id, Name FROM PermissionSet']) {
      expect((await user.api.get(q(soql))).status, soql).to.equal(200);
    }
    const create = await user.api.post<ErrorBody>('/sobjects/Account', { Name: 'No' });
    expect(create.body[0].errorCode).to.equal('INSUFFICIENT_ACCESS_OR_READONLY');
  });

  it('applies a permission set group minus its muting permission set', async () => {
    const userId = newUser(local, 'Standard User');
    const api = apiFor(local, local.tokenFor(userId));
    const { org } = local;
    const setup = org.insert('PermissionSet', { Name: 'Setup_Viewer', Label: 'Setup Viewer', PermissionsViewSetup: true, PermissionsViewAllUsers: true });
    const group = org.insert('PermissionSetGroup', { DeveloperName: 'Admins_Lite', MasterLabel: 'Admins Lite' });
    org.insert('PermissionSetGroupComponent', { PermissionSetGroupId: group.Id, PermissionSetId: setup.Id });
    org.insert('PermissionSetAssignment', { AssigneeId: userId, PermissionSetGroupId: group.Id });
    expect((await api.get(q('SELECT Id FROM PermissionSet'))).status).to.equal(200);

    const muting = org.insert('MutingPermissionSet', { DeveloperName: 'No_Setup', MasterLabel: 'No Setup', PermissionsViewSetup: true });
    org.insert('PermissionSetGroupComponent', { PermissionSetGroupId: group.Id, PermissionSetId: muting.Id });
    const after = await api.get<ErrorBody>(q('SELECT Id FROM PermissionSet'));
    expect(after.body[0].errorCode).to.equal('INVALID_TYPE');
  });
});
