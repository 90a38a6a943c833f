/*
 * The schema a deploy will produce: the org's objects and fields plus those in the package, so that a lookup or a
 * permission set can refer to an object deployed in the same package (Salesforce validates the package as a whole).
 */
import type { OrgApi } from '../core/types.js';
import type { Component } from './package-zip.js';
import { text } from './xml.js';

export type PlannedField = { name: string; required: boolean; masterDetail: boolean; type: string };
export type PlannedObject = { name: string; custom: boolean; isNew: boolean; fields: Map<string, PlannedField> };

export type DeployPlan = {
  org: OrgApi;
  objects: Map<string, PlannedObject>;
  object(name: string): PlannedObject | undefined;
  field(objectName: string, field: string): PlannedField | undefined;
};

export function buildPlan(org: OrgApi, components: Component[]): DeployPlan {
  const objects = new Map<string, PlannedObject>();
  for (const def of org.listObjects()) {
    const fields = new Map<string, PlannedField>();
    for (const f of def.fields.values()) {
      fields.set(f.name.toLowerCase(), {
        name: f.name,
        required: !f.nillable && f.type !== 'boolean' && f.createable && !f.defaultedOnCreate,
        masterDetail: f.metadata?.type === 'MasterDetail',
        type: f.type,
      });
    }
    objects.set(def.name.toLowerCase(), { name: def.name, custom: def.custom, isNew: false, fields });
  }
  for (const c of components) {
    if (c.type === 'CustomObject' && !objects.has(c.fullName.toLowerCase()) && c.fullName.endsWith('__c')) {
      objects.set(c.fullName.toLowerCase(), { name: c.fullName, custom: true, isNew: true, fields: new Map() });
    }
  }
  for (const c of components) {
    if (c.type !== 'CustomField') continue;
    const [objectName, fieldName] = c.fullName.split('.');
    const obj = objects.get(objectName.toLowerCase());
    if (!obj) continue;
    const type = text(c.body.type) ?? '';
    obj.fields.set(fieldName.toLowerCase(), {
      name: fieldName,
      required: text(c.body.required) === 'true' || type === 'MasterDetail',
      masterDetail: type === 'MasterDetail',
      type,
    });
  }
  // A new custom object has a name field and standard fields from the start.
  for (const obj of objects.values()) {
    if (!obj.isNew) continue;
    for (const name of ['Id', 'Name', 'OwnerId', 'CreatedById', 'CreatedDate', 'LastModifiedById', 'LastModifiedDate']) {
      if (!obj.fields.has(name.toLowerCase())) {
        obj.fields.set(name.toLowerCase(), { name, required: false, masterDetail: false, type: 'standard' });
      }
    }
  }
  return {
    org,
    objects,
    object: (name): PlannedObject | undefined => objects.get(name.toLowerCase()),
    field: (objectName, field): PlannedField | undefined => objects.get(objectName.toLowerCase())?.fields.get(field.toLowerCase()),
  };
}
