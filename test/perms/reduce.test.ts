import { expect } from 'chai';
import { auditSnapshot } from '../../src/perms/audit.js';
import { loadPolicy, parsePolicy } from '../../src/perms/policy.js';
import { planReduction, type ReduceAction, type ReduceOptions } from '../../src/perms/reduce.js';
import type { PermissionSnapshot } from '../../src/perms/org-snapshot.js';
import { assignment, permissionSet, seedInstallSnapshot, steadySnapshot, USER_ID } from './fixtures.js';

const policy = loadPolicy();
const plan = (snapshot: PermissionSnapshot, extra: Partial<ReduceOptions> = {}): ReturnType<typeof planReduction> => {
  const opts = { policy, ...extra };
  return planReduction(snapshot, auditSnapshot(snapshot, opts), opts);
};
const ofType = <T extends ReduceAction['type']>(actions: ReduceAction[], type: T): Array<Extract<ReduceAction, { type: T }>> =>
  actions.filter((a): a is Extract<ReduceAction, { type: T }> => a.type === type);

describe('perms reduce plan', () => {
  it('removes View All Data, Customize Application and Modify Metadata before the permissions they require', () => {
    const { snapshot } = seedInstallSnapshot();
    const removals = ofType(plan(snapshot).actions, 'removeUserPermissions');
    expect(removals.map((r) => [r.step, r.permissions.map((p) => p.name)])).to.deep.equal([
      [1, ['CustomizeApplication', 'ModifyMetadata', 'ViewAllData']],
      [
        2,
        [
          'ManageCustomPermissions',
          'ViewDataLeakageEvents',
          'ViewEventLogFiles',
          'ViewPlatformEvents',
          'ViewPublicDashboards',
          'ViewPublicReports',
          'ViewSetup',
        ],
      ],
    ]);
    expect(removals.every((r) => r.permissionSet.name === 'Instruqt_Integration')).to.equal(true);
  });

  it('grants the Instruqt objects and all their fields before removing anything', () => {
    const { snapshot } = seedInstallSnapshot();
    const { actions } = plan(snapshot);
    const grants = ofType(actions, 'grantObject');
    expect(grants.map((g) => g.object)).to.deep.equal(['Instruqt_Track__c', 'Instruqt_Play__c']);
    expect(grants[0].access).to.deep.equal([
      'Read',
      'Create',
      'Edit',
      'Delete',
      'ViewAllRecords',
      'ModifyAllRecords',
      'ViewAllFields',
    ]);
    expect(ofType(actions, 'grantField').map((f) => f.field)).to.include.members([
      'Instruqt_Track__c.Track_Slug__c',
      'Instruqt_Play__c.Score__c',
      'Instruqt_Play__c.Lead__c',
    ]);
    const firstRemoval = actions.findIndex((a) => a.type === 'removeUserPermissions');
    const lastGrant = actions.map((a) => a.type).lastIndexOf('grantField');
    expect(lastGrant).to.be.lessThan(firstRemoval);
  });

  it('plans nothing for the steady state (idempotent)', () => {
    const { snapshot } = steadySnapshot();
    expect(plan(snapshot)).to.deep.equal({ actions: [], blocked: [], foreign: [] });
  });

  it('updates an existing ObjectPermissions row instead of inserting a second one', () => {
    const { snapshot, integration } = steadySnapshot();
    const row = snapshot.objectPermissions.find((o) => o.ParentId === integration.Id && o.SobjectType === 'Lead')!;
    row.PermissionsCreate = false;
    const grants = ofType(plan(snapshot).actions, 'grantObject');
    expect(grants).to.have.length(1);
    expect(grants[0]).to.include({ object: 'Lead', recordId: row.Id });
    expect(grants[0].access).to.deep.equal(['Create']);
  });

  it('never removes a permission the policy requires, even when it is also granted by the own set', () => {
    const { snapshot, integration } = seedInstallSnapshot();
    integration.PermissionsApiEnabled = true;
    const removed = ofType(plan(snapshot).actions, 'removeUserPermissions').flatMap((r) => r.permissions.map((p) => p.name));
    expect(removed).to.not.include('ApiEnabled');
  });

  it('keeps a permission that a kept permission requires, and says why', () => {
    const { path, ...plain } = policy;
    void path;
    const custom = parsePolicy({
      ...plain,
      required: {
        ...policy.required,
        userPermissions: [...policy.required.userPermissions, { name: 'RunReports', workflows: ['api-access'] }],
      },
      dependencies: { ...policy.dependencies, RunReports: ['ViewSetup'] },
    });
    const { snapshot, integration } = seedInstallSnapshot();
    integration.PermissionsRunReports = true;
    const opts = { policy: custom };
    const result = planReduction(snapshot, auditSnapshot(snapshot, opts), opts);
    const removed = ofType(result.actions, 'removeUserPermissions').flatMap((r) => r.permissions.map((p) => p.name));
    expect(removed).to.not.include('ViewSetup');
    expect(result.blocked.map((b) => b.reason)).to.deep.equal(['ViewSetup is required by RunReports, which stays enabled']);
  });

  it('removes forbidden permissions from the own set too', () => {
    const { snapshot, integration } = steadySnapshot();
    integration.PermissionsModifyAllData = true;
    const removals = ofType(plan(snapshot).actions, 'removeUserPermissions');
    expect(removals.map((r) => r.permissions)).to.deep.equal([[{ name: 'ModifyAllData', label: 'Modify All Data', kind: 'forbidden' }]]);
  });

  it('reports a foreign permission set with its fix and never edits it', () => {
    const { snapshot } = steadySnapshot();
    const other = permissionSet('Data_Team', ['ViewAllData']);
    snapshot.permissionSets.push(other);
    snapshot.assignments.push(assignment(USER_ID, other.Id));
    const result = plan(snapshot);
    expect(result.actions).to.deep.equal([]);
    expect(result.foreign).to.have.length(1);
    expect(result.foreign[0].source).to.include({ kind: 'permissionSet', name: 'Data_Team' });
    expect(result.foreign[0].fixes.join(' ')).to.match(/--unassign-foreign/);
  });

  it('unassigns a foreign permission set with --unassign-foreign', () => {
    const { snapshot } = steadySnapshot();
    const other = permissionSet('Data_Team', ['ViewAllData', 'ModifyAllData']);
    snapshot.permissionSets.push(other);
    const psa = assignment(USER_ID, other.Id);
    snapshot.assignments.push(psa);
    const result = plan(snapshot, { unassignForeign: true });
    expect(ofType(result.actions, 'unassign').map((a) => a.assignmentId)).to.deep.equal([psa.Id]);
    expect(result.foreign).to.deep.equal([]);
  });

  it('assigns the own set directly before unassigning a foreign group that carried it', () => {
    const { snapshot, integration } = steadySnapshot();
    snapshot.assignments = [];
    const other = permissionSet('Analytics', ['ViewAllData']);
    snapshot.permissionSets.push(other);
    snapshot.components.push(
      { PermissionSetGroupId: '0PG000000000001', PermissionSetId: other.Id },
      { PermissionSetGroupId: '0PG000000000001', PermissionSetId: integration.Id }
    );
    snapshot.assignments.push(assignment(USER_ID, null, '0PG000000000001', 'Analysts'));
    const { actions } = plan(snapshot, { unassignForeign: true });
    expect(actions.map((a) => a.type)).to.deep.equal(['assign', 'unassign']);
    expect(ofType(actions, 'assign')[0].permissionSet.name).to.equal('Instruqt_Integration');
  });

  it('never unassigns a profile: it is reported', () => {
    const { snapshot } = steadySnapshot();
    snapshot.permissionSets[0].PermissionsViewAllData = true;
    const result = plan(snapshot, { unassignForeign: true });
    expect(result.actions).to.deep.equal([]);
    expect(result.foreign.map((f) => f.source.kind)).to.deep.equal(['profile']);
  });

  it('does not grant objects that are not in the org yet, and says so', () => {
    const { snapshot } = seedInstallSnapshot();
    snapshot.describes.set('Instruqt_Play__c', undefined);
    const result = plan(snapshot);
    expect(ofType(result.actions, 'grantObject').map((g) => g.object)).to.deep.equal(['Instruqt_Track__c']);
    expect(result.blocked.map((b) => b.permission)).to.deep.equal(['Instruqt_Play__c']);
  });
});
