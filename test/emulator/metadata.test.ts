/* eslint-disable camelcase -- Salesforce API names (Track_Slug__c...) are used as they are */
/*
 * Conformance of the local org's Metadata API with Salesforce's, through jsforce as the sf CLI uses it.
 * Behaviour follows the Metadata API Developer Guide: "deploy()" and "DeployResult"
 * (https://developer.salesforce.com/docs/atlas.en-us.api_meta.meta/api_meta/meta_deploy.htm,
 *  .../meta_deployresult.htm), "CustomObject", "CustomField", "PermissionSet", "retrieve()", "readMetadata()",
 * "listMetadata()" and "Deleting Components from an Organization" (destructiveChanges.xml).
 */
import { expect } from 'chai';
import JSZip from 'jszip';
import { startLocalOrg, type LocalOrg } from '../../emulator/index.js';
import type { SRecord } from '../../emulator/core/types.js';
import { apiFor, type ErrorBody } from './http.js';
import {
  connect,
  deploy,
  destructiveXml,
  failuresOf,
  fieldsOnlyXml,
  objectXml,
  permissionSetXml,
  problemsOf,
  zipOf,
} from './metadata-client.js';

const trackFields = [
  { fullName: 'Track_Slug__c', label: 'Track Slug', type: 'Text', length: 255, externalId: true, unique: true },
  { fullName: 'Score__c', label: 'Score', type: 'Number', precision: 1, scale: 0 },
  { fullName: 'Feedback__c', label: 'Feedback', type: 'TextArea' },
  { fullName: 'Notes__c', label: 'Notes', type: 'LongTextArea', length: 32_768, visibleLines: 3 },
  { fullName: 'Invitation_Link__c', label: 'Invitation Link', type: 'Url' },
  { fullName: 'Done__c', label: 'Done', type: 'Checkbox', defaultValue: false },
  { fullName: 'Played_On__c', label: 'Played On', type: 'Date' },
  { fullName: 'Started_At__c', label: 'Started At', type: 'DateTime' },
  { fullName: 'Contact_Email__c', label: 'Contact Email', type: 'Email' },
  { fullName: 'Contact_Phone__c', label: 'Contact Phone', type: 'Phone' },
  {
    fullName: 'Lead__c',
    label: 'Lead',
    type: 'Lookup',
    referenceTo: 'Lead',
    relationshipName: 'Widgets',
    relationshipLabel: 'Widgets',
    deleteConstraint: 'SetNull',
  },
];

function objectsOf(org: LocalOrg['org'], parentId: string, object: 'ObjectPermissions' | 'FieldPermissions'): SRecord[] {
  return org.query(object, (r) => r.ParentId === parentId);
}

describe('local org Metadata API', () => {
  let local: LocalOrg;

  beforeEach(async () => {
    local = await startLocalOrg({ deployStepMs: 5 });
  });
  afterEach(async () => local.stop());

  describe('deploy of CustomObject and CustomField (CustomObject / CustomField reference)', () => {
    it('creates the object with a key prefix, its name field, standard fields and every supported field type', async () => {
      const conn = await connect(local);
      const result = await deploy(conn, { 'objects/Widget__c.object': objectXml({}, trackFields) });
      expect(result.status, problemsOf(result).join('\n')).to.equal('Succeeded');
      expect(result.success).to.equal(true);
      const def = local.org.getObject('Widget__c')!;
      expect(def.keyPrefix).to.match(/^a[0-9A-Za-z]{2}$/);
      for (const f of ['Id', 'Name', 'OwnerId', 'CreatedById', 'CreatedDate', 'LastModifiedById', 'LastModifiedDate', 'SystemModstamp', 'IsDeleted']) {
        expect(def.fields.has(f.toLowerCase()), f).to.equal(true);
      }
      const types = Object.fromEntries([...def.fields.values()].map((f) => [f.name, f.type]));
      expect(types).to.include({
        Name: 'string',
        Track_Slug__c: 'string',
        Score__c: 'double',
        Feedback__c: 'textarea',
        Notes__c: 'textarea',
        Invitation_Link__c: 'url',
        Done__c: 'boolean',
        Played_On__c: 'date',
        Started_At__c: 'datetime',
        Contact_Email__c: 'email',
        Contact_Phone__c: 'phone',
        Lead__c: 'reference',
      });
      const lead = def.fields.get('lead__c')!;
      expect(lead).to.include({
        relationshipName: 'Lead__r',
        childRelationshipName: 'Widgets__r',
        relationshipLabel: 'Widgets',
        deleteConstraint: 'SetNull',
      });
      expect(lead.referenceTo).to.deep.equal(['Lead']);
      expect(def.fields.get('track_slug__c')).to.include({ externalId: true, unique: true, length: 255 });
      expect(def.fields.get('score__c')).to.include({ precision: 1, scale: 0 });
    });

    it('makes a deployed lookup queryable both ways (Lead__r.LastName and the Widgets__r child relationship)', async () => {
      const conn = await connect(local);
      await deploy(conn, { 'objects/Widget__c.object': objectXml({}, trackFields) });
      const lead = local.org.insert('Lead', { LastName: 'Lovelace', Company: 'Engines' });
      local.org.insert('Widget__c', { Name: 'W1', Lead__c: lead.Id });
      const api = apiFor(local);
      const up = await api.get<{ records: Array<{ Lead__r: { LastName: string } }> }>(
        `/query?q=${encodeURIComponent('SELECT Name, Lead__r.LastName FROM Widget__c')}`
      );
      expect(up.status, JSON.stringify(up.body)).to.equal(200);
      expect(up.body.records[0].Lead__r.LastName).to.equal('Lovelace');
      const down = await api.get<{ records: Array<{ Widgets__r: { totalSize: number } }> }>(
        `/query?q=${encodeURIComponent(`SELECT Id, (SELECT Name FROM Widgets__r) FROM Lead WHERE Id = '${lead.Id}'`)}`
      );
      expect(down.status, JSON.stringify(down.body)).to.equal(200);
      expect(down.body.records[0].Widgets__r.totalSize).to.equal(1);
    });

    it('deploys picklists with their values, and a master-detail child with sharingModel ControlledByParent', async () => {
      const conn = await connect(local);
      const picklist =
        '<fields><fullName>Level__c</fullName><label>Level</label><type>Picklist</type><valueSet><restricted>true</restricted>' +
        '<valueSetDefinition><sorted>false</sorted><value><fullName>Beginner</fullName><default>true</default><label>Beginner</label></value>' +
        '<value><fullName>Expert</fullName><default>false</default><label>Expert</label></value></valueSetDefinition></valueSet></fields>';
      const result = await deploy(conn, {
        'objects/Widget__c.object': objectXml().replace('</CustomObject>', `${picklist}</CustomObject>`),
        'objects/Part__c.object': objectXml({ label: 'Part', plural: 'Parts', sharingModel: 'ControlledByParent' }, [
          { fullName: 'Widget__c', label: 'Widget', type: 'MasterDetail', referenceTo: 'Widget__c', relationshipName: 'Parts' },
        ]),
      });
      expect(result.status, problemsOf(result).join()).to.equal('Succeeded');
      const level = local.org.getObject('Widget__c')!.fields.get('level__c')!;
      expect(level.picklistValues?.map((v) => [v.value, v.defaultValue])).to.deep.equal([
        ['Beginner', true],
        ['Expert', false],
      ]);
      expect(level.restrictedPicklist).to.equal(true);
      const part = local.org.getObject('Part__c')!;
      expect(part.fields.has('ownerid')).to.equal(false);
      expect(part.fields.get('widget__c')).to.include({ nillable: false, deleteConstraint: 'Cascade' });
    });

    it('reports one success per component, plus package.xml', async () => {
      const conn = await connect(local);
      const result = await deploy(conn, { 'objects/Widget__c.object': objectXml({}, trackFields.slice(0, 2)) });
      const successes = result.details.componentSuccesses as Array<{ componentType: string; fullName: string; created: boolean }>;
      expect(successes.map((s) => `${s.componentType}:${s.fullName}`)).to.have.members([
        'CustomObject:Widget__c',
        'CustomField:Widget__c.Track_Slug__c',
        'CustomField:Widget__c.Score__c',
        ':package.xml',
      ]);
      expect(successes.find((s) => s.fullName === 'Widget__c')?.created).to.equal(true);
    });

    it('adds custom fields to a standard object (Lead.X__c)', async () => {
      const conn = await connect(local);
      const result = await deploy(conn, {
        'objects/Lead.object': fieldsOnlyXml([{ fullName: 'Instruqt_Source__c', label: 'Instruqt Source', type: 'Text', length: 80 }]),
      });
      expect(result.status, problemsOf(result).join()).to.equal('Succeeded');
      expect(local.org.getObject('Lead')!.fields.get('instruqt_source__c')).to.include({ type: 'string', length: 80, custom: true });
      const describe = await apiFor(local).get<{ fields: Array<{ name: string }> }>('/sobjects/Lead/describe');
      expect(describe.body.fields.map((f) => f.name)).to.include('Instruqt_Source__c');
    });

    it('gives records without a Name their id as Name, and numbers AutoNumber names', async () => {
      const conn = await connect(local);
      await deploy(conn, {
        'objects/Widget__c.object': objectXml(),
        'objects/Gadget__c.object': objectXml({ label: 'Gadget', plural: 'Gadgets', nameType: 'AutoNumber' }),
      });
      const w = local.org.insert('Widget__c', {});
      expect(w.Name).to.equal(w.Id);
      expect(local.org.insert('Gadget__c', {}).Name).to.equal('W-0001');
      expect(local.org.insert('Gadget__c', {}).Name).to.equal('W-0002');
    });

    it('keeps a new object unusable until the activation delay has passed', async () => {
      await local.stop();
      local = await startLocalOrg({ deployStepMs: 5, activationDelayMs: 400 });
      const conn = await connect(local);
      await deploy(conn, { 'objects/Widget__c.object': objectXml() });
      const api = apiFor(local);
      const before = await api.get<ErrorBody>('/query?q=SELECT+Id+FROM+Widget__c');
      expect(before.status).to.equal(400);
      expect(before.body[0].errorCode).to.equal('INVALID_TYPE');
      expect((await api.get('/sobjects/Widget__c/describe')).status).to.equal(404);
      await new Promise((r) => setTimeout(r, 450));
      expect((await api.get('/query?q=SELECT+Id+FROM+Widget__c')).status).to.equal(200);
      expect((await api.get('/sobjects/Widget__c/describe')).status).to.equal(200);
    });
  });

  describe('validation, worded like Salesforce', () => {
    const cases: Array<[string, Record<string, string>, string]> = [
      ['a missing required element', { 'objects/Widget__c.object': objectXml({ omit: ['pluralLabel'] }) }, 'Required field is missing: pluralLabel'],
      [
        'an unknown field type',
        { 'objects/Widget__c.object': objectXml({}, [{ fullName: 'X__c', label: 'X', type: 'Texty' }]) },
        "'Texty' is not a valid value for the enum 'FieldType'",
      ],
      [
        'a lookup to an unknown object',
        {
          'objects/Widget__c.object': objectXml({}, [
            { fullName: 'Nope__c', label: 'Nope', type: 'Lookup', referenceTo: 'Nope__c', relationshipName: 'Widgets' },
          ]),
        },
        "referenceTo value of 'Nope__c' does not resolve to a valid sObject type",
      ],
      [
        'sharingModel ControlledByParent without a master-detail field',
        { 'objects/Widget__c.object': objectXml({ sharingModel: 'ControlledByParent' }) },
        'Cannot set sharingModel to ControlledByParent on a CustomObject without a MasterDetail relationship field',
      ],
      [
        'a Text field longer than 255',
        { 'objects/Widget__c.object': objectXml({}, [{ fullName: 'X__c', label: 'X', type: 'Text', length: 300 }]) },
        'Length must be between 1 and 255',
      ],
      [
        'a field permission on a required field',
        { 'permissionsets/P.permissionset': permissionSetXml({ fields: [{ field: 'Lead.LastName', read: true }] }) },
        'You cannot deploy to a required field: Lead.LastName',
      ],
      [
        'a field permission on an unknown field',
        { 'permissionsets/P.permissionset': permissionSetXml({ fields: [{ field: 'Lead.Nope__c', read: true }] }) },
        'In field: field - no CustomField named Lead.Nope__c found',
      ],
      [
        'a permission dependency (salesforce-reference.md: ModifyMetadata requires ViewSetup)',
        { 'permissionsets/P.permissionset': permissionSetXml({ users: ['ApiEnabled', 'ModifyMetadata'] }) },
        'Permission ModifyMetadata depends on permission(s): ViewSetup',
      ],
      [
        'an unknown user permission',
        { 'permissionsets/P.permissionset': permissionSetXml({ users: ['FlyToTheMoon'] }) },
        'Unknown user permission: FlyToTheMoon',
      ],
      [
        'an object permission without Read',
        { 'permissionsets/P.permissionset': permissionSetXml({ objects: [{ object: 'Lead', edit: true }] }) },
        'Permission Edit depends on permission(s): Read',
      ],
    ];
    for (const [what, files, problem] of cases) {
      it(`fails ${what}`, async () => {
        const conn = await connect(local);
        const result = await deploy(conn, files);
        expect(result.status).to.equal('Failed');
        expect(result.success).to.equal(false);
        expect(failuresOf(result).map((f) => f.problem).join('\n')).to.include(problem);
        const failure = failuresOf(result)[0];
        expect(failure.problemType).to.equal('Error');
        expect(failure.fileName).to.equal(Object.keys(files)[0]);
      });
    }

    it('fails ViewAllData without what it depends on, naming every missing permission', async () => {
      const conn = await connect(local);
      const result = await deploy(conn, {
        'permissionsets/P.permissionset': permissionSetXml({ users: ['ApiEnabled', 'ViewSetup', 'ViewAllData'] }),
      });
      expect(failuresOf(result)[0].problem).to.equal(
        'Permission ViewAllData depends on permission(s): ViewEventLogFiles, ViewPublicDashboards, ViewPublicReports, ViewPlatformEvents, ViewDataLeakageEvents'
      );
    });

    it('accepts a lookup to an object deployed in the same package', async () => {
      const conn = await connect(local);
      const result = await deploy(conn, {
        'objects/Widget__c.object': objectXml(),
        'objects/Part__c.object': objectXml({ label: 'Part', plural: 'Parts' }, [
          { fullName: 'Widget__c', label: 'Widget', type: 'Lookup', referenceTo: 'Widget__c', relationshipName: 'Parts' },
        ]),
      });
      expect(result.status, problemsOf(result).join()).to.equal('Succeeded');
    });
  });

  describe('checkOnly and rollbackOnError (DeployOptions)', () => {
    it('validates a checkOnly deploy without changing anything', async () => {
      const conn = await connect(local);
      const result = await deploy(conn, { 'objects/Widget__c.object': objectXml() }, { checkOnly: true });
      expect(result).to.include({ status: 'Succeeded', checkOnly: true, success: true });
      expect(local.org.getObject('Widget__c')).to.equal(undefined);
    });

    it('leaves the org untouched when one component fails (rollbackOnError defaults to true)', async () => {
      const conn = await connect(local);
      const result = await deploy(conn, {
        'objects/Widget__c.object': objectXml(),
        'permissionsets/Good.permissionset': permissionSetXml({ users: ['ApiEnabled'] }),
        'permissionsets/Bad.permissionset': permissionSetXml({ users: ['ModifyMetadata'] }),
      });
      expect(result.status).to.equal('Failed');
      expect(result.numberComponentsDeployed).to.equal(0);
      expect(result.numberComponentErrors).to.equal(1);
      expect(local.org.getObject('Widget__c')).to.equal(undefined);
      expect(local.org.query('PermissionSet', (p) => p.Name === 'Good')).to.have.length(0);
    });

    it('keeps the valid components with rollbackOnError=false (SucceededPartial)', async () => {
      const conn = await connect(local);
      const result = await deploy(
        conn,
        {
          'permissionsets/Good.permissionset': permissionSetXml({ users: ['ApiEnabled'] }),
          'permissionsets/Bad.permissionset': permissionSetXml({ users: ['ModifyMetadata'] }),
        },
        { rollbackOnError: false }
      );
      expect(result.status).to.equal('SucceededPartial');
      expect(local.org.query('PermissionSet', (p) => p.Name === 'Good')).to.have.length(1);
      expect(local.org.query('PermissionSet', (p) => p.Name === 'Bad')).to.have.length(0);
    });

    it('cancels a deploy that has not finished (cancelDeploy): Canceled, nothing changed', async () => {
      await local.stop();
      local = await startLocalOrg({ deployStepMs: 300 });
      const conn = await connect(local);
      const started = (await conn.metadata.deploy(await zipOf({ 'objects/Widget__c.object': objectXml() }), {})) as unknown as { id: string };
      // jsforce has no schema for CancelDeployResult: the SOAP strings come through as they are.
      const canceled = (await conn.metadata.cancelDeploy(started.id)) as unknown as { done: string; id: string };
      expect(canceled).to.include({ done: 'true', id: started.id });
      await new Promise((r) => setTimeout(r, 700));
      const status = await conn.metadata.checkDeployStatus(started.id, true);
      expect(status).to.include({ status: 'Canceled', done: true, success: false });
      expect(local.org.getObject('Widget__c')).to.equal(undefined);
    });

    it('goes Pending -> InProgress -> Succeeded over deployStepMs', async () => {
      await local.stop();
      local = await startLocalOrg({ deployStepMs: 150 });
      const conn = await connect(local);
      const started = await conn.metadata.deploy(await zipOf({ 'objects/Widget__c.object': objectXml() }), {});
      const id = (started as unknown as { id: string }).id ?? (await (started as unknown as Promise<{ id: string }>)).id;
      const seen = new Set<string>();
      for (let i = 0; i < 100; i++) {
        const status = await conn.metadata.checkDeployStatus(id, false);
        seen.add(status.status);
        if (status.done) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect([...seen]).to.include.members(['Pending', 'InProgress', 'Succeeded']);
    });
  });

  describe('PermissionSet deploys and the setup-object records (PermissionSet / ObjectPermissions / FieldPermissions)', () => {
    it('stores the set as records and replaces the whole set on redeploy', async () => {
      const conn = await connect(local);
      await deploy(conn, {
        'permissionsets/Sync.permissionset': permissionSetXml({
          label: 'Sync',
          objects: [
            { object: 'Lead', read: true, create: true, edit: true, viewAll: true },
            { object: 'Contact', read: true },
          ],
          fields: [{ field: 'Lead.Email', read: true, edit: true }],
          users: ['ApiEnabled'],
        }),
      });
      const ps = local.org.query('PermissionSet', (p) => p.Name === 'Sync')[0];
      expect(ps).to.include({ Label: 'Sync', PermissionsApiEnabled: true, PermissionsViewAllData: false });
      expect(objectsOf(local.org, ps.Id, 'ObjectPermissions').map((r) => r.SobjectType)).to.have.members(['Lead', 'Contact']);
      expect(objectsOf(local.org, ps.Id, 'FieldPermissions')[0]).to.include({ Field: 'Lead.Email', SobjectType: 'Lead', PermissionsEdit: true });

      const again = await deploy(conn, {
        'permissionsets/Sync.permissionset': permissionSetXml({ label: 'Sync v2', objects: [{ object: 'Lead', read: true }] }),
      });
      expect(again.status).to.equal('Succeeded');
      const after = local.org.get('PermissionSet', ps.Id)!;
      expect(after).to.include({ Label: 'Sync v2', PermissionsApiEnabled: false });
      const rows = objectsOf(local.org, ps.Id, 'ObjectPermissions');
      expect(rows.map((r) => r.SobjectType)).to.deep.equal(['Lead']);
      expect(rows[0]).to.include({ PermissionsRead: true, PermissionsCreate: false, PermissionsViewAllRecords: false });
      expect(objectsOf(local.org, ps.Id, 'FieldPermissions')).to.have.length(0);
    });

    it('returns what REST changed when the set is read back (PATCH PermissionSet, insert/delete rows)', async () => {
      const conn = await connect(local);
      await deploy(conn, {
        'permissionsets/Sync.permissionset': permissionSetXml({ objects: [{ object: 'Lead', read: true }], users: ['ApiEnabled'] }),
      });
      const ps = local.org.query('PermissionSet', (p) => p.Name === 'Sync')[0];
      const api = apiFor(local);
      expect((await api.patch(`/sobjects/PermissionSet/${ps.Id}`, { PermissionsViewSetup: true })).status).to.equal(204);
      const row = objectsOf(local.org, ps.Id, 'ObjectPermissions')[0];
      expect((await api.del(`/sobjects/ObjectPermissions/${row.Id}`)).status).to.equal(204);
      const inserted = await api.post('/sobjects/FieldPermissions', {
        ParentId: ps.Id,
        SobjectType: 'Lead',
        Field: 'Lead.Title',
        PermissionsRead: true,
      });
      expect(inserted.status).to.equal(201);

      const md = (await conn.metadata.read('PermissionSet', 'Sync')) as unknown as {
        userPermissions: Array<{ name: string; enabled: boolean }>;
        objectPermissions: unknown[];
        fieldPermissions: Array<{ field: string; readable: boolean; editable: boolean }>;
      };
      expect(md.userPermissions.map((u) => u.name)).to.have.members(['ApiEnabled', 'ViewSetup']);
      expect(md.objectPermissions).to.have.length(0);
      expect(md.fieldPermissions).to.deep.equal([{ editable: false, field: 'Lead.Title', readable: true }]);
    });

    it('lists and retrieves permission sets, objects and layouts, the layout exactly as deployed', async () => {
      const conn = await connect(local);
      const layout =
        '<?xml version="1.0" encoding="UTF-8"?>\n<Layout xmlns="http://soap.sforce.com/2006/04/metadata">\n    <layoutSections><label>Info</label><style>OneColumn</style></layoutSections>\n</Layout>\n';
      await deploy(conn, {
        'objects/Widget__c.object': objectXml({}, trackFields.slice(0, 1)),
        'permissionsets/Sync.permissionset': permissionSetXml({ objects: [{ object: 'Widget__c', read: true }] }),
        'layouts/Widget__c-Widget Layout.layout': layout,
      });
      const listed = await conn.metadata.list([{ type: 'PermissionSet' }, { type: 'CustomObject' }, { type: 'Layout' }]);
      expect(listed.map((p) => `${p.type}:${p.fullName}`)).to.include.members([
        'PermissionSet:Sync',
        'CustomObject:Widget__c',
        'Layout:Widget__c-Widget Layout',
      ]);
      const retrieved = await conn.metadata
        .retrieve({
          apiVersion: '65.0',
          singlePackage: false,
          unpackaged: {
            types: [
              { name: 'Layout', members: ['*'] },
              { name: 'CustomObject', members: ['Widget__c'] },
              { name: 'PermissionSet', members: ['Sync', 'Missing'] },
            ],
            version: '65.0',
          },
        } as never)
        .complete();
      const zip = await JSZip.loadAsync(Buffer.from(retrieved.zipFile, 'base64'));
      expect(await zip.file('unpackaged/layouts/Widget__c-Widget Layout.layout')!.async('string')).to.equal(layout);
      const object = await zip.file('unpackaged/objects/Widget__c.object')!.async('string');
      expect(object).to.include('<fullName>Track_Slug__c</fullName>').and.include('<sharingModel>ReadWrite</sharingModel>');
      const ps = await zip.file('unpackaged/permissionsets/Sync.permissionset')!.async('string');
      expect(ps).to.include('<object>Widget__c</object>').and.include('<allowRead>true</allowRead>');
      expect(zip.file('unpackaged/package.xml')).to.not.equal(null);
      const messages = ([] as Array<{ problem: string }>).concat(retrieved.messages as never);
      expect(messages.map((m) => m.problem)).to.include("Entity of type 'PermissionSet' named 'Missing' cannot be found");
    });

    it('ties a set to the licence named in <license> and writes it back on read', async () => {
      const conn = await connect(local);
      const xml = permissionSetXml({ label: 'Licensed' }).replace('<label>', '<license>Salesforce API Integration</license><label>');
      const result = await deploy(conn, { 'permissionsets/Licensed.permissionset': xml });
      expect(result.status, problemsOf(result).join()).to.equal('Succeeded');
      const psl = local.org.query('PermissionSetLicense', (l) => l.DeveloperName === 'SalesforceAPIIntegrationPsl')[0];
      expect(local.org.query('PermissionSet', (p) => p.Name === 'Licensed')[0].LicenseId).to.equal(psl.Id);
      const read = (await conn.metadata.read('PermissionSet', 'Licensed')) as unknown as { license: string };
      expect(read.license).to.equal('Salesforce API Integration');
    });

    // Salesforce Help 005228017 "New Connected Apps Can No Longer Be Created in Spring '26": creation through the
    // Metadata API is blocked like the UI's unless Support allows it; existing apps can still be edited.
    it('refuses a new ConnectedApp, and stores one where Support allowed connected app creation', async () => {
      const app =
        '<?xml version="1.0" encoding="UTF-8"?>\n<ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata"><contactEmail>a@b.test</contactEmail><label>Instruqt</label></ConnectedApp>';
      const refused = await deploy(await connect(local), { 'connectedApps/Instruqt.connectedApp': app });
      expect(refused.status).to.equal('Failed');
      expect(problemsOf(refused).join()).to.include("Connected apps creation is restricted as of Spring '26");

      const allowed = await startLocalOrg({ deployStepMs: 5, allowConnectedAppCreation: true });
      try {
        const conn = await connect(allowed);
        const result = await deploy(conn, { 'connectedApps/Instruqt.connectedApp': app });
        expect(result.status, problemsOf(result).join()).to.equal('Succeeded');
        const read = (await conn.metadata.read('ConnectedApp', 'Instruqt')) as unknown as { label: string; contactEmail: string };
        expect(read).to.include({ label: 'Instruqt', contactEmail: 'a@b.test' });
      } finally {
        await allowed.stop();
      }
    });
  });

  describe('destructiveChanges.xml (Deleting Components from an Organization)', () => {
    it('deletes custom fields, objects and permission sets, with their permission rows', async () => {
      const conn = await connect(local);
      await deploy(conn, {
        'objects/Widget__c.object': objectXml({}, trackFields.slice(0, 2)),
        'objects/Gadget__c.object': objectXml({ label: 'Gadget', plural: 'Gadgets' }),
        'permissionsets/Sync.permissionset': permissionSetXml({
          objects: [{ object: 'Gadget__c', read: true }],
          fields: [{ field: 'Widget__c.Score__c', read: true }],
        }),
        'permissionsets/Old.permissionset': permissionSetXml({ label: 'Old' }),
      });
      const ps = local.org.query('PermissionSet', (p) => p.Name === 'Sync')[0];
      const result = await deploy(conn, {
        'destructiveChanges.xml': destructiveXml({
          CustomField: ['Widget__c.Score__c'],
          CustomObject: ['Gadget__c'],
          PermissionSet: ['Old'],
        }),
      });
      expect(result.status, problemsOf(result).join()).to.equal('Succeeded');
      expect(local.org.getObject('Widget__c')!.fields.has('score__c')).to.equal(false);
      expect(local.org.getObject('Gadget__c')).to.equal(undefined);
      expect(local.org.query('PermissionSet', (p) => p.Name === 'Old')).to.have.length(0);
      expect(objectsOf(local.org, ps.Id, 'ObjectPermissions')).to.have.length(0);
      expect(objectsOf(local.org, ps.Id, 'FieldPermissions')).to.have.length(0);
    });

    it('refuses to delete a permission set that is still assigned', async () => {
      const conn = await connect(local);
      await deploy(conn, { 'permissionsets/Old.permissionset': permissionSetXml({ label: 'Old' }) });
      const ps = local.org.query('PermissionSet', (p) => p.Name === 'Old')[0];
      local.org.insert('PermissionSetAssignment', { AssigneeId: local.adminUserId, PermissionSetId: ps.Id });
      const result = await deploy(conn, { 'destructiveChanges.xml': destructiveXml({ PermissionSet: ['Old'] }) });
      expect(result.status).to.equal('Failed');
      expect(local.org.get('PermissionSet', ps.Id)).to.not.equal(undefined);
    });
  });

  describe('SOAP shapes and access (Metadata API Developer Guide: "Metadata API Calls")', () => {
    async function soap(token: string, body: string): Promise<{ status: number; text: string }> {
      const envelope = `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Header xmlns="http://soap.sforce.com/2006/04/metadata"><SessionHeader><sessionId>${token}</sessionId></SessionHeader></soapenv:Header><soapenv:Body xmlns="http://soap.sforce.com/2006/04/metadata">${body}</soapenv:Body></soapenv:Envelope>`;
      const res = await fetch(`${local.instanceUrl}/services/Soap/m/65.0`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/xml', SOAPAction: '""' },
        body: envelope,
      });
      return { status: res.status, text: await res.text() };
    }

    it('writes booleans as strings and a single failure as one element, not an array', async () => {
      const zip = (await zipOf({ 'permissionsets/Bad.permissionset': permissionSetXml({ users: ['ModifyMetadata'] }) })).toString('base64');
      const started = await soap(local.adminToken, `<deploy><ZipFile>${zip}</ZipFile><DeployOptions><rollbackOnError>true</rollbackOnError></DeployOptions></deploy>`);
      expect(started.text).to.match(/<deployResponse><result><done>false<\/done><id>0Af\w{15}<\/id><state>Queued<\/state><\/result><\/deployResponse>/);
      const id = /<id>(\w+)<\/id>/.exec(started.text)![1];
      let text = '';
      for (let i = 0; i < 50 && !text.includes('<done>true</done>'); i++) {
        await new Promise((r) => setTimeout(r, 20));
        text = (await soap(local.adminToken, `<checkDeployStatus><asyncProcessId>${id}</asyncProcessId><includeDetails>true</includeDetails></checkDeployStatus>`)).text;
      }
      expect(text).to.include('<success>false</success>').and.include('<status>Failed</status>');
      expect(text.match(/<componentFailures>/g)).to.have.length(1);
      expect(text).to.include('<problemType>Error</problemType>').and.include('<componentType>PermissionSet</componentType>');
    });

    it('refuses a user without Modify Metadata or Modify All Data with an INSUFFICIENT_ACCESS fault', async () => {
      const profile = local.org.query('Profile', (p) => p.Name === 'Standard User')[0];
      const user = local.org.insert('User', {
        Username: `md-${Date.now()}@example.test`,
        Email: 'md@example.test',
        LastName: 'Meta',
        Alias: 'meta',
        TimeZoneSidKey: 'GMT',
        LocaleSidKey: 'en_US',
        EmailEncodingKey: 'UTF-8',
        LanguageLocaleKey: 'en_US',
        ProfileId: profile.Id,
      });
      const res = await soap(local.tokenFor(user.Id), '<describeMetadata><asOfVersion>65.0</asOfVersion></describeMetadata>');
      expect(res.status).to.equal(500);
      expect(res.text).to.include('<faultcode>sf:INSUFFICIENT_ACCESS</faultcode>');
      expect(res.text).to.include('use of the Metadata API requires a user with the ModifyAllData or ModifyMetadata permissions');
    });

    it('deploys over REST (POST /metadata/deployRequest) and reports status with details', async () => {
      const conn = await connect(local);
      const started = (await conn.metadata.deployRest(await zipOf({ 'objects/Widget__c.object': objectXml() }), { rollbackOnError: true })) as unknown as {
        id: string;
        deployResult: { status: string; done: boolean };
      };
      expect(started.id).to.match(/^0Af/);
      expect(started.deployResult).to.include({ status: 'Pending', done: false });
      let result = await conn.metadata.checkDeployStatus(started.id, true, true);
      for (let i = 0; i < 50 && !result.done; i++) {
        await new Promise((r) => setTimeout(r, 20));
        result = await conn.metadata.checkDeployStatus(started.id, true, true);
      }
      expect(result).to.include({ status: 'Succeeded', success: true, done: true });
      expect(result.details.componentSuccesses).to.be.an('array');
      expect(local.org.getObject('Widget__c')).to.not.equal(undefined);
    });
  });
});
