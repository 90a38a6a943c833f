/*
 * A real @salesforce/core Connection to a local org from an access token, for tests of library modules
 * (the same Connection class the commands get from `-o <org>`), without touching the sf CLI's auth files.
 */
import { AuthInfo, Connection } from '@salesforce/core';
import { SalesforceClient, type ClientOptions } from '../../src/salesforce/client.js';

export async function connectAs(instanceUrl: string, accessToken: string, apiVersion = '65.0'): Promise<Connection> {
  const authInfo = await AuthInfo.create({
    username: accessToken,
    accessTokenOptions: { accessToken, instanceUrl, loginUrl: instanceUrl },
  });
  const connection = await Connection.create({ authInfo });
  connection.setApiVersion(apiVersion);
  return connection;
}

export async function clientAs(
  instanceUrl: string,
  accessToken: string,
  options: ClientOptions = {}
): Promise<SalesforceClient> {
  return new SalesforceClient(await connectAs(instanceUrl, accessToken), { baseDelayMs: 5, ...options });
}
