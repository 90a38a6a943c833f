/*
 * The REST entry points a client reads before anything else (REST API Developer Guide: Versions, Resources by
 * Version, Limits) and the OpenID Connect userinfo endpoint the sf CLI calls to learn who a token belongs to.
 */
// Salesforce API names (Instruqt_Id__c, user_id) are not camelCase.
/* eslint-disable camelcase */
import type { OrgApi, RequestContext } from '../core/types.js';
import type { HttpRouter } from '../http/router.js';
import type { ApiMeter } from '../http/server.js';
import { NOT_FOUND, apiVersionOf, instanceUrlOf } from './records.js';

const OLDEST = 31;

/** Release label of an API version: 65.0 is Winter '26, 64.0 Summer '25, 63.0 Spring '25, ... */
export function releaseLabel(version: number): string {
  const k = 65 - Math.round(version);
  const season = ['Winter', 'Summer', 'Spring'][((k % 3) + 3) % 3];
  const year = 26 - Math.floor((k + 2) / 3);
  return `${season} '${String(year).padStart(2, '0')}`;
}

export function versions(org: OrgApi): Array<{ label: string; url: string; version: string }> {
  const out = [];
  for (let v = OLDEST; v <= Math.floor(Number(org.options.apiVersion)); v++) {
    out.push({ label: releaseLabel(v), url: `/services/data/v${v}.0`, version: `${v}.0` });
  }
  return out;
}

function resources(version: string): Record<string, string> {
  const base = `/services/data/v${version}`;
  const names = ['sobjects', 'query', 'queryAll', 'composite', 'limits', 'tooling', 'chatter', 'jobs', 'metadata', 'search', 'recent', 'connect', 'analytics'];
  return Object.fromEntries(names.map((n) => [n, `${base}/${n}`]));
}

export function userInfo(ctx: RequestContext): Record<string, unknown> {
  const { org } = ctx;
  const userId = ctx.principal!.userId;
  const user = org.get('User', userId) ?? { Id: userId };
  const instance = instanceUrlOf(ctx);
  const v = org.options.apiVersion;
  const orgId = org.orgId;
  const str = (k: string): string | null => (typeof user[k] === 'string' ? (user[k]) : null);
  const urls: Record<string, string> = {
    enterprise: `${instance}/services/Soap/c/${v}/${orgId}`,
    metadata: `${instance}/services/Soap/m/${v}/${orgId}`,
    partner: `${instance}/services/Soap/u/${v}/${orgId}`,
    rest: `${instance}/services/data/v${v}/`,
    sobjects: `${instance}/services/data/v${v}/sobjects/`,
    search: `${instance}/services/data/v${v}/search/`,
    query: `${instance}/services/data/v${v}/query/`,
    recent: `${instance}/services/data/v${v}/recent/`,
    tooling_soap: `${instance}/services/Soap/T/${v}/${orgId}`,
    tooling_rest: `${instance}/services/data/v${v}/tooling/`,
    profile: `${instance}/${userId}`,
    feeds: `${instance}/services/data/v${v}/chatter/feeds`,
    groups: `${instance}/services/data/v${v}/chatter/groups`,
    users: `${instance}/services/data/v${v}/chatter/users`,
    feed_items: `${instance}/services/data/v${v}/chatter/feed-items`,
    feed_elements: `${instance}/services/data/v${v}/chatter/feed-elements`,
    custom_domain: instance,
  };
  return {
    sub: `${instance}/id/${orgId}/${userId}`,
    user_id: userId,
    organization_id: orgId,
    preferred_username: str('Username'),
    nickname: str('CommunityNickname') ?? str('Alias'),
    name: str('Name'),
    email: str('Email'),
    email_verified: true,
    given_name: str('FirstName'),
    family_name: str('LastName'),
    zoneinfo: str('TimeZoneSidKey'),
    photos: { picture: `${instance}/img/userprofile/default_profile_200_v2.png`, thumbnail: `${instance}/img/userprofile/default_profile_45_v2.png` },
    profile: `${instance}/${userId}`,
    picture: `${instance}/img/userprofile/default_profile_200_v2.png`,
    address: {},
    is_salesforce_integration_user: false,
    urls,
    active: user.IsActive !== false,
    user_type: 'STANDARD',
    language: str('LanguageLocaleKey'),
    locale: str('LocaleSidKey'),
    utcOffset: 0,
    updated_at: str('LastModifiedDate'),
    is_app_installed: true,
  };
}

function limits(org: OrgApi, meter: ApiMeter): Record<string, { Max: number; Remaining: number }> {
  const max = org.options.dailyApiLimit;
  const fixed = (Max: number): { Max: number; Remaining: number } => ({ Max, Remaining: Max });
  return {
    DailyApiRequests: { Max: max, Remaining: Math.max(0, max - meter.used()) },
    DailyAsyncApexExecutions: fixed(250_000),
    DailyBulkApiBatches: fixed(15_000),
    DailyBulkV2QueryFileStorageMB: fixed(976_562),
    DailyBulkV2QueryJobs: fixed(10_000),
    DataStorageMB: fixed(5),
    FileStorageMB: fixed(20),
    HourlyPublishedPlatformEvents: fixed(50_000),
    MassEmail: fixed(10),
    SingleEmail: fixed(15),
  };
}

export function installResources(router: HttpRouter, meter: ApiMeter): void {
  router.add('GET', '/services/data', (ctx) => ({ status: 200, body: versions(ctx.org) }), { auth: false });
  router.add('GET', '/services/data/:version', (ctx) => ({ status: 200, body: resources(apiVersionOf(ctx)) }));
  router.add('GET', '/services/data/:version/limits', (ctx) => {
    apiVersionOf(ctx);
    return { status: 200, body: limits(ctx.org, meter) };
  });
  router.add('GET', '/services/oauth2/userinfo', (ctx) => ({ status: 200, body: userInfo(ctx) }), { countsAsApiCall: false });
  router.add('POST', '/services/oauth2/userinfo', (ctx) => ({ status: 200, body: userInfo(ctx) }), { countsAsApiCall: false });
  // The identity URL (`sub`/`id` of a token response) answers the same document.
  router.add('GET', '/id/:orgId/:userId', (ctx) => {
    if (ctx.params.userId.slice(0, 15) !== ctx.principal!.userId.slice(0, 15)) throw NOT_FOUND();
    return { status: 200, body: userInfo(ctx) };
  }, { countsAsApiCall: false });
}
