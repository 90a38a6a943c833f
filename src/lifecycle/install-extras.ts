/*
 * The opt-in steps `sf instruqt install` runs after the footprint is in place and usable: the Connected App of
 * --jwt-cert, the Instruqt_Viewer grants of --viewers and the related lists of --related-lists. Each is idempotent;
 * with --dry-run each only says what it would change.
 */
import { Messages, type Connection } from '@salesforce/core';
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
  return options.jwtCert !== undefined || options.relatedLists === true || (options.viewers?.length ?? 0) > 0;
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

/** What install prints about the extras: lines for the person, warnings for names that were not found. */
export function describeExtras(
  result: InstallExtrasResult,
  context: { username?: string; instanceUrl: string; dryRun?: boolean }
): { lines: string[]; warnings: string[] } {
  Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
  const messages = Messages.loadMessages('plugin-instruqt', 'instruqt.lifecycle');
  const lines: string[] = [];
  const warnings: string[] = [];
  const app = result.connectedApp;
  if (app) {
    lines.push(messages.getMessage(`extras.connectedApp.${app.status}`, [app.name, app.scopes.join(', '), app.consumerKey]));
    lines.push(
      messages.getMessage('extras.connectedApp.login', [context.username ?? '<integration user>', app.consumerKey, context.instanceUrl])
    );
  }
  const viewers = result.viewers;
  if (viewers) {
    const names = (status: string): string => viewers.targets.filter((t) => t.status === status).map((t) => t.name).join(', ');
    if (names('assigned')) lines.push(messages.getMessage(context.dryRun ? 'extras.viewers.would' : 'extras.viewers.assigned', [viewers.permissionSet, names('assigned')]));
    if (names('already')) lines.push(messages.getMessage('extras.viewers.already', [viewers.permissionSet, names('already')]));
    if (names('not-found')) warnings.push(messages.getMessage('extras.viewers.notFound', [names('not-found')]));
    for (const t of viewers.targets.filter((v) => v.status === 'failed')) {
      warnings.push(messages.getMessage('extras.viewers.failed', [viewers.permissionSet, t.name, t.error ?? '']));
    }
  }
  const related = result.relatedLists;
  if (related) {
    for (const change of related.changes) {
      if (change.status === 'missing-layout') warnings.push(messages.getMessage('extras.relatedLists.missing-layout', [change.layout]));
      else lines.push(messages.getMessage(`extras.relatedLists.${context.dryRun && change.status === 'added' ? 'would' : change.status}`, [change.layout]));
    }
  }
  return { lines, warnings };
}
