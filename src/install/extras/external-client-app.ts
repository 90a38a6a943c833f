/*
 * `install --jwt-cert`: the External Client App the integration user logs in through with the OAuth 2.0 JWT bearer
 * flow (no password, no browser). Salesforce blocks new Connected Apps from Spring '26 (Help 005228017), the Metadata
 * API included. Generated at install time because it carries the admin's certificate; deployed and read back through
 * source-deploy-retrieve; admin-approved users pre-authorized through the Instruqt_Integration permission set only.
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Messages, type Connection } from '@salesforce/core';
import { deployFiles, describeFailures, escapeXml, listComponents, retrieveFiles, type PollOptions } from '../../salesforce/metadata.js';
import { EXTERNAL_CLIENT_APP, INTEGRATION_PERMISSION_SET } from '../../footprint/vocabulary.js';

Messages.importMessagesDirectoryFromMetaUrl(import.meta.url);
const messages = Messages.loadMessages('plugin-instruqt', 'instruqt.lifecycle');

export const APP_NAME = EXTERNAL_CLIENT_APP;
/** Uninstall --purge deletes the app only when this marker shows install created it. */
export const CREATED_BY_MARKER = 'Created by sf instruqt install';

/** The app's components, named as Salesforce names those of an app made in Setup. */
export const APP_COMPONENTS = [
  { type: 'ExternalClientApplication', name: APP_NAME, path: `externalClientApps/${APP_NAME}.eca` },
  { type: 'ExtlClntAppGlobalOauthSettings', name: `${APP_NAME}_glbloauth`, path: `extlClntAppGlobalOauthSets/${APP_NAME}_glbloauth.ecaGlblOauth` },
  { type: 'ExtlClntAppOauthSettings', name: `${APP_NAME}_oauth`, path: `extlClntAppOauthSettings/${APP_NAME}_oauth.ecaOauth` },
  { type: 'ExtlClntAppOauthConfigurablePolicies', name: `${APP_NAME}_oauthPlcy`, path: `extlClntAppOauthPolicies/${APP_NAME}_oauthPlcy.ecaOauthPlcy` },
] as const;
const [HEADER, GLOBAL, OAUTH, POLICIES] = APP_COMPONENTS;

/**
 * OAuth scopes, starting from seed 000's list (id, profile, email, address, phone, openid, lightning, chatter_api, api,
 * refresh_token) and keeping only what a server-to-server sync needs:
 * Api ("api"): the sync reads and writes Leads, Contacts, plays and tracks through the REST, Composite and Bulk
 * APIs; it also covers the Connect REST API (Chatter posts), so chatter_api is not needed separately.
 * RefreshToken ("refresh_token, offline_access"): lets the app act while the user is not present, which is what a
 * JWT bearer login is; the JWT bearer flow only grants the scopes of approvals that include this one.
 */
export const APP_SCOPES = ['Api', 'RefreshToken'];

export type ExternalClientAppResult = {
  name: string;
  status: 'created' | 'updated' | 'unchanged';
  /** Salesforce generates it when the app is created; absent in a dry run that would create the app. */
  consumerKey?: string;
  scopes: string[];
  /** The certificate's SHA-256 fingerprint, to compare with the key the sync uses. */
  fingerprint: string;
  /** When the certificate expires (ISO 8601); JWT logins fail from then on. */
  certificateExpires: string;
};

export type Certificate = { pem: string; fingerprint: string; validTo: Date };

/** Read a PEM certificate file; refuses anything that is not an X.509 certificate (e.g. the private key by mistake). */
export async function readCertificate(path: string): Promise<Certificate> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw messages.createError('error.CertificateUnreadable', [path, (error as Error).message]);
  }
  if (text.includes('PRIVATE KEY-----')) throw messages.createError('error.CertificateIsPrivateKey', [path]);
  const match = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text);
  if (!match) throw messages.createError('error.CertificateNotPem', [path]);
  try {
    return parseCertificate(match[0]);
  } catch (error) {
    throw messages.createError('error.CertificateInvalid', [path, (error as Error).message]);
  }
}

export function parseCertificate(pemOrBase64: string): Certificate {
  const pem = pemOrBase64.includes('-----BEGIN')
    ? pemOrBase64.trim()
    : `-----BEGIN CERTIFICATE-----\n${pemOrBase64.replace(/\s+/g, '')}\n-----END CERTIFICATE-----`;
  const cert = new X509Certificate(pem);
  return { pem, fingerprint: cert.fingerprint256, validTo: new Date(cert.validTo) };
}

export type AppSettings = { enableExternalClientApps: boolean; enableConsumerSecretApiAccess: boolean };

/**
 * ExternalClientAppSettings, read through a retrieve of Settings:ExternalClientApp. The Metadata API reference makes
 * the ExternalClientApplication type depend on enableExternalClientApps and the global OAuth settings (certificate,
 * consumer key) on enableConsumerSecretApiAccess; an org that has never saved the settings answers with no file.
 */
export async function readAppSettings(conn: Connection, options: PollOptions = {}): Promise<AppSettings> {
  const files = await retrieveFiles(conn, [{ type: 'Settings', members: ['ExternalClientApp'] }], options);
  const xml = files.get('settings/ExternalClientApp.settings') ?? '';
  return {
    enableExternalClientApps: tag(xml, 'enableExternalClientApps') !== 'false',
    enableConsumerSecretApiAccess: tag(xml, 'enableConsumerSecretApiAccess') === 'true',
  };
}

/** Fails, with the Setup switch to turn on, when the org cannot take or show the app's certificate and consumer key. */
export async function checkAppPrerequisites(conn: Connection, options: PollOptions = {}): Promise<void> {
  const settings = await readAppSettings(conn, options);
  if (!settings.enableExternalClientApps) throw messages.createError('error.ExternalClientAppsOff');
  if (!settings.enableConsumerSecretApiAccess) throw messages.createError('error.ConsumerSecretAccessOff');
}

export type DeployedApp = {
  header: string;
  /** Absent when the org does not let the Metadata API read consumer secrets. */
  global?: string;
  oauth?: string;
  policies?: string;
};

/** The deployed app's files, or undefined when the org has no app of that name. */
export async function readExternalClientApp(conn: Connection, options: PollOptions = {}): Promise<DeployedApp | undefined> {
  const names = await listComponents(conn, HEADER.type);
  if (!names.some((n) => n.toLowerCase() === APP_NAME.toLowerCase())) return undefined;
  const files = await retrieveFiles(
    conn,
    APP_COMPONENTS.map((c) => ({ type: c.type, members: [c.name] })),
    options
  );
  const header = files.get(HEADER.path);
  if (header === undefined) return undefined;
  return { header, global: files.get(GLOBAL.path), oauth: files.get(OAUTH.path), policies: files.get(POLICIES.path) };
}

export function createdByInstall(app: DeployedApp): boolean {
  return (tag(app.header, 'description') ?? '').includes(CREATED_BY_MARKER);
}

/** What the deployed app says, in the terms doctor and install compare. */
export function describeApp(app: DeployedApp): {
  consumerKey?: string;
  certificate?: Certificate;
  scopes: string[];
  preAuthorized: boolean;
  permissionSets: string[];
} {
  const certText = app.global ? tag(app.global, 'certificate') : undefined;
  let certificate: Certificate | undefined;
  try {
    certificate = certText ? parseCertificate(unescape(certText)) : undefined;
  } catch {
    certificate = undefined;
  }
  const list = (xml: string | undefined, name: string): string[] =>
    (xml ? unescape(tag(xml, name) ?? '') : '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const consumerKey = app.global ? tag(app.global, 'consumerKey') : undefined;
  return {
    consumerKey: consumerKey ? unescape(consumerKey) : undefined,
    certificate,
    scopes: list(app.oauth, 'commaSeparatedOauthScopes'),
    preAuthorized: (app.policies ? tag(app.policies, 'permittedUsersPolicyType') : undefined) === 'AdminApprovedPreAuthorized',
    permissionSets: list(app.policies, 'commaSeparatedPermissionSet'),
  };
}

export type AppSpec = { certificatePem: string; contactEmail: string };

/** The four files of the app, in metadata format. The consumer key is not among them: Salesforce generates it. */
export function appFiles(spec: AppSpec): Map<string, string> {
  const file = (root: string, body: Record<string, string>): string =>
    `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="http://soap.sforce.com/2006/04/metadata">\n${Object.entries(body)
      .map(([k, v]) => `    <${k}>${escapeXml(v)}</${k}>\n`)
      .join('')}</${root}>\n`;
  return new Map([
    [
      HEADER.path,
      file('ExternalClientApplication', {
        contactEmail: spec.contactEmail,
        description: `${CREATED_BY_MARKER}: JWT bearer login of the Instruqt integration user.`,
        distributionState: 'Local',
        isProtected: 'false',
        label: 'Instruqt Integration',
      }),
    ],
    [
      GLOBAL.path,
      file('ExtlClntAppGlobalOauthSettings', {
        callbackUrl: 'http://localhost:1717/OauthRedirect',
        certificate: spec.certificatePem,
        externalClientApplication: APP_NAME,
        isConsumerSecretOptional: 'true',
        isIntrospectAllTokens: 'false',
        isPkceRequired: 'false',
        label: 'Instruqt Integration Global OAuth',
        shouldRotateConsumerKey: 'false',
        shouldRotateConsumerSecret: 'false',
      }),
    ],
    [
      OAUTH.path,
      file('ExtlClntAppOauthSettings', {
        commaSeparatedOauthScopes: APP_SCOPES.join(','),
        externalClientApplication: APP_NAME,
        label: 'Instruqt Integration OAuth',
      }),
    ],
    [
      POLICIES.path,
      file('ExtlClntAppOauthConfigurablePolicies', {
        commaSeparatedPermissionSet: INTEGRATION_PERMISSION_SET,
        externalClientApplication: APP_NAME,
        ipRelaxationPolicyType: 'Enforce',
        isClientCredentialsFlowEnabled: 'false',
        label: 'Instruqt Integration OAuth Policies',
        permittedUsersPolicyType: 'AdminApprovedPreAuthorized',
      }),
    ],
  ]);
}

/**
 * Deploy the app with this certificate. Unchanged when the deployed app already carries the certificate, the two scopes
 * and the pre-authorization; otherwise every component is deployed again, and Salesforce keeps the app's consumer key,
 * so a certificate rotation needs no change on the sync's side but its new key file.
 */
export async function ensureExternalClientApp(
  conn: Connection,
  options: PollOptions & { certificatePath: string; contactEmail: string; dryRun?: boolean }
): Promise<ExternalClientAppResult> {
  const cert = await readCertificate(options.certificatePath);
  await checkAppPrerequisites(conn, options);
  const existing = await readExternalClientApp(conn, options);
  if (existing && !createdByInstall(existing)) throw messages.createError('error.AppNotOurs', [APP_NAME]);
  const base = {
    name: APP_NAME,
    scopes: APP_SCOPES,
    fingerprint: cert.fingerprint,
    certificateExpires: cert.validTo.toISOString(),
  };
  const seen = existing ? describeApp(existing) : undefined;
  if (seen && upToDate(seen, cert)) return { ...base, status: 'unchanged', consumerKey: seen.consumerKey };
  const status = existing ? 'updated' : 'created';
  if (options.dryRun) return { ...base, status, consumerKey: seen?.consumerKey };
  const outcome = await deployFiles(
    conn,
    appFiles({ certificatePem: cert.pem, contactEmail: options.contactEmail }),
    APP_COMPONENTS.map((c) => ({ type: c.type, members: [c.name] })),
    options
  );
  if (!outcome.success) throw messages.createError('error.AppDeployFailed', [describeFailures(outcome.failures) || outcome.status]);
  const deployed = await readExternalClientApp(conn, options);
  const consumerKey = deployed ? describeApp(deployed).consumerKey : undefined;
  if (!consumerKey) throw messages.createError('error.ConsumerKeyUnreadable', [APP_NAME]);
  return { ...base, status, consumerKey };
}

function upToDate(seen: ReturnType<typeof describeApp>, cert: Certificate): boolean {
  const body = (pem: string): string => pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  return (
    seen.consumerKey !== undefined &&
    seen.certificate !== undefined &&
    body(seen.certificate.pem) === body(cert.pem) &&
    [...seen.scopes].sort().join(',') === [...APP_SCOPES].sort().join(',') &&
    seen.preAuthorized &&
    seen.permissionSets.join(',') === INTEGRATION_PERMISSION_SET
  );
}

const tag = (xml: string, name: string): string | undefined =>
  new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml)?.[1]?.trim();

const unescape = (value: string): string =>
  value.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');
