/*
 * The plugin's library surface, for scripts that want the capabilities without the CLI.
 */
export { SalesforceClient } from './salesforce/client.js';
export { soqlLiteral, soqlIn } from './salesforce/soql.js';
