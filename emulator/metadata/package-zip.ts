/*
 * Reads a deploy zip (metadata format, as @salesforce/source-deploy-retrieve builds it from force-app source) into
 * components, and writes retrieve zips. Files may sit at the root or under one folder (`unpackaged/`).
 */
import JSZip from 'jszip';
import { asArray, parseXml, text, type XmlObject } from './xml.js';
import { ecaTypes, type EcaType } from './external-client-app.js';

export type ComponentType = 'CustomObject' | 'CustomField' | 'PermissionSet' | 'Layout' | 'ConnectedApp' | 'Settings' | EcaType;

export type Component = {
  type: ComponentType;
  fullName: string;
  /** Path inside the zip, as Salesforce reports it in component results. */
  fileName: string;
  body: XmlObject;
  /** The file as deployed, for types stored verbatim (Layout, ConnectedApp, external client app types). */
  raw?: string;
};

export type Unsupported = { fileName: string; fullName: string; type: string };
export type Destructive = { type: string; members: string[]; phase: 'pre' | 'post' };

export type DeployPackage = {
  components: Component[];
  destructive: Destructive[];
  unsupported: Unsupported[];
  /** Problems with the package itself (no package.xml, unparsable files). */
  problems: Array<{ fileName: string; problem: string }>;
};

const folders: Record<string, { type: ComponentType; suffix: string }> = {
  objects: { type: 'CustomObject', suffix: '.object' },
  permissionsets: { type: 'PermissionSet', suffix: '.permissionset' },
  layouts: { type: 'Layout', suffix: '.layout' },
  connectedApps: { type: 'ConnectedApp', suffix: '.connectedApp' },
  settings: { type: 'Settings', suffix: '.settings' },
  ...Object.fromEntries(ecaTypes.map((t) => [t.directoryName, { type: t.xmlName, suffix: `.${t.suffix}` }])),
};

/** `types` of a package.xml-shaped manifest. */
export function manifestTypes(manifest: XmlObject): Array<{ name: string; members: string[] }> {
  return asArray<XmlObject>(manifest.types).map((t) => ({
    name: text(t.name) ?? '',
    members: asArray(t.members).map((m) => text(m) ?? ''),
  }));
}

export async function readDeployZip(zipData: Buffer): Promise<DeployPackage> {
  const zip = await JSZip.loadAsync(zipData);
  const files = Object.values(zip.files).filter((f) => !f.dir);
  const pkg: DeployPackage = { components: [], destructive: [], unsupported: [], problems: [] };
  const manifest = files.find((f) => /(^|\/)package\.xml$/.test(f.name));
  if (!manifest) {
    pkg.problems.push({ fileName: 'package.xml', problem: 'No package.xml found' });
    return pkg;
  }
  const base = manifest.name.slice(0, manifest.name.length - 'package.xml'.length);
  for (const file of files) {
    if (!file.name.startsWith(base)) continue;
    const path = file.name.slice(base.length);
    const content = await file.async('string');
    const destructive = /^destructiveChanges(Pre|Post)?\.xml$/.exec(path);
    if (path === 'package.xml') continue;
    try {
      if (destructive) {
        const phase = destructive[1] === 'Pre' ? 'pre' : 'post';
        for (const t of manifestTypes(parseXml(content).value)) pkg.destructive.push({ type: t.name, members: t.members, phase });
        continue;
      }
      const [folder, name] = path.split('/');
      const kind = folders[folder];
      if (!kind || !name?.endsWith(kind.suffix) || path.split('/').length !== 2) {
        if (!path.endsWith('-meta.xml')) pkg.unsupported.push({ fileName: path, fullName: path, type: folder });
        continue;
      }
      const fullName = decodeURIComponent(name.slice(0, -kind.suffix.length));
      const { value } = parseXml(content);
      if (kind.type === 'CustomObject') {
        const { fields, ...objectBody } = value;
        pkg.components.push({ type: 'CustomObject', fullName, fileName: path, body: objectBody });
        for (const f of asArray<XmlObject>(fields)) {
          pkg.components.push({ type: 'CustomField', fullName: `${fullName}.${text(f.fullName) ?? ''}`, fileName: path, body: f });
        }
      } else {
        pkg.components.push({ type: kind.type, fullName, fileName: path, body: value, raw: content });
      }
    } catch (e) {
      pkg.problems.push({ fileName: path, problem: `Error parsing file: ${(e as Error).message}` });
    }
  }
  return pkg;
}

export async function writeZip(files: Record<string, string>): Promise<Buffer> {
  const zip = new JSZip();
  for (const [path, content] of Object.entries(files)) zip.file(path, content);
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}
