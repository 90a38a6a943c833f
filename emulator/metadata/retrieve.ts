/*
 * Reading metadata back: retrieve / checkRetrieveStatus (a zip in metadata format), readMetadata, listMetadata and
 * describeMetadata for the types the local org deploys. Permission sets are built from their records, objects and
 * fields from the org's definitions, layouts and connected apps are returned exactly as deployed.
 */
import { IdFactory } from '../core/ids.js';
import type { OrgApi, Principal, SRecord } from '../core/types.js';
import { parseXml, metadataFile, toXml, type XmlObject } from './xml.js';
import { objectMetadata, fieldMetadata } from './custom-object.js';
import { permissionSetMetadata } from './permission-set.js';
import { storeOf } from './store.js';
import { writeZip } from './package-zip.js';
import { ecaStore, ecaTypes, isEcaType, retrieveAppComponent } from './external-client-app.js';
import { settingsFile, settingsNames, readSettings } from './settings.js';

export const supportedTypes = [
  { xmlName: 'CustomObject', directoryName: 'objects', suffix: 'object', childXmlNames: ['CustomField'] },
  { xmlName: 'PermissionSet', directoryName: 'permissionsets', suffix: 'permissionset', childXmlNames: [] },
  { xmlName: 'Layout', directoryName: 'layouts', suffix: 'layout', childXmlNames: [] },
  { xmlName: 'ConnectedApp', directoryName: 'connectedApps', suffix: 'connectedApp', childXmlNames: [] },
  { xmlName: 'Settings', directoryName: 'settings', suffix: 'settings', childXmlNames: [] },
  ...ecaTypes.map((t) => ({ ...t, childXmlNames: [] as string[] })),
];

export type FileProperties = {
  createdById: string;
  createdByName: string;
  createdDate: string;
  fileName: string;
  fullName: string;
  id: string;
  lastModifiedById: string;
  lastModifiedByName: string;
  lastModifiedDate: string;
  manageableState: string;
  type: string;
};

type Item = { type: string; fullName: string; fileName: string; id: string; date: string; userId: string };

const ids = new IdFactory('5g');
const epoch = new Date(0).toISOString();

function permissionSets(org: OrgApi): SRecord[] {
  return org.getObject('PermissionSet') ? org.query('PermissionSet', (p) => p.IsOwnedByProfile !== true && !p.PermissionSetGroupId) : [];
}

/** Every component of a type in the org. */
export function listComponents(org: OrgApi, type: string): Item[] {
  const store = storeOf(org);
  switch (type) {
    case 'CustomObject':
      return org
        .listObjects()
        .filter((o) => o.custom)
        .map((o) => ({ type, fullName: o.name, fileName: `objects/${o.name}.object`, id: `01I${o.keyPrefix}`, date: epoch, userId: '' }));
    case 'CustomField':
      return org.listObjects().flatMap((o) =>
        [...o.fields.values()]
          .filter((f) => f.custom)
          .map((f) => ({ type, fullName: `${o.name}.${f.name}`, fileName: `objects/${o.name}.object`, id: '', date: epoch, userId: '' }))
      );
    case 'PermissionSet':
      return permissionSets(org).map((p) => ({
        type,
        fullName: String(p.Name),
        fileName: `permissionsets/${String(p.Name)}.permissionset`,
        id: p.Id,
        date: String(p.LastModifiedDate ?? epoch),
        userId: String(p.LastModifiedById ?? ''),
      }));
    case 'Layout':
      return [...store.layouts.values()].map((l) => ({ type, fullName: l.fullName, fileName: `layouts/${l.fullName}.layout`, id: '', date: l.lastModifiedDate, userId: l.createdById }));
    case 'ConnectedApp':
      return [...store.connectedApps.values()].map((a) => ({ type, fullName: a.fullName, fileName: `connectedApps/${a.fullName}.connectedApp`, id: '', date: a.lastModifiedDate, userId: a.createdById }));
    case 'Settings':
      return settingsNames(org).map((n) => ({ type, fullName: n, fileName: `settings/${n}.settings`, id: '', date: epoch, userId: '' }));
    default: {
      const eca = ecaTypes.find((t) => t.xmlName === type);
      if (!eca) return [];
      return [...ecaStore(org, type).values()].map((a) => ({
        type,
        fullName: a.fullName,
        fileName: `${eca.directoryName}/${a.fullName}.${eca.suffix}`,
        id: '',
        date: a.lastModifiedDate,
        userId: a.createdById,
      }));
    }
  }
}

export function fileProperties(org: OrgApi, item: Item): FileProperties {
  const user = item.userId ? org.get('User', item.userId) : undefined;
  const name = String(user?.Name ?? '');
  return {
    createdById: item.userId.slice(0, 15),
    createdByName: name,
    createdDate: item.date,
    fileName: item.fileName,
    fullName: item.fullName,
    id: item.id,
    lastModifiedById: item.userId.slice(0, 15),
    lastModifiedByName: name,
    lastModifiedDate: item.date,
    manageableState: 'unmanaged',
    type: item.type,
  };
}

/** The metadata (as an XML object) of one component, or undefined when it does not exist. */
export function readComponent(org: OrgApi, type: string, fullName: string): XmlObject | undefined {
  const lower = fullName.toLowerCase();
  switch (type) {
    case 'CustomObject': {
      const def = org.getObject(fullName);
      return def ? { fullName: def.name, ...objectMetadata(def) } : undefined;
    }
    case 'CustomField': {
      const [o, f] = fullName.split('.');
      const def = org.getObject(o);
      const field = def?.fields.get(String(f).toLowerCase());
      return def && field?.custom ? { ...fieldMetadata(field), fullName: `${def.name}.${field.name}` } : undefined;
    }
    case 'PermissionSet': {
      const ps = permissionSets(org).find((p) => String(p.Name).toLowerCase() === lower);
      return ps ? { fullName: String(ps.Name), ...permissionSetMetadata(org, ps) } : undefined;
    }
    case 'Layout':
    case 'ConnectedApp': {
      const map = type === 'Layout' ? storeOf(org).layouts : storeOf(org).connectedApps;
      const stored = [...map.values()].find((s) => s.fullName.toLowerCase() === lower);
      return stored ? { fullName: stored.fullName, ...parseXml(stored.raw).value } : undefined;
    }
    case 'Settings': {
      const value = readSettings(org, fullName);
      return value ? { fullName, ...value } : undefined;
    }
    default: {
      if (!isEcaType(type)) return undefined;
      const { file } = retrieveAppComponent(org, type, fullName);
      return file ? { fullName, ...parseXml(file).value } : undefined;
    }
  }
}

export type RetrieveJob = {
  id: string;
  status: 'Pending' | 'InProgress' | 'Succeeded' | 'Failed';
  done: boolean;
  zipFile?: string;
  fileProperties: FileProperties[];
  messages: Array<{ fileName: string; problem: string }>;
  errorMessage?: string;
  errorStatusCode?: string;
};

const retrieves = new WeakMap<OrgApi, Map<string, RetrieveJob>>();

export function findRetrieve(org: OrgApi, id: string): RetrieveJob | undefined {
  return retrieves.get(org)?.get(id) ?? [...(retrieves.get(org)?.values() ?? [])].find((j) => j.id.slice(0, 15) === id.slice(0, 15));
}

type RetrieveRequest = { types: Array<{ name: string; members: string[] }>; singlePackage: boolean; apiVersion: string };

/** Starts a retrieve; the zip is built at once (the org's state now) and offered after one deploy step. */
export function startRetrieve(org: OrgApi, principal: Principal | undefined, request: RetrieveRequest): RetrieveJob {
  const job: RetrieveJob = { id: ids.next('09S'), status: 'Pending', done: false, fileProperties: [], messages: [] };
  let map = retrieves.get(org);
  if (!map) {
    map = new Map();
    retrieves.set(org, map);
  }
  map.set(job.id, job);
  void principal;
  const prefix = request.singlePackage ? '' : 'unpackaged/';
  const files: Record<string, string> = {};
  const objectFields = new Map<string, string[] | undefined>();
  const found: Item[] = [];
  for (const t of request.types) {
    const all = listComponents(org, t.name);
    const wanted = t.members.includes('*') ? all.map((i) => i.fullName) : t.members;
    for (const member of wanted) {
      const item = all.find((i) => i.fullName.toLowerCase() === member.toLowerCase()) ?? standardObjectItem(org, t.name, member);
      if (!item) {
        job.messages.push({ fileName: `${prefix}package.xml`, problem: `Entity of type '${t.name}' named '${member}' cannot be found` });
        continue;
      }
      found.push(item);
      if (t.name === 'CustomObject') objectFields.set(item.fullName, undefined);
      else if (t.name === 'CustomField') {
        const [o, f] = item.fullName.split('.');
        if (!objectFields.has(o) || objectFields.get(o)) objectFields.set(o, [...(objectFields.get(o) ?? []), f]);
      } else {
        const { file, problem } = componentFile(org, t.name, item.fullName);
        if (file !== undefined) files[prefix + item.fileName] = file;
        else if (problem) job.messages.push({ fileName: prefix + item.fileName, problem });
      }
    }
  }
  for (const [objectName, onlyFields] of objectFields) {
    const def = org.getObject(objectName);
    if (def) files[`${prefix}objects/${def.name}.object`] = metadataFile('CustomObject', objectMetadata(def, onlyFields));
  }
  files[`${prefix}package.xml`] = packageXml(request.types, request.apiVersion);
  job.fileProperties = [
    ...found.map((i) => fileProperties(org, { ...i, fileName: prefix + i.fileName })),
    fileProperties(org, { type: 'Package', fullName: `${prefix}package.xml`.replace(/^unpackaged\//, 'unpackaged/'), fileName: `${prefix}package.xml`, id: '', date: new Date().toISOString(), userId: '' }),
  ];
  const timer = setTimeout(() => {
    void writeZip(files).then((zip) => {
      job.zipFile = zip.toString('base64');
      job.status = 'Succeeded';
      job.done = true;
    });
  }, org.options.deployStepMs ?? 50);
  timer.unref?.();
  return job;
}

/** The retrieved file of a component that is not an object or field (stored files verbatim, the rest built). */
function componentFile(org: OrgApi, type: string, fullName: string): { file?: string; problem?: string } {
  if (type === 'Settings') return { file: settingsFile(org, fullName) ?? '' };
  if (isEcaType(type)) return retrieveAppComponent(org, type, fullName);
  const md = readComponent(org, type, fullName);
  if (!md) return {};
  const { fullName: name, ...body } = md;
  const stored = type === 'Layout' ? storeOf(org).layouts.get(name as string) : type === 'ConnectedApp' ? storeOf(org).connectedApps.get(name as string) : undefined;
  return { file: stored ? stored.raw : metadataFile(type, body) };
}

/** A standard object named in a retrieve (e.g. Lead, for its custom fields). */
function standardObjectItem(org: OrgApi, type: string, member: string): Item | undefined {
  if (type !== 'CustomObject') return undefined;
  const def = org.getObject(member);
  return def ? { type, fullName: def.name, fileName: `objects/${def.name}.object`, id: '', date: epoch, userId: '' } : undefined;
}

export function packageXml(types: Array<{ name: string; members: string[] }>, version: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    toXml('Package', {
      '@xmlns': 'http://soap.sforce.com/2006/04/metadata',
      types: types.map((t) => ({ members: t.members, name: t.name })),
      version,
    })
  );
}

export function retrieveResult(job: RetrieveJob, includeZip: boolean): Record<string, unknown> {
  return {
    done: job.done,
    errorMessage: job.errorMessage,
    errorStatusCode: job.errorStatusCode,
    fileProperties: job.done ? job.fileProperties : [],
    id: job.id,
    messages: job.done ? job.messages : [],
    status: job.status,
    success: job.status === 'Succeeded',
    zipFile: includeZip && job.done ? job.zipFile : undefined,
  };
}
