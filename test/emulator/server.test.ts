/*
 * Conformance of the local org's HTTP front: API usage accounting (REST API Developer Guide: Limit Info Header,
 * API Request Limits and Allocations), latency, injected faults as Salesforce shows them, SOAP dispatch and
 * SOAP faults (SOAP API Developer Guide: Error Handling).
 */
import { expect } from 'chai';
import { startLocalOrg, type LocalOrg } from '../../emulator/index.js';
import { apiFor, type Api, type ErrorBody } from './http.js';

const envelope = (sessionId: string, body: string): string =>
  '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
  'xmlns:met="http://soap.sforce.com/2006/04/metadata"><soapenv:Header><met:SessionHeader><met:sessionId>' +
  sessionId +
  `</met:sessionId></met:SessionHeader></soapenv:Header><soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`;

describe('local org HTTP front', () => {
  let local: LocalOrg;
  let api: Api;

  beforeEach(async () => {
    local = await startLocalOrg({ dailyApiLimit: 5 });
    api = apiFor(local);
  });
  afterEach(() => local.stop());

  describe('REST API Developer Guide: Limit Info Header', () => {
    it('reports api-usage=USED/MAX on every response and counts per user', async () => {
      const first = await api.get('/limits');
      expect(first.headers.get('sforce-limit-info')).to.equal('api-usage=1/5');
      await api.get('/sobjects');
      expect(local.apiCalls(local.adminUserId)).to.equal(2);
      expect(local.apiCalls()).to.equal(2);
      const versions = await fetch(`${local.instanceUrl}/services/data`);
      expect(versions.headers.get('sforce-limit-info')).to.equal('api-usage=2/5');
    });

    it('refuses calls past the daily maximum with 403 REQUEST_LIMIT_EXCEEDED', async () => {
      for (let i = 0; i < 5; i++) expect((await api.get('/limits')).status).to.equal(200);
      const refused = await api.get<ErrorBody>('/limits');
      expect(refused.status).to.equal(403);
      expect(refused.body[0]).to.deep.include({ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' });
      local.resetApiCalls();
      expect((await api.get('/limits')).status).to.equal(200);
    });
  });

  describe('latency', () => {
    it('waits latencyMs before answering', async () => {
      local.org.options.latencyMs = 120;
      const started = Date.now();
      await api.get('/limits');
      expect(Date.now() - started).to.be.at.least(110);
    });
  });

  describe('faults on demand (REST API Developer Guide: Status Codes and Error Responses)', () => {
    it('answers UNABLE_TO_LOCK_ROW the given number of times, then normally', async () => {
      local.injectFault({ kind: 'UNABLE_TO_LOCK_ROW', method: 'POST', path: /\/sobjects\/Lead$/, times: 1 });
      const body = { LastName: 'Locked', Company: 'C' };
      const locked = await api.post<ErrorBody>('/sobjects/Lead', body);
      expect(locked.status).to.equal(400);
      expect(locked.body[0].errorCode).to.equal('UNABLE_TO_LOCK_ROW');
      expect((await api.post('/sobjects/Lead', body)).status).to.equal(201);
      expect(local.org.query('Lead', (r) => r.LastName === 'Locked')).to.have.length(1);
    });

    it('reports UNABLE_TO_LOCK_ROW per record, with HTTP 200, on an sObject Collections write', async () => {
      local.injectFault({ kind: 'UNABLE_TO_LOCK_ROW', path: /\/composite\/sobjects$/, times: 1 });
      const records = [1, 2].map((i) => ({ attributes: { type: 'Lead' }, LastName: `Lock ${i}`, Company: 'C' }));
      const res = await api.post<Array<{ success: boolean; errors: Array<{ statusCode: string }> }>>('/composite/sobjects', { records });
      expect(res.status).to.equal(200);
      expect(res.body.map((r) => r.errors[0].statusCode)).to.deep.equal(['UNABLE_TO_LOCK_ROW', 'UNABLE_TO_LOCK_ROW']);
      expect(local.org.query('Lead', (r) => String(r.LastName).startsWith('Lock '))).to.have.length(0);
    });

    it('answers 503 after the given number of matching calls', async () => {
      local.injectFault({ kind: '503', path: /\/limits$/, times: 1, afterCalls: 1 });
      expect((await api.get('/limits')).status).to.equal(200);
      expect((await api.get('/limits')).status).to.equal(503);
      expect((await api.get('/limits')).status).to.equal(200);
    });

    it('drops the connection', async () => {
      local.injectFault({ kind: 'drop', times: 1 });
      let error: unknown;
      try {
        await api.get('/limits');
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(Error);
    });

    it('drops the connection after carrying out the write (phase after)', async () => {
      local.injectFault({ kind: 'drop', method: 'POST', times: 1, phase: 'after' });
      await api.post('/sobjects/Lead', { LastName: 'Unheard', Company: 'C' }).catch(() => undefined);
      expect(local.org.query('Lead', (r) => r.LastName === 'Unheard')).to.have.length(1);
    });

    it('expires the session: this and later calls get 401 INVALID_SESSION_ID', async () => {
      local.injectFault({ kind: 'expire-session', times: 1 });
      expect((await api.get('/limits')).status).to.equal(401);
      expect((await api.get('/limits')).status).to.equal(401);
    });
  });

  describe('SOAP API Developer Guide: SOAP envelopes and faults', () => {
    it('dispatches on the first element of the SOAP Body, as the session user', async () => {
      local.router.soap('echoUser', (ctx) => ({
        status: 200,
        contentType: 'text/xml',
        body: `<result>${ctx.principal!.userId}:${String((ctx.soap!.body as { name?: string }).name)}</result>`,
      }));
      const res = await fetch(`${local.instanceUrl}/services/Soap/m/65.0`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/xml', SOAPAction: '""' },
        body: envelope(local.adminToken, '<met:echoUser><met:name>x</met:name></met:echoUser>'),
      });
      expect(res.status).to.equal(200);
      expect(await res.text()).to.equal(`<result>${local.adminUserId}:x</result>`);
    });

    it('answers a SOAP fault INVALID_SESSION_ID for a bad session id', async () => {
      const res = await fetch(`${local.instanceUrl}/services/Soap/m/65.0`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/xml', SOAPAction: '""' },
        body: envelope('nope', '<met:checkDeployStatus><met:asyncProcessId>0Af</met:asyncProcessId></met:checkDeployStatus>'),
      });
      expect(res.status).to.equal(500);
      expect(res.headers.get('content-type')).to.match(/^text\/xml/);
      expect(await res.text()).to.include('<faultcode>sf:INVALID_SESSION_ID</faultcode>');
    });
  });

  describe('REST API Developer Guide: Status Codes and Error Responses', () => {
    it('answers 405 for a method a resource does not support', async () => {
      const res = await api.call<ErrorBody>('PUT', '/sobjects/Lead', {});
      expect(res.status).to.equal(405);
      expect(res.body[0].errorCode).to.equal('METHOD_NOT_ALLOWED');
    });

    it('answers 404 NOT_FOUND for an unknown resource', async () => {
      const res = await api.get<ErrorBody>('/nothing/here');
      expect(res.status).to.equal(404);
      expect(res.body[0].errorCode).to.equal('NOT_FOUND');
    });
  });
});
