/*
 * The integration's Salesforce footprint as data: reads force-app (objects, fields, permission sets in source format)
 * into a typed model, so install can compare it with what the org holds. No Salesforce calls here.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, dirname, basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import { INTEGRATION_PERMISSION_SET } from './vocabulary.js';

export type FootprintField = {
  object: string;
  /** API name, e.g. 'Track_Slug__c'. */
  name: string;
  /** 'Object.Field', as FieldPermissions.Field names it. */
  fullName: string;
  label: string;
  /** Metadata API type: Text, TextArea, Url, Number, Lookup, ... */
  type: string;
  length?: number;
  precision?: number;
  scale?: number;
  referenceTo?: string;
  relationshipName?: string;
  deleteConstraint?: string;
  externalId: boolean;
  unique: boolean;
  required: boolean;
  file: string;
};

export type FootprintObject = {
  name: string;
  label: string;
  pluralLabel: string;
  nameField: { label: string; type: string };
  sharingModel: string;
  deploymentStatus: string;
  fields: FootprintField[];
  file: string;
};

export type ObjectPermission = {
  object: string;
  allowRead: boolean;
  allowCreate: boolean;
  allowEdit: boolean;
  allowDelete: boolean;
  viewAllRecords: boolean;
  modifyAllRecords: boolean;
  viewAllFields: boolean;
};

export type FieldPermission = { field: string; readable: boolean; editable: boolean };

export type FootprintPermissionSet = {
  name: string;
  label: string;
  license?: string;
  objectPermissions: ObjectPermission[];
  fieldPermissions: FieldPermission[];
  /** System permissions by API name (without the `Permissions` prefix), as listed in the file. */
  userPermissions: Array<{ name: string; enabled: boolean }>;
  file: string;
};

export type Footprint = {
  /** The package directory, e.g. <repo>/force-app. */
  dir: string;
  objects: FootprintObject[];
  permissionSets: FootprintPermissionSet[];
};

/** force-app shipped with the plugin: src/footprint and lib/footprint are both two levels below the package root. */
export function defaultFootprintDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'force-app');
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  isArray: (name: string): boolean => ['fieldPermissions', 'objectPermissions', 'userPermissions'].includes(name),
});

/** Read the footprint from a package directory (default: the force-app shipped with the plugin). */
export function readFootprint(dir = defaultFootprintDir()): Footprint {
  const root = join(dir, 'main', 'default');
  return {
    dir,
    objects: readObjects(join(root, 'objects')),
    permissionSets: readPermissionSets(join(root, 'permissionsets')),
  };
}

/** The integration permission set of the footprint; throws if force-app lacks it (a broken package). */
export function integrationPermissionSet(footprint: Footprint): FootprintPermissionSet {
  const ps = footprint.permissionSets.find((p) => p.name === INTEGRATION_PERMISSION_SET);
  if (!ps) throw new Error(`${footprint.dir} has no ${INTEGRATION_PERMISSION_SET} permission set`);
  return ps;
}

function readObjects(dir: string): FootprintObject[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => readObject(join(dir, d.name), d.name))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function readObject(dir: string, name: string): FootprintObject {
  const file = join(dir, `${name}.object-meta.xml`);
  const xml = parse(file, 'CustomObject');
  const nameField = (xml.nameField ?? {}) as Record<string, string>;
  const fieldsDir = join(dir, 'fields');
  const fields = existsSync(fieldsDir)
    ? readdirSync(fieldsDir)
        .filter((f) => f.endsWith('.field-meta.xml'))
        .map((f) => readField(join(fieldsDir, f), name))
        .sort((a, b) => a.name.localeCompare(b.name))
    : [];
  return {
    name,
    label: str(xml.label),
    pluralLabel: str(xml.pluralLabel),
    nameField: { label: str(nameField.label), type: str(nameField.type) },
    sharingModel: str(xml.sharingModel),
    deploymentStatus: str(xml.deploymentStatus),
    fields,
    file,
  };
}

function readField(file: string, object: string): FootprintField {
  const xml = parse(file, 'CustomField');
  const name = str(xml.fullName) || basename(file, '.field-meta.xml');
  return {
    object,
    name,
    fullName: `${object}.${name}`,
    label: str(xml.label),
    type: str(xml.type),
    length: num(xml.length),
    precision: num(xml.precision),
    scale: num(xml.scale),
    referenceTo: opt(xml.referenceTo),
    relationshipName: opt(xml.relationshipName),
    deleteConstraint: opt(xml.deleteConstraint),
    externalId: bool(xml.externalId),
    unique: bool(xml.unique),
    required: bool(xml.required),
    file,
  };
}

function readPermissionSets(dir: string): FootprintPermissionSet[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.permissionset-meta.xml'))
    .sort()
    .map((f) => {
      const file = join(dir, f);
      const xml = parse(file, 'PermissionSet');
      const list = (key: string): Array<Record<string, string>> => (xml[key] ?? []) as Array<Record<string, string>>;
      return {
        name: basename(f, '.permissionset-meta.xml'),
        label: str(xml.label),
        license: opt(xml.license),
        objectPermissions: list('objectPermissions').map((o) => ({
          object: str(o.object),
          allowRead: bool(o.allowRead),
          allowCreate: bool(o.allowCreate),
          allowEdit: bool(o.allowEdit),
          allowDelete: bool(o.allowDelete),
          viewAllRecords: bool(o.viewAllRecords),
          modifyAllRecords: bool(o.modifyAllRecords),
          viewAllFields: bool(o.viewAllFields),
        })),
        fieldPermissions: list('fieldPermissions').map((p) => ({
          field: str(p.field),
          readable: bool(p.readable),
          editable: bool(p.editable),
        })),
        userPermissions: list('userPermissions').map((u) => ({ name: str(u.name), enabled: bool(u.enabled) })),
        file,
      };
    });
}

function parse(file: string, root: string): Record<string, unknown> {
  const doc = parser.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const body = doc[root];
  if (!body || typeof body !== 'object') throw new Error(`${file} is not a ${root} file`);
  return body as Record<string, unknown>;
}

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v as string));
const opt = (v: unknown): string | undefined => (v === undefined || v === null || v === '' ? undefined : String(v as string));
const num = (v: unknown): number | undefined => (v === undefined || v === null || v === '' ? undefined : Number(v));
const bool = (v: unknown): boolean => String(v as string) === 'true';
