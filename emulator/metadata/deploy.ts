/*
 * Deploy jobs: a zip goes Pending -> InProgress -> Succeeded / SucceededPartial / Failed over options.deployStepMs,
 * like Salesforce's asynchronous deploy. The package is validated as a whole first (checkOnly stops there); with
 * rollbackOnError (the default) one failing component leaves the org untouched, otherwise the valid ones are kept.
 */
import { IdFactory } from '../core/ids.js';
import type { ObjectDef, OrgApi, Principal } from '../core/types.js';
import { applyField, applyObject, validateField, validateObject } from './custom-object.js';
import { readDeployZip, type Component, type DeployPackage, type Destructive } from './package-zip.js';
import { applyPermissionSet, findPermissionSet, validatePermissionSet } from './permission-set.js';
import { buildPlan, type DeployPlan } from './plan.js';
import { findStored, storeOf, type StoredFile } from './store.js';
import { applyAppComponent, deleteAppComponent, ecaStore, isEcaType, validateAppComponent } from './external-client-app.js';
import { applySettings, readSettings } from './settings.js';

export type DeployStatus = 'Pending' | 'InProgress' | 'Succeeded' | 'SucceededPartial' | 'Failed' | 'Canceling' | 'Canceled';

export type DeployMessage = {
  changed: boolean;
  columnNumber?: number;
  componentType: string;
  created: boolean;
  createdDate: string;
  deleted: boolean;
  fileName: string;
  fullName: string;
  id?: string;
  lineNumber?: number;
  problem?: string;
  problemType?: 'Error' | 'Warning';
  success: boolean;
};

export type DeployOptions = {
  checkOnly: boolean;
  rollbackOnError: boolean;
  ignoreWarnings: boolean;
  singlePackage: boolean;
  testLevel?: string;
  purgeOnDelete?: boolean;
};

export type DeployJob = {
  id: string;
  status: DeployStatus;
  options: DeployOptions;
  createdBy: string;
  createdByName: string;
  createdDate: string;
  startDate?: string;
  completedDate?: string;
  lastModifiedDate: string;
  stateDetail?: string;
  errorMessage?: string;
  errorStatusCode?: string;
  successes: DeployMessage[];
  failures: DeployMessage[];
  numberComponentsTotal: number;
  numberComponentsDeployed: number;
  numberComponentErrors: number;
  done: boolean;
  timer?: NodeJS.Timeout;
};

const jobs = new WeakMap<OrgApi, Map<string, DeployJob>>();
const ids = new IdFactory('5g');

function jobsOf(org: OrgApi): Map<string, DeployJob> {
  let map = jobs.get(org);
  if (!map) {
    map = new Map();
    jobs.set(org, map);
  }
  return map;
}

export function findJob(org: OrgApi, id: string): DeployJob | undefined {
  const map = jobsOf(org);
  return map.get(id) ?? [...map.values()].find((j) => j.id.slice(0, 15) === id.slice(0, 15));
}

function now(): string {
  return new Date().toISOString();
}

/** Reads DeployOptions as SOAP (strings) or REST (booleans) carry them; rollbackOnError defaults to true. */
export function deployOptions(raw: Record<string, unknown> | undefined): DeployOptions {
  const flag = (v: unknown, dflt: boolean): boolean => (v === undefined || v === null || v === '' ? dflt : v === true || v === 'true');
  const r = raw ?? {};
  return {
    checkOnly: flag(r.checkOnly, false),
    rollbackOnError: flag(r.rollbackOnError, true),
    ignoreWarnings: flag(r.ignoreWarnings, false),
    singlePackage: flag(r.singlePackage, false),
    testLevel: typeof r.testLevel === 'string' ? r.testLevel : undefined,
    purgeOnDelete: flag(r.purgeOnDelete, false),
  };
}

/** Starts a deploy; the job advances on timers (unref'd, so a stopped org does not keep the process alive). */
export function startDeploy(org: OrgApi, principal: Principal | undefined, zip: Buffer, options: DeployOptions): DeployJob {
  const user = principal ? org.get('User', principal.userId) : undefined;
  const created = now();
  const job: DeployJob = {
    id: ids.next('0Af'),
    status: 'Pending',
    options,
    createdBy: principal?.userId ?? '',
    createdByName: String(user?.Name ?? user?.Username ?? ''),
    createdDate: created,
    lastModifiedDate: created,
    successes: [],
    failures: [],
    numberComponentsTotal: 0,
    numberComponentsDeployed: 0,
    numberComponentErrors: 0,
    done: false,
  };
  jobsOf(org).set(job.id, job);
  const step = org.options.deployStepMs ?? 50;
  const later = (fn: () => void): void => {
    job.timer = setTimeout(fn, step);
    job.timer.unref?.();
  };
  later(() => {
    if (job.status !== 'Pending') return;
    const at = now();
    Object.assign(job, { status: 'InProgress', startDate: at, lastModifiedDate: at });
    later(() => {
      if (job.status !== 'InProgress') return;
      void readDeployZip(zip)
        .then((pkg) => runDeploy(org, job, pkg))
        .catch((e: unknown) => finish(job, 'Failed', { errorStatusCode: 'UNKNOWN_EXCEPTION', errorMessage: (e as Error).message }));
    });
  });
  return job;
}

export function cancelDeploy(org: OrgApi, id: string): DeployJob | undefined {
  const job = findJob(org, id);
  if (!job) return undefined;
  if (!job.done) {
    clearTimeout(job.timer);
    finish(job, 'Canceled', {});
  }
  return job;
}

function finish(job: DeployJob, status: DeployStatus, extra: Partial<DeployJob>): void {
  const at = now();
  Object.assign(job, extra, { status, done: true, completedDate: at, lastModifiedDate: at });
}

type Outcome = { component: Component | { type: string; fullName: string; fileName: string }; problems: string[]; warnings?: string[] };

function message(o: Outcome, success: boolean, flags: { created?: boolean; changed?: boolean; deleted?: boolean; id?: string }, at: string): DeployMessage {
  return {
    changed: flags.changed ?? false,
    componentType: o.component.type,
    created: flags.created ?? false,
    createdDate: at,
    deleted: flags.deleted ?? false,
    fileName: o.component.fileName,
    fullName: o.component.fullName,
    id: flags.id,
    success,
    ...(success
      ? o.warnings?.length
        ? { problem: o.warnings[0], problemType: 'Warning' as const }
        : {}
      : { problem: o.problems[0], problemType: 'Error' as const }),
  };
}

function validate(plan: DeployPlan, pkg: DeployPackage): Map<Component, string[]> {
  const problems = new Map<Component, string[]>();
  for (const c of pkg.components) {
    switch (c.type) {
      case 'CustomObject':
        problems.set(c, validateObject(c, plan, pkg.components.filter((f) => f.type === 'CustomField' && f.fullName.startsWith(`${c.fullName}.`))));
        break;
      case 'CustomField':
        problems.set(c, validateField(c, plan));
        break;
      case 'PermissionSet':
        problems.set(c, validatePermissionSet(c, plan));
        break;
      case 'Layout': {
        const objectName = c.fullName.split('-')[0];
        problems.set(c, plan.object(objectName) ? [] : [`In field: layout - no CustomObject named ${objectName} found`]);
        break;
      }
      case 'Settings':
        break;
      default:
        // ConnectedApp and the external client app types.
        problems.set(c, validateAppComponent(plan.org, c, pkg.components));
    }
  }
  // A field fails with its object.
  for (const c of pkg.components) {
    if (c.type !== 'CustomField') continue;
    const parent = pkg.components.find((o) => o.type === 'CustomObject' && o.fullName === c.fullName.split('.')[0]);
    if (parent && (problems.get(parent)?.length ?? 0) > 0 && (problems.get(c)?.length ?? 0) === 0 && plan.object(parent.fullName)?.isNew) {
      problems.set(c, [`Dependent class is invalid and needs recompilation: the object ${parent.fullName} failed to deploy`]);
    }
  }
  return problems;
}

type DestructiveItem = { type: string; fullName: string; phase: 'pre' | 'post' };

function destructiveItems(list: Destructive[]): DestructiveItem[] {
  return list.flatMap((d) => d.members.map((m) => ({ type: d.type, fullName: m, phase: d.phase })));
}

function validateDestructive(org: OrgApi, item: DestructiveItem): { problems: string[]; warnings: string[] } {
  const notFound = { problems: [], warnings: [`No ${item.type} named ${item.fullName} found`] };
  switch (item.type) {
    case 'CustomField': {
      const [o, f] = item.fullName.split('.');
      return org.getObject(o)?.fields.get(String(f).toLowerCase())?.custom ? { problems: [], warnings: [] } : notFound;
    }
    case 'CustomObject':
      return org.getObject(item.fullName)?.custom ? { problems: [], warnings: [] } : notFound;
    case 'PermissionSet': {
      const ps = findPermissionSet(org, item.fullName);
      if (!ps) return notFound;
      const assigned = org.query('PermissionSetAssignment', (a) => String(a.PermissionSetId).slice(0, 15) === ps.Id.slice(0, 15));
      return assigned.length > 0
        ? { problems: ['This permission set is assigned to one or more users. Remove the assignments before deleting it.'], warnings: [] }
        : { problems: [], warnings: [] };
    }
    case 'Layout':
      return findStored(storeOf(org).layouts, item.fullName) ? { problems: [], warnings: [] } : notFound;
    case 'ConnectedApp':
      return findStored(storeOf(org).connectedApps, item.fullName) ? { problems: [], warnings: [] } : notFound;
    default:
      if (isEcaType(item.type)) return findStored(ecaStore(org, item.type), item.fullName) ? { problems: [], warnings: [] } : notFound;
      return { problems: [`The local org cannot delete metadata of type ${item.type}`], warnings: [] };
  }
}

function deletePermissionRowsFor(org: OrgApi, objectName: string, fieldName?: string): void {
  const object = objectName.toLowerCase();
  if (!fieldName) {
    for (const r of org.query('ObjectPermissions', (x) => String(x.SobjectType).toLowerCase() === object)) org.delete('ObjectPermissions', r.Id);
  }
  for (const r of org.query('FieldPermissions', (x) =>
    fieldName ? String(x.Field).toLowerCase() === `${object}.${fieldName.toLowerCase()}` : String(x.SobjectType).toLowerCase() === object
  )) {
    org.delete('FieldPermissions', r.Id);
  }
}

function applyDestructive(org: OrgApi, item: DestructiveItem): void {
  switch (item.type) {
    case 'CustomField': {
      const [o, f] = item.fullName.split('.');
      if (!org.getObject(o)?.fields.get(f.toLowerCase())) return;
      deletePermissionRowsFor(org, o, f);
      org.removeField(o, f);
      return;
    }
    case 'CustomObject': {
      if (!org.getObject(item.fullName)) return;
      deletePermissionRowsFor(org, item.fullName);
      org.removeObject(item.fullName);
      storeOf(org).nameFields.delete(item.fullName.toLowerCase());
      const layouts = storeOf(org).layouts;
      for (const k of [...layouts.keys()]) if (k.split('-')[0].toLowerCase() === item.fullName.toLowerCase()) layouts.delete(k);
      return;
    }
    case 'PermissionSet': {
      const ps = findPermissionSet(org, item.fullName);
      if (ps) org.delete('PermissionSet', ps.Id);
      return;
    }
    case 'Layout': {
      const stored = findStored(storeOf(org).layouts, item.fullName);
      if (stored) storeOf(org).layouts.delete(stored.fullName);
      return;
    }
    case 'ConnectedApp': {
      const stored = findStored(storeOf(org).connectedApps, item.fullName);
      if (stored) storeOf(org).connectedApps.delete(stored.fullName);
      return;
    }
    default:
      if (isEcaType(item.type)) deleteAppComponent(org, item.type, item.fullName);
      return;
  }
}

/** Schema and stored-file state to restore when a deploy rolls back (record writes roll back via org.transaction). */
function snapshot(org: OrgApi): () => void {
  const objects = new Map<string, ObjectDef>();
  for (const def of org.listObjects()) objects.set(def.name.toLowerCase(), { ...def, fields: new Map(def.fields) });
  const store = storeOf(org);
  const layouts = new Map(store.layouts);
  const apps = new Map(store.connectedApps);
  const externalApps = new Map([...store.externalClientApps].map(([type, map]) => [type, new Map(map)]));
  const settings = new Map(store.settings);
  const nameFields = new Map(store.nameFields);
  return () => {
    for (const def of org.listObjects()) if (!objects.has(def.name.toLowerCase())) org.removeObject(def.name);
    for (const def of objects.values()) {
      const current = org.getObject(def.name);
      if (current !== def || current.fields.size !== def.fields.size) org.defineObject(def);
    }
    store.layouts = layouts;
    store.connectedApps = apps;
    store.externalClientApps = externalApps;
    store.settings = settings;
    store.nameFields = nameFields;
  };
}

function storeFile(org: OrgApi, map: Map<string, StoredFile>, c: Component, userId: string): boolean {
  const existing = findStored(map, c.fullName);
  const at = now();
  if (existing) map.delete(existing.fullName);
  map.set(c.fullName, {
    fullName: c.fullName,
    raw: c.raw ?? '',
    createdDate: existing?.createdDate ?? at,
    lastModifiedDate: at,
    createdById: existing?.createdById ?? userId,
  });
  void org;
  return !existing;
}

/** Applies one component; returns created/id flags. */
function applyComponent(org: OrgApi, c: Component, userId: string): { created: boolean; id?: string } {
  const store = storeOf(org);
  switch (c.type) {
    case 'CustomObject':
      return { created: applyObject(org, c) };
    case 'CustomField':
      return { created: applyField(org, c) };
    case 'PermissionSet': {
      const { record, created } = applyPermissionSet(org, c);
      return { created, id: record.Id };
    }
    case 'Layout':
      return { created: storeFile(org, store.layouts, c, userId) };
    case 'ConnectedApp':
      return { created: storeFile(org, store.connectedApps, c, userId) };
    case 'Settings': {
      const created = readSettings(org, c.fullName) === undefined;
      applySettings(org, c.fullName, c.body);
      return { created };
    }
    default:
      return { created: applyAppComponent(org, c, userId, now()) };
  }
}

// Settings first (they switch features on), an external client app's header before its settings and policies.
const typeOrder: Record<string, number> = {
  Settings: -1,
  CustomObject: 0,
  CustomField: 1,
  PermissionSet: 2,
  Layout: 3,
  ConnectedApp: 4,
  ExternalClientApplication: 5,
  ExtlClntAppGlobalOauthSettings: 6,
  ExtlClntAppOauthSettings: 6,
  ExtlClntAppConfigurablePolicies: 7,
  ExtlClntAppOauthConfigurablePolicies: 7,
};

type Row = {
  o: Outcome;
  ok: boolean;
  created?: boolean;
  deleted?: boolean;
  id?: string;
  item?: DestructiveItem;
  comp?: Component;
};

/** Every component, destructive change and package problem of the deploy, validated. */
function validateAll(org: OrgApi, pkg: DeployPackage, components: Component[]): Row[] {
  const plan = buildPlan(org, components);
  const problems = validate(plan, pkg);
  const rows: Row[] = [];
  for (const x of pkg.problems) {
    rows.push({ o: { component: { type: '', fullName: x.fileName, fileName: x.fileName }, problems: [x.problem] }, ok: false });
  }
  for (const u of pkg.unsupported) {
    const problem = `The local org does not support this metadata type: ${u.type}`;
    rows.push({ o: { component: { type: u.type, fullName: u.fullName, fileName: u.fileName }, problems: [problem] }, ok: false });
  }
  for (const c of components) {
    const p = problems.get(c) ?? [];
    rows.push({ o: { component: c, problems: p }, ok: p.length === 0, comp: c });
  }
  for (const i of destructiveItems(pkg.destructive)) {
    const check = validateDestructive(org, i);
    const fileName = `destructiveChanges${i.phase === 'pre' ? 'Pre' : ''}.xml`;
    rows.push({
      o: { component: { type: i.type, fullName: i.fullName, fileName }, problems: check.problems, warnings: check.warnings },
      ok: check.problems.length === 0,
      item: i,
      deleted: check.warnings.length === 0,
    });
  }
  return rows;
}

/** Applies the valid rows: pre-destructive, components, post-destructive; with rollbackOnError all or nothing. */
function applyRows(org: OrgApi, job: DeployJob, rows: Row[]): void {
  const restore = snapshot(org);
  const ordered = [
    ...rows.filter((x) => x.ok && x.item?.phase === 'pre'),
    ...rows.filter((x) => x.ok && x.comp),
    ...rows.filter((x) => x.ok && x.item?.phase === 'post'),
  ];
  const runAll = (): void => {
    for (const x of ordered) {
      try {
        if (x.comp) Object.assign(x, applyComponent(org, x.comp, job.createdBy));
        else if (x.item && x.deleted) applyDestructive(org, x.item);
      } catch (e) {
        x.ok = false;
        x.o.problems = [(e as Error).message];
        if (job.options.rollbackOnError) throw e;
      }
    }
  };
  try {
    org.transaction(runAll);
  } catch {
    restore();
  }
}

function runDeploy(org: OrgApi, job: DeployJob, pkg: DeployPackage): void {
  const at = now();
  const components = [...pkg.components].sort((a, b) => typeOrder[a.type] - typeOrder[b.type]);
  const rows = validateAll(org, pkg, components);
  const rollback = job.options.rollbackOnError;
  if (!job.options.checkOnly && !(rows.some((x) => !x.ok) && rollback)) applyRows(org, job, rows);
  const failed = rows.filter((x) => !x.ok);
  const succeeded = rows.filter((x) => x.ok);
  const applied = !job.options.checkOnly && !(failed.length > 0 && rollback);
  const result: Partial<DeployJob> = {
    failures: failed.map((x) => message(x.o, false, {}, at)),
    successes: [
      ...succeeded.map((x) =>
        message(x.o, true, {
          created: applied && x.created === true,
          changed: applied && x.comp !== undefined && x.created !== true,
          deleted: applied && x.deleted === true,
          id: x.id,
        }, at)
      ),
      { changed: false, componentType: '', created: false, createdDate: at, deleted: false, fileName: 'package.xml', fullName: 'package.xml', success: true },
    ],
    numberComponentsTotal: rows.length,
    numberComponentErrors: failed.length,
    numberComponentsDeployed: failed.length > 0 && rollback ? 0 : succeeded.length,
  };
  if (pkg.problems.some((p) => p.problem === 'No package.xml found')) {
    result.errorMessage = 'No package.xml found';
    result.errorStatusCode = 'UNKNOWN_EXCEPTION';
  }
  const partial = succeeded.length > 0 && !rollback;
  finish(job, failed.length === 0 ? 'Succeeded' : partial ? 'SucceededPartial' : 'Failed', result);
}

/** The DeployResult of a job, in Salesforce's field names (booleans as booleans; the SOAP layer stringifies). */
export function deployResult(job: DeployJob, includeDetails: boolean): Record<string, unknown> {
  const result: Record<string, unknown> = {
    checkOnly: job.options.checkOnly,
    completedDate: job.completedDate,
    createdBy: job.createdBy.slice(0, 15),
    createdByName: job.createdByName,
    createdDate: job.createdDate,
    done: job.done,
    errorMessage: job.errorMessage,
    errorStatusCode: job.errorStatusCode,
    id: job.id,
    ignoreWarnings: job.options.ignoreWarnings,
    lastModifiedDate: job.lastModifiedDate,
    numberComponentErrors: job.numberComponentErrors,
    numberComponentsDeployed: job.numberComponentsDeployed,
    numberComponentsTotal: job.numberComponentsTotal,
    numberTestErrors: 0,
    numberTestsCompleted: 0,
    numberTestsTotal: 0,
    rollbackOnError: job.options.rollbackOnError,
    runTestsEnabled: false,
    startDate: job.startDate,
    stateDetail: job.stateDetail,
    status: job.status,
    success: job.status === 'Succeeded' || job.status === 'SucceededPartial',
  };
  if (includeDetails) {
    result.details = {
      componentFailures: job.failures,
      componentSuccesses: job.successes,
      runTestResult: { numFailures: 0, numTestsRun: 0, totalTime: 0 },
    };
  }
  return result;
}
