/*
 * describeGlobal and sObject describe answers in Salesforce's JSON shape (REST API Developer Guide: Describe Global,
 * sObject Describe), as the calling user sees them: invisible objects and unreadable fields are left out, and
 * createable/updateable reflect the user's object and field permissions.
 */
import type { FieldDef, FieldType, ObjectDef, OrgApi, PicklistValue, Principal } from '../core/types.js';

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

export function describeField(org: OrgApi, principal: Principal | undefined, def: ObjectDef, f: FieldDef): Record<string, unknown> {
  const editable = principal === undefined || org.access.fieldEditable(principal, def.name, f.name);
  const textual = ['string', 'textarea', 'url', 'email', 'phone', 'picklist', 'multipicklist', 'combobox', 'id', 'reference'].includes(f.type);
  const length = textual ? f.length ?? 0 : 0;
  return {
    aggregatable: f.type !== 'textarea' && f.type !== 'address',
    aiPredictionField: false,
    autoNumber: f.autoNumber ?? false,
    byteLength: length * 3,
    calculated: f.calculated ?? false,
    calculatedFormula: null,
    cascadeDelete: f.deleteConstraint === 'Cascade',
    caseSensitive: f.caseSensitive ?? false,
    compoundFieldName: null,
    controllerName: null,
    createable: f.createable && editable,
    custom: f.custom,
    defaultValue: f.defaultValue ?? null,
    defaultValueFormula: null,
    defaultedOnCreate: f.defaultedOnCreate ?? false,
    dependentPicklist: false,
    deprecatedAndHidden: false,
    digits: f.type === 'int' ? f.digits ?? 9 : 0,
    displayLocationInDecimal: false,
    encrypted: false,
    externalId: f.externalId ?? false,
    extraTypeInfo: f.type === 'textarea' && (f.length ?? 0) > 255 ? 'plaintextarea' : null,
    filterable: f.type !== 'textarea' || (f.length ?? 0) <= 255,
    filteredLookupInfo: null,
    formulaTreatNullNumberAsZero: false,
    groupable: !['textarea', 'double', 'currency', 'percent', 'datetime', 'address'].includes(f.type),
    highScaleNumber: false,
    htmlFormatted: false,
    idLookup: f.idLookup ?? false,
    inlineHelpText: null,
    label: f.label,
    length,
    mask: null,
    maskType: null,
    name: f.name,
    nameField: f.nameField ?? false,
    namePointing: (f.referenceTo?.length ?? 0) > 1,
    nillable: f.nillable,
    permissionable: f.nillable && !f.calculated && f.type !== 'id' && f.name !== 'OwnerId',
    picklistValues: ['picklist', 'multipicklist', 'combobox'].includes(f.type)
      ? picklistValuesOf(org, f).map((p) => ({ ...p, validFor: null }))
      : [],
    polymorphicForeignKey: (f.referenceTo?.length ?? 0) > 1 || (f.anyReference ?? false),
    precision: ['double', 'currency', 'percent'].includes(f.type) ? f.precision ?? 18 : 0,
    queryByDistance: false,
    referenceTargetField: null,
    referenceTo: f.referenceTo ?? [],
    relationshipName: f.relationshipName ?? null,
    relationshipOrder: null,
    restrictedDelete: f.deleteConstraint === 'Restrict',
    restrictedPicklist: f.restrictedPicklist ?? false,
    scale: ['double', 'currency', 'percent'].includes(f.type) ? f.scale ?? 0 : 0,
    searchPrefilterable: false,
    soapType: SOAP_TYPES[f.type],
    sortable: f.type !== 'textarea' || (f.length ?? 0) <= 255,
    type: f.type,
    unique: f.unique ?? false,
    updateable: f.updateable && editable,
    writeRequiresMasterRead: false,
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
