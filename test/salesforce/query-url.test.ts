/*
 * Query URLs measured as they are sent (WHATWG serialisation: ' becomes %27), and queries too long for a URL sent in
 * a Composite body, so that Salesforce's 414/431 URI limits are never met.
 */
import { expect } from 'chai';
import { startLocalOrg, type LocalOrg } from '../../emulator/index.js';
import { MAX_GET_URI_BYTES, queryFitsInUrl, queryPath, requestTargetBytes } from '../../src/salesforce/query-url.js';
import { soqlIn } from '../../src/salesforce/soql.js';
import { clientAs } from '../helpers/connection.js';

const emails = (n: number): string[] => Array.from({ length: n }, (_, i) => `o'brien.${i}@example.com`);

describe('query URL length', function () {
  this.timeout(60_000);

  it("counts each ' as the three bytes %27 that go on the wire, which encodeURIComponent does not", () => {
    const soql = `SELECT Id FROM Lead WHERE Email IN ${soqlIn(["o'brien@example.com"])}`;
    const path = queryPath('60.0', soql);
    expect(path).to.contain("'");
    const sent = requestTargetBytes('https://acme.my.salesforce.com', path);
    expect(sent).to.equal(Buffer.byteLength(new URL(path, 'https://acme.my.salesforce.com').href) - 'https://acme.my.salesforce.com'.length);
    expect(sent).to.equal(path.length + 2 * (path.split("'").length - 1));
  });

  it('says a query fits when its encodeURIComponent length fits but the URL sent would not', () => {
    let n = 1;
    const soqlOf = (k: number): string => `SELECT Id FROM Lead WHERE Email IN ${soqlIn(emails(k))}`;
    while (encodeURIComponent(soqlOf(n + 1)).length < MAX_GET_URI_BYTES - 100) n++;
    expect(queryFitsInUrl('https://acme.my.salesforce.com', '60.0', soqlOf(n))).to.equal(false);
    expect(queryFitsInUrl('https://acme.my.salesforce.com', '60.0', soqlOf(10))).to.equal(true);
  });

  describe('against the local org', () => {
    let local: LocalOrg;
    before(async () => {
      local = await startLocalOrg();
    });
    after(async () => local.stop());

    it('answers a query whose GET URL would pass 16,384 bytes (1,200 quoted values with apostrophes)', async () => {
      const values = emails(1200);
      local.org.insert('Lead', { LastName: "O'Brien", Company: 'Acme', Email: values[700] });
      const client = await clientAs(local.instanceUrl, local.adminToken);
      const soql = `SELECT Id, Email FROM Lead WHERE Email IN ${soqlIn(values)}`;
      expect(requestTargetBytes(local.instanceUrl, queryPath(client.apiVersion, soql))).to.be.greaterThan(16_384);
      const rows = await client.query<{ Email: string }>(soql);
      expect(rows.map((r) => r.Email)).to.deep.equal([values[700]]);
      const pages: Array<Array<{ Email: string }>> = [];
      for await (const page of client.queryPages<{ Email: string }>(soql)) pages.push(page);
      expect(pages.flat().map((r) => r.Email)).to.deep.equal([values[700]]);
    });
  });
});
