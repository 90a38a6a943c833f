import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { Ajv } from 'ajv';
import { auditSnapshot } from '../../src/perms/audit.js';
import { loadPolicy } from '../../src/perms/policy.js';
import { planReduction, type ReduceResult } from '../../src/perms/reduce.js';
import { assignment, permissionSet, seedInstallSnapshot, USER_ID } from './fixtures.js';

const policy = loadPolicy();
const compile = (file: string): ReturnType<Ajv['compile']> =>
  new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(file, 'utf8')) as object);

describe('perms --json schemas', () => {
  const { snapshot } = seedInstallSnapshot();
  const group = permissionSet('Analytics', ['ViewAllData']);
  snapshot.permissionSets.push(group);
  snapshot.components.push({ PermissionSetGroupId: '0PG000000000009', PermissionSetId: group.Id });
  snapshot.assignments.push(assignment(USER_ID, null, '0PG000000000009', 'Analysts'));
  const audit = auditSnapshot(snapshot, { policy });

  it('the check result matches schemas/instruqt-perms-check.json', () => {
    const validate = compile('schemas/instruqt-perms-check.json');
    expect(validate(JSON.parse(JSON.stringify(audit))), JSON.stringify(validate.errors)).to.equal(true);
  });

  it('the reduce result matches schemas/instruqt-perms-reduce.json', () => {
    const opts = { policy, unassignForeign: true };
    const plan = planReduction(snapshot, audit, opts);
    const result: ReduceResult = {
      dryRun: false,
      plan,
      applied: plan.actions.map((a, i) => ({ ...a, status: i % 2 ? 'done' : 'failed', error: 'x' })),
      before: audit,
      after: audit,
      changed: true,
      verdict: 'fail',
      apiCalls: 12,
    };
    expect(plan.actions.map((a) => a.type)).to.include.members(['grantObject', 'grantField', 'removeUserPermissions', 'unassign']);
    const validate = compile('schemas/instruqt-perms-reduce.json');
    expect(validate(JSON.parse(JSON.stringify(result))), JSON.stringify(validate.errors)).to.equal(true);
  });
});
