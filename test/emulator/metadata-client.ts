/*
 * Test helpers for the local org's Metadata API: a jsforce Connection (through @salesforce/core, as the sf CLI
 * uses it) for any user, deploy zips built from file maps, and builders for the metadata XML the tests deploy.
 */
import { AuthInfo, Connection } from '@salesforce/core';
import JSZip from 'jszip';
import type { LocalOrg } from '../../emulator/index.js';

export type DeployResult = Awaited<ReturnType<Connection['metadata']['checkDeployStatus']>>;
export type DeployMessage = { componentType: string; fullName: string; fileName: string; problem?: string; problemType?: string; success: boolean };

export async function connect(local: LocalOrg, token = local.adminToken): Promise<Connection> {
  const authInfo = await AuthInfo.create({
    accessTokenOptions: { accessToken: token, instanceUrl: local.instanceUrl, loginUrl: local.instanceUrl },
  });
  const conn = await Connection.create({ authInfo });
  conn.setApiVersion('65.0');
  conn.metadata.pollInterval = 20;
  conn.metadata.pollTimeout = 20_000;
  return conn;
}

/** A deploy zip in metadata format: package.xml plus `files` (paths like 'objects/X__c.object'). */
export async function zipOf(files: Record<string, string>, folder = ''): Promise<Buffer> {
  const zip = new JSZip();
  zip.file(`${folder}package.xml`, '<?xml version="1.0" encoding="UTF-8"?><Package xmlns="http://soap.sforce.com/2006/04/metadata"><version>65.0</version></Package>');
  for (const [path, content] of Object.entries(files)) zip.file(folder + path, content);
  return zip.generateAsync({ type: 'nodebuffer' });
}

/** Deploys over SOAP and waits for the final DeployResult with details. */
export async function deploy(
  conn: Connection,
  files: Record<string, string>,
  options: { checkOnly?: boolean; rollbackOnError?: boolean } = {}
): Promise<DeployResult> {
  return conn.metadata.deploy(await zipOf(files), { singlePackage: true, ...options }).complete(true);
}

export function failuresOf(result: DeployResult): DeployMessage[] {
  const f = result.details?.componentFailures as DeployMessage[] | DeployMessage | undefined;
  return f === undefined ? [] : Array.isArray(f) ? f : [f];
}

export function problemsOf(result: DeployResult): string[] {
  return failuresOf(result).map((f) => `${f.componentType} ${f.fullName}: ${f.problem ?? ''}`);
}

const xmlHead = '<?xml version="1.0" encoding="UTF-8"?>\n';
const ns = 'xmlns="http://soap.sforce.com/2006/04/metadata"';

function elements(value: Record<string, string | boolean | number | undefined>): string {
  return Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<${k}>${String(v)}</${k}>`)
    .join('');
}

export type FieldSpec = Record<string, string | boolean | number | undefined> & { fullName: string };

export function fieldXml(spec: FieldSpec): string {
  return `<fields>${elements(spec)}</fields>`;
}

/** A CustomObject file (metadata format: fields inline). */
export function objectXml(
  options: { label?: string; plural?: string; sharingModel?: string; nameType?: string; omit?: string[] } = {},
  fields: FieldSpec[] = []
): string {
  const parts: Record<string, string> = {
    deploymentStatus: '<deploymentStatus>Deployed</deploymentStatus>',
    label: `<label>${options.label ?? 'Widget'}</label>`,
    nameField: `<nameField><label>Widget Name</label><type>${options.nameType ?? 'Text'}</type>${options.nameType === 'AutoNumber' ? '<displayFormat>W-{0000}</displayFormat><startingNumber>1</startingNumber>' : ''}</nameField>`,
    pluralLabel: `<pluralLabel>${options.plural ?? 'Widgets'}</pluralLabel>`,
    sharingModel: `<sharingModel>${options.sharingModel ?? 'ReadWrite'}</sharingModel>`,
  };
  for (const o of options.omit ?? []) delete parts[o];
  return `${xmlHead}<CustomObject ${ns}>${Object.values(parts).join('')}${fields.map(fieldXml).join('')}</CustomObject>`;
}

/** Custom fields only, for a standard object (objects/Lead.object). */
export function fieldsOnlyXml(fields: FieldSpec[]): string {
  return `${xmlHead}<CustomObject ${ns}>${fields.map(fieldXml).join('')}</CustomObject>`;
}

export type ObjectPerm = { object: string; read?: boolean; create?: boolean; edit?: boolean; del?: boolean; viewAll?: boolean; modifyAll?: boolean; viewAllFields?: boolean };
export type FieldPerm = { field: string; read?: boolean; edit?: boolean };

export function permissionSetXml(options: { label?: string; objects?: ObjectPerm[]; fields?: FieldPerm[]; users?: string[] }): string {
  const objects = (options.objects ?? [])
    .map(
      (o) =>
        `<objectPermissions>${elements({
          allowCreate: o.create ?? false,
          allowDelete: o.del ?? false,
          allowEdit: o.edit ?? false,
          allowRead: o.read ?? false,
          modifyAllRecords: o.modifyAll ?? false,
          object: o.object,
          viewAllFields: o.viewAllFields ?? false,
          viewAllRecords: o.viewAll ?? false,
        })}</objectPermissions>`
    )
    .join('');
  const fields = (options.fields ?? [])
    .map((f) => `<fieldPermissions>${elements({ editable: f.edit ?? false, field: f.field, readable: f.read ?? false })}</fieldPermissions>`)
    .join('');
  const users = (options.users ?? []).map((u) => `<userPermissions><enabled>true</enabled><name>${u}</name></userPermissions>`).join('');
  return `${xmlHead}<PermissionSet ${ns}>${fields}<label>${options.label ?? 'Test Set'}</label>${objects}${users}</PermissionSet>`;
}

export function destructiveXml(types: Record<string, string[]>): string {
  const body = Object.entries(types)
    .map(([name, members]) => `<types>${members.map((m) => `<members>${m}</members>`).join('')}<name>${name}</name></types>`)
    .join('');
  return `${xmlHead}<Package ${ns}>${body}<version>65.0</version></Package>`;
}
