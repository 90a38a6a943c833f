/*
 * The opt-in steps `sf instruqt install` runs after the footprint is in place and usable: the External Client App of
 * --jwt-cert, the Instruqt_Viewer grants of --viewers and the related lists of --related-lists. Each is idempotent;
 * with --dry-run each only says what it would change.
 */
import { Messages, type Connection } from '@salesforce/core';
import { SalesforceClient } from '../../salesforce/client.js';
import type { PollOptions } from '../../salesforce/metadata.js';
import { ensureExternalClientApp, type ExternalClientAppResult } from './external-client-app.js';
import { grantViewers, parseViewers, type ViewersResult } from './viewers.js';
import { addRelatedLists, type RelatedListsResult } from './related-lists.js';

export type InstallExtrasOptions = PollOptions & {
  dryRun?: boolean;
  jwtCert?: string;
  /** Contact of the External Client App (install's --email, default the admin's). */
  contactEmail?: string;
  viewers?: string[];
  relatedLists?: boolean;
};

export type InstallExtrasResult = {
  externalClientApp?: ExternalClientAppResult;
  viewers?: ViewersResult;
  relatedLists?: RelatedListsResult;
};

/** Doctor fails a certificate with less left; install warns about it. */
export const CERTIFICATE_WARNING_DAYS = 30;

export function wantsExtras(options: InstallExtrasOptions): boolean {
  return options.jwtCert !== undefined || options.relatedLists === true || (options.viewers?.length ?? 0) > 0;
}

export async function installExtras(conn: Connection, options: InstallExtrasOptions): Promise<InstallExtrasResult> {
  const result: InstallExtrasResult = {};
  if (options.jwtCert) {
    result.externalClientApp = await ensureExternalClientApp(conn, {
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
  const app = result.externalClientApp;
  if (app) {
    const scopes = app.scopes.join(', ');
    if (context.dryRun && app.status !== 'unchanged') {
      lines.push(messages.getMessage('extras.externalClientApp.would', [app.name, app.status, scopes]));
    } else {
      lines.push(messages.getMessage(`extras.externalClientApp.${app.status}`, [app.name, scopes, app.consumerKey ?? '']));
    }
    if (app.consumerKey) {
      const login = [context.username ?? '<integration user>', app.consumerKey, context.instanceUrl];
      lines.push(messages.getMessage('extras.externalClientApp.login', login));
    }
    if (Date.parse(app.certificateExpires) - Date.now() < CERTIFICATE_WARNING_DAYS * 86_400_000) {
      warnings.push(messages.getMessage('extras.externalClientApp.expires', [app.certificateExpires.slice(0, 10)]));
    }
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
