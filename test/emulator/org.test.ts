/*
 * The local org's record store without HTTP: ids (REST API Developer Guide / Knowledge: 15- and 18-character ids),
 * system fields, triggers, transactions with rollback, activation delay of new objects, and that 50,000 records
 * load and are found quickly.
 */
// Salesforce API names (Instruqt_Id__c, user_id) are not camelCase.
/* eslint-disable camelcase */
import { expect } from 'chai';
import { isValidId, normalizeId, to18, IdFactory } from '../../emulator/core/ids.js';
import { Org } from '../../emulator/core/org.js';
import { SalesforceError } from '../../emulator/core/types.js';
import { field, object } from '../../emulator/schema/fields.js';
import { seed } from '../../emulator/seed.js';
import { executeSoql } from '../../emulator/soql/index.js';

describe('local org record store', () => {
  describe('Salesforce Help: What are 15- and 18-character record ids', () => {
    it('adds the documented checksum (00558000001N0Ke -> 00558000001N0KeAAK)', () => {
      expect(to18('00558000001N0Ke')).to.equal('00558000001N0KeAAK');
    });

    it('accepts 15 and 18 characters, any case in the checksum, and nothing else', () => {
      expect(normalizeId('00558000001N0Ke')).to.equal('00558000001N0KeAAK');
      expect(normalizeId('00558000001N0Keaak')).to.equal('00558000001N0KeAAK');
      expect(isValidId('00558000001N0KeAAA')).to.equal(false);
      expect(isValidId('0055800000')).to.equal(false);
      expect(isValidId('00558000001N0K-')).to.equal(false);
    });

    it('makes distinct 18-character ids with the object key prefix', () => {
      const ids = new IdFactory();
      const made = new Set(Array.from({ length: 1000 }, () => ids.next('00Q')));
      expect(made.size).to.equal(1000);
      for (const id of made) expect(isValidId(id) && id.startsWith('00Q') && id.length === 18).to.equal(true);
    });
  });

  describe('seed: a fresh org', () => {
    const org = new Org({ orgName: 'Seed Check' });
    const seeded = seed(org);

    it('has an Organization record whose Id is the org id', () => {
      expect(org.get('Organization', org.orgId)).to.include({ Name: 'Seed Check', IsSandbox: false });
    });

    it('has the admin user with the System Administrator profile, whose permission set holds every permission', () => {
      const admin = org.get('User', seeded.adminUserId)!;
      expect(admin.Username).to.equal('admin@seed-check.local.test');
      const profile = org.get('Profile', String(admin.ProfileId))!;
      expect(profile.Name).to.equal('System Administrator');
      const ps = org.query('PermissionSet', (r) => r.ProfileId === profile.Id)[0];
      expect(ps).to.include({ IsOwnedByProfile: true, PermissionsModifyAllData: true, PermissionsViewSetup: true, PermissionsApiEnabled: true });
    });

    it('has the Salesforce Integration licence with its API-only profile and the API Integration PSL', () => {
      const licence = org.query('UserLicense', (r) => r.Name === 'Salesforce Integration')[0];
      const profile = org.query('Profile', (r) => r.UserLicenseId === licence.Id)[0];
      expect(profile.Name).to.equal('Minimum Access - API Only Integrations');
      const ps = org.query('PermissionSet', (r) => r.ProfileId === profile.Id)[0];
      expect(ps.PermissionsApiEnabled).to.equal(true);
      expect(ps.PermissionsViewSetup).to.equal(false);
      expect(org.query('PermissionSetLicense', (r) => r.DeveloperName === 'SalesforceAPIIntegrationPsl')[0].MasterLabel).to.equal(
        'Salesforce API Integration'
      );
    });

    it('has the standard Lead statuses, Open - Not Contacted by default', () => {
      const statuses = org.query('LeadStatus').sort((a, b) => Number(a.SortOrder) - Number(b.SortOrder));
      expect(statuses.map((s) => s.MasterLabel)).to.deep.equal([
        'Open - Not Contacted',
        'Working - Contacted',
        'Closed - Converted',
        'Closed - Not Converted',
      ]);
      expect(statuses.filter((s) => s.IsDefault).map((s) => s.MasterLabel)).to.deep.equal(['Open - Not Contacted']);
      expect(statuses.filter((s) => s.IsConverted).map((s) => s.MasterLabel)).to.deep.equal(['Closed - Converted']);
    });
  });

  describe('writes', () => {
    let org: Org;
    beforeEach(() => {
      org = new Org();
      seed(org);
    });

    it('maintains LastModifiedDate and LastModifiedById, keeping CreatedDate', async () => {
      const lead = org.insert('Lead', { LastName: 'A', Company: 'C' });
      await new Promise((r) => setTimeout(r, 5));
      const other = org.query('User')[0].Id;
      const updated = org.update('Lead', lead.Id, { Title: 'T' }, { userId: other, orgId: org.orgId });
      expect(updated.CreatedDate).to.equal(lead.CreatedDate);
      expect(String(updated.LastModifiedDate) > String(lead.LastModifiedDate)).to.equal(true);
      expect(updated.LastModifiedById).to.equal(other);
    });

    it('runs triggers, and a trigger error stops the write', () => {
      org.registerTrigger('Lead', {
        beforeInsert(rec) {
          if (rec.Company === 'Blocked') throw new SalesforceError('FIELD_CUSTOM_VALIDATION_EXCEPTION', 'blocked');
          rec.Title = 'from trigger';
        },
      });
      expect(org.insert('Lead', { LastName: 'A', Company: 'C' }).Title).to.equal('from trigger');
      expect(() => org.insert('Lead', { LastName: 'B', Company: 'Blocked' })).to.throw('blocked');
      expect(org.query('Lead', (r) => r.LastName === 'B')).to.have.length(0);
    });

    it('leaves nothing behind when an after-insert trigger fails', () => {
      org.registerTrigger('Account', {
        afterInsert(rec, ctx) {
          ctx.org.insert('Contact', { LastName: 'Side effect', AccountId: rec.Id });
          if (rec.Name === 'Fails late') throw new SalesforceError('FIELD_CUSTOM_VALIDATION_EXCEPTION', 'late');
        },
      });
      expect(() => org.insert('Account', { Name: 'Fails late' })).to.throw('late');
      expect(org.query('Account', (r) => r.Name === 'Fails late')).to.have.length(0);
      expect(org.query('Contact', (r) => r.LastName === 'Side effect')).to.have.length(0);
    });

    it('undoes every write of a failed transaction, including cascades', () => {
      const kept = org.insert('Account', { Name: 'Kept' });
      const child = org.insert('Contact', { LastName: 'Child', AccountId: kept.Id });
      expect(() =>
        org.transaction(() => {
          org.insert('Lead', { LastName: 'Undone', Company: 'C' });
          org.update('Account', kept.Id, { Name: 'Renamed' });
          org.delete('Account', kept.Id);
          throw new Error('boom');
        })
      ).to.throw('boom');
      expect(org.query('Lead', (r) => r.LastName === 'Undone')).to.have.length(0);
      expect(org.get('Account', kept.Id)?.Name).to.equal('Kept');
      expect(org.get('Contact', child.Id)?.AccountId).to.equal(kept.Id);
      expect(org.findByField('Contact', 'AccountId', kept.Id)).to.have.length(1);
    });

    it('keeps a case-sensitive unique field apart from a case-insensitive one', () => {
      org.defineField('Account', field('Code__c', 'string', { length: 10, unique: true, caseSensitive: true }));
      org.insert('Account', { Name: 'a', Code__c: 'abc' });
      expect(() => org.insert('Account', { Name: 'b', Code__c: 'ABC' })).not.to.throw();
      expect(() => org.insert('Account', { Name: 'c', Code__c: 'abc' })).to.throw(/duplicate value found/);
    });

    it('cascades a delete through a Cascade lookup and refuses one behind a Restrict lookup', () => {
      org.defineObject(
        object('Play__c', org.newKeyPrefix(), [
          field('Name', 'string', { nameField: true }),
          field('Lead__c', 'reference', { referenceTo: ['Lead'], relationshipName: 'Lead__r', deleteConstraint: 'Cascade' }),
          field('Account__c', 'reference', { referenceTo: ['Account'], relationshipName: 'Account__r', deleteConstraint: 'Restrict' }),
        ])
      );
      const lead = org.insert('Lead', { LastName: 'L', Company: 'C' });
      const account = org.insert('Account', { Name: 'Held' });
      org.insert('Play__c', { Name: 'p1', Lead__c: lead.Id, Account__c: account.Id });
      expect(() => org.delete('Account', account.Id)).to.throw(SalesforceError).with.property('errorCode', 'DELETE_FAILED');
      org.delete('Lead', lead.Id);
      expect(org.count('Play__c')).to.equal(0);
    });

    it('hides a new custom object until its activation time', () => {
      org.defineObject({ ...object('Late__c', org.newKeyPrefix(), []), activeAt: Date.now() + 60_000 });
      expect(org.isActive('Late__c')).to.equal(false);
      org.defineObject({ ...org.getObject('Late__c')!, activeAt: Date.now() - 1 });
      expect(org.isActive('Late__c')).to.equal(true);
    });

    it('coerces JSON values to the field types', () => {
      const opp = org.insert('Opportunity', { Name: 'O', StageName: 'Prospecting', CloseDate: '2026-01-31T10:00:00Z', Amount: '12.345' });
      expect(opp).to.include({ CloseDate: '2026-01-31', Amount: 12.35 });
      expect(() => org.insert('Opportunity', { Name: 'O', StageName: 'Prospecting', CloseDate: '2026-02-31' })).to.throw(SalesforceError);
      expect(() => org.insert('Lead', { LastName: 'A', Company: 'C', Email: 'not-an-email' })).to.throw(/invalid email address/);
    });
  });

  describe('Salesforce Help: Sandbox Setup Considerations (usernames)', () => {
    it('gives a sandbox admin the sandbox name as a username suffix and keeps the email plain', () => {
      const org = new Org({ isSandbox: true, orgName: 'uat' });
      const { adminUsername } = seed(org);
      expect(adminUsername).to.equal('admin@uat.local.test.uat');
      expect(org.query('User', (u) => u.Username === adminUsername)[0]?.Email).to.equal('admin@uat.local.test');
      expect(org.query('Organization')[0]?.IsSandbox).to.equal(true);
    });
  });

  describe('volume', () => {
    // Speed is measured by `npm run bench -- org`; this checks that the external-id index agrees with the data.
    it('holds 50,000 Leads and finds each by a case-insensitive external id and by a scanned email', () => {
      const org = new Org();
      seed(org);
      org.defineField('Lead', field('Instruqt_Id__c', 'string', { length: 80, externalId: true, unique: true }));
      org.transaction(() => {
        for (let i = 0; i < 50_000; i++) {
          org.insert('Lead', { LastName: `L${i}`, Company: 'Volume', Email: `p${i}@example.com`, Instruqt_Id__c: `k${i}` });
        }
      });
      expect(org.count('Lead')).to.equal(50_000);
      for (let i = 0; i < 1000; i++) {
        const found = org.findByField('Lead', 'Instruqt_Id__c', `K${i * 37}`);
        expect(found.map((r) => r.LastName)).to.deep.equal([`L${i * 37}`]);
      }
      const res = executeSoql(org, undefined, "SELECT Id, Email FROM Lead WHERE Email = 'p49999@example.com'");
      expect(res.records.map((r) => r.Email)).to.deep.equal(['p49999@example.com']);
    });
  });
});
