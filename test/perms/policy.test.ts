import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { Ajv } from 'ajv';
import { categorize, loadPolicy, parsePolicy, PolicyError, requiredFields } from '../../src/perms/policy.js';

const shipped = JSON.parse(readFileSync('policy/instruqt-integration.policy.json', 'utf8')) as Record<string, unknown>;

describe('perms policy', () => {
  it('ships a policy that validates against schemas/instruqt-policy.schema.json', () => {
    const schema = JSON.parse(readFileSync('schemas/instruqt-policy.schema.json', 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    expect(validate(shipped), JSON.stringify(validate.errors)).to.equal(true);
  });

  it('loads the shipped policy by default with the seed 000 permissions in their categories', () => {
    const policy = loadPolicy();
    expect(policy.permissionSets).to.deep.equal(['Instruqt_Integration']);
    expect(categorize(policy, 'ApiEnabled')).to.equal('required');
    for (const p of ['CustomizeApplication', 'ModifyMetadata', 'ViewAllData', 'ViewSetup', 'ViewPlatformEvents']) {
      expect(categorize(policy, p), p).to.equal('installOnly');
    }
    for (const p of ['ModifyAllData', 'ManageUsers', 'AuthorApex']) expect(categorize(policy, p), p).to.equal('forbidden');
    expect(categorize(policy, 'RunReports')).to.equal('excess');
    expect(policy.dependencies?.ViewAllData).to.include.members(['ViewSetup', 'ViewDataLeakageEvents']);
  });

  it('requires Lead create access and Email/Phone/Title edit for the lead workflow', () => {
    const policy = loadPolicy();
    const lead = policy.required.objects.find((o) => o.object === 'Lead');
    expect(Object.keys(lead?.access ?? {})).to.have.members(['Read', 'Create', 'Edit', 'ViewAllRecords']);
    const fields = requiredFields(policy, new Map());
    expect(fields.filter((f) => f.object === 'Lead').map((f) => `${f.field}:${f.access}`)).to.include.members([
      'Lead.Email:Edit',
      'Lead.Phone:Edit',
      'Lead.Title:Edit',
    ]);
    expect(fields.filter((f) => f.object === 'Contact').every((f) => f.access === 'Read')).to.equal(true);
  });

  it('expands "*" to the custom fields the org describes, skipping required and formula fields', () => {
    const policy = loadPolicy();
    const fields = requiredFields(
      policy,
      new Map([
        [
          'Instruqt_Play__c',
          [
            { name: 'Name', custom: false, nillable: true },
            { name: 'Score__c', custom: true, nillable: true },
            { name: 'Must__c', custom: true, nillable: false },
            { name: 'Formula__c', custom: true, nillable: true, calculated: true },
          ],
        ],
      ])
    );
    expect(fields.filter((f) => f.object === 'Instruqt_Play__c').map((f) => f.field)).to.deep.equal([
      'Instruqt_Play__c.Score__c',
    ]);
  });

  it('refuses a policy naming an unknown workflow, listing the problem', () => {
    const bad = structuredClone(shipped) as { required: { userPermissions: Array<{ workflows: string[] }> } };
    bad.required.userPermissions[0].workflows = ['nope'];
    expect(() => parsePolicy(bad, 'bad.json'))
      .to.throw(PolicyError)
      .with.property('problems')
      .that.deep.equals(['required user permission ApiEnabled names unknown workflow "nope"']);
  });

  it('refuses a permission that is both required and forbidden', () => {
    const bad = structuredClone(shipped) as { forbidden: Array<{ name: string }> };
    bad.forbidden.push({ name: 'ApiEnabled' });
    expect(() => parsePolicy(bad)).to.throw(PolicyError).with.property('problems').that.deep.equals([
      'ApiEnabled is both required and forbidden',
    ]);
  });

  it('refuses a policy that breaks the schema', () => {
    const bad = { ...shipped, permissionSets: [] };
    expect(() => parsePolicy(bad)).to.throw(PolicyError).with.property('problems').that.has.length.greaterThan(0);
  });

  it('says which file it could not read', () => {
    expect(() => loadPolicy('does/not/exist.json')).to.throw(PolicyError, /does\/not\/exist\.json/);
  });
});
