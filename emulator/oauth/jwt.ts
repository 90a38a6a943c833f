/*
 * The OAuth 2.0 JWT bearer flow of the local org (grant_type urn:ietf:params:oauth:grant-type:jwt-bearer, Salesforce
 * Help "OAuth 2.0 JWT Bearer Flow for Server-to-Server Integration"): the RS256 assertion is checked against the
 * certificate of the app whose consumer key is `iss` (an external client app's ExtlClntAppGlobalOauthSettings, or a
 * connected app made before Spring '26), then `aud`, `exp` and `sub`, and the user must be pre-authorized (admin-approved
 * users + a listed permission set or profile). Errors use Salesforce's OAuth bodies.
 */
import { createVerify, X509Certificate } from 'node:crypto';
import type { OrgApi, Reply, RequestContext, SRecord } from '../core/types.js';
import { connectedApps } from '../metadata/store.js';
import { externalClientAppOfConsumerKey } from '../metadata/external-client-app.js';
import { tokenResponse } from './index.js';

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** Audiences Salesforce accepts: its login URLs and the org's own (My Domain) URL. */
const PRODUCTION = 'https://login.salesforce.com';
const SANDBOX = 'https://test.salesforce.com';

type Claims = { iss?: unknown; sub?: unknown; aud?: unknown; exp?: unknown };

export type ConnectedAppView = {
  fullName: string;
  consumerKey?: string;
  certificate?: string;
  isAdminApproved: boolean;
  permissionSets: string[];
  profiles: string[];
};

function oauthError(error: string, description: string): Reply {
  // eslint-disable-next-line camelcase -- OAuth's wire format
  return { status: 400, body: { error, error_description: description }, headers: { 'Cache-Control': 'no-store' } };
}

const tag = (xml: string, name: string): string | undefined =>
  new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml)?.[1]?.trim();
const tags = (xml: string, name: string): string[] =>
  [...xml.matchAll(new RegExp(`<${name}>([\\s\\S]*?)</${name}>`, 'g'))].map((m) => m[1].trim());
const unescape = (value: string): string =>
  value.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

/** The parts of a deployed `.connectedApp` the flow needs (ConnectedApp metadata type: oauthConfig, permissionSetName). */
export function readConnectedApp(fullName: string, raw: string): ConnectedAppView {
  const oauth = tag(raw, 'oauthConfig') ?? '';
  const key = tag(oauth, 'consumerKey');
  const cert = tag(oauth, 'certificate');
  return {
    fullName,
    consumerKey: key ? unescape(key) : undefined,
    certificate: cert ? unescape(cert) : undefined,
    isAdminApproved: tag(oauth, 'isAdminApproved') === 'true',
    permissionSets: tags(raw, 'permissionSetName').map(unescape),
    profiles: tags(raw, 'profileName').map(unescape),
  };
}

function appOfConsumerKey(org: OrgApi, key: string): ConnectedAppView | undefined {
  for (const stored of connectedApps(org).values()) {
    const app = readConnectedApp(stored.fullName, stored.raw);
    if (app.consumerKey === key) return app;
  }
  return externalClientAppOfConsumerKey(org, key);
}

function decodeSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function signatureValid(signingInput: string, signature: string, certificatePem: string): boolean {
  try {
    // PEM as documented; a bare base64 body is read as DER.
    const cert = certificatePem.includes('-----BEGIN') ? certificatePem : Buffer.from(certificatePem.replace(/\s+/g, ''), 'base64');
    const key = new X509Certificate(cert).publicKey;
    return createVerify('RSA-SHA256').update(signingInput).verify(key, Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}

function instanceOrigin(ctx: RequestContext): string {
  const host = ctx.headers.host;
  return `http://${Array.isArray(host) ? host[0] : host ?? '127.0.0.1'}`;
}

function audienceValid(ctx: RequestContext, aud: unknown): boolean {
  const accepted = new Set([instanceOrigin(ctx), ctx.org.options.isSandbox ? SANDBOX : PRODUCTION]);
  const values = Array.isArray(aud) ? aud : [aud];
  return values.some((v) => typeof v === 'string' && accepted.has(v.replace(/\/+$/, '')));
}

/** Pre-authorized: the app is admin-approved and the user holds one of its permission sets or has one of its profiles. */
function preAuthorized(org: OrgApi, app: ConnectedAppView, user: SRecord): boolean {
  if (!app.isAdminApproved) return false;
  const same = (a: unknown, b: unknown): boolean =>
    typeof a === 'string' && typeof b === 'string' && a.slice(0, 15) === b.slice(0, 15);
  const wantedSets = new Set(app.permissionSets.map((n) => n.toLowerCase()));
  const holds = org
    .query('PermissionSetAssignment', (a) => same(a.AssigneeId, user.Id))
    .some((a) => {
      const set = typeof a.PermissionSetId === 'string' ? org.get('PermissionSet', a.PermissionSetId) : undefined;
      return set !== undefined && wantedSets.has(String(set.Name ?? '').toLowerCase());
    });
  if (holds) return true;
  const profile = typeof user.ProfileId === 'string' ? org.get('Profile', user.ProfileId) : undefined;
  return profile !== undefined && app.profiles.some((p) => p.toLowerCase() === String(profile.Name ?? '').toLowerCase());
}

/** POST /services/oauth2/token with grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer. */
export function jwtBearer(ctx: RequestContext, params: URLSearchParams): Reply {
  const assertion = params.get('assertion') ?? '';
  const parts = assertion.split('.');
  if (parts.length !== 3) return oauthError('invalid_grant', 'invalid assertion');
  const header = decodeSegment(parts[0]);
  const claims = decodeSegment(parts[1]) as Claims | undefined;
  if (!header || !claims || header.alg !== 'RS256') return oauthError('invalid_grant', 'invalid assertion');

  const app = typeof claims.iss === 'string' ? appOfConsumerKey(ctx.org, claims.iss) : undefined;
  if (!app) return oauthError('invalid_client_id', 'client identifier invalid');
  if (!app.certificate || !signatureValid(`${parts[0]}.${parts[1]}`, parts[2], app.certificate)) {
    return oauthError('invalid_grant', 'invalid assertion');
  }
  if (!audienceValid(ctx, claims.aud)) return oauthError('invalid_grant', 'audience is invalid');
  // exp is in seconds (RFC 7519); Salesforce allows a few minutes of clock skew.
  if (typeof claims.exp !== 'number' || claims.exp * 1000 + 3 * 60_000 < Date.now()) {
    return oauthError('invalid_grant', 'expired authorization code');
  }
  const username = typeof claims.sub === 'string' ? claims.sub.toLowerCase() : '';
  const user = ctx.org.query('User', (u) => String(u.Username ?? '').toLowerCase() === username)[0];
  if (!user || !preAuthorized(ctx.org, app, user)) {
    return oauthError('invalid_grant', "user hasn't approved this consumer");
  }
  if (user.IsActive === false) return oauthError('inactive_user', 'user is inactive');
  return tokenResponse(ctx, user.Id);
}
