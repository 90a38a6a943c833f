import { expect } from 'chai';
import { auditSnapshot, type Finding } from '../../src/perms/audit.js';
import { effectivePermissions } from '../../src/perms/effective-permissions.js';
import { loadPolicy } from '../../src/perms/policy.js';
import {
  ADMIN_PROFILE_ID,
  assignment,
  fieldPermission,
  objectPermission,
  permissionSet,
  profileSet,
  seedInstallSnapshot,
  steadySnapshot,
  USER_ID,
} from './fixtures.js';

const policy = loadPolicy();
const findingsOf = (result: ReturnType<typeof auditSnapshot>): Finding[] => result.users.flatMap((u) => u.findings);
const byId = (result: ReturnType<typeof auditSnapshot>, id: string): Finding | undefined =>
  findingsOf(result).find((f) => f.id === id);

describe('perms audit', () => {
  it('fails the seed install state naming View All Data, Customize Application, Modify Metadata and the five global permissions', () => {
    const { snapshot } = seedInstallSnapshot();
    const result = auditSnapshot(snapshot, { policy });
    expect(result.verdict).to.equal('fail');
    const installOnly = findingsOf(result).filter((f) => f.kind === 'installOnly');
    expect(installOnly.map((f) => f.permission.label)).to.include.members([
      'View All Data',
      'Customize Application',
      'Modify Metadata Through Metadata API Functions',
      'View Login Forensics Events',
      'View Reports in Public Folders',
      'View Event Log Files',
      'View Dashboards in Public Folders',
      'View Real-Time Event Monitoring Data',
    ]);
    for (const f of installOnly) {
      expect(f.failing).to.equal(true);
      expect(f.sources.map((s) => `${s.kind}:${s.name}:${s.owned}`)).to.deep.equal(['permissionSet:Instruqt_Integration:true']);
      expect(f.fixes[0]).to.match(/sf instruqt perms reduce/);
    }
  });

  it('reports the Instruqt objects access the post-install step adds as missing, with the workflow that breaks', () => {
    const { snapshot } = seedInstallSnapshot();
    const result = auditSnapshot(snapshot, { policy });
    const play = byId(result, 'missing:object:Instruqt_Play__c');
    expect(play?.permission).to.include({ type: 'object', object: 'Instruqt_Play__c' });
    expect(play?.workflows.map((w) => w.id)).to.deep.equal(['plays']);
    expect(byId(result, 'missing:field:Instruqt_Play__c.Score__c')?.message).to.match(/Store tracks and plays/);
  });

  it('passes the steady state of the seed', () => {
    const { snapshot } = steadySnapshot();
    const result = auditSnapshot(snapshot, { policy, strict: true });
    expect(findingsOf(result)).to.deep.equal([]);
    expect(result.verdict).to.equal('pass');
  });

  it('reports a removed required field permission as missing with the workflow it breaks', () => {
    const { snapshot } = steadySnapshot();
    snapshot.fieldPermissions = snapshot.fieldPermissions.filter((f) => f.Field !== 'Lead.Email');
    const result = auditSnapshot(snapshot, { policy });
    const missing = byId(result, 'missing:field:Lead.Email');
    expect(missing?.failing).to.equal(true);
    expect(missing?.permission).to.include({ type: 'field', field: 'Lead.Email', access: 'Edit' });
    expect(missing?.workflows.map((w) => w.description)).to.include('Create Lead on form submission');
    expect(result.verdict).to.equal('fail');
  });

  it('reports read-only access to a field that needs edit as missing Edit', () => {
    const { snapshot } = steadySnapshot();
    snapshot.fieldPermissions.find((f) => f.Field === 'Lead.Phone')!.PermissionsEdit = false;
    const missing = byId(auditSnapshot(snapshot, { policy }), 'missing:field:Lead.Phone');
    expect(missing?.permission).to.include({ access: 'Edit' });
  });

  it('names a second permission set as the source of View All Data, with a fix that does not edit it', () => {
    const { snapshot } = steadySnapshot();
    const other = permissionSet('Data_Team', ['ViewAllData', 'ViewSetup'], { Label: 'Data Team' });
    snapshot.permissionSets.push(other);
    snapshot.assignments.push(assignment(USER_ID, other.Id));
    const vad = byId(auditSnapshot(snapshot, { policy }), 'installOnly:user:ViewAllData');
    expect(vad?.sources.map((s) => `${s.kind}:${s.name}:${s.owned}`)).to.deep.equal(['permissionSet:Data_Team:false']);
    expect(vad?.fixes.join('\n')).to.match(/Setup > Permission Sets > Data Team/).and.match(/--unassign-foreign/);
  });

  it('names the group and its member set as the source of View All Data granted through a permission set group', () => {
    const { snapshot } = steadySnapshot();
    const member = permissionSet('Analytics', ['ViewAllData']);
    snapshot.permissionSets.push(member);
    snapshot.components.push({ PermissionSetGroupId: '0PG000000000001', PermissionSetId: member.Id });
    snapshot.assignments.push(assignment(USER_ID, null, '0PG000000000001', 'Analysts'));
    const vad = byId(auditSnapshot(snapshot, { policy }), 'installOnly:user:ViewAllData');
    expect(vad?.sources).to.have.length(1);
    expect(vad?.sources[0]).to.include({ kind: 'permissionSetGroup', name: 'Analysts', owned: false });
    expect(vad?.sources[0].permissionSet?.name).to.equal('Analytics');
    expect(vad?.fixes.join('\n')).to.match(/Permission Set Groups > Analysts > Muting Permission Set/);
  });

  it('honours a muting permission set in the group: a muted permission is no finding, and the mute is recorded', () => {
    const { snapshot } = steadySnapshot();
    const member = permissionSet('Analytics', ['ViewAllData', 'RunReports']);
    snapshot.permissionSets.push(member);
    snapshot.mutingSets.push({ Id: '0QM000000000001', DeveloperName: 'Analysts_Muting', PermissionsViewAllData: true });
    snapshot.components.push(
      { PermissionSetGroupId: '0PG000000000001', PermissionSetId: member.Id },
      { PermissionSetGroupId: '0PG000000000001', PermissionSetId: '0QM000000000001' }
    );
    snapshot.assignments.push(assignment(USER_ID, null, '0PG000000000001', 'Analysts'));
    const result = auditSnapshot(snapshot, { policy });
    expect(byId(result, 'installOnly:user:ViewAllData')).to.equal(undefined);
    expect(byId(result, 'excess:user:RunReports')?.sources[0].name).to.equal('Analysts');
    expect(result.users[0].muted).to.deep.include({
      type: 'user',
      key: 'ViewAllData',
      group: { id: '0PG000000000001', name: 'Analysts', label: 'Analysts' },
      mutingSet: { id: '0QM000000000001', name: 'Analysts_Muting', label: 'Analysts_Muting' },
    });
  });

  it('does not let a group muting set mute what another permission set grants', () => {
    const { snapshot } = steadySnapshot();
    const direct = permissionSet('Direct_VAD', ['ViewAllData']);
    snapshot.permissionSets.push(direct);
    snapshot.assignments.push(assignment(USER_ID, direct.Id));
    snapshot.mutingSets.push({ Id: '0QM000000000001', DeveloperName: 'M', PermissionsViewAllData: true });
    snapshot.components.push({ PermissionSetGroupId: '0PG000000000001', PermissionSetId: '0QM000000000001' });
    snapshot.assignments.push(assignment(USER_ID, null, '0PG000000000001', 'G'));
    const vad = byId(auditSnapshot(snapshot, { policy }), 'installOnly:user:ViewAllData');
    expect(vad?.sources.map((s) => s.name)).to.deep.equal(['Direct_VAD']);
  });

  it('names the profile as the source of View All Data granted by the profile, with the Setup path', () => {
    const { snapshot } = steadySnapshot();
    snapshot.permissionSets[0].PermissionsViewAllData = true;
    const vad = byId(auditSnapshot(snapshot, { policy }), 'installOnly:user:ViewAllData');
    expect(vad?.sources).to.deep.equal([
      { kind: 'profile', id: snapshot.users[0].ProfileId, name: 'Minimum Access - API Only Integrations', label: 'Minimum Access - API Only Integrations', owned: false },
    ]);
    expect(vad?.fixes[0]).to.match(/^Setup > Profiles > Minimum Access - API Only Integrations > System Permissions/);
  });

  it('lists every source when several grant the same permission', () => {
    const { snapshot, integration } = steadySnapshot();
    integration.PermissionsModifyAllData = true;
    snapshot.users[0].ProfileId = ADMIN_PROFILE_ID;
    snapshot.users[0].Profile = { Name: 'System Administrator' };
    snapshot.permissionSets.push(profileSet(ADMIN_PROFILE_ID, 'System Administrator', ['ApiEnabled', 'ModifyAllData']));
    const mad = byId(auditSnapshot(snapshot, { policy }), 'forbidden:user:ModifyAllData');
    expect(mad?.sources.map((s) => `${s.kind}:${s.name}`)).to.have.members([
      'profile:System Administrator',
      'permissionSet:Instruqt_Integration',
    ]);
  });

  it('reports excess as a warning that fails only with strict', () => {
    const { snapshot, integration } = steadySnapshot();
    integration.PermissionsRunReports = true;
    snapshot.objectPermissions.push(objectPermission(integration.Id, 'Account', ['Read']));
    snapshot.fieldPermissions.push(fieldPermission(integration.Id, 'Lead.Industry', false));
    const lax = auditSnapshot(snapshot, { policy });
    expect(lax.verdict).to.equal('pass');
    expect(findingsOf(lax).map((f) => f.id)).to.have.members([
      'excess:user:RunReports',
      'excess:object:Account',
      'excess:field:Lead.Industry',
    ]);
    expect(findingsOf(lax).every((f) => !f.failing)).to.equal(true);
    const strict = auditSnapshot(snapshot, { policy, strict: true });
    expect(strict.verdict).to.equal('fail');
    expect(strict.summary).to.include({ excess: 3, failing: 3 });
  });

  it('reports Delete on Lead as excess object access on a policy object', () => {
    const { snapshot, integration } = steadySnapshot();
    snapshot.objectPermissions.find((o) => o.ParentId === integration.Id && o.SobjectType === 'Lead')!.PermissionsDelete = true;
    const excess = byId(auditSnapshot(snapshot, { policy }), 'excess:object:Lead');
    expect(excess?.permission).to.deep.include({ access: ['Delete'] });
  });

  it('ignores an expired assignment', () => {
    const { snapshot } = steadySnapshot();
    const old = permissionSet('Old', ['ModifyAllData']);
    snapshot.permissionSets.push(old);
    snapshot.assignments.push({ ...assignment(USER_ID, old.Id), ExpirationDate: '2020-01-01T00:00:00.000Z' });
    expect(byId(auditSnapshot(snapshot, { policy }), 'forbidden:user:ModifyAllData')).to.equal(undefined);
  });

  it('does not count View All Data as the Instruqt objects access the sync needs', () => {
    const { snapshot } = seedInstallSnapshot();
    const eff = effectivePermissions(snapshot, policy.permissionSets)[0];
    expect(eff.userPermissions.has('ViewAllData')).to.equal(true);
    expect(byId(auditSnapshot(snapshot, { policy }), 'missing:object:Instruqt_Track__c')).to.not.equal(undefined);
  });

  it('tells a user without the integration permission set to assign it', () => {
    const { snapshot } = seedInstallSnapshot();
    snapshot.assignments = [];
    const missing = byId(auditSnapshot(snapshot, { policy }), 'missing:object:Lead');
    expect(missing?.fixes[0]).to.match(/sf org assign permset --name Instruqt_Integration --on-behalf-of instruqt@example.com/);
  });

  it('says the object is not in the org yet and to install first', () => {
    const { snapshot } = seedInstallSnapshot();
    snapshot.describes.set('Instruqt_Play__c', undefined);
    const result = auditSnapshot(snapshot, { policy });
    expect(byId(result, 'missing:object:Instruqt_Play__c')?.fixes).to.deep.equal([
      'Deploy the integration\'s objects first: sf instruqt install --target-org <org>',
    ]);
    expect(result.warnings.join('\n')).to.match(/Instruqt_Play__c is not in the org yet/);
  });

  it('treats install-only permissions as expected while installing', () => {
    const { snapshot } = seedInstallSnapshot();
    const result = auditSnapshot(snapshot, { policy, allowInstallOnly: true });
    expect(findingsOf(result).filter((f) => f.kind === 'installOnly').every((f) => !f.failing)).to.equal(true);
  });

  it('fails when a user named with --user does not exist, saying which', () => {
    const { snapshot } = steadySnapshot();
    snapshot.unknownUsers = ['nobody@example.com'];
    const result = auditSnapshot(snapshot, { policy, users: ['nobody@example.com'] });
    expect(result.verdict).to.equal('fail');
    expect(result.warnings).to.include('No user with username or ID "nobody@example.com".');
  });
});
