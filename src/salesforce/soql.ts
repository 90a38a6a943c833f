/*
 * SOQL literal escaping: the only way user-supplied values enter a query string.
 * Escapes follow the SOQL reference "Quoted String Escape Sequences" (\n \r \t \b \f \" \' \\).
 */

export type SoqlScalar = string | number | boolean | null | undefined | Date;

const ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/** A value as a SOQL literal: strings quoted and escaped, numbers/booleans bare, null as `null`, dates as ISO. */
export function soqlLiteral(value: SoqlScalar): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`Not a finite number: ${value}`);
    return String(value);
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return value.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `'${value.replace(/[\\'"\n\r\t\b\f]/g, (c) => ESCAPES[c])}'`;
}

/** A parenthesised IN list: `('a','b')`. An empty list becomes `(null)` so the query stays valid and matches nothing. */
export function soqlIn(values: Iterable<SoqlScalar>): string {
  const items = [...values].map(soqlLiteral);
  return `(${items.length ? items.join(',') : 'null'})`;
}

/** Split values into IN-list chunks so that each query stays under the URL length Salesforce accepts (16 KB). */
export function chunkForIn<T extends SoqlScalar>(values: T[], maxChars = 8000): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const v of values) {
    const len = soqlLiteral(v).length + 1;
    if (current.length > 0 && size + len > maxChars) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(v);
    size += len;
  }
  if (current.length) chunks.push(current);
  return chunks;
}
