/*
 * The opt-in steps `sf instruqt install` runs after the footprint is in place and usable: the Connected App of
 * --jwt-cert, the Instruqt_Viewer grants of --viewers and the related lists of --related-lists. Each is idempotent;
 * with --dry-run each only says what it would change.
 */
import type { Connection } from '@salesforce/core';
import { SalesforceClient } from '../salesforce/client.js';
import { ensureConnectedApp, type ConnectedAppResult } from './connected-app.js';
import { grantViewers, parseViewers, type ViewersResult } from './viewers.js';
import { addRelatedLists, type RelatedListsResult } from './related-lists.js';
import type { PollOptions } from './metadata.js';

export type InstallExtrasOptions = PollOptions & {
  dryRun?: boolean;
  jwtCert?: string;
  /** Contact of the Connected App (install's --email, default the admin's). */
  contactEmail?: string;
  viewers?: string[];
  relatedLists?: boolean;
};

export type InstallExtrasResult = {
  connectedApp?: ConnectedAppResult;
  viewers?: ViewersResult;
  relatedLists?: RelatedListsResult;
};

export function wantsExtras(options: InstallExtrasOptions): boolean {
  return Boolean(options.jwtCert ?? options.relatedLists ?? (options.viewers && options.viewers.length > 0));
}

export async function installExtras(conn: Connection, options: InstallExtrasOptions): Promise<InstallExtrasResult> {
  const result: InstallExtrasResult = {};
  if (options.jwtCert) {
    result.connectedApp = await ensureConnectedApp(conn, {
      ...options,
      certificatePath: options.jwtCert,
      contactEmail: options.contactEmail ?? conn.getUsername() ?? 'admin@example.com',
    });
  }
  if (options.viewers?.length) {
    result.viewers = await grantViewers(new SalesforceClient(conn), parseViewers(options.viewers), options);
  }
  if (options.relatedLists) result.relatedLists = await addRelatedLists(conn, options);
  return result;
}
