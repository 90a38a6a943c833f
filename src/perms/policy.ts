/*
 * The least-privilege policy: loads and validates the policy file (schemas/instruqt-policy.schema.json) and answers
 * the questions the audit asks of it: is a permission required, install-only, forbidden or allowed, and which fields
 * of an object does the integration need. The file shipped next to force-app is the default; `--policy` overrides it.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';

export type ObjectAccessName =
  | 'Read'
  | 'Create'
  | 'Edit'
  | 'Delete'
  | 'ViewAllRecords'
  | 'ModifyAllRecords'
  | 'ViewAllFields';

export const OBJECT_ACCESS: readonly ObjectAccessName[] = [
  'Read',
  'Create',
  'Edit',
  'Delete',
  'ViewAllRecords',
  'ModifyAllRecords',
  'ViewAllFields',
];

/** ObjectPermissions flags each flag needs (Create/Edit need Read; Delete needs Read+Edit; Modify All needs all). */
export const OBJECT_ACCESS_NEEDS: Readonly<Record<ObjectAccessName, readonly ObjectAccessName[]>> = {
  Read: [],
  Create: ['Read'],
  Edit: ['Read'],
  Delete: ['Read', 'Edit'],
  ViewAllRecords: ['Read'],
  ModifyAllRecords: ['Read', 'Edit', 'Delete', 'ViewAllRecords'],
  ViewAllFields: ['Read'],
};

export type FieldAccessName = 'Read' | 'Edit';

export type PolicyUserPermission = { name: string; label?: string; why?: string };
export type RequiredUserPermission = { name: string; label?: string; workflows: string[] };
export type RequiredField = { field: string; access: FieldAccessName; workflows: string[] };
export type RequiredObject = {
  object: string;
  label?: string;
  access: Partial<Record<ObjectAccessName, string[]>>;
  fields?: '*' | RequiredField[];
  fieldAccess?: FieldAccessName;
  fieldWorkflows?: string[];
  note?: string;
};

export type Policy = {
  name: string;
  description?: string;
  permissionSets: string[];
  workflows: Record<string, string>;
  required: { userPermissions: RequiredUserPermission[]; objects: RequiredObject[] };
  installOnly: PolicyUserPermission[];
  forbidden: PolicyUserPermission[];
  allowed?: { userPermissions?: PolicyUserPermission[] };
  dependencies?: Record<string, string[]>;
  /** Where it was loaded from (not part of the file). */
  path?: string;
};

export class PolicyError extends Error {
  public constructor(message: string, public readonly path: string, public readonly problems: string[] = []) {
    super(message);
    this.name = 'PolicyError';
  }
}

/** The package root: src/perms and lib/perms are both two levels below it. */
const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function defaultPolicyPath(): string {
  return join(packageRoot, 'policy', 'instruqt-integration.policy.json');
}

let validator: ReturnType<Ajv['compile']> | undefined;

function validate(data: unknown): string[] {
  if (!validator) {
    const schema = JSON.parse(readFileSync(join(packageRoot, 'schemas', 'instruqt-policy.schema.json'), 'utf8')) as object;
    validator = new Ajv({ allErrors: true, strict: false }).compile(schema);
  }
  if (validator(data)) return [];
  return (validator.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
}

/** Rules the schema cannot express: workflow ids must exist and a permission belongs to one category only. */
function consistencyProblems(policy: Policy): string[] {
  const problems: string[] = [];
  const known = new Set(Object.keys(policy.workflows));
  const checkWorkflows = (where: string, ids: string[] | undefined): void => {
    for (const id of ids ?? []) if (!known.has(id)) problems.push(`${where} names unknown workflow "${id}"`);
  };
  for (const p of policy.required.userPermissions) checkWorkflows(`required user permission ${p.name}`, p.workflows);
  for (const o of policy.required.objects) {
    for (const [access, ids] of Object.entries(o.access)) checkWorkflows(`${o.object} ${access}`, ids);
    if (Array.isArray(o.fields)) for (const f of o.fields) checkWorkflows(`${o.object}.${f.field}`, f.workflows);
    checkWorkflows(`${o.object} fields`, o.fieldWorkflows);
  }
  const category = new Map<string, string>();
  const claim = (name: string, what: string): void => {
    const previous = category.get(name);
    if (previous && previous !== what) problems.push(`${name} is both ${previous} and ${what}`);
    category.set(name, what);
  };
  for (const p of policy.required.userPermissions) claim(p.name, 'required');
  for (const p of policy.installOnly) claim(p.name, 'installOnly');
  for (const p of policy.forbidden) claim(p.name, 'forbidden');
  for (const p of policy.allowed?.userPermissions ?? []) claim(p.name, 'allowed');
  return problems;
}

/** Validate an already parsed policy; throws PolicyError listing every problem. */
export function parsePolicy(data: unknown, path = '<inline>'): Policy {
  const schemaProblems = validate(data);
  if (schemaProblems.length) throw new PolicyError(`Invalid policy ${path}`, path, schemaProblems);
  const policy = { ...(data as Policy), path };
  delete (policy as Record<string, unknown>).$schema;
  const problems = consistencyProblems(policy);
  if (problems.length) throw new PolicyError(`Invalid policy ${path}`, path, problems);
  return policy;
}

/** Load and validate a policy file; the one shipped next to force-app when no path is given. */
export function loadPolicy(path?: string): Policy {
  const file = path ? resolve(path) : defaultPolicyPath();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PolicyError(`Cannot read policy ${file}: ${(error as Error).message}`, file);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new PolicyError(`Policy ${file} is not valid JSON: ${(error as Error).message}`, file);
  }
  return parsePolicy(data, file);
}

export type PermissionCategory = 'required' | 'installOnly' | 'forbidden' | 'allowed' | 'excess';

/** How the policy classifies a system permission (API name without `Permissions`). */
export function categorize(policy: Policy, permission: string): PermissionCategory {
  if (policy.required.userPermissions.some((p) => p.name === permission)) return 'required';
  if (policy.forbidden.some((p) => p.name === permission)) return 'forbidden';
  if (policy.installOnly.some((p) => p.name === permission)) return 'installOnly';
  if (policy.allowed?.userPermissions?.some((p) => p.name === permission)) return 'allowed';
  return 'excess';
}

/** The label the policy gives a permission, if any. */
export function policyLabel(policy: Policy, permission: string): string | undefined {
  const all = [
    ...policy.required.userPermissions,
    ...policy.installOnly,
    ...policy.forbidden,
    ...(policy.allowed?.userPermissions ?? []),
  ];
  return all.find((p) => p.name === permission)?.label;
}

/** Every system permission the policy names, so an org that lacks the describe still gets them queried. */
export function namedPermissions(policy: Policy): string[] {
  const names = new Set<string>();
  for (const p of policy.required.userPermissions) names.add(p.name);
  for (const p of [...policy.installOnly, ...policy.forbidden, ...(policy.allowed?.userPermissions ?? [])]) {
    names.add(p.name);
  }
  for (const [p, needs] of Object.entries(policy.dependencies ?? {})) {
    names.add(p);
    needs.forEach((n) => names.add(n));
  }
  return [...names];
}

/** Objects whose field list is "*", resolved against the org's describe. */
export function wildcardObjects(policy: Policy): string[] {
  return policy.required.objects.filter((o) => o.fields === '*').map((o) => o.object);
}

/** A describe field as far as field permissions care. */
export type DescribedField = {
  name: string;
  custom?: boolean;
  nillable?: boolean;
  calculated?: boolean;
  autoNumber?: boolean;
  permissionable?: boolean;
  type?: string;
};

/**
 * Fields that carry field permissions: the describe's `permissionable` when present; otherwise custom, optional,
 * non-formula fields (required and master-detail fields cannot be listed in FieldPermissions).
 */
export function permissionableFields(fields: DescribedField[], customOnly = true): string[] {
  return fields
    .filter((f) =>
      typeof f.permissionable === 'boolean'
        ? f.permissionable && (!customOnly || f.custom === true)
        : f.custom === true && f.nillable !== false && !f.calculated && !f.autoNumber
    )
    .map((f) => f.name);
}

export type ResolvedField = {
  object: string;
  /** `Object.Field`, as FieldPermissions.Field names it. */
  field: string;
  access: FieldAccessName;
  workflows: string[];
};

/** The required fields of every policy object; "*" expands to the described custom fields (absent object: none). */
export function requiredFields(policy: Policy, describes: ReadonlyMap<string, DescribedField[] | undefined>): ResolvedField[] {
  const out: ResolvedField[] = [];
  for (const o of policy.required.objects) {
    if (o.fields === '*') {
      for (const name of permissionableFields(describes.get(o.object) ?? [])) {
        out.push({
          object: o.object,
          field: `${o.object}.${name}`,
          access: o.fieldAccess ?? 'Read',
          workflows: o.fieldWorkflows ?? [],
        });
      }
    } else {
      for (const f of o.fields ?? []) {
        out.push({ object: o.object, field: `${o.object}.${f.field}`, access: f.access, workflows: f.workflows });
      }
    }
  }
  return out;
}

/** Dependencies: the permissions `permission` needs. */
export function requirementsOf(policy: Policy, permission: string): string[] {
  return policy.dependencies?.[permission] ?? [];
}
