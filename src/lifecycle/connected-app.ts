/*
 * `install --jwt-cert`: the Connected App the integration user logs in through with the OAuth 2.0 JWT bearer flow
 * (no password, no browser). Generated at install time because it carries the customer's certificate; deployed through
 * the Metadata API; admin-approved and pre-authorized through the Instruqt_Integration permission set only.
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Connection } from '@salesforce/core';
import {
  deployFiles,
  describeFailures,
  escapeXml,
  listComponents,
  MetadataError,
  retrieveFiles,
  type PollOptions,
} from './metadata.js';
import { INTEGRATION_PERMISSION_SET } from './integration-user.js';

export const CONNECTED_APP_NAME = 'Instruqt_Integration';
/** Uninstall deletes the app only when this marker shows install created it. */
export const CREATED_BY_MARKER = 'Created by sf instruqt install';

/**
 * OAuth scopes, starting from seed 000's list (id, profile, email, address, phone, openid, lightning, chatter_api, api,
 * refresh_token) and keeping only what a server-to-server sync needs:
 * Api ("api"): the sync reads and writes Leads, Contacts, plays and tracks through the REST, Composite and Bulk
 * APIs; it also covers the Connect REST API (Chatter posts), so chatter_api is not needed separately.
 * RefreshToken ("refresh_token, offline_access"): lets the app act while the user is not present, which is what a
 * JWT bearer login is; the JWT bearer flow only grants the scopes of approvals that include this one.
 * Dropped: id/profile/email/address/phone/openid (the sync never reads identity claims), lightning (no UI), and
 * chatter_api (included in api).
 */
export const CONNECTED_APP_SCOPES = ['Api', 'RefreshToken'];

export type ConnectedAppSpec = {
  certificatePem: string;
  consumerKey: string;
  contactEmail: string;
  label?: string;
};

export type ConnectedAppResult = {
  name: string;
  status: 'created' | 'updated' | 'unchanged';
  consumerKey: string;
  scopes: string[];
  /** The certificate's SHA-256 fingerprint, to compare with the key the sync uses. */
  fingerprint: string;
};

export class CertificateError extends Error {}

/** Read a PEM certificate file; refuses anything that is not an X.509 certificate (e.g. the private key by mistake). */
export async function readCertificate(path: string): Promise<{ pem: string; fingerprint: string }> {
  const text = await readFile(path, 'utf8');
  if (text.includes('PRIVATE KEY-----')) {
    throw new CertificateError(`${path} holds a private key. Pass the certificate (public part) instead; keep the key.`);
  }
  const match = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text);
  if (!match) throw new CertificateError(`${path} is not a PEM certificate (no BEGIN CERTIFICATE block).`);
  try {
    const cert = new X509Certificate(match[0]);
    return { pem: match[0], fingerprint: cert.fingerprint256 };
  } catch (error) {
    throw new CertificateError(`${path} is not a valid X.509 certificate: ${(error as Error).message}`);
  }
}

/** A consumer key shaped like Salesforce's (alphanumeric, 3MVG9 prefix, 85 characters). */
export function newConsumerKey(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(80);
  return `3MVG9${[...bytes].map((b) => alphabet[b % alphabet.length]).join('')}`;
}

export function connectedAppXml(spec: ConnectedAppSpec): string {
  const scopes = CONNECTED_APP_SCOPES.map((s) => `        <scopes>${s}</scopes>\n`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?>
<ConnectedApp xmlns="http://soap.sforce.com/2006/04/metadata">
    <contactEmail>${escapeXml(spec.contactEmail)}</contactEmail>
    <description>${CREATED_BY_MARKER}: JWT bearer login of the Instruqt integration user.</description>
    <label>${escapeXml(spec.label ?? 'Instruqt Integration')}</label>
    <oauthConfig>
        <callbackUrl>http://localhost:1717/OauthRedirect</callbackUrl>
        <certificate>${escapeXml(spec.certificatePem)}</certificate>
        <consumerKey>${escapeXml(spec.consumerKey)}</consumerKey>
        <isAdminApproved>true</isAdminApproved>
        <isConsumerSecretOptional>true</isConsumerSecretOptional>
${scopes}    </oauthConfig>
    <oauthPolicy>
        <ipRelaxation>ENFORCE</ipRelaxation>
        <refreshTokenPolicy>infinite</refreshTokenPolicy>
    </oauthPolicy>
    <permissionSetName>${INTEGRATION_PERMISSION_SET}</permissionSetName>
</ConnectedApp>
`;
}

const appPath = `connectedApps/${CONNECTED_APP_NAME}.connectedApp`;

const tag = (xml: string, name: string): string | undefined =>
  new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml)?.[1]?.trim();

const unescape = (value: string): string =>
  value.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');

/** The deployed app's XML, or undefined when the org has none of that name. */
export async function readConnectedApp(conn: Connection, options: PollOptions = {}): Promise<string | undefined> {
  const names = await listComponents(conn, 'ConnectedApp');
  if (!names.includes(CONNECTED_APP_NAME)) return undefined;
  const files = await retrieveFiles(conn, [{ type: 'ConnectedApp', members: [CONNECTED_APP_NAME] }], options);
  return files.get(appPath);
}

export function createdByInstall(xml: string): boolean {
  return (tag(xml, 'description') ?? '').includes(CREATED_BY_MARKER);
}

/**
 * Deploy the app with this certificate, keeping the consumer key of an app install created before (so the sync's
 * configured client id stays valid). Unchanged when the deployed app already carries the certificate.
 */
export async function ensureConnectedApp(
  conn: Connection,
  options: PollOptions & { certificatePath: string; contactEmail: string; dryRun?: boolean }
): Promise<ConnectedAppResult> {
  const cert = await readCertificate(options.certificatePath);
  const existing = await readConnectedApp(conn, options);
  if (existing && !createdByInstall(existing)) {
    throw new MetadataError(
      `A Connected App named ${CONNECTED_APP_NAME} exists that install did not create; rename or delete it first.`
    );
  }
  const deployedKey = existing ? tag(existing, 'consumerKey') : undefined;
  const deployedCert = existing ? tag(existing, 'certificate') : undefined;
  const consumerKey = deployedKey ? unescape(deployedKey) : newConsumerKey();
  const base = { name: CONNECTED_APP_NAME, consumerKey, scopes: CONNECTED_APP_SCOPES, fingerprint: cert.fingerprint };
  if (existing && deployedCert && sameCertificate(unescape(deployedCert), cert.pem)) {
    return { ...base, status: 'unchanged' };
  }
  const status = existing ? 'updated' : 'created';
  if (options.dryRun) return { ...base, status };
  const xml = connectedAppXml({ certificatePem: cert.pem, consumerKey, contactEmail: options.contactEmail });
  const outcome = await deployFiles(conn, new Map([[appPath, xml]]), [
    { type: 'ConnectedApp', members: [CONNECTED_APP_NAME] },
  ], options);
  if (!outcome.success) {
    throw new MetadataError(`The Connected App deploy failed: ${describeFailures(outcome.failures)}`, outcome.failures);
  }
  return { ...base, status };
}

function sameCertificate(a: string, b: string): boolean {
  const body = (pem: string): string => pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
  return body(a) === body(b);
}
