/*
 * OAuth 2.0 token endpoint of the local org: the username-password flow (POST /services/oauth2/token).
 * LOCAL ONLY: any password is accepted for an active user, so tests and the demo can act as any user (e.g. the
 * integration user). The answer has Salesforce's shape; failures are {"error":"invalid_grant",...} with HTTP 400.
 */
/* eslint-disable camelcase -- OAuth's wire format uses snake_case names */
import { createHmac } from 'node:crypto';
import type { EmulatorModule, OrgApi, Reply, RequestContext } from '../core/types.js';
import { JWT_BEARER_GRANT, jwtBearer } from './jwt.js';

function form(ctx: RequestContext): URLSearchParams {
  const params = new URLSearchParams(ctx.body.toString('utf8'));
  for (const [k, v] of ctx.query) if (!params.has(k)) params.set(k, v);
  return params;
}

function instanceUrl(ctx: RequestContext): string {
  const host = ctx.headers.host;
  return `http://${Array.isArray(host) ? host[0] : host ?? '127.0.0.1'}`;
}

function oauthError(error: string, description: string): Reply {
  return { status: 400, body: { error, error_description: description } };
}

function findUser(org: OrgApi, username: string): { Id: string } | undefined {
  const wanted = username.toLowerCase();
  return org.query('User', (u) => String(u.Username ?? '').toLowerCase() === wanted && u.IsActive !== false)[0];
}

export function tokenResponse(ctx: RequestContext, userId: string): Reply {
  const { org } = ctx;
  const accessToken = org.issueToken(userId);
  const url = instanceUrl(ctx);
  const id = `${url}/id/${org.orgId}/${userId}`;
  const issuedAt = String(Date.now());
  // Salesforce signs id + issued_at with the client secret (HMAC-SHA256); the local org has no secret of its own.
  const signature = createHmac('sha256', org.orgId).update(id + issuedAt).digest('base64');
  return {
    status: 200,
    body: { access_token: accessToken, instance_url: url, id, token_type: 'Bearer', issued_at: issuedAt, signature },
  };
}

function token(ctx: RequestContext): Reply {
  const params = form(ctx);
  const grant = params.get('grant_type');
  if (grant === JWT_BEARER_GRANT) return jwtBearer(ctx, params);
  if (grant !== 'password') return oauthError('unsupported_grant_type', 'grant type not supported');
  const username = params.get('username');
  if (!username) return oauthError('invalid_grant', 'authentication failure');
  const user = findUser(ctx.org, username);
  if (!user) return oauthError('invalid_grant', 'authentication failure');
  return tokenResponse(ctx, user.Id);
}

export const oauthModule: EmulatorModule = {
  name: 'oauth',
  install(_org, router) {
    router.add('POST', '/services/oauth2/token', token, { auth: false, countsAsApiCall: false });
  },
};
