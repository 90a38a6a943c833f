/*
 * Builders for FieldDef/ObjectDef with Salesforce's describe defaults, and the system fields every object carries
 * (Id, IsDeleted, CreatedDate, CreatedById, LastModifiedDate, LastModifiedById, SystemModstamp, OwnerId).
 * Used by the standard schema and by anyone defining objects (e.g. the Metadata API deploying a CustomObject).
 */
import type { FieldDef, FieldType, ObjectDef, PicklistValue } from '../core/types.js';

export type FieldOptions = Partial<Omit<FieldDef, 'name' | 'type'>>;

/** "LastModifiedDate" -> "Last Modified Date"; "Track_Slug__c" -> "Track Slug". */
export function labelOf(name: string): string {
  return name
    .replace(/__c$/, '')
    .replace(/Id$/, ' ID')
    .replace(/_/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .trim();
}

const DEFAULT_LENGTH: Partial<Record<FieldType, number>> = {
  id: 18,
  reference: 18,
  string: 255,
  textarea: 255,
  url: 255,
  email: 80,
  phone: 40,
  picklist: 255,
  multipicklist: 4099,
  combobox: 255,
};

export function field(name: string, type: FieldType, options: FieldOptions = {}): FieldDef {
  const def: FieldDef = {
    name,
    label: options.label ?? labelOf(name),
    type,
    nillable: type !== 'boolean',
    createable: true,
    updateable: true,
    custom: name.endsWith('__c'),
    ...options,
  };
  if (def.length === undefined && DEFAULT_LENGTH[type] !== undefined) def.length = DEFAULT_LENGTH[type];
  if (type === 'boolean') {
    def.nillable = false;
    def.defaultedOnCreate = true;
    if (def.defaultValue === undefined) def.defaultValue = false;
  }
  return def;
}

/** A required field: not nillable, must be given on create. */
export function required(name: string, type: FieldType, options: FieldOptions = {}): FieldDef {
  return field(name, type, { nillable: false, ...options });
}

export function readOnly(name: string, type: FieldType, options: FieldOptions = {}): FieldDef {
  return field(name, type, { createable: false, updateable: false, ...options });
}

/** A lookup; relationshipName defaults to the name without its trailing 'Id'. */
export function lookup(name: string, referenceTo: string[], options: FieldOptions = {}): FieldDef {
  const relationshipName = name.endsWith('__c') ? name.replace(/__c$/, '__r') : name.replace(/Id$/, '');
  return field(name, 'reference', {
    referenceTo,
    relationshipName,
    deleteConstraint: 'SetNull',
    ...options,
  });
}

export function picklistValues(values: string[], defaultValue?: string): PicklistValue[] {
  return values.map((value) => ({ value, label: value, active: true, defaultValue: value === defaultValue }));
}

export function picklist(name: string, values: string[], options: FieldOptions & { default?: string } = {}): FieldDef {
  const { default: defaultValue, ...rest } = options;
  return field(name, 'picklist', { picklistValues: picklistValues(values, defaultValue), ...rest });
}

/** The fields Salesforce maintains on every record. */
export function systemFields(options: { owner?: boolean } = {}): FieldDef[] {
  const fields = [
    readOnly('Id', 'id', { nillable: false, defaultedOnCreate: true, idLookup: true, label: 'Record ID' }),
    readOnly('IsDeleted', 'boolean', { label: 'Deleted' }),
    readOnly('CreatedDate', 'datetime', { nillable: false, defaultedOnCreate: true }),
    readOnly('CreatedById', 'reference', {
      nillable: false,
      defaultedOnCreate: true,
      referenceTo: ['User'],
      relationshipName: 'CreatedBy',
    }),
    readOnly('LastModifiedDate', 'datetime', { nillable: false, defaultedOnCreate: true }),
    readOnly('LastModifiedById', 'reference', {
      nillable: false,
      defaultedOnCreate: true,
      referenceTo: ['User'],
      relationshipName: 'LastModifiedBy',
    }),
    readOnly('SystemModstamp', 'datetime', { nillable: false, defaultedOnCreate: true }),
  ];
  if (options.owner) {
    fields.push(
      lookup('OwnerId', ['User', 'Group'], { nillable: false, defaultedOnCreate: true, relationshipName: 'Owner' })
    );
  }
  return fields;
}

export type ObjectOptions = Partial<Omit<ObjectDef, 'name' | 'keyPrefix' | 'fields'>> & { owner?: boolean };

/** An object with its system fields plus `fields`. */
export function object(name: string, keyPrefix: string, fields: FieldDef[], options: ObjectOptions = {}): ObjectDef {
  const { owner, ...rest } = options;
  const label = rest.label ?? labelOf(name);
  const def: ObjectDef = {
    name,
    label,
    labelPlural: rest.labelPlural ?? `${label}s`,
    keyPrefix,
    custom: name.endsWith('__c'),
    createable: true,
    updateable: true,
    deletable: true,
    queryable: true,
    ...rest,
    fields: new Map(),
  };
  for (const f of [...systemFields({ owner }), ...fields]) def.fields.set(f.name.toLowerCase(), f);
  return def;
}

/** Whether a field exists in API version `version` (fields without `since` always do). */
export function inVersion(f: FieldDef, version: string | undefined): boolean {
  return !f.since || version === undefined || Number(version) >= Number(f.since);
}
