/*
 * Conformance of sObject Collections and Composite with the REST API Developer Guide: per-record results with HTTP
 * 200, allOrNone rollback, the 200-record limit, mixed types, MIXED_DML_OPERATION, upsert by external id, retrieve,
 * and Composite subrequests with references.
 */
// Salesforce API names (Instruqt_Id__c, user_id) are not camelCase.
/* eslint-disable camelcase */
import { expect } from 'chai';
import { startLocalOrg, type LocalOrg } from '../../emulator/index.js';
import { field } from '../../emulator/schema/fields.js';
import { apiFor, type Api, type ErrorBody, type SaveResult } from './http.js';

type Composite = { compositeResponse: Array<{ body: unknown; httpStatusCode: number; referenceId: string; httpHeaders: Record<string, string> }> };

describe('local org sObject Collections and Composite', () => {
  let local: LocalOrg;
  let api: Api;

  before(async () => {
    local = await startLocalOrg();
    api = apiFor(local);
    local.org.defineField('Lead', field('Instruqt_Id__c', 'string', { length: 80, externalId: true, unique: true }));
  });
  after(() => local.stop());

  const leads = (n: number, prefix: string): Array<Record<string, unknown>> =>
    Array.from({ length: n }, (_, i) => ({ attributes: { type: 'Lead' }, LastName: `${prefix}${i}`, Company: 'Collections' }));

  describe('REST API Developer Guide: sObject Collections Create', () => {
    it('creates records of mixed types and answers one result per record, in order', async () => {
      const res = await api.post<SaveResult[]>('/composite/sobjects', {
        allOrNone: false,
        records: [
          { attributes: { type: 'Account' }, Name: 'Mixed Co' },
          { attributes: { type: 'Contact' }, LastName: 'Mixed' },
        ],
      });
      expect(res.status).to.equal(200);
      expect(res.body.map((r) => r.success)).to.deep.equal([true, true]);
      expect(res.body[0].id).to.match(/^001/);
      expect(res.body[1].id).to.match(/^003/);
      expect(res.body[0].errors).to.deep.equal([]);
    });

    it('keeps the valid records and reports the invalid one when allOrNone is false', async () => {
      const records = leads(3, 'partial');
      delete records[1].Company;
      const res = await api.post<SaveResult[]>('/composite/sobjects', { allOrNone: false, records });
      expect(res.body.map((r) => r.success)).to.deep.equal([true, false, true]);
      expect(res.body[1]).to.deep.equal({
        success: false,
        errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [Company]', fields: ['Company'] }],
      });
      expect(local.org.query('Lead', (r) => String(r.LastName).startsWith('partial'))).to.have.length(2);
    });

    it('rolls every record back with ALL_OR_NONE_OPERATION_ROLLED_BACK when allOrNone is true', async () => {
      const records = leads(3, 'aon');
      records[2].Status = 'Nope';
      const res = await api.post<SaveResult[]>('/composite/sobjects', { allOrNone: true, records });
      expect(res.status).to.equal(200);
      expect(res.body.map((r) => r.errors[0]?.statusCode)).to.deep.equal([
        'ALL_OR_NONE_OPERATION_ROLLED_BACK',
        'ALL_OR_NONE_OPERATION_ROLLED_BACK',
        'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
      ]);
      expect(res.body.every((r) => !r.success)).to.equal(true);
      expect(local.org.query('Lead', (r) => String(r.LastName).startsWith('aon'))).to.have.length(0);
    });

    it('accepts 200 records and refuses 201', async () => {
      const ok = await api.post<SaveResult[]>('/composite/sobjects', { records: leads(200, 'two-hundred') });
      expect(ok.body.filter((r) => r.success)).to.have.length(200);
      const tooMany = await api.post<ErrorBody>('/composite/sobjects', { records: leads(201, 'too-many') });
      expect(tooMany.status).to.equal(400);
      expect(tooMany.body[0].errorCode).to.equal('EXCEEDED_ID_LIMIT');
    });

    it('refuses setup and non-setup objects in one call with MIXED_DML_OPERATION', async () => {
      const res = await api.post<SaveResult[]>('/composite/sobjects', {
        records: [
          { attributes: { type: 'Lead' }, LastName: 'Mixed DML', Company: 'C' },
          { attributes: { type: 'PermissionSet' }, Name: 'Mixed_DML', Label: 'Mixed DML' },
        ],
      });
      expect(res.body[0].success).to.equal(true);
      expect(res.body[1].errors[0].statusCode).to.equal('MIXED_DML_OPERATION');
      expect(res.body[1].errors[0].message).to.equal(
        'DML operation on setup object is not permitted after you have updated a non-setup object (or vice versa): PermissionSet, original object: Lead'
      );
    });
  });

  describe('REST API Developer Guide: sObject Collections Update and Delete', () => {
    it('updates by Id and reports a missing Id and an unknown record per record', async () => {
      const lead = local.org.insert('Lead', { LastName: 'Upd', Company: 'C' });
      const res = await api.patch<SaveResult[]>('/composite/sobjects', {
        records: [
          { attributes: { type: 'Lead' }, Id: lead.Id, Title: 'Updated' },
          { attributes: { type: 'Lead' }, Title: 'no id' },
          { attributes: { type: 'Lead' }, Id: '00Q000000000000EAA', Title: 'nobody' },
        ],
      });
      expect(res.body[0]).to.deep.equal({ id: lead.Id, success: true, errors: [] });
      expect(res.body[1].errors[0].statusCode).to.equal('MISSING_ARGUMENT');
      expect(res.body[2].errors[0].statusCode).to.equal('INVALID_CROSS_REFERENCE_KEY');
      expect(local.org.get('Lead', lead.Id)?.Title).to.equal('Updated');
    });

    it('deletes by ids and says ENTITY_IS_DELETED for a record already deleted', async () => {
      const a = local.org.insert('Lead', { LastName: 'Del1', Company: 'C' });
      const b = local.org.insert('Lead', { LastName: 'Del2', Company: 'C' });
      local.org.delete('Lead', b.Id);
      const res = await api.del<SaveResult[]>(`/composite/sobjects?ids=${a.Id},${b.Id}&allOrNone=false`);
      expect(res.body[0]).to.deep.equal({ id: a.Id, success: true, errors: [] });
      expect(res.body[1]).to.deep.include({ id: b.Id, success: false });
      expect(res.body[1].errors[0].statusCode).to.equal('ENTITY_IS_DELETED');
    });
  });

  describe('REST API Developer Guide: sObject Collections Retrieve', () => {
    it('returns the records asked for, null for unknown ids', async () => {
      const lead = local.org.insert('Lead', { LastName: 'Get', Company: 'C' });
      const res = await api.get<Array<Record<string, unknown> | null>>(`/composite/sobjects/Lead?ids=${lead.Id},00Q000000000000EAA&fields=Id,LastName`);
      expect(res.body).to.deep.equal([
        { attributes: { type: 'Lead', url: `/services/data/v65.0/sobjects/Lead/${lead.Id}` }, Id: lead.Id, LastName: 'Get' },
        null,
      ]);
    });
  });

  describe('REST API Developer Guide: sObject Collections Upsert', () => {
    it('creates and updates by external id, with created per record', async () => {
      local.org.insert('Lead', { LastName: 'Existing', Company: 'C', Instruqt_Id__c: 'p-1' });
      const res = await api.patch<SaveResult[]>('/composite/sobjects/Lead/Instruqt_Id__c', {
        allOrNone: false,
        records: [
          { attributes: { type: 'Lead' }, Instruqt_Id__c: 'p-1', Title: 'Again' },
          { attributes: { type: 'Lead' }, Instruqt_Id__c: 'p-2', LastName: 'New', Company: 'C' },
          { attributes: { type: 'Lead' }, LastName: 'No key', Company: 'C' },
        ],
      });
      expect(res.body.map((r) => [r.success, r.created])).to.deep.equal([
        [true, false],
        [true, true],
        [false, undefined],
      ]);
      expect(local.org.findByField('Lead', 'Instruqt_Id__c', 'P-1')[0].Title).to.equal('Again');
      expect(local.org.findByField('Lead', 'Instruqt_Id__c', 'p-2')).to.have.length(1);
    });

    it('fails both records that repeat one external id', async () => {
      const res = await api.patch<SaveResult[]>('/composite/sobjects/Lead/Instruqt_Id__c', {
        records: [
          { attributes: { type: 'Lead' }, Instruqt_Id__c: 'twice', LastName: 'A', Company: 'C' },
          { attributes: { type: 'Lead' }, Instruqt_Id__c: 'twice', LastName: 'B', Company: 'C' },
        ],
      });
      expect(res.body.map((r) => r.errors[0]?.statusCode)).to.deep.equal(['DUPLICATE_EXTERNAL_ID', 'DUPLICATE_EXTERNAL_ID']);
    });
  });

  describe('REST API Developer Guide: Composite', () => {
    it('runs subrequests in order with collateSubrequests false, with @{ref.id} and @{ref.records[0].Id} references', async () => {
      const res = await api.post<Composite>('/composite', {
        allOrNone: false,
        collateSubrequests: false,
        compositeRequest: [
          { method: 'POST', url: '/services/data/v65.0/sobjects/Account', referenceId: 'acct', body: { Name: 'Composite Co' } },
          { method: 'POST', url: '/services/data/v65.0/sobjects/Contact', referenceId: 'ct', body: { LastName: 'Ref', AccountId: '@{acct.id}' } },
          { method: 'GET', url: "/services/data/v65.0/query?q=SELECT+Id+FROM+Contact+WHERE+LastName='Ref'", referenceId: 'q' },
          { method: 'PATCH', url: '/services/data/v65.0/sobjects/Contact/@{q.records[0].Id}', referenceId: 'upd', body: { Title: 'Referenced' } },
        ],
      });
      expect(res.status).to.equal(200);
      const [acct, ct, , upd] = res.body.compositeResponse;
      expect(acct.httpStatusCode).to.equal(201);
      expect(ct.httpStatusCode).to.equal(201);
      expect(upd.httpStatusCode).to.equal(204);
      const contactId = (ct.body as { id: string }).id;
      expect(local.org.get('Contact', contactId)).to.include({ AccountId: (acct.body as { id: string }).id, Title: 'Referenced' });
    });

    it('rolls back every subrequest when allOrNone is true and one fails', async () => {
      const res = await api.post<Composite>('/composite', {
        allOrNone: true,
        compositeRequest: [
          { method: 'POST', url: '/services/data/v65.0/sobjects/Account', referenceId: 'ok', body: { Name: 'Rolled Back Co' } },
          { method: 'POST', url: '/services/data/v65.0/sobjects/Lead', referenceId: 'bad', body: { LastName: 'No company' } },
          { method: 'POST', url: '/services/data/v65.0/sobjects/Account', referenceId: 'after', body: { Name: 'Never' } },
        ],
      });
      const codes = res.body.compositeResponse.map((r) => (r.body as ErrorBody)[0]?.errorCode);
      expect(codes).to.deep.equal(['PROCESSING_HALTED', 'REQUIRED_FIELD_MISSING', 'PROCESSING_HALTED']);
      expect(local.org.query('Account', (r) => r.Name === 'Rolled Back Co' || r.Name === 'Never')).to.have.length(0);
    });

    it('counts as one API call', async () => {
      const before = local.apiCalls();
      await api.post<Composite>('/composite', {
        compositeRequest: [
          { method: 'GET', url: '/services/data/v65.0/limits', referenceId: 'a' },
          { method: 'GET', url: '/services/data/v65.0/sobjects', referenceId: 'b' },
        ],
      });
      expect(local.apiCalls() - before).to.equal(1);
    });

    it('refuses more than 25 subrequests and more than 5 queries', async () => {
      const get = (i: number): Record<string, string> => ({ method: 'GET', url: '/services/data/v65.0/limits', referenceId: `r${i}` });
      const many = await api.post<ErrorBody>('/composite', { compositeRequest: Array.from({ length: 26 }, (_, i) => get(i)) });
      expect(many.status).to.equal(400);
      const query = (i: number): Record<string, string> => ({ method: 'GET', url: '/services/data/v65.0/query?q=SELECT+Id+FROM+User', referenceId: `q${i}` });
      const queries = await api.post<ErrorBody>('/composite', { compositeRequest: Array.from({ length: 6 }, (_, i) => query(i)) });
      expect(queries.status).to.equal(400);
    });
  });
});
