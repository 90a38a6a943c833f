import { expect } from 'chai';
import { SalesforceClient, type CompositeSubrequest, type CompositeSubresponse } from '../../src/salesforce/client.js';
import { auditIntegration } from '../../src/perms/audit.js';
import { loadPolicy, namedPermissions } from '../../src/perms/policy.js';

const policy = loadPolicy();

/** A client answering each Composite subrequest by its referenceId, counting calls like SalesforceClient does. */
function fakeClient(users: number, setsPerUser: number): { client: SalesforceClient; urls: string[] } {
  const urls: string[] = [];
  let calls = 0;
  const userIds = Array.from({ length: users }, (_, i) => `005${String(i).padStart(12, '0')}`);
  const setIds = Array.from({ length: setsPerUser }, (_, i) => `0PS${String(i).padStart(12, '0')}`);
  const page = (records: unknown[]): unknown => ({ totalSize: records.length, done: true, records });
  const answers: Record<string, () => unknown> = {
    direct: () => page(userIds.map((AssigneeId) => ({ AssigneeId }))),
    components: () => page([]),
    ownSets: () => page([{ Id: setIds[0], Name: 'Instruqt_Integration' }]),
    // The org has every permission the shipped policy names (a policy naming an unknown one is refused).
    describePermissionSet: () => ({
      fields: namedPermissions(loadPolicy()).map((n) => ({ name: `Permissions${n}`, label: n, type: 'boolean' })),
    }),
    describeMuting: () => ({ fields: [{ name: 'PermissionsApiEnabled', label: 'API Enabled', type: 'boolean' }] }),
    describeObjectPermissions: () => ({ fields: [{ name: 'PermissionsViewAllFields' }] }),
    describe0: () => ({ fields: [] }),
    describe1: () => ({ fields: [] }),
    users: () => page(userIds.map((Id) => ({ Id, Username: `${Id}@x.com`, ProfileId: '00e000000000001' }))),
    assignments: () =>
      page(userIds.flatMap((u) => setIds.map((s, i) => ({ Id: `0Pa${u.slice(3)}${i}`, AssigneeId: u, PermissionSetId: s })))),
    sets: () => page(setIds.map((Id, i) => ({ Id, Name: i === 0 ? 'Instruqt_Integration' : `Set_${i}` }))),
    muting: () => page([]),
    objects: () => page([]),
    fields: () => page([]),
  };
  const client = {
    get apiCalls(): number {
      return calls;
    },
    composite(subs: CompositeSubrequest[]): Promise<CompositeSubresponse[]> {
      calls++;
      urls.push(...subs.map((s) => s.url));
      expect(subs.filter((s) => s.url.includes('/query')).length, 'queries per Composite').to.be.at.most(5);
      expect(subs.length).to.be.at.most(25);
      return Promise.resolve(
        subs.map((s) => ({ referenceId: s.referenceId, httpStatusCode: 200, body: answers[s.referenceId]() }))
      );
    },
    query(): Promise<unknown[]> {
      calls++;
      return Promise.resolve([]);
    },
    request(): Promise<unknown> {
      calls++;
      return Promise.resolve(page([]));
    },
    // The real paging of Composite query answers, calling this fake's request() for further pages.
    // eslint-disable-next-line @typescript-eslint/unbound-method
    subresponseRecords: SalesforceClient.prototype.subresponseRecords,
  };
  return { client: client as unknown as SalesforceClient, urls };
}

describe('perms audit cost', () => {
  it('uses the same number of API calls (at most 8) for 1 user and 1 set as for 300 users and 40 sets each', async () => {
    const small = fakeClient(1, 1);
    const big = fakeClient(300, 40);
    const a = await auditIntegration(small.client, { policy });
    const b = await auditIntegration(big.client, { policy });
    expect(a.apiCalls).to.equal(b.apiCalls);
    expect(b.apiCalls).to.be.at.most(8);
    expect(b.users).to.have.length(300);
  });

  it('never asks per field or per user: no query names a single user or field', async () => {
    const { client, urls } = fakeClient(20, 3);
    await auditIntegration(client, { policy });
    const soql = urls.map((u) => decodeURIComponent(u));
    expect(soql.filter((q) => q.includes('FROM FieldPermissions'))).to.have.length(1);
    expect(soql.filter((q) => q.includes('FROM User '))).to.have.length(1);
  });
});
