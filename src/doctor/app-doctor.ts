/*
 * doctor's check of the External Client App of `install --jwt-cert`: present, its certificate valid for at least
 * CERTIFICATE_WARNING_DAYS more days, the integration user pre-authorized (admin-approved users, through
 * Instruqt_Integration, which the user holds). Reads the app through the Metadata API; the certificate needs the
 * org's consumer secret access (ExternalClientAppSettings).
 */
import type { Connection } from '@salesforce/core';
import { CERTIFICATE_WARNING_DAYS } from '../install/extras/install-extras.js';
import { APP_NAME, describeApp, readExternalClientApp } from '../install/extras/external-client-app.js';
import { INTEGRATION_PERMISSION_SET } from '../footprint/vocabulary.js';

export type AppFinding = { status: 'pass' | 'warn' | 'fail'; detail: string; fix?: string; commands?: string[] };

const SETTINGS_PATH =
  'From Setup, enter "External Client Apps" in the Quick Find box, select Settings and turn on "Allow Access to OAuth Consumer Secrets via Metadata API"';

export async function checkExternalClientApp(
  conn: Connection,
  context: { orgLabel: string; username?: string; holdsPermissionSet: boolean; now?: Date }
): Promise<AppFinding> {
  const install = `sf instruqt install --target-org ${context.orgLabel} --jwt-cert cert.pem`;
  const app = await readExternalClientApp(conn);
  if (!app) {
    return {
      status: 'warn',
      detail: `No External Client App ${APP_NAME}: the integration user has no passwordless (JWT bearer) login.`,
      fix: 'Make a key and certificate (docs/lifecycle.md), then install with the certificate',
      commands: [install],
    };
  }
  const seen = describeApp(app);
  const problems: string[] = [];
  const fixes: string[] = [];
  const commands: string[] = [];
  if (!app.global) {
    return {
      status: 'warn',
      detail: `${APP_NAME} is there, but the org does not let the Metadata API read its certificate.`,
      fix: `${SETTINGS_PATH}, then run doctor again`,
    };
  }
  const now = context.now ?? new Date();
  if (!seen.certificate) {
    problems.push(`${APP_NAME} has no valid certificate`);
    fixes.push('Install again with the certificate of the key the sync uses (the consumer key stays)');
    commands.push(install);
  } else {
    const daysLeft = Math.floor((seen.certificate.validTo.getTime() - now.getTime()) / 86_400_000);
    if (daysLeft < CERTIFICATE_WARNING_DAYS) {
      problems.push(
        daysLeft < 0
          ? `its certificate expired on ${seen.certificate.validTo.toISOString().slice(0, 10)}: JWT logins fail`
          : `its certificate expires in ${daysLeft} days (${seen.certificate.validTo.toISOString().slice(0, 10)})`
      );
      fixes.push('Make a new key and certificate and install with it (the consumer key stays; give the sync the new key file)');
      commands.push(install);
    }
  }
  if (!seen.preAuthorized || !seen.permissionSets.includes(INTEGRATION_PERMISSION_SET)) {
    problems.push(`${APP_NAME} does not pre-authorize the holders of ${INTEGRATION_PERMISSION_SET} (admin-approved users only)`);
    fixes.push('Install again with the certificate: it sets the policy back');
    if (!commands.includes(install)) commands.push(install);
  }
  if (!context.holdsPermissionSet && context.username) {
    problems.push(`${context.username} does not hold ${INTEGRATION_PERMISSION_SET}, so the app does not let it log in`);
    fixes.push('Assign the permission set (see the assignments check)');
    commands.push(`sf org assign permset --name ${INTEGRATION_PERMISSION_SET} --on-behalf-of ${context.username} --target-org ${context.orgLabel}`);
  }
  if (problems.length > 0) return { status: 'fail', detail: `${problems.join('; ')}.`, fix: `${fixes.join('. ')}.`, commands };
  return {
    status: 'pass',
    detail: `${APP_NAME} pre-authorizes ${INTEGRATION_PERMISSION_SET}; certificate valid until ${seen.certificate?.validTo.toISOString().slice(0, 10) ?? ''}.`,
  };
}
