/*
 * SOQL error messages in Salesforce's shape: the offending query line echoed, a caret under the offending token,
 * "ERROR at Row:R:Column:C" and the reason (SOQL and SOSL Reference; REST API error responses).
 * The parser does not report positions, so the caret is placed by finding the token's text in the query.
 */
import { SalesforceError } from '../core/types.js';

export const MAX_SOQL_LENGTH = 100_000;

const isIdentChar = (c: string | undefined): boolean => c !== undefined && /[\w.]/.test(c);

/** 0-based offset of `token` in `soql` as a whole identifier (case-insensitive); -1 when absent. */
export function findToken(soql: string, token: string, opts: { afterFrom?: boolean; skip?: number } = {}): number {
  const hay = soql.toLowerCase();
  const needle = token.toLowerCase();
  if (!needle) return -1;
  let at = hay.indexOf(needle);
  let skip = opts.skip ?? 0;
  while (at >= 0) {
    const boundaryBefore = !isIdentChar(hay[at - 1]);
    const boundaryAfter = !isIdentChar(hay[at + needle.length]) || !/\w/.test(needle[needle.length - 1]);
    if (boundaryBefore && boundaryAfter && (!opts.afterFrom || /\bfrom\s+$/.test(hay.slice(Math.max(0, at - 12), at)))) {
      if (skip-- === 0) return at;
    }
    at = hay.indexOf(needle, at + 1);
  }
  return -1;
}

/** The Salesforce message body: query line, caret, position and reason. */
export function located(soql: string, offset: number, reason: string): string {
  const at = offset < 0 ? 0 : Math.min(offset, soql.length);
  const before = soql.slice(0, at);
  const row = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const col = at - lineStart + 1;
  const line = soql.split('\n')[row - 1] ?? '';
  return `\n${line}\n${' '.repeat(col - 1)}^\nERROR at Row:${row}:Column:${col}\n${reason}`;
}

export function soqlError(code: string, soql: string, token: string | number, reason: string): SalesforceError {
  const offset = typeof token === 'number' ? token : findToken(soql, token);
  return new SalesforceError(code, located(soql, offset, reason), [], 400);
}

export const invalidType = (soql: string, objectName: string): SalesforceError =>
  new SalesforceError(
    'INVALID_TYPE',
    located(
      soql,
      findToken(soql, objectName, { afterFrom: true }),
      `sObject type '${objectName}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`
    ),
    [],
    400
  );

export const noSuchColumn = (soql: string, token: string, column: string, entity: string): SalesforceError =>
  soqlError(
    'INVALID_FIELD',
    soql,
    token,
    `No such column '${column}' on entity '${entity}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`
  );

export const badRelationship = (soql: string, token: string, relationship: string): SalesforceError =>
  soqlError(
    'INVALID_FIELD',
    soql,
    token,
    `Didn't understand relationship '${relationship}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`
  );

export const badChildRelationship = (soql: string, relationship: string): SalesforceError =>
  new SalesforceError(
    'INVALID_TYPE',
    located(
      soql,
      findToken(soql, relationship, { afterFrom: true }),
      `Didn't understand relationship '${relationship}' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`
    ),
    [],
    400
  );

export const malformed = (soql: string, token: string | number, reason: string): SalesforceError =>
  soqlError('MALFORMED_QUERY', soql, token, reason);

/** Turns a soql-parser-js (chevrotain) exception into Salesforce's "unexpected token" MALFORMED_QUERY. */
export function fromParseError(soql: string, err: unknown): SalesforceError {
  const message = err instanceof Error ? err.message : String(err);
  const found = /but found:? ?(?:--> )?'([^']*)'/.exec(message)?.[1];
  if (found === undefined || found === '') {
    return malformed(soql, soql.trimEnd().length, 'unexpected token: <EOF>');
  }
  return malformed(soql, findToken(soql, found), `unexpected token: ${found}`);
}
