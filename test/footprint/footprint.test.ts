/*
 * The footprint in force-app against seed 000's field table (normative) and the steady-state permission set.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import type { FootprintField, FootprintObject, ObjectPermission } from '../../src/footprint/footprint.js';
import { readFootprint, integrationPermissionSet, defaultFootprintDir } from '../../src/footprint/footprint.js';
import { loadPolicy } from '../../src/perms/policy.js';
import { INTEGRATION_PERMISSION_SET, PLAY_OBJECT, TRACK_OBJECT, VIEWER_PERMISSION_SET } from '../../src/footprint/vocabulary.js';

const footprint = readFootprint();
const object = (name: string): FootprintObject => {
  const o = footprint.objects.find((x) => x.name === name);
  if (!o) throw new Error(`force-app has no ${name}`);
  return o;
};
const field = (obj: string, name: string): FootprintField => {
  const f = object(obj).fields.find((x) => x.name === name);
  if (!f) throw new Error(`force-app has no ${obj}.${name}`);
  return f;
};

describe('footprint (force-app)', () => {
  it('holds every object and permission set the vocabulary names (src/ uses the names from vocabulary.ts)', () => {
    expect(footprint.objects.map((o) => o.name)).to.have.members([PLAY_OBJECT, TRACK_OBJECT]);
    expect(footprint.permissionSets.map((p) => p.name)).to.include.members([INTEGRATION_PERMISSION_SET, VIEWER_PERMISSION_SET]);
  });

  it('holds exactly the two Instruqt objects, shared ReadWrite and deployed', () => {
    expect(footprint.objects.map((o) => o.name)).to.deep.equal(['Instruqt_Play__c', 'Instruqt_Track__c']);
    for (const o of footprint.objects) {
      expect(o.sharingModel, o.name).to.equal('ReadWrite');
      expect(o.deploymentStatus, o.name).to.equal('Deployed');
    }
  });

  it('names the Track record "Title", Text(80), and the Play record "Description", Text(80)', () => {
    expect(object('Instruqt_Track__c').nameField).to.deep.equal({ label: 'Title', type: 'Text' });
    expect(object('Instruqt_Play__c').nameField).to.deep.equal({ label: 'Description', type: 'Text' });
  });

  it('gives Instruqt_Track__c the seed table fields plus Track_Slug__c as a unique external id', () => {
    expect(object('Instruqt_Track__c').fields.map((f) => f.name)).to.deep.equal(['Track_Slug__c']);
    expect(field('Instruqt_Track__c', 'Track_Slug__c')).to.include({
      label: 'Track Slug',
      type: 'Text',
      length: 255,
      externalId: true,
      unique: true,
      required: false,
    });
  });

  it('gives Instruqt_Play__c every field of the seed table with its label, type and size', () => {
    const expected: Array<[string, Record<string, unknown>]> = [
      ['Contact__c', { label: 'Contact', type: 'Lookup', referenceTo: 'Contact', deleteConstraint: 'SetNull' }],
      ['Feedback__c', { label: 'Feedback', type: 'TextArea' }],
      ['Instruqt_Track__c', { label: 'Instruqt Track', type: 'Lookup', referenceTo: 'Instruqt_Track__c', deleteConstraint: 'SetNull' }],
      ['Invitation_Link__c', { label: 'Invitation Link', type: 'Url' }],
      ['Lead__c', { label: 'Lead', type: 'Lookup', referenceTo: 'Lead', deleteConstraint: 'SetNull' }],
      ['Participant_ID__c', { label: 'Participant ID', type: 'Text', length: 15 }],
      ['Score__c', { label: 'Score', type: 'Number', precision: 1, scale: 0 }],
      ['Time_Spent__c', { label: 'Time Spent', type: 'Text', length: 15 }],
      ['Time_Spent_Seconds__c', { label: 'Time Spent Seconds', type: 'Number', precision: 10, scale: 0 }],
    ];
    for (const [name, attributes] of expected) {
      expect(field('Instruqt_Play__c', name), name).to.include({ ...attributes, required: false });
    }
  });

  it('adds Play_ID__c as the documented unique external id of a play and User_ID__c for Instruqt user ids, and nothing else', () => {
    expect(field('Instruqt_Play__c', 'Play_ID__c')).to.include({ type: 'Text', length: 255, externalId: true, unique: true });
    // Instruqt user ids are 28 characters; Participant_ID__c (Text(15), seed 000) cannot hold them.
    expect(field('Instruqt_Play__c', 'User_ID__c')).to.include({ type: 'Text', length: 255, externalId: true, unique: false, required: false });
    expect(object('Instruqt_Play__c').fields).to.have.length(11);
  });

  it('gives each lookup a relationship name', () => {
    for (const f of object('Instruqt_Play__c').fields.filter((x) => x.type === 'Lookup')) {
      expect(f.relationshipName, f.name).to.equal('Instruqt_Plays');
    }
  });
});

describe('Instruqt_Integration permission set (steady state)', () => {
  const ps = integrationPermissionSet(footprint);
  const objectPerm = (name: string): ObjectPermission | undefined => ps.objectPermissions.find((o) => o.object === name);

  it('is labelled "Instruqt Integration" and needs no licence', () => {
    expect(ps.label).to.equal('Instruqt Integration');
    expect(ps.license).to.equal(undefined);
  });

  it('grants no system permission (install-time permissions are never part of the steady state)', () => {
    expect(ps.userPermissions.filter((u) => u.enabled)).to.deep.equal([]);
  });

  it('grants Lead Read, Create, Edit and View All Records, and no delete', () => {
    expect(objectPerm('Lead')).to.deep.include({
      allowRead: true,
      allowCreate: true,
      allowEdit: true,
      allowDelete: false,
      viewAllRecords: true,
      modifyAllRecords: false,
    });
  });

  it('grants Contact Read and View All Records only', () => {
    expect(objectPerm('Contact')).to.deep.include({
      allowRead: true,
      allowCreate: false,
      allowEdit: false,
      allowDelete: false,
      viewAllRecords: true,
      modifyAllRecords: false,
    });
  });

  it('grants full access to both Instruqt objects, View All Fields included', () => {
    for (const name of ['Instruqt_Play__c', 'Instruqt_Track__c']) {
      expect(objectPerm(name), name).to.deep.equal({
        object: name,
        allowRead: true,
        allowCreate: true,
        allowEdit: true,
        allowDelete: true,
        viewAllRecords: true,
        modifyAllRecords: true,
        viewAllFields: true,
      });
    }
  });

  it('grants read & edit on Lead Email/Phone/Title and read only on Contact Email/Phone/Title', () => {
    for (const f of ['Email', 'Phone', 'Title']) {
      expect(ps.fieldPermissions).to.deep.include({ field: `Lead.${f}`, readable: true, editable: true });
      expect(ps.fieldPermissions).to.deep.include({ field: `Contact.${f}`, readable: true, editable: false });
    }
  });

  it('grants read and edit on every field file under the two Instruqt objects (a new field without FLS fails here)', () => {
    const root = join(defaultFootprintDir(), 'main', 'default', 'objects');
    const files = ['Instruqt_Play__c', 'Instruqt_Track__c'].flatMap((o) =>
      readdirSync(join(root, o, 'fields')).map((f) => `${o}.${f.replace(/\.field-meta\.xml$/, '')}`)
    );
    expect(files).to.have.length.greaterThan(10);
    for (const name of files) {
      expect(ps.fieldPermissions, name).to.deep.include({ field: name, readable: true, editable: true });
    }
  });

  it('names only fields that exist (standard Lead/Contact fields or force-app field files)', () => {
    const custom = new Set(footprint.objects.flatMap((o) => o.fields.map((f) => f.fullName)));
    const standard = [...['Email', 'Phone', 'Title'].flatMap((f) => [`Lead.${f}`, `Contact.${f}`]), 'Lead.LeadSource'];
    for (const p of ps.fieldPermissions) {
      expect(custom.has(p.field) || standard.includes(p.field), p.field).to.equal(true);
    }
  });

  it('grants every object and field access the least-privilege policy requires of Lead and Contact', () => {
    const policy = loadPolicy();
    for (const required of policy.required.objects) {
      const granted = objectPerm(required.object);
      expect(granted, required.object).to.not.equal(undefined);
      for (const access of Object.keys(required.access)) {
        const key = ({ Read: 'allowRead', Create: 'allowCreate', Edit: 'allowEdit', Delete: 'allowDelete' } as Record<string, string>)[access] ??
          access.charAt(0).toLowerCase() + access.slice(1);
        expect((granted as Record<string, unknown>)[key], `${required.object} ${access}`).to.equal(true);
      }
      if (Array.isArray(required.fields)) {
        for (const f of required.fields) {
          expect(ps.fieldPermissions, `${required.object}.${f.field}`).to.deep.include({
            field: `${required.object}.${f.field}`,
            readable: true,
            editable: f.access === 'Edit',
          });
        }
      }
    }
  });

  it('grants no permission the policy calls install-only or forbidden', () => {
    const policy = loadPolicy();
    const banned = new Set([...policy.installOnly, ...policy.forbidden].map((p) => p.name));
    expect(ps.userPermissions.filter((u) => u.enabled && banned.has(u.name))).to.deep.equal([]);
  });
});
