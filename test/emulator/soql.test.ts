/*
 * The local org's SOQL engine against a seeded Org: result shapes, operators, dates, joins, ordering, aggregates,
 * access and Salesforce's error messages. Each describe names the Salesforce documentation page it follows.
 */
import { expect } from 'chai';
import { Org } from '../../emulator/core/org.js';
import { SalesforceError, type AccessPolicy, type Principal } from '../../emulator/core/types.js';
import { seed, type SeedResult } from '../../emulator/seed.js';
import { field, lookup, object } from '../../emulator/schema/fields.js';
import { describeSoqlColumns, executeSoql, type SoqlResult } from '../../emulator/soql/index.js';

type Row = Record<string, unknown>;

function failure(fn: () => unknown): SalesforceError {
  try {
    fn();
  } catch (err) {
    if (err instanceof SalesforceError) return err;
    throw err;
  }
  throw new Error('expected a SalesforceError');
}

function build(): { org: Org; seeded: SeedResult; ids: Record<string, string> } {
  const org = new Org();
  const seeded = seed(org);
  const ids: Record<string, string> = {};
  ids.acme = org.insert('Account', { Name: 'Acme', Industry: 'Technology', NumberOfEmployees: 50 }).Id;
  ids.globex = org.insert('Account', { Name: 'Globex', NumberOfEmployees: 500 }).Id;
  ids.initech = org.insert('Account', { Name: 'Initech' }).Id;
  ids.ada = org.insert('Contact', {
    FirstName: 'Ada',
    LastName: 'Lovelace',
    AccountId: ids.acme,
    Email: 'ada@acme.test',
    Birthdate: '1990-12-10',
  }).Id;
  ids.grace = org.insert('Contact', {
    FirstName: 'Grace',
    LastName: 'Hopper',
    AccountId: ids.acme,
    Email: 'GRACE@acme.test',
    Birthdate: '1985-01-01',
  }).Id;
  ids.alan = org.insert('Contact', { FirstName: 'Alan', LastName: 'Turing', AccountId: ids.globex }).Id;
  ids.bob = org.insert('Contact', { FirstName: 'Bob', LastName: "O'Brien", Email: 'bob_1%@example.test' }).Id;
  return { org, seeded, ids };
}

const names = (result: SoqlResult, key = 'LastName'): unknown[] => result.records.map((r) => r[key]);

describe('emulator SOQL', () => {
  let org: Org;
  let seeded: SeedResult;
  let ids: Record<string, string>;
  const q = (soql: string): SoqlResult => executeSoql(org, undefined, soql);

  before(() => {
    ({ org, seeded, ids } = build());
  });

  describe('REST API Developer Guide: Execute a SOQL Query (response shape)', () => {
    it('returns attributes and the fields under their describe names, whatever the query casing', () => {
      const result = q(`select id, lastname, EMAIL from contact where id = '${ids.ada}'`);
      expect(result.totalSize).to.equal(1);
      expect(result.records[0]).to.deep.equal({
        attributes: { type: 'Contact', url: `/services/data/v65.0/sobjects/Contact/${ids.ada}` },
        Id: ids.ada,
        LastName: 'Lovelace',
        Email: 'ada@acme.test',
      });
      expect(Object.keys(result.records[0])).to.deep.equal(['attributes', 'Id', 'LastName', 'Email']);
    });

    it('answers null for an empty field rather than leaving it out', () => {
      const [row] = q(`SELECT Email FROM Contact WHERE Id = '${ids.alan}'`).records;
      expect(row).to.have.property('Email', null);
    });

    it('refuses a field selected twice', () => {
      const err = failure(() => q('SELECT Id, LastName, lastname FROM Contact'));
      expect(err.errorCode).to.equal('INVALID_FIELD');
      expect(err.message).to.equal(
        '\nSELECT Id, LastName, lastname FROM Contact\n                     ^\nERROR at Row:1:Column:22\nduplicate field selected: lastname'
      );
    });

    it('leaves deleted records out, and includes them with includeDeleted (queryAll)', () => {
      const local = build();
      local.org.delete('Contact', local.ids.alan);
      const soql = "SELECT LastName, IsDeleted FROM Contact WHERE LastName = 'Turing'";
      expect(executeSoql(local.org, undefined, soql).totalSize).to.equal(0);
      const all = executeSoql(local.org, undefined, soql, { includeDeleted: true });
      expect(all.records.map((r) => r.IsDeleted)).to.deep.equal([true]);
    });

    it('uses the API version it is given in attributes.url', () => {
      const result = executeSoql(org, undefined, `SELECT Id FROM Account WHERE Id = '${ids.acme}'`, { apiVersion: '61.0' });
      expect((result.records[0].attributes as Row).url).to.equal(`/services/data/v61.0/sobjects/Account/${ids.acme}`);
    });
  });

  describe('SOQL and SOSL Reference: Relationship Queries', () => {
    it('nests parent fields under the relationship name, with their own attributes', () => {
      const [row] = q(`SELECT LastName, Account.Name, Account.Industry FROM Contact WHERE Id = '${ids.ada}'`).records;
      expect(row.Account).to.deep.equal({
        attributes: { type: 'Account', url: `/services/data/v65.0/sobjects/Account/${ids.acme}` },
        Name: 'Acme',
        Industry: 'Technology',
      });
    });

    it('answers null for a relationship whose lookup is empty', () => {
      const [row] = q(`SELECT LastName, Account.Name FROM Contact WHERE Id = '${ids.bob}'`).records;
      expect(row.Account).to.equal(null);
    });

    it('follows paths of several hops (User -> Profile -> UserLicense)', () => {
      const [row] = q(`SELECT Username, Profile.Name, Profile.UserLicense.Name FROM User WHERE Id = '${seeded.adminUserId}'`)
        .records;
      const profile = row.Profile as Row;
      expect(profile.Name).to.equal('System Administrator');
      expect((profile.UserLicense as Row).Name).to.equal('Salesforce');
    });

    it('filters on a parent field: the integration profile found by its licence', () => {
      const result = q("SELECT Id, Name FROM Profile WHERE UserLicense.Name = 'Salesforce Integration'");
      expect(names(result, 'Name')).to.deep.equal(['Minimum Access - API Only Integrations']);
    });

    it('follows a polymorphic lookup (Owner) to the record it points at', () => {
      const [row] = q(`SELECT Owner.Name FROM Account WHERE Id = '${ids.acme}'`).records;
      expect((row.Owner as Row).attributes).to.deep.include({ type: 'User' });
      expect((row.Owner as Row).Name).to.equal('Admin User');
    });

    it('answers a child subquery as {totalSize, done, records}, ordered and filtered, or null when empty', () => {
      const result = q(
        "SELECT Name, (SELECT LastName FROM Contacts WHERE LastName != 'Nobody' ORDER BY LastName) FROM Account ORDER BY Name"
      );
      const byName = new Map(result.records.map((r) => [r.Name, r.Contacts]));
      const acme = byName.get('Acme') as { totalSize: number; done: boolean; records: Row[] };
      expect(acme.totalSize).to.equal(2);
      expect(acme.done).to.equal(true);
      expect(acme.records.map((r) => r.LastName)).to.deep.equal(['Hopper', 'Lovelace']);
      expect((acme.records[0].attributes as Row).type).to.equal('Contact');
      expect(byName.get('Initech')).to.equal(null);
    });

    it("names a custom lookup's child relationship after its deployed relationshipName + __r", () => {
      const local = build();
      local.org.defineObject(
        object('Instruqt_Play__c', 'a01', [
          field('Name', 'string', { nameField: true }),
          lookup('Contact__c', ['Contact'], { custom: true, metadata: { relationshipName: 'Plays' } }),
        ])
      );
      local.org.insert('Instruqt_Play__c', { Name: 'play-1', ['Contact__c']: local.ids.ada });
      const [row] = executeSoql(
        local.org,
        undefined,
        `SELECT LastName, (SELECT Name, Contact__r.LastName FROM Plays__r) FROM Contact WHERE Id = '${local.ids.ada}'`
      ).records;
      const plays = row.Plays__r as { records: Row[] };
      expect(plays.records[0].Name).to.equal('play-1');
      expect((plays.records[0].Contact__r as Row).LastName).to.equal('Lovelace');
    });
  });

  describe('SOQL and SOSL Reference: Comparison Operators', () => {
    it('compares strings case-insensitively with = and IN', () => {
      expect(names(q("SELECT LastName FROM Contact WHERE Email = 'grace@ACME.test'"))).to.deep.equal(['Hopper']);
      expect(names(q("SELECT LastName FROM Contact WHERE LastName IN ('LOVELACE', 'turing') ORDER BY LastName"))).to.deep.equal(
        ['Lovelace', 'Turing']
      );
    });

    it('keeps records whose value is null for != and <> and NOT IN', () => {
      const ne = q("SELECT LastName FROM Contact WHERE Email != 'ada@acme.test' ORDER BY LastName");
      expect(names(ne)).to.deep.equal(['Hopper', "O'Brien", 'Turing']);
      expect(names(q("SELECT LastName FROM Contact WHERE Email <> 'ada@acme.test'"))).to.have.length(3);
      expect(names(q("SELECT LastName FROM Contact WHERE Email NOT IN ('ada@acme.test', 'grace@acme.test')"))).to.have.members([
        "O'Brien",
        'Turing',
      ]);
    });

    it('matches null with = null and != null', () => {
      expect(names(q('SELECT LastName FROM Contact WHERE Email = null'))).to.deep.equal(['Turing']);
      expect(names(q('SELECT LastName FROM Contact WHERE AccountId != null'))).to.have.length(3);
    });

    it('orders numbers with <, <=, >, >=', () => {
      expect(names(q('SELECT Name FROM Account WHERE NumberOfEmployees > 50'), 'Name')).to.deep.equal(['Globex']);
      expect(names(q('SELECT Name FROM Account WHERE NumberOfEmployees >= 50 ORDER BY Name'), 'Name')).to.deep.equal([
        'Acme',
        'Globex',
      ]);
      expect(names(q('SELECT Name FROM Account WHERE NumberOfEmployees < 500'), 'Name')).to.deep.equal(['Acme']);
      expect(names(q('SELECT Name FROM Account WHERE NumberOfEmployees <= 49'), 'Name')).to.deep.equal([]);
    });

    it('matches LIKE with % and _ case-insensitively, and \\% \\_ literally', () => {
      expect(names(q("SELECT LastName FROM Contact WHERE LastName LIKE 'lo%'"))).to.deep.equal(['Lovelace']);
      expect(names(q("SELECT LastName FROM Contact WHERE LastName LIKE '_opper'"))).to.deep.equal(['Hopper']);
      expect(names(q("SELECT LastName FROM Contact WHERE Email LIKE 'bob\\_1\\%%'"))).to.deep.equal(["O'Brien"]);
      expect(names(q("SELECT LastName FROM Contact WHERE Email LIKE 'bob\\_1\\%'"))).to.deep.equal([]);
    });

    it('reads escaped quotes in string literals', () => {
      expect(names(q("SELECT LastName FROM Contact WHERE LastName = 'O\\'Brien'"))).to.deep.equal(["O'Brien"]);
    });

    it('matches an id given in its 15- or 18-character form, in = and IN', () => {
      const id15 = ids.grace.slice(0, 15);
      expect(names(q(`SELECT LastName FROM Contact WHERE Id = '${id15}'`))).to.deep.equal(['Hopper']);
      expect(names(q(`SELECT LastName FROM Contact WHERE AccountId IN ('${ids.globex.slice(0, 15)}')`))).to.deep.equal([
        'Turing',
      ]);
    });

    it('refuses a malformed id with INVALID_QUERY_FILTER_OPERATOR', () => {
      const err = failure(() => q("SELECT Id FROM Contact WHERE Id = 'nope'"));
      expect(err.errorCode).to.equal('INVALID_QUERY_FILTER_OPERATOR');
      expect(err.message).to.match(/invalid ID field: nope$/);
    });

    it('compares booleans with TRUE and FALSE', () => {
      expect(q(`SELECT Id FROM User WHERE IsActive = TRUE AND Id = '${seeded.adminUserId}'`).totalSize).to.equal(1);
      expect(q(`SELECT Id FROM User WHERE IsActive = false AND Id = '${seeded.adminUserId}'`).totalSize).to.equal(0);
    });

    it('refuses a literal of the wrong type the way Salesforce words it', () => {
      const quoted = failure(() => q("SELECT Id FROM Account WHERE NumberOfEmployees = '5'"));
      expect(quoted.errorCode).to.equal('INVALID_FIELD');
      expect(quoted.message).to.contain(
        "value of filter criterion for field 'NumberOfEmployees' must be of type integer and should not be enclosed in quotes"
      );
      const bare = failure(() => q('SELECT Id FROM Account WHERE Name = 5'));
      expect(bare.message).to.contain("value of filter criterion for field 'Name' must be of type string and should be enclosed in quotes");
    });

    it('answers an IN list of thousands of values on 50,000 records in milliseconds', function () {
      this.timeout(60_000);
      const big = build();
      const emails: string[] = [];
      for (let i = 0; i < 50_000; i++) {
        big.org.insert('Contact', { LastName: `L${i}`, Email: `p${i}@example.test` });
        if (i % 25 === 0) emails.push(`P${i}@example.test`);
      }
      const soql = `SELECT Id, Email FROM Contact WHERE Email IN (${emails.map((e) => `'${e}'`).join(', ')})`;
      executeSoql(big.org, undefined, soql);
      const started = process.hrtime.bigint();
      const result = executeSoql(big.org, undefined, soql);
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      expect(result.totalSize).to.equal(2000);
      expect(ms).to.be.below(500);
      const scanStarted = process.hrtime.bigint();
      expect(executeSoql(big.org, undefined, "SELECT COUNT() FROM Contact WHERE LastName LIKE 'L4999%'").totalSize).to.equal(11);
      expect(Number(process.hrtime.bigint() - scanStarted) / 1e6).to.be.below(500);
    });
  });

  describe('SOQL and SOSL Reference: Logical Operators', () => {
    it('combines AND, OR and NOT with parentheses', () => {
      const result = q(
        "SELECT LastName FROM Contact WHERE (Account.Name = 'Acme' OR Account.Name = 'Globex') AND NOT LastName = 'Hopper' ORDER BY LastName"
      );
      expect(names(result)).to.deep.equal(['Lovelace', 'Turing']);
      expect(names(q("SELECT LastName FROM Contact WHERE NOT (LastName = 'Hopper' OR LastName = 'Turing') ORDER BY LastName"))).to.deep.equal([
        'Lovelace',
        "O'Brien",
      ]);
    });

    it('refuses AND and OR mixed without parentheses (MALFORMED_QUERY)', () => {
      const err = failure(() => q("SELECT Id FROM Contact WHERE LastName = 'a' AND FirstName = 'b' OR Email = null"));
      expect(err.errorCode).to.equal('MALFORMED_QUERY');
      expect(err.message).to.contain('unexpected token: OR');
    });
  });

  describe('SOQL and SOSL Reference: Date Formats and Date Literals', () => {
    it('compares date fields with date literals', () => {
      expect(names(q('SELECT LastName FROM Contact WHERE Birthdate > 1989-01-01'))).to.deep.equal(['Lovelace']);
      expect(names(q('SELECT LastName FROM Contact WHERE Birthdate = 1985-01-01'))).to.deep.equal(['Hopper']);
    });

    it('compares dateTime fields with dateTime literals in any offset form', () => {
      const later = '2999-01-01T00:00:00Z';
      expect(q(`SELECT Id FROM Contact WHERE CreatedDate < ${later}`).totalSize).to.equal(4);
      expect(q('SELECT Id FROM Contact WHERE CreatedDate > 2999-01-01T00:00:00.000+0000').totalSize).to.equal(0);
      expect(q('SELECT Id FROM Contact WHERE CreatedDate >= 2000-01-01T01:00:00+01:00').totalSize).to.equal(4);
    });

    it('understands relative date literals (TODAY, LAST_N_DAYS:n, NEXT_N_DAYS:n)', () => {
      expect(q('SELECT Id FROM Contact WHERE CreatedDate = TODAY').totalSize).to.equal(4);
      expect(q('SELECT Id FROM Contact WHERE CreatedDate = LAST_N_DAYS:3').totalSize).to.equal(4);
      expect(q('SELECT Id FROM Contact WHERE CreatedDate = NEXT_N_DAYS:3').totalSize).to.equal(0);
      expect(q('SELECT Id FROM Contact WHERE CreatedDate < YESTERDAY').totalSize).to.equal(0);
      expect(q('SELECT Id FROM Contact WHERE Birthdate < LAST_N_YEARS:10').totalSize).to.equal(2);
    });

    it('refuses a date literal on a dateTime field', () => {
      const err = failure(() => q('SELECT Id FROM Contact WHERE CreatedDate > 2020-01-01'));
      expect(err.errorCode).to.equal('INVALID_FIELD');
      expect(err.message).to.contain("value of filter criterion for field 'CreatedDate' must be of type dateTime");
    });
  });

  describe('SOQL and SOSL Reference: Semi-Joins and Anti-Joins', () => {
    it('filters ids by the values a subquery selects', () => {
      const withContacts = q('SELECT Name FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE Email != null) ORDER BY Name');
      expect(names(withContacts, 'Name')).to.deep.equal(['Acme']);
      const without = q('SELECT Name FROM Account WHERE Id NOT IN (SELECT AccountId FROM Contact) ORDER BY Name');
      expect(names(without, 'Name')).to.deep.equal(['Initech']);
    });

    it('finds the users holding a permission set through PermissionSetAssignment', () => {
      const result = q(
        'SELECT Username FROM User WHERE Id IN (SELECT AssigneeId FROM PermissionSetAssignment WHERE PermissionSet.IsOwnedByProfile = true)'
      );
      expect(names(result, 'Username')).to.deep.equal([seeded.adminUsername]);
    });
  });

  describe('SOQL and SOSL Reference: ORDER BY, LIMIT and OFFSET', () => {
    it('sorts case-insensitively on several keys, nulls first ascending and last descending by default', () => {
      expect(names(q('SELECT LastName FROM Contact ORDER BY Email, LastName'))).to.deep.equal([
        'Turing',
        'Lovelace',
        "O'Brien",
        'Hopper',
      ]);
      expect(names(q('SELECT LastName FROM Contact ORDER BY Email DESC'))).to.deep.equal([
        'Hopper',
        "O'Brien",
        'Lovelace',
        'Turing',
      ]);
      expect(names(q('SELECT LastName FROM Contact ORDER BY Email ASC NULLS LAST'))[3]).to.equal('Turing');
      expect(names(q('SELECT LastName FROM Contact ORDER BY Email DESC NULLS FIRST'))[0]).to.equal('Turing');
    });

    it('sorts on a parent field', () => {
      expect(names(q('SELECT LastName FROM Contact WHERE AccountId != null ORDER BY Account.Name DESC, LastName'))).to.deep.equal([
        'Turing',
        'Hopper',
        'Lovelace',
      ]);
    });

    it('applies OFFSET then LIMIT after sorting', () => {
      expect(names(q('SELECT LastName FROM Contact ORDER BY LastName LIMIT 2 OFFSET 1'))).to.deep.equal(['Lovelace', "O'Brien"]);
    });

    it('refuses an OFFSET above 2,000', () => {
      const err = failure(() => q('SELECT Id FROM Contact LIMIT 10 OFFSET 2001'));
      expect(err.errorCode).to.equal('NUMBER_OUTSIDE_VALID_RANGE');
    });

    it('ignores FOR VIEW and accepts WITH SECURITY_ENFORCED', () => {
      expect(q('SELECT Id FROM Contact WITH SECURITY_ENFORCED LIMIT 2 FOR VIEW').totalSize).to.equal(2);
    });
  });

  describe('SOQL and SOSL Reference: COUNT() and Aggregate Functions', () => {
    it('answers SELECT COUNT() with totalSize and no records', () => {
      expect(q('SELECT COUNT() FROM Contact')).to.deep.equal({ totalSize: 4, records: [] });
      expect(q("SELECT COUNT() FROM Contact WHERE Account.Name = 'Acme'").totalSize).to.equal(2);
    });

    it('answers COUNT(field) as an AggregateResult row keyed expr0, or by its alias', () => {
      expect(q('SELECT COUNT(Id) FROM Contact').records).to.deep.equal([{ attributes: { type: 'AggregateResult' }, expr0: 4 }]);
      expect(q('SELECT COUNT(Email) n FROM Contact').records[0]).to.have.property('n', 3);
    });

    it('groups with GROUP BY and sorts the groups', () => {
      const result = q('SELECT AccountId, COUNT(Id) FROM Contact GROUP BY AccountId ORDER BY COUNT(Id) DESC, AccountId');
      expect(result.records[0]).to.deep.equal({ attributes: { type: 'AggregateResult' }, AccountId: ids.acme, expr0: 2 });
      expect(result.totalSize).to.equal(3);
    });

    it('refuses a field that is neither grouped nor aggregated', () => {
      const err = failure(() => q('SELECT LastName, COUNT(Id) FROM Contact'));
      expect(err.errorCode).to.equal('MALFORMED_QUERY');
      expect(err.message).to.contain('Field must be grouped or aggregated: LastName');
    });
  });

  describe('REST API Developer Guide: Status Codes and Error Responses (SOQL errors)', () => {
    it('answers an unknown object with INVALID_TYPE in Salesforce wording', () => {
      const err = failure(() => q('SELECT Id FROM Foo__c'));
      expect(err.errorCode).to.equal('INVALID_TYPE');
      expect(err.httpStatus).to.equal(400);
      expect(err.message).to.equal(
        "\nSELECT Id FROM Foo__c\n               ^\nERROR at Row:1:Column:16\nsObject type 'Foo__c' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names."
      );
    });

    it('answers an unknown field with INVALID_FIELD in Salesforce wording', () => {
      const err = failure(() => q('SELECT Bogus FROM Lead'));
      expect(err.errorCode).to.equal('INVALID_FIELD');
      expect(err.message).to.equal(
        "\nSELECT Bogus FROM Lead\n       ^\nERROR at Row:1:Column:8\nNo such column 'Bogus' on entity 'Lead'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names."
      );
    });

    it('answers an unknown relationship with INVALID_FIELD', () => {
      const err = failure(() => q('SELECT Nope__r.Name FROM Contact'));
      expect(err.errorCode).to.equal('INVALID_FIELD');
      expect(err.message).to.contain("Didn't understand relationship 'Nope__r' in field path.");
    });

    it('answers a syntax error with MALFORMED_QUERY', () => {
      const err = failure(() => q('SELECT Id FROM'));
      expect(err.errorCode).to.equal('MALFORMED_QUERY');
      expect(err.message).to.equal('\nSELECT Id FROM\n              ^\nERROR at Row:1:Column:15\nunexpected token: <EOF>');
    });

    it('refuses a query over 100,000 characters', () => {
      const soql = `SELECT Id FROM Contact WHERE Email IN (${Array.from({ length: 6000 }, (_, i) => `'person${i}@example.test'`).join(',')})`;
      expect(soql.length).to.be.above(100_000);
      const err = failure(() => q(soql));
      expect(err.errorCode).to.equal('MALFORMED_QUERY');
      expect(err.message).to.contain('100,000 characters');
    });
  });

  describe('Object and field access (Salesforce Security Guide: Object Permissions, Field-Level Security)', () => {
    const user: Principal = { userId: '005000000000001AAA', orgId: 'x' };
    const policy = (over: Partial<AccessPolicy>): AccessPolicy => ({ ...org.access, ...over });

    it('treats an object the user cannot see as unknown (INVALID_TYPE)', () => {
      const local = build();
      local.org.access = policy({ objectVisible: (_p, o) => o !== 'Contact' });
      expect(failure(() => executeSoql(local.org, user, 'SELECT Id FROM Contact')).errorCode).to.equal('INVALID_TYPE');
      expect(executeSoql(local.org, undefined, 'SELECT Id FROM Contact').totalSize).to.equal(4);
    });

    it('treats a field the user cannot read as unknown (INVALID_FIELD), in SELECT, WHERE and paths', () => {
      const local = build();
      local.org.access = policy({ fieldReadable: (_p, o, f) => !(o === 'Contact' && f === 'Email') && !(o === 'Account' && f === 'Industry') });
      const err = failure(() => executeSoql(local.org, user, 'SELECT Email FROM Contact'));
      expect(err.errorCode).to.equal('INVALID_FIELD');
      expect(err.message).to.contain("No such column 'Email' on entity 'Contact'");
      expect(failure(() => executeSoql(local.org, user, 'SELECT Id FROM Contact WHERE Email = null')).errorCode).to.equal('INVALID_FIELD');
      expect(failure(() => executeSoql(local.org, user, 'SELECT Account.Industry FROM Contact')).errorCode).to.equal('INVALID_FIELD');
      expect(executeSoql(local.org, user, 'SELECT LastName FROM Contact').totalSize).to.equal(4);
    });

    it('treats a custom object that is not active yet as unknown', () => {
      const local = build();
      local.org.defineObject({ ...object('Later__c', 'a02', []), activeAt: Date.now() + 60_000 });
      expect(failure(() => executeSoql(local.org, undefined, 'SELECT Id FROM Later__c')).errorCode).to.equal('INVALID_TYPE');
    });
  });

  describe('REST API Developer Guide: Query (columns=true column metadata the sf CLI reads)', () => {
    it('describes fields, parent relationships with joinColumns and child subqueries as aggregate columns', () => {
      const result = describeSoqlColumns(org, undefined, 'SELECT Id, Name, Owner.Name, (SELECT LastName FROM Contacts) FROM Account');
      expect(result).to.include({ entityName: 'Account', groupBy: false, idSelected: true, keyPrefix: '001' });
      const [id, name, owner, contacts] = result.columnMetadata;
      expect(id).to.include({ columnName: 'Id', displayName: 'Id', aggregate: false, apexType: 'Id' });
      expect(name).to.include({ columnName: 'Name', textType: true, apexType: 'String' });
      expect(owner).to.include({ columnName: 'Owner', aggregate: false });
      expect(owner.joinColumns.map((c) => c.columnName)).to.deep.equal(['Name']);
      expect(contacts).to.include({ columnName: 'Contacts', aggregate: true });
      expect(contacts.joinColumns.map((c) => c.columnName)).to.deep.equal(['LastName']);
    });

    it('names unaliased aggregates exprN with the function as displayName', () => {
      const result = describeSoqlColumns(org, undefined, 'SELECT COUNT(Id), MAX(LastName) maxName FROM Contact');
      expect(result.columnMetadata.map((c) => [c.columnName, c.displayName, c.aggregate])).to.deep.equal([
        ['expr0', 'COUNT(Id)', true],
        ['maxName', 'MAX(LastName)', true],
      ]);
    });

    it('refuses what the query itself would refuse', () => {
      expect(failure(() => describeSoqlColumns(org, undefined, 'SELECT Bogus FROM Lead')).errorCode).to.equal('INVALID_FIELD');
    });
  });
});
