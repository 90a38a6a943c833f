/*
 * The sync's JSON Schemas (schemas/instruqt-sync-input.json and instruqt-sync-config.json) compiled with ajv: the
 * schema is the validation; events.ts and config.ts turn ajv's errors into the reasons users read.
 * May call only node:fs and ajv.
 */
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

export type SchemaName = 'instruqt-sync-input' | 'instruqt-sync-config';
export type SchemaError = ErrorObject;

// ISO 8601 date-time with a zone, as Instruqt sends it (seconds optional), and a date that exists.
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
// A pragmatic shape check; Salesforce's own Email validation is the final word (INVALID_EMAIL_ADDRESS).
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

let ajv: Ajv | undefined;
const compiled = new Map<SchemaName, ValidateFunction>();

/** The validator of a schema in schemas/, compiled on first use (it reports every error, callers pick one). */
export function schemaValidator(name: SchemaName): ValidateFunction {
  let validate = compiled.get(name);
  if (!validate) {
    ajv ??= new Ajv({
      allErrors: true,
      // parentSchema on each error: the reasons quote the schema's bounds.
      verbose: true,
      // String lengths as JavaScript counts them (UTF-16 units), like Salesforce's field lengths.
      unicode: false,
      // Not on the user's terminal: the only warning here is that `unicode` is deprecated (it still works).
      logger: false,
      strictTypes: false,
      formats: {
        'date-time': { type: 'string', validate: (s: string) => ISO_DATETIME.test(s) && !Number.isNaN(Date.parse(s)) },
        email: EMAIL,
      },
    });
    // From src/sync or lib/sync alike: schemas/ ships next to both.
    const schema = JSON.parse(readFileSync(new URL(`../../schemas/${name}.json`, import.meta.url), 'utf8')) as object;
    validate = ajv.compile(schema);
    compiled.set(name, validate);
  }
  return validate;
}

/** The JSON Pointer of an error as property names, with the missing property of a `required` error appended. */
export function errorPath(error: SchemaError): string[] {
  const path = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required') path.push(String((error.params as { missingProperty: string }).missingProperty));
  if (error.keyword === 'additionalProperties') {
    path.push(String((error.params as { additionalProperty: string }).additionalProperty));
  }
  return path;
}
