/*
 * CustomObject and CustomField components: validation with Salesforce's problem wording, turning them into the
 * org's object and field definitions (new objects get a key prefix, standard fields and an activation delay), and
 * turning definitions back into metadata for retrieve.
 */
import { SalesforceError, type FieldDef, type ObjectDef, type OrgApi } from '../core/types.js';
import { field as fieldDef, object as objectDef } from '../schema/fields.js';
import { registerReferenceChecks } from '../access/index.js';
import type { Component } from './package-zip.js';
import type { DeployPlan } from './plan.js';
import { storeOf } from './store.js';
import { asArray, bool, sortedKeys, text, type XmlObject } from './xml.js';

export const fieldTypes = [
  'Text',
  'TextArea',
  'LongTextArea',
  'Url',
  'Number',
  'Checkbox',
  'Date',
  'DateTime',
  'Email',
  'Phone',
  'Picklist',
  'Lookup',
  'MasterDetail',
] as const;

const sharingModels = ['Private', 'Read', 'ReadWrite', 'ReadWriteTransfer', 'FullAccess', 'ControlledByParent'];
const deleteConstraints = ['SetNull', 'Restrict', 'Cascade'];
const externalIdTypes = ['Text', 'Number', 'Email'];

const missing = (element: string): string => `Required field is missing: ${element}`;
const badEnum = (value: string, enumName: string): string => `'${value}' is not a valid value for the enum '${enumName}'`;

function num(value: unknown): number | undefined {
  const t = text(value);
  if (t === undefined || t === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

function nameFieldProblems(nameField: XmlObject | undefined): string[] {
  if (!nameField || typeof nameField !== 'object') return [missing('nameField')];
  const problems: string[] = [];
  if (!text(nameField.label)) problems.push(missing('nameField.label'));
  const type = text(nameField.type);
  if (!type) problems.push(missing('nameField.type'));
  else if (type !== 'Text' && type !== 'AutoNumber') {
    problems.push(`The name field must be of type Text or AutoNumber, not ${type}`);
  }
  return problems;
}

function sharingProblems(sharingModel: string | undefined, hasMasterDetail: boolean): string[] {
  if (!sharingModel) return [missing('sharingModel')];
  if (!sharingModels.includes(sharingModel)) return [badEnum(sharingModel, 'SharingModel')];
  if (sharingModel === 'ControlledByParent' && !hasMasterDetail) {
    return ['Cannot set sharingModel to ControlledByParent on a CustomObject without a MasterDetail relationship field'];
  }
  if (sharingModel !== 'ControlledByParent' && hasMasterDetail) {
    return [`Cannot set sharingModel to ${sharingModel} on a CustomObject with a MasterDetail relationship field`];
  }
  return [];
}

export function validateObject(c: Component, plan: DeployPlan, fieldComponents: Component[]): string[] {
  if (!c.fullName.endsWith('__c')) {
    return plan.org.getObject(c.fullName)
      ? []
      : [`Cannot create a new component with the name: ${c.fullName}. Custom object names must end with __c`];
  }
  const b = c.body;
  const problems: string[] = [];
  if (!text(b.label)) problems.push(missing('label'));
  if (!text(b.pluralLabel)) problems.push(missing('pluralLabel'));
  problems.push(...nameFieldProblems(b.nameField as XmlObject | undefined));
  const deploymentStatus = text(b.deploymentStatus);
  if (deploymentStatus && deploymentStatus !== 'Deployed' && deploymentStatus !== 'InDevelopment') {
    problems.push(badEnum(deploymentStatus, 'DeploymentStatus'));
  }
  const hasMasterDetail =
    fieldComponents.some((f) => text(f.body.type) === 'MasterDetail') ||
    [...(plan.object(c.fullName)?.fields.values() ?? [])].some((f) => f.masterDetail);
  problems.push(...sharingProblems(text(b.sharingModel), hasMasterDetail));
  return problems;
}

function relationshipProblems(type: string, b: XmlObject, plan: DeployPlan): string[] {
  const problems: string[] = [];
  const refs = asArray(b.referenceTo).map((r) => text(r) ?? '');
  if (refs.length === 0) problems.push(missing('referenceTo'));
  for (const ref of refs) {
    if (!plan.object(ref)) problems.push(`referenceTo value of '${ref}' does not resolve to a valid sObject type`);
  }
  if (!text(b.relationshipName)) problems.push(missing('relationshipName'));
  const constraint = text(b.deleteConstraint);
  if (type === 'Lookup' && constraint && !deleteConstraints.includes(constraint)) {
    problems.push(badEnum(constraint, 'DeleteConstraint'));
  }
  if (type === 'Lookup' && bool(b.required) && (constraint ?? 'SetNull') === 'SetNull') {
    problems.push('A required lookup field must use the Restrict or Cascade delete constraint, not SetNull');
  }
  return problems;
}

function lengthProblems(b: XmlObject, min: number, max: number): string[] {
  const length = num(b.length);
  if (length === undefined) return [missing('length')];
  return length < min || length > max ? [`Length must be between ${min} and ${max}`] : [];
}

function numberProblems(b: XmlObject): string[] {
  const precision = num(b.precision);
  const scale = num(b.scale) ?? 0;
  if (precision === undefined) return [missing('precision')];
  if (precision < 1 || precision > 18) return ['Precision must be between 1 and 18'];
  return scale < 0 || scale > precision ? ['Scale must be between 0 and the precision'] : [];
}

/** Checks specific to one field type. */
const typeChecks: Partial<Record<string, (b: XmlObject, plan: DeployPlan, type: string) => string[]>> = {
  Text: (b) => lengthProblems(b, 1, 255),
  LongTextArea: (b) => [
    ...lengthProblems(b, 256, 131_072),
    ...(num(b.visibleLines) === undefined ? [missing('visibleLines')] : []),
  ],
  Number: numberProblems,
  Checkbox: (b) => (text(b.defaultValue) === undefined ? [missing('defaultValue')] : []),
  Picklist: (b) => (b.valueSet ? [] : [missing('valueSet')]),
  Lookup: (b, plan, type) => relationshipProblems(type, b, plan),
  MasterDetail: (b, plan, type) => relationshipProblems(type, b, plan),
};

export function validateField(c: Component, plan: DeployPlan): string[] {
  const [objectName, name] = c.fullName.split('.');
  const obj = plan.object(objectName);
  if (!obj) return [`In field: object - no CustomObject named ${objectName} found`];
  if (!name) return [missing('fullName')];
  if (!name.endsWith('__c')) {
    // Standard fields can be listed (e.g. to customise them) but not created.
    return plan.org.getObject(objectName)?.fields.get(name.toLowerCase())
      ? []
      : [`Cannot create a new standard field: ${c.fullName}. Custom field names must end with __c`];
  }
  if (!/^[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)*__c$/.test(name)) {
    return [
      `The field name ${name} is not valid: it must begin with a letter, contain only letters, numbers and single underscores, and end with __c`,
    ];
  }
  const b = c.body;
  const problems: string[] = [];
  if (!text(b.label)) problems.push(missing('label'));
  const type = text(b.type);
  if (!type) return [...problems, missing('type')];
  if (!(fieldTypes as readonly string[]).includes(type)) return [...problems, badEnum(type, 'FieldType')];
  problems.push(...(typeChecks[type]?.(b, plan, type) ?? []));
  if (bool(b.externalId) && !externalIdTypes.includes(type)) {
    problems.push('Only Text, Number and Email fields can be external IDs');
  }
  return problems;
}

type CommonOptions = Partial<FieldDef>;

function picklistDef(name: string, b: XmlObject, common: CommonOptions): FieldDef {
  const valueSet = (b.valueSet ?? {}) as XmlObject;
  const definition = (valueSet.valueSetDefinition ?? {}) as XmlObject;
  const values = asArray<XmlObject>(definition.value).map((v) => ({
    value: text(v.fullName) ?? '',
    label: text(v.label) ?? text(v.fullName) ?? '',
    active: true,
    defaultValue: bool(v.default),
  }));
  return fieldDef(name, 'picklist', { ...common, picklistValues: values, restrictedPicklist: bool(valueSet.restricted) });
}

function referenceDef(name: string, type: string, b: XmlObject, common: CommonOptions): FieldDef {
  const relationshipName = text(b.relationshipName);
  const masterDetail = type === 'MasterDetail';
  return fieldDef(name, 'reference', {
    ...common,
    nillable: masterDetail ? false : common.nillable,
    referenceTo: asArray(b.referenceTo).map((r) => text(r) ?? ''),
    // SOQL walks up via the field name (Lead__c -> Lead__r); the parent sees the children as relationshipName__r.
    relationshipName: name.replace(/__c$/, '__r'),
    childRelationshipName: relationshipName ? `${relationshipName}__r` : undefined,
    relationshipLabel: text(b.relationshipLabel),
    deleteConstraint: masterDetail ? 'Cascade' : ((text(b.deleteConstraint) ?? 'SetNull') as FieldDef['deleteConstraint']),
  });
}

const fieldBuilders: Record<string, (name: string, b: XmlObject, common: CommonOptions, type: string) => FieldDef> = {
  Text: (name, b, common) => fieldDef(name, 'string', { ...common, length: num(b.length) }),
  TextArea: (name, _b, common) => fieldDef(name, 'textarea', { ...common, length: 255 }),
  LongTextArea: (name, b, common) => fieldDef(name, 'textarea', { ...common, length: num(b.length) }),
  Url: (name, _b, common) => fieldDef(name, 'url', { ...common, length: 255 }),
  Email: (name, _b, common) => fieldDef(name, 'email', { ...common, length: 80 }),
  Phone: (name, _b, common) => fieldDef(name, 'phone', { ...common, length: 40 }),
  Number: (name, b, common) =>
    fieldDef(name, 'double', { ...common, precision: num(b.precision), scale: num(b.scale) ?? 0, digits: 0 }),
  Checkbox: (name, b, common) => fieldDef(name, 'boolean', { ...common, nillable: false, defaultValue: bool(b.defaultValue) }),
  Date: (name, _b, common) => fieldDef(name, 'date', common),
  DateTime: (name, _b, common) => fieldDef(name, 'datetime', common),
  Picklist: (name, b, common) => picklistDef(name, b, common),
  Lookup: (name, b, common, type) => referenceDef(name, type, b, common),
  MasterDetail: (name, b, common, type) => referenceDef(name, type, b, common),
};

/** The FieldDef a CustomField component defines. */
export function toFieldDef(c: Component): FieldDef {
  const b = c.body;
  const name = c.fullName.split('.')[1];
  const type = text(b.type) ?? 'Text';
  const keyed = bool(b.externalId) || bool(b.unique);
  const common: CommonOptions = {
    label: text(b.label) ?? name,
    custom: true,
    nillable: !bool(b.required),
    externalId: bool(b.externalId) ? true : undefined,
    unique: bool(b.unique) ? true : undefined,
    caseSensitive: bool(b.caseSensitive) ? true : undefined,
    idLookup: keyed ? true : undefined,
    metadata: { ...b } as Record<string, unknown>,
  };
  return (fieldBuilders[type] ?? fieldBuilders.Text)(name, b, common, type);
}

function nameFieldDef(body: XmlObject): FieldDef {
  const nameField = (body.nameField ?? {}) as XmlObject;
  const label = text(nameField.label) ?? 'Name';
  if (text(nameField.type) === 'AutoNumber') {
    return fieldDef('Name', 'string', {
      label,
      length: 30,
      nameField: true,
      autoNumber: true,
      nillable: false,
      createable: false,
      updateable: false,
      defaultedOnCreate: true,
      custom: false,
    });
  }
  // API inserts without a Name get the record id as Name (see the trigger in registerNameDefault).
  return fieldDef('Name', 'string', { label, length: 80, nameField: true, nillable: true, defaultedOnCreate: true, custom: false });
}

/** Creates or updates a custom object from its component. Returns true when the object is new. */
export function applyObject(org: OrgApi, c: Component): boolean {
  const existing = org.getObject(c.fullName);
  if (!c.fullName.endsWith('__c')) return false; // a standard object: only its fields are deployed
  const b = c.body;
  const sharingModel = text(b.sharingModel) ?? 'ReadWrite';
  const label = text(b.label) ?? c.fullName;
  const labelPlural = text(b.pluralLabel) ?? label;
  const name = nameFieldDef(b);
  if (existing) {
    const fields = new Map(existing.fields);
    fields.set('name', name);
    org.defineObject({ ...existing, label, labelPlural, sharingModel, metadata: { ...b }, fields });
  } else {
    const def: ObjectDef = objectDef(c.fullName, org.newKeyPrefix(), [name], {
      owner: sharingModel !== 'ControlledByParent',
      label,
      labelPlural,
      custom: true,
      sharingModel,
      activeAt: Date.now() + (org.options.activationDelayMs ?? 0),
      metadata: { ...b },
    });
    org.defineObject(def);
    registerReferenceChecks(org, def.name);
  }
  registerNameDefault(org, c.fullName, (b.nameField ?? {}) as XmlObject);
  return !existing;
}

/** Name defaults: the record id for a Text name, the next number for an AutoNumber name. */
function registerNameDefault(org: OrgApi, objectName: string, nameField: XmlObject): void {
  const store = storeOf(org);
  const key = objectName.toLowerCase();
  const autoNumber =
    text(nameField.type) === 'AutoNumber'
      ? { format: text(nameField.displayFormat) ?? '{0}', next: num(nameField.startingNumber) ?? 1 }
      : undefined;
  const state = store.nameFields.get(key);
  if (state) {
    if (autoNumber && !state.autoNumber) state.autoNumber = autoNumber;
    if (!autoNumber) state.autoNumber = undefined;
    return;
  }
  const fresh = { autoNumber };
  store.nameFields.set(key, fresh);
  org.registerTrigger(objectName, {
    /* eslint-disable no-param-reassign -- a before-insert trigger sets defaults on the record being inserted */
    beforeInsert(rec): void {
      if (fresh.autoNumber) {
        const n = fresh.autoNumber.next++;
        rec.Name = fresh.autoNumber.format.replace(/\{(0+)\}/, (_m, zeros: string) => String(n).padStart(zeros.length, '0'));
      } else if (rec.Name === undefined || rec.Name === null || rec.Name === '') {
        rec.Name = rec.Id;
      }
    },
    /* eslint-enable no-param-reassign */
  });
}

export function applyField(org: OrgApi, c: Component): boolean {
  const [objectName, name] = c.fullName.split('.');
  const obj = org.getObject(objectName);
  if (!obj) throw new SalesforceError('NOT_FOUND', `In field: object - no CustomObject named ${objectName} found`);
  const existing = obj.fields.get(name.toLowerCase());
  if (!name.endsWith('__c')) return false;
  const def = toFieldDef(c);
  if (def.referenceTo) def.referenceTo = def.referenceTo.map((r) => org.getObject(r)?.name ?? r);
  org.defineField(obj.name, def);
  return !existing;
}

/** CustomField metadata of a field definition (as deployed, or synthesised for fields defined otherwise). */
export function fieldMetadata(f: FieldDef): XmlObject {
  if (f.metadata) return sortedKeys({ ...(f.metadata as XmlObject), fullName: f.name });
  const typeName: Record<string, string> = {
    string: 'Text',
    textarea: 'TextArea',
    url: 'Url',
    email: 'Email',
    phone: 'Phone',
    double: 'Number',
    int: 'Number',
    boolean: 'Checkbox',
    date: 'Date',
    datetime: 'DateTime',
    picklist: 'Picklist',
    reference: 'Lookup',
  };
  const md: XmlObject = { fullName: f.name, label: f.label, type: typeName[f.type] ?? 'Text' };
  if (f.length && f.type === 'string') md.length = String(f.length);
  if (f.precision !== undefined) md.precision = String(f.precision);
  if (f.scale !== undefined) md.scale = String(f.scale);
  if (f.referenceTo) md.referenceTo = f.referenceTo[0];
  if (f.childRelationshipName) md.relationshipName = f.childRelationshipName.replace(/__r$/, '');
  return sortedKeys(md);
}

/** CustomObject metadata: the object as deployed plus its custom fields (only custom fields for standard objects). */
export function objectMetadata(def: ObjectDef, onlyFields?: string[]): XmlObject {
  const fields = [...def.fields.values()]
    .filter((f) => f.custom && (!onlyFields || onlyFields.some((n) => n.toLowerCase() === f.name.toLowerCase())))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(fieldMetadata);
  const base: XmlObject = onlyFields ?? !def.custom ? {} : { ...(def.metadata as XmlObject | undefined) };
  delete base.fields;
  const md: XmlObject = { ...base };
  if (fields.length > 0) md.fields = fields;
  return sortedKeys(md);
}
