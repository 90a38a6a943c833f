/*
 * Metadata XML in and out: parse component files and SOAP envelopes into plain objects (all values strings, as the
 * Metadata API's XML carries them) and write plain objects back as Salesforce formats them (4-space indent,
 * `xmlns="http://soap.sforce.com/2006/04/metadata"`).
 */
import { XMLParser } from 'fast-xml-parser';

export const metadataNamespace = 'http://soap.sforce.com/2006/04/metadata';

export type XmlObject = { [key: string]: XmlValue };
export type XmlValue = string | XmlObject | XmlValue[] | undefined;

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
});

/** Parses an XML document; the root element's content is returned with its name. */
export function parseXml(xml: string): { root: string; value: XmlObject } {
  const doc = parser.parse(xml) as Record<string, unknown>;
  const root = Object.keys(doc).find((k) => !k.startsWith('?'));
  if (!root) throw new Error('empty XML document');
  const value = doc[root];
  return { root, value: typeof value === 'object' && value !== null ? (value as XmlObject) : {} };
}

/** One element or many: the XML parser gives a single child as an object, several as an array. */
export function asArray<T = XmlValue>(value: unknown): T[] {
  if (value === undefined || value === null || value === '') return [];
  return (Array.isArray(value) ? value : [value]) as T[];
}

export function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

export function bool(value: unknown): boolean {
  return text(value) === 'true';
}

export function escapeXml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** Serialises a value as elements named `name`; arrays repeat the element; `@attr` keys become attributes. */
export function toXml(name: string, value: unknown, indent = '', step = '    '): string {
  if (value === undefined) return '';
  if (Array.isArray(value)) return value.map((v) => toXml(name, v, indent, step)).join('');
  const nl = step ? '\n' : '';
  if (value === null) return `${indent}<${name} xsi:nil="true"/>${nl}`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    const attrs = entries
      .filter(([k]) => k.startsWith('@'))
      .map(([k, v]) => ` ${k.slice(1)}="${escapeXml(String(v))}"`)
      .join('');
    const children = entries.filter(([k]) => !k.startsWith('@'));
    if (children.length === 0) return `${indent}<${name}${attrs}/>${nl}`;
    const inner = children.map(([k, v]) => toXml(k, v, indent + step, step)).join('');
    return `${indent}<${name}${attrs}>${nl}${inner}${indent}</${name}>${nl}`;
  }
  return `${indent}<${name}>${escapeXml(String(value as string | number | boolean))}</${name}>${nl}`;
}

/** A metadata file: XML declaration, then the root element in the metadata namespace. */
export function metadataFile(root: string, value: Record<string, unknown>): string {
  return '<?xml version="1.0" encoding="UTF-8"?>\n' + toXml(root, { '@xmlns': metadataNamespace, ...value });
}

/** Sorts an object's keys alphabetically, as Salesforce writes metadata elements. */
export function sortedKeys<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b))) as T;
}
