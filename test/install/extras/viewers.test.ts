/*
 * install --viewers as a library: Instruqt_Viewer (read-only on both Instruqt objects and all their fields) goes to
 * named users or into a permission set group; nothing is written twice; viewers can read plays and write nothing.
 */
/* eslint-disable camelcase -- Salesforce API names (Track_Slug__c) */
import { expect } from 'chai';
import { grantViewers, parseViewers } from '../../../src/install/extras/viewers.js';
import { readFootprint } from '../../../src/footprint/footprint.js';
import { SalesforceApiError } from '../../../src/salesforce/errors.js';
import { SalesforceClient } from '../../../src/salesforce/client.js';
import { connectAs, startInstalled, permissionSet, same, type Installed } from '../../helpers/installed-org.js';

describe('viewers', function () {
  this.timeout(60_000);
  let env: Installed;
  beforeEach(async () => {
    env = await startInstalled();
  });
  afterEach(async () => env.local.stop());

  function salesUser(): { Id: string; Username: string } {
    const profile = env.local.org.query('Profile', (p) => p.Name === 'Standard User')[0] ?? env.local.org.query('Profile')[0];
    const username = `rep.${Math.random().toString(36).slice(2, 8)}@acme.test`;
    const user = env.local.org.insert('User', {
      Username: username,
      Email: 'rep@acme.test',
      LastName: 'Rep',
      Alias: 'rep',
      ProfileId: profile.Id,
      TimeZoneSidKey: 'Europe/Amsterdam',
      LocaleSidKey: 'en_US',
      EmailEncodingKey: 'UTF-8',
      LanguageLocaleKey: 'en_US',
    });
    return { Id: user.Id, Username: username };
  }

  it('ships Instruqt_Viewer read-only on both objects and every field of the footprint', () => {
    const footprint = readFootprint();
    const viewer = footprint.permissionSets.find((p) => p.name === 'Instruqt_Viewer');
    expect(viewer?.objectPermissions.map((o) => [o.object, o.allowRead, o.allowCreate, o.allowEdit, o.allowDelete])).to.deep.equal([
      ['Instruqt_Play__c', true, false, false, false],
      ['Instruqt_Track__c', true, false, false, false],
    ]);
    const fields = footprint.objects.flatMap((o) => o.fields.map((f) => f.fullName)).sort();
    expect(viewer?.fieldPermissions.map((f) => f.field).sort()).to.deep.equal(fields);
    expect(viewer?.fieldPermissions.every((f) => f.readable && !f.editable)).to.equal(true);
    expect(viewer?.userPermissions).to.deep.equal([]);
  });

  it('assigns Instruqt_Viewer to named users once, and reports unknown names', async () => {
    const rep = salesUser();
    const first = await grantViewers(env.client, parseViewers([`${rep.Username}, nobody@acme.test`]));
    expect(first.targets.map((t) => [t.name, t.kind, t.status])).to.deep.equal([
      [rep.Username, 'user', 'assigned'],
      ['nobody@acme.test', 'unknown', 'not-found'],
    ]);
    const viewer = permissionSet(env.local, 'Instruqt_Viewer');
    expect(env.local.org.query('PermissionSetAssignment', (a) => same(a.AssigneeId, rep.Id) && same(a.PermissionSetId, viewer.Id))).to.have.length(1);
    const second = await grantViewers(env.client, [rep.Username]);
    expect(second.targets[0].status).to.equal('already');
    expect(second.writes).to.equal(0);
  });

  it('adds Instruqt_Viewer to a permission set group as a component', async () => {
    const group = env.local.org.insert('PermissionSetGroup', { DeveloperName: 'Sales_Reps', MasterLabel: 'Sales Reps' });
    const result = await grantViewers(env.client, ['Sales_Reps']);
    expect(result.targets[0]).to.include({ kind: 'group', status: 'assigned' });
    const viewer = permissionSet(env.local, 'Instruqt_Viewer');
    expect(env.local.org.query('PermissionSetGroupComponent', (c) => same(c.PermissionSetGroupId, group.Id) && same(c.PermissionSetId, viewer.Id))).to.have.length(1);
    expect((await grantViewers(env.client, ['Sales_Reps'])).targets[0].status).to.equal('already');
  });

  it('lets a viewer read plays and refuses a viewer\'s write', async () => {
    const rep = salesUser();
    const track = env.local.org.insert('Instruqt_Track__c', { Name: 'Kubernetes 101', Track_Slug__c: 'k8s-101' });
    const asRep = new SalesforceClient(await connectAs(env.local, env.local.tokenFor(rep.Id)), { maxRetries: 0 });
    const before = await asRep.query('SELECT Id, Track_Slug__c FROM Instruqt_Track__c').catch((e: Error) => e);
    expect(before).to.be.instanceOf(SalesforceApiError);
    await grantViewers(env.client, [rep.Username]);
    const rows = await asRep.query<{ Track_Slug__c: string }>('SELECT Id, Track_Slug__c FROM Instruqt_Track__c');
    expect(rows.map((r) => r.Track_Slug__c)).to.deep.equal(['k8s-101']);
    let refused: unknown;
    try {
      await asRep.patch('Instruqt_Track__c', track.Id, { Track_Slug__c: 'changed' });
    } catch (error) {
      refused = error;
    }
    expect(refused).to.be.instanceOf(SalesforceApiError);
  });
});
