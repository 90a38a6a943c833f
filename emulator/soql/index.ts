/*
 * The local org's SOQL engine: executeSoql answers `GET /query` (all rows; the REST layer pages them), and
 * describeSoqlColumns answers `GET /query?columns=true`. Parsing is @jetstreamapp/soql-parser-js; everything after
 * parsing (names, access, filters, ordering, shapes, errors) follows the SOQL and SOSL Reference.
 */
export { executeSoql, planSoql, type SoqlOptions, type SoqlResult } from './execute.js';
export { describeSoqlColumns, type QueryColumn, type QueryColumnsResult } from './columns.js';
export { MAX_SOQL_LENGTH } from './errors.js';
