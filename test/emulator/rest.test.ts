/*
 * Conformance of the local org's REST data API with the REST API Developer Guide: versions, resources, userinfo,
 * authentication, describe, sObject rows, validation errors, upsert by external id, query paging and limits.
 */
// Salesforce API names (Instruqt_Id__c, user_id) are not camelCase.
/* eslint-disable camelcase */
import { expect } from 'chai';
import { startLocalOrg, type LocalOrg } from '../../emulator/index.js';
import { SalesforceError, type AccessPolicy } from '../../emulator/core/types.js';
import { field, object } from '../../emulator/schema/fields.js';
import { apiFor, type Api, type ErrorBody, type QueryResult, type SaveResult } from './http.js';

describe('local org REST data API', () => {
  let local: LocalOrg;
  let api: Api;

  before(async () => {
    local = await startLocalOrg();
    api = apiFor(local);
  });
  after(() => local.stop());

  describe('REST API Developer Guide: Versions and Resources by Version', () => {
    it('lists versions up to the newest served, without authentication, even on a // path', async () => {
      const res = await fetch(`${local.instanceUrl}//services/data`);
      expect(res.status).to.equal(200);
      expect(res.headers.get('content-type')).to.match(/^application\/json/);
      const body = (await res.json()) as Array<{ version: string; url: string; label: string }>;
      expect(body.at(-1)).to.deep.equal({ label: "Winter '26", url: '/services/data/v65.0', version: '65.0' });
      expect(body.map((v) => v.version)).to.include('51.0');
    });

    it('lists the resources of a version', async () => {
      const res = await api.get<Record<string, string>>('/services/data/v65.0');
      expect(res.status).to.equal(200);
      expect(res.body.sobjects).to.equal('/services/data/v65.0/sobjects');
      expect(res.body.query).to.equal('/services/data/v65.0/query');
    });

    it('answers 404 NOT_FOUND for a version newer than the org serves', async () => {
      const res = await api.get<ErrorBody>('/services/data/v99.0/sobjects');
      expect(res.status).to.equal(404);
      expect(res.body[0].errorCode).to.equal('NOT_FOUND');
    });
  });

  describe('REST API Developer Guide: Authorization through OAuth 2.0 (session ids)', () => {
    it('refuses a missing or unknown token with 401 INVALID_SESSION_ID', async () => {
      for (const token of [undefined, 'bogus']) {
        const res = await fetch(`${local.instanceUrl}/services/data/v65.0/sobjects`, {
          headers: token ? { Authorization: `Bearer ${token}` } : {},
        });
        expect(res.status).to.equal(401);
        expect(await res.json()).to.deep.equal([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID', fields: [] }]);
      }
    });

    it('issues tokens in the <org id>!<session> shape the sf CLI accepts', () => {
      expect(local.adminToken).to.match(/^00D\w{12,15}![.\w]*$/);
      expect(local.adminToken.slice(0, 15)).to.equal(local.orgId.slice(0, 15));
    });

    it('stops accepting the token of a deactivated user', async () => {
      const user = local.org.insert('User', {
        Username: `deact-${Date.now()}@example.com`,
        Email: 'deact@example.com',
        LastName: 'Gone',
        Alias: 'gone',
        TimeZoneSidKey: 'GMT',
        LocaleSidKey: 'en_US',
        EmailEncodingKey: 'UTF-8',
        LanguageLocaleKey: 'en_US',
        ProfileId: local.org.query('Profile', (p) => p.Name === 'Standard User')[0].Id,
      });
      const token = local.tokenFor(user.Id);
      expect((await apiFor(local, token).get('/limits')).status).to.equal(200);
      local.org.update('User', user.Id, { IsActive: false });
      expect((await apiFor(local, token).get('/limits')).status).to.equal(401);
    });
  });

  describe('OpenID Connect: UserInfo endpoint', () => {
    it('says who the token belongs to', async () => {
      const res = await api.get<Record<string, unknown>>('/services/oauth2/userinfo');
      expect(res.status).to.equal(200);
      expect(res.body).to.include({
        user_id: local.adminUserId,
        organization_id: local.orgId,
        preferred_username: local.adminUsername,
        email: local.adminUsername,
      });
    });
  });

  describe('REST API Developer Guide: Describe Global and sObject Describe', () => {
    it('lists standard objects with their key prefixes', async () => {
      const res = await api.get<{ sobjects: Array<{ name: string; keyPrefix: string; queryable: boolean }> }>('/sobjects');
      const prefixes = Object.fromEntries(res.body.sobjects.map((s) => [s.name, s.keyPrefix]));
      expect(prefixes).to.include({
        Account: '001',
        Contact: '003',
        User: '005',
        Opportunity: '006',
        Lead: '00Q',
        Task: '00T',
        Event: '00U',
        Profile: '00e',
        PermissionSet: '0PS',
        PermissionSetAssignment: '0Pa',
        PermissionSetLicense: '0PL',
        FeedItem: '0D5',
        PermissionSetGroup: '0PG',
      });
    });

    it('describes Lead with required fields and the Status picklist fed by LeadStatus', async () => {
      type F = { name: string; nillable: boolean; createable: boolean; defaultedOnCreate: boolean; type: string; restrictedPicklist: boolean; picklistValues: Array<{ value: string; defaultValue: boolean }>; length: number };
      const res = await api.get<{ name: string; keyPrefix: string; fields: F[]; childRelationships: Array<{ childSObject: string; field: string }> }>('/sobjects/Lead/describe');
      expect(res.status).to.equal(200);
      const byName = Object.fromEntries(res.body.fields.map((f) => [f.name, f]));
      expect(byName.LastName).to.include({ nillable: false, createable: true, type: 'string', length: 80 });
      expect(byName.Company).to.include({ nillable: false, createable: true });
      expect(byName.Status).to.include({ type: 'picklist', restrictedPicklist: true, defaultedOnCreate: true });
      expect(byName.Status.picklistValues.map((v) => v.value)).to.deep.equal([
        'Open - Not Contacted',
        'Working - Contacted',
        'Closed - Converted',
        'Closed - Not Converted',
      ]);
      expect(byName.Status.picklistValues.find((v) => v.defaultValue)?.value).to.equal('Open - Not Contacted');
      expect(byName.ConvertedContactId).to.include({ type: 'reference', createable: false });
    });

    it('lists child relationships (Account.Contacts)', async () => {
      const res = await api.get<{ childRelationships: Array<{ childSObject: string; field: string; relationshipName: string | null }> }>('/sobjects/Account/describe');
      expect(res.body.childRelationships).to.deep.include({
        cascadeDelete: false,
        childSObject: 'Contact',
        deprecatedAndHidden: false,
        field: 'AccountId',
        junctionIdListNames: [],
        junctionReferenceTo: [],
        relationshipName: 'Contacts',
        restrictedDelete: false,
      });
    });

    it('answers NOT_FOUND for an unknown object', async () => {
      const res = await api.get<ErrorBody>('/sobjects/Nope__c/describe');
      expect(res.status).to.equal(404);
      expect(res.body[0].errorCode).to.equal('NOT_FOUND');
    });
  });

  describe('REST API Developer Guide: sObject Rows', () => {
    it('creates, reads (18-char id, also by 15-char id), updates and deletes a Lead', async () => {
      const created = await api.post<SaveResult>('/sobjects/Lead', { LastName: 'Lovelace', Company: 'Engines', Email: 'ada@example.com' });
      expect(created.status).to.equal(201);
      expect(created.body.success).to.equal(true);
      const id = created.body.id!;
      expect(id).to.have.length(18).and.match(/^00Q/);

      const read = await api.get<Record<string, unknown>>(`/sobjects/Lead/${id.slice(0, 15)}?fields=Id,Name,Status,OwnerId,CreatedById,CreatedDate`);
      expect(read.status).to.equal(200);
      expect(read.body).to.deep.include({
        attributes: { type: 'Lead', url: `/services/data/v65.0/sobjects/Lead/${id}` },
        Id: id,
        Name: 'Lovelace',
        Status: 'Open - Not Contacted',
        OwnerId: local.adminUserId,
        CreatedById: local.adminUserId,
      });
      expect(read.body.CreatedDate).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);

      const updated = await api.patch(`/sobjects/Lead/${id}`, { FirstName: 'Ada', Title: 'Countess' });
      expect(updated.status).to.equal(204);
      expect(local.org.get('Lead', id)).to.include({ Name: 'Ada Lovelace', Title: 'Countess' });

      expect((await api.del(`/sobjects/Lead/${id}`)).status).to.equal(204);
      const gone = await api.get<ErrorBody>(`/sobjects/Lead/${id}`);
      expect(gone.status).to.equal(404);
    });

    it('returns every readable field when ?fields= is absent, nulls included', async () => {
      const { body } = await api.post<SaveResult>('/sobjects/Contact', { LastName: 'Hopper' });
      const read = await api.get<Record<string, unknown>>(`/sobjects/Contact/${body.id}`);
      expect(read.body).to.include({ LastName: 'Hopper', FirstName: null, IsDeleted: false });
    });

    it('answers NOT_FOUND for a well-formed id that does not exist', async () => {
      const res = await api.get<ErrorBody>('/sobjects/Lead/00Q000000000000EAA');
      expect(res.status).to.equal(404);
      expect(res.body[0].errorCode).to.equal('NOT_FOUND');
    });
  });

  describe('Error codes of the SOAP API Developer Guide: StatusCode, as REST returns them', () => {
    const refusal = async (path: string, body: unknown, method = 'POST'): Promise<ErrorBody[number]> => {
      const res = await api.call<ErrorBody>(method, path, body);
      expect(res.status, JSON.stringify(res.body)).to.equal(400);
      return res.body[0];
    };

    it('REQUIRED_FIELD_MISSING lists every missing required field', async () => {
      expect(await refusal('/sobjects/Lead', { FirstName: 'A' })).to.deep.equal({
        message: 'Required fields are missing: [LastName, Company]',
        errorCode: 'REQUIRED_FIELD_MISSING',
        fields: ['LastName', 'Company'],
      });
    });

    it('STRING_TOO_LONG names the field and its maximum length', async () => {
      const err = await refusal('/sobjects/Lead', { LastName: 'x'.repeat(81), Company: 'C' });
      expect(err.errorCode).to.equal('STRING_TOO_LONG');
      expect(err.message).to.match(/^Last Name: data value too large: x+ \(max length=80\)$/);
      expect(err.fields).to.deep.equal(['LastName']);
    });

    it('INVALID_FIELD for a field the object does not have', async () => {
      expect(await refusal('/sobjects/Lead', { LastName: 'A', Company: 'C', Shoe_Size__c: 42 })).to.deep.equal({
        message: "No such column 'Shoe_Size__c' on sobject of type Lead",
        errorCode: 'INVALID_FIELD',
        fields: ['Shoe_Size__c'],
      });
    });

    it('INVALID_TYPE for an unknown object in a collection', async () => {
      const res = await api.post<Array<{ errors: Array<{ statusCode: string }> }>>('/composite/sobjects', {
        records: [{ attributes: { type: 'Nope__c' }, Name: 'x' }],
      });
      expect(res.body[0].errors[0].statusCode).to.equal('INVALID_TYPE');
    });

    it('MALFORMED_ID for a lookup value that is not an id', async () => {
      expect(await refusal('/sobjects/Contact', { LastName: 'A', AccountId: 'not-an-id' })).to.deep.equal({
        message: 'Account ID: id value of incorrect type: not-an-id',
        errorCode: 'MALFORMED_ID',
        fields: ['AccountId'],
      });
    });

    it('FIELD_INTEGRITY_EXCEPTION for a lookup to the wrong kind of record', async () => {
      const lead = local.org.insert('Lead', { LastName: 'L', Company: 'C' });
      expect(await refusal('/sobjects/Contact', { LastName: 'A', AccountId: lead.Id })).to.deep.equal({
        message: `Account ID: id value of incorrect type: ${lead.Id}`,
        errorCode: 'FIELD_INTEGRITY_EXCEPTION',
        fields: ['AccountId'],
      });
    });

    it('INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY for a lookup to a record that does not exist', async () => {
      const err = await refusal('/sobjects/Contact', { LastName: 'A', AccountId: '001000000000000AAA' });
      expect(err.errorCode).to.equal('INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY');
    });

    it('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST for a Lead Status that is not a LeadStatus', async () => {
      expect(await refusal('/sobjects/Lead', { LastName: 'A', Company: 'C', Status: 'Hot' })).to.deep.equal({
        message: 'Lead Status: bad value for restricted picklist field: Hot',
        errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
        fields: ['Status'],
      });
    });

    it('DUPLICATE_VALUE on a unique field, case-insensitively', async () => {
      local.org.defineField('Lead', field('Play_Key__c', 'string', { length: 80, unique: true, externalId: true }));
      const first = local.org.insert('Lead', { LastName: 'A', Company: 'C', Play_Key__c: 'abc' });
      const err = await refusal('/sobjects/Lead', { LastName: 'B', Company: 'C', Play_Key__c: 'ABC' });
      expect(err).to.deep.equal({
        message: `duplicate value found: Play_Key__c duplicates value on record with id: ${first.Id}`,
        errorCode: 'DUPLICATE_VALUE',
        fields: [],
      });
    });

    it('INVALID_FIELD_FOR_INSERT_UPDATE for a read-only field', async () => {
      const err = await refusal('/sobjects/Lead', { LastName: 'A', Company: 'C', CreatedDate: '2020-01-01T00:00:00Z' });
      expect(err.errorCode).to.equal('INVALID_FIELD_FOR_INSERT_UPDATE');
      expect(err.fields).to.deep.equal(['CreatedDate']);
    });

    it('JSON_PARSER_ERROR for a body that is not JSON', async () => {
      const err = await refusal('/sobjects/Lead', '{nope');
      expect(err.errorCode).to.equal('JSON_PARSER_ERROR');
    });
  });

  describe('REST API Developer Guide: Insert or Update (Upsert) a Record Using an External ID', () => {
    before(() => {
      local.org.defineField('Contact', field('Instruqt_Id__c', 'string', { length: 80, externalId: true }));
    });

    it('creates (201), then updates (200) the record with that external id', async () => {
      const first = await api.patch<SaveResult>('/sobjects/Contact/Instruqt_Id__c/u-1', { LastName: 'Turing' });
      expect(first.status).to.equal(201);
      expect(first.body).to.include({ success: true, created: true });
      const second = await api.patch<SaveResult>('/sobjects/Contact/Instruqt_Id__c/u-1', { Title: 'Mathematician' });
      expect(second.status).to.equal(200);
      expect(second.body).to.deep.equal({ id: first.body.id, success: true, errors: [], created: false });
      expect(local.org.get('Contact', first.body.id!)).to.include({ LastName: 'Turing', Title: 'Mathematician', Instruqt_Id__c: 'u-1' });
    });

    it('answers 300 with the matching records when several share the external id', async () => {
      local.org.insert('Contact', { LastName: 'One', Instruqt_Id__c: 'dup' });
      local.org.insert('Contact', { LastName: 'Two', Instruqt_Id__c: 'dup' });
      const res = await api.patch<string[]>('/sobjects/Contact/Instruqt_Id__c/dup', { Title: 'x' });
      expect(res.status).to.equal(300);
      expect(res.body).to.have.length(2);
      expect(res.body[0]).to.match(/^\/services\/data\/v65\.0\/sobjects\/Contact\/003/);
    });

    it('answers NOT_FOUND for a field that is not an external id', async () => {
      const res = await api.patch<ErrorBody>('/sobjects/Contact/Title/x', { LastName: 'x' });
      expect(res.status).to.equal(404);
      expect(res.body[0].message).to.equal('Provided external ID field does not exist or is not accessible: Title');
    });
  });

  describe('Object Reference: lookup relationships (deleteConstraint SetNull)', () => {
    it('clears lookups to a deleted record', async () => {
      const account = local.org.insert('Account', { Name: 'Acme' });
      const contact = local.org.insert('Contact', { LastName: 'Coyote', AccountId: account.Id });
      expect((await api.del(`/sobjects/Account/${account.Id}`)).status).to.equal(204);
      expect(local.org.get('Contact', contact.Id)?.AccountId).to.equal(null);
    });
  });

  describe('REST API Developer Guide: Execute a SOQL Query (query, queryMore, queryAll)', () => {
    before(() => {
      local.org.transaction(() => {
        for (let i = 0; i < 4500; i++) local.org.insert('Account', { Name: `Paged ${String(i).padStart(4, '0')}` });
      });
    });

    it('pages results in batches of 2,000 behind nextRecordsUrl', async () => {
      const first = await api.get<QueryResult>(`/query?q=${encodeURIComponent("SELECT Id, Name FROM Account WHERE Name LIKE 'Paged%'")}`);
      expect(first.status).to.equal(200);
      expect(first.body).to.include({ totalSize: 4500, done: false });
      expect(first.body.records).to.have.length(2000);
      expect(first.body.nextRecordsUrl).to.match(/^\/services\/data\/v65\.0\/query\/01g\w+-2000$/);
      const second = await api.get<QueryResult>(first.body.nextRecordsUrl!);
      expect(second.body.records).to.have.length(2000);
      const third = await api.get<QueryResult>(second.body.nextRecordsUrl!);
      expect(third.body).to.include({ done: true });
      expect(third.body.records).to.have.length(500);
      expect(third.body.nextRecordsUrl).to.equal(undefined);
    });

    it('honours Sforce-Query-Options batchSize', async () => {
      const res = await api.call<QueryResult>('GET', `/query?q=${encodeURIComponent("SELECT Id FROM Account WHERE Name LIKE 'Paged%'")}`, undefined, {
        'Sforce-Query-Options': 'batchSize=500',
      });
      expect(res.body.records).to.have.length(500);
    });

    it('includes deleted records only in queryAll', async () => {
      const lead = local.org.insert('Lead', { LastName: 'Deleted', Company: 'QA' });
      local.org.delete('Lead', lead.Id);
      const q = encodeURIComponent(`SELECT Id, IsDeleted FROM Lead WHERE Id = '${lead.Id}'`);
      expect((await api.get<QueryResult>(`/query?q=${q}`)).body.totalSize).to.equal(0);
      const all = await api.get<QueryResult>(`/queryAll?q=${q}`);
      expect(all.body.records[0]).to.include({ Id: lead.Id, IsDeleted: true });
    });

    it('answers columns=true with column metadata (as sf data query asks)', async () => {
      const res = await api.get<{ entityName: string; columnMetadata: Array<{ columnName: string }> }>(
        `/query?q=${encodeURIComponent('SELECT Id, Name, Profile.Name FROM User')}&columns=true`
      );
      expect(res.body.entityName).to.equal('User');
      expect(res.body.columnMetadata.map((c) => c.columnName)).to.deep.equal(['Id', 'Name', 'Profile']);
    });

    it('refuses an invalid query locator', async () => {
      const res = await api.get<ErrorBody>('/query/01gXXXXXXXXXXXXXXX-2000');
      expect(res.status).to.equal(400);
      expect(res.body[0].errorCode).to.equal('INVALID_QUERY_LOCATOR');
    });

    it('answers the Tooling SandboxProcess probe of sf org login with no records', async () => {
      const res = await api.get<QueryResult>(`/tooling/query?q=${encodeURIComponent('SELECT Id FROM SandboxProcess')}`);
      expect(res.status).to.equal(200);
      expect(res.body).to.include({ totalSize: 0, done: true });
    });
  });

  describe('Metadata API Developer Guide: deployment of new objects (activation delay)', () => {
    it('treats a custom object as absent until its activation time, then serves it', async () => {
      const def = object('Later__c', local.org.newKeyPrefix(), [field('Name', 'string', { nameField: true })]);
      local.org.defineObject({ ...def, activeAt: Date.now() + 60_000 });
      expect((await api.get('/sobjects/Later__c/describe')).status).to.equal(404);
      expect((await api.post('/sobjects/Later__c', { Name: 'x' })).status).to.equal(404);
      const global = await api.get<{ sobjects: Array<{ name: string }> }>('/sobjects');
      expect(global.body.sobjects.map((o) => o.name)).not.to.include('Later__c');
      local.org.defineObject({ ...local.org.getObject('Later__c')!, activeAt: Date.now() - 1 });
      expect((await api.post('/sobjects/Later__c', { Name: 'x' })).status).to.equal(201);
    });
  });

  describe('Salesforce Security Guide: object and field permissions, as the REST API enforces them', () => {
    let saved: AccessPolicy;
    before(() => {
      saved = local.org.access;
      // A user who may read Leads but not create them, and who cannot see Lead.Email nor edit Lead.Title.
      local.org.access = {
        checkApi: (p): void => saved.checkApi(p),
        hasPermission: (p, name): boolean => saved.hasPermission(p, name),
        objectVisible: (p, o): boolean => o !== 'Opportunity' || p.userId !== local.adminUserId,
        checkObject: (p, o, op): void => {
          if (o === 'Lead' && op === 'create') {
            throw new SalesforceError('INSUFFICIENT_ACCESS_OR_READONLY', 'insufficient access rights on object id', [], 400);
          }
        },
        fieldReadable: (p, o, f): boolean => !(o === 'Lead' && f === 'Email'),
        fieldEditable: (p, o, f): boolean => !(o === 'Lead' && (f === 'Email' || f === 'Title')),
      };
    });
    after(() => {
      local.org.access = saved;
    });

    it('refuses a create the user has no object permission for', async () => {
      const res = await api.post<ErrorBody>('/sobjects/Lead', { LastName: 'A', Company: 'C' });
      expect(res.status).to.equal(400);
      expect(res.body[0].errorCode).to.equal('INSUFFICIENT_ACCESS_OR_READONLY');
    });

    it('leaves unreadable fields out of records and describe, and refuses them in ?fields=', async () => {
      const lead = local.org.insert('Lead', { LastName: 'Fls', Company: 'C', Email: 'fls@example.com' });
      const read = await api.get<Record<string, unknown>>(`/sobjects/Lead/${lead.Id}`);
      expect(read.body).to.include({ LastName: 'Fls' });
      expect(read.body).not.to.have.property('Email');
      const describe = await api.get<{ fields: Array<{ name: string; updateable: boolean }> }>('/sobjects/Lead/describe');
      expect(describe.body.fields.map((f) => f.name)).not.to.include('Email');
      expect(describe.body.fields.find((f) => f.name === 'Title')?.updateable).to.equal(false);
      expect((await api.get<ErrorBody>(`/sobjects/Lead/${lead.Id}?fields=Email`)).body[0].errorCode).to.equal('INVALID_FIELD');
    });

    it('refuses an update of a read-only field with INVALID_FIELD_FOR_INSERT_UPDATE', async () => {
      const lead = local.org.insert('Lead', { LastName: 'Ro', Company: 'C' });
      const res = await api.patch<ErrorBody>(`/sobjects/Lead/${lead.Id}`, { Title: 'CEO' });
      expect(res.body[0]).to.deep.include({ errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', fields: ['Title'] });
    });

    it('hides an invisible object from describeGlobal and its endpoints', async () => {
      const global = await api.get<{ sobjects: Array<{ name: string }> }>('/sobjects');
      expect(global.body.sobjects.map((o) => o.name)).not.to.include('Opportunity');
      expect((await api.get('/sobjects/Opportunity/describe')).status).to.equal(404);
    });
  });

  describe('REST API Developer Guide: Limits', () => {
    it('reports DailyApiRequests with what is left', async () => {
      const res = await api.get<{ DailyApiRequests: { Max: number; Remaining: number } }>('/limits');
      expect(res.body.DailyApiRequests.Max).to.equal(100_000);
      expect(res.body.DailyApiRequests.Remaining).to.equal(100_000 - local.apiCalls());
    });
  });
});
