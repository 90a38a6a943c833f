/*
 * describeGlobal and sObject describe answers in Salesforce's JSON shape (REST API Developer Guide: Describe Global,
 * sObject Describe), as the calling user sees them: invisible objects and unreadable fields are left out, and
 * createable/updateable reflect the user's object and field permissions.
 */
import type { FieldDef, FieldType, ObjectDef, OrgApi, PicklistValue, Principal } from '../core/types.js';
import { inVersion } from './fields.js';

const SOAP_TYPES: Record<FieldType, string> = {
  id: 'tns:ID',
  reference: 'tns:ID',
  string: 'xsd:string',
  textarea: 'xsd:string',
  url: 'xsd:string',
  email: 'xsd:string',
  phone: 'xsd:string',
  picklist: 'xsd:string',
  multipicklist: 'xsd:string',
  combobox: 'xsd:string',
  boolean: 'xsd:boolean',
  int: 'xsd:int',
  double: 'xsd:double',
  currency: 'xsd:double',
  percent: 'xsd:double',
  date: 'xsd:date',
  datetime: 'xsd:dateTime',
  base64: 'xsd:base64Binary',
  address: 'urn:address',
};

/** Whether the caller can see the object at all (active, and visible under the access policy). */
export function visibleTo(org: OrgApi, principal: Principal | undefined, def: ObjectDef): boolean {
  if (!org.isActive(def.name)) return false;
  return principal === undefined || org.access.objectVisible(principal, def.name);
}

/** The visible object of that name, or undefined (unknown, not yet active, or hidden from the caller). */
export function visibleObject(org: OrgApi, principal: Principal | undefined, name: string): ObjectDef | undefined {
  const def = org.getObject(name);
  return def && visibleTo(org, principal, def) ? def : undefined;
}

function allowed(org: OrgApi, principal: Principal | undefined, object: string, op: 'create' | 'edit' | 'delete'): boolean {
  if (!principal) return true;
  try {
    org.access.checkObject(principal, object, op);
    return true;
  } catch {
    return false;
  }
}

/** Picklist values, including those fed by another object's records (Lead.Status <- LeadStatus). */
export function picklistValuesOf(org: OrgApi, f: FieldDef): PicklistValue[] {
  if (!f.picklistFrom) return f.picklistValues ?? [];
  const from = f.picklistFrom;
  return org
    .query(from.object, (r) => Object.entries(from.where ?? {}).every(([k, v]) => r[k] === v))
    .sort((a, b) => Number(a.SortOrder ?? 0) - Number(b.SortOrder ?? 0))
    .map((r) => ({
      value: String(r[from.field]),
      label: String(r.MasterLabel ?? r[from.field]),
      active: true,
      defaultValue: r.IsDefault === true,
    }));
}

function urls(version: string, name: string): Record<string, string> {
  const base = `/services/data/v${version}/sobjects/${name}`;
  return { rowTemplate: `${base}/{ID}`, defaultValues: `${base}/defaultValues?recordTypeId&fields`, describe: `${base}/describe`, sobject: base };
}

export function globalEntry(org: OrgApi, principal: Principal | undefined, def: ObjectDef, version: string): Record<string, unknown> {
  return {
    activateable: false,
    associateEntityType: null,
    associateParentEntity: null,
    createable: def.createable && allowed(org, principal, def.name, 'create'),
    custom: def.custom,
    customSetting: false,
    deepCloneable: false,
    deletable: def.deletable && allowed(org, principal, def.name, 'delete'),
    deprecatedAndHidden: false,
    feedEnabled: !def.setup,
    hasSubtypes: false,
    isInterface: false,
    isSubtype: false,
    keyPrefix: def.keyPrefix,
    label: def.label,
    labelPlural: def.labelPlural,
    layoutable: !def.setup,
    mergeable: ['Lead', 'Contact', 'Account'].includes(def.name),
    mruEnabled: !def.setup,
    name: def.name,
    queryable: def.queryable,
    replicateable: true,
    retrieveable: true,
    searchable: !def.setup,
    triggerable: true,
    undeletable: def.deletable,
    updateable: def.updateable && allowed(org, principal, def.name, 'edit'),
    urls: urls(version, def.name),
  };
}

export function describeGlobal(org: OrgApi, principal: Principal | undefined, version: string): Record<string, unknown> {
  const sobjects = org
    .listObjects()
    .filter((def) => visibleTo(org, principal, def))
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((def) => globalEntry(org, principal, def, version));
  return { encoding: 'UTF-8', maxBatchSize: 200, sobjects };
}

const TEXTUAL = new Set<FieldType>(['string', 'textarea', 'url', 'email', 'phone', 'picklist', 'multipicklist', 'combobox', 'id', 'reference']);
const DECIMAL = new Set<FieldType>(['double', 'currency', 'percent']);
const UNGROUPABLE = new Set<FieldType>(['textarea', 'double', 'currency', 'percent', 'datetime', 'address']);
const PICKLISTS = new Set<FieldType>(['picklist', 'multipicklist', 'combobox']);

/** The size-related describe properties: length for text, digits for int, precision/scale for decimals. */
function sizeOf(f: FieldDef): Record<string, number> {
  const length = TEXTUAL.has(f.type) ? f.length ?? 0 : 0;
  return {
    byteLength: length * 3,
    digits: f.type === 'int' ? f.digits ?? 9 : 0,
    length,
    precision: DECIMAL.has(f.type) ? f.precision ?? 18 : 0,
    scale: DECIMAL.has(f.type) ? f.scale ?? 0 : 0,
  };
}

/** The lookup-related describe properties. */
function relationOf(f: FieldDef): Record<string, unknown> {
  const targets = f.referenceTo?.length ?? 0;
  return {
    cascadeDelete: f.deleteConstraint === 'Cascade',
    namePointing: targets > 1,
    polymorphicForeignKey: targets > 1 || f.anyReference === true,
    referenceTo: f.referenceTo ?? [],
    relationshipName: f.relationshipName ?? null,
    restrictedDelete: f.deleteConstraint === 'Restrict',
  };
}

/** Flags Salesforce reports false/null unless the field says otherwise. */
function flagsOf(f: FieldDef): Record<string, unknown> {
  return {
    autoNumber: f.autoNumber ?? false,
    calculated: f.calculated ?? false,
    caseSensitive: f.caseSensitive ?? false,
    defaultValue: f.defaultValue ?? null,
    defaultedOnCreate: f.defaultedOnCreate ?? false,
    externalId: f.externalId ?? false,
    idLookup: f.idLookup ?? false,
    nameField: f.nameField ?? false,
    restrictedPicklist: f.restrictedPicklist ?? false,
    unique: f.unique ?? false,
  };
}

export function describeField(org: OrgApi, principal: Principal | undefined, def: ObjectDef, f: FieldDef): Record<string, unknown> {
  const editable = principal === undefined || org.access.fieldEditable(principal, def.name, f.name);
  const longText = f.type === 'textarea' && (f.length ?? 0) > 255;
  return {
    aggregatable: f.type !== 'textarea' && f.type !== 'address',
    aiPredictionField: false,
    calculatedFormula: null,
    compoundFieldName: null,
    controllerName: null,
    createable: f.createable && editable,
    custom: f.custom,
    defaultValueFormula: null,
    dependentPicklist: false,
    deprecatedAndHidden: false,
    displayLocationInDecimal: false,
    encrypted: false,
    extraTypeInfo: longText ? 'plaintextarea' : null,
    filterable: !longText,
    filteredLookupInfo: null,
    formulaTreatNullNumberAsZero: false,
    groupable: !UNGROUPABLE.has(f.type),
    highScaleNumber: false,
    htmlFormatted: false,
    inlineHelpText: null,
    label: f.label,
    mask: null,
    maskType: null,
    name: f.name,
    nillable: f.nillable,
    permissionable: f.nillable && f.calculated !== true && f.type !== 'id' && f.name !== 'OwnerId',
    picklistValues: PICKLISTS.has(f.type) ? picklistValuesOf(org, f).map((p) => ({ ...p, validFor: null })) : [],
    queryByDistance: false,
    referenceTargetField: null,
    relationshipOrder: null,
    searchPrefilterable: false,
    soapType: SOAP_TYPES[f.type],
    sortable: !longText,
    type: f.type,
    updateable: f.updateable && editable,
    writeRequiresMasterRead: false,
    ...sizeOf(f),
    ...relationOf(f),
    ...flagsOf(f),
  };
}

/** Child relationship name of a lookup: declared, else a custom lookup's metadata relationshipName + '__r'. */
export function childRelationshipNameOf(f: FieldDef): string | null {
  if (f.childRelationshipName) return f.childRelationshipName;
  const declared = f.metadata?.relationshipName;
  if (f.custom && typeof declared === 'string' && declared) return `${declared}__r`;
  return null;
}

export function describeSObject(
  org: OrgApi,
  principal: Principal | undefined,
  def: ObjectDef,
  version: string
): Record<string, unknown> {
  const fields = [...def.fields.values()]
    .filter((f) => inVersion(f, version))
    .filter((f) => principal === undefined || f.name === 'Id' || org.access.fieldReadable(principal, def.name, f.name))
    .map((f) => describeField(org, principal, def, f));
  const childRelationships: Array<Record<string, unknown>> = [];
  for (const child of org.listObjects()) {
    if (!visibleTo(org, principal, child)) continue;
    for (const f of child.fields.values()) {
      if (f.type !== 'reference' || !(f.referenceTo ?? []).includes(def.name)) continue;
      childRelationships.push({
        cascadeDelete: f.deleteConstraint === 'Cascade',
        childSObject: child.name,
        deprecatedAndHidden: false,
        field: f.name,
        junctionIdListNames: [],
        junctionReferenceTo: [],
        relationshipName: childRelationshipNameOf(f),
        restrictedDelete: f.deleteConstraint === 'Restrict',
      });
    }
  }
  return {
    ...globalEntry(org, principal, def, version),
    actionOverrides: [],
    childRelationships,
    compactLayoutable: !def.setup,
    fields,
    listviewable: null,
    lookupLayoutable: null,
    namedLayoutInfos: [],
    networkScopeFieldName: null,
    recordTypeInfos: [],
    searchLayoutable: !def.setup,
    supportedScopes: [{ label: 'All records', name: 'everything' }],
    urls: {
      ...urls(version, def.name),
      compactLayouts: `/services/data/v${version}/sobjects/${def.name}/describe/compactLayouts`,
      layouts: `/services/data/v${version}/sobjects/${def.name}/describe/layouts`,
    },
  };
}
