/*
 * External client apps in the local org (Metadata API types ExternalClientApplication, ExtlClntAppOauthSettings,
 * ExtlClntAppGlobalOauthSettings, ExtlClntAppOauthConfigurablePolicies, ExtlClntAppConfigurablePolicies): stored as
 * deployed, with the special access rules of their reference pages (ExternalClientAppSettings), the consumer key and
 * secret Salesforce generates for the app and keeps across deploys, and the view the JWT bearer flow needs. Also the
 * Spring '26 refusal of new connected apps (Salesforce Help 005228017), which points people here.
 */
import { randomBytes } from 'node:crypto';
import type { OrgApi } from '../core/types.js';
import { findPermissionSet } from './permission-set.js';
import type { Component } from './package-zip.js';
import { externalClientAppSettings } from './settings.js';
import { findStored, storeOf, type StoredFile } from './store.js';
import { metadataFile, parseXml, sortedKeys, text, type XmlObject } from './xml.js';

export const ecaTypes = [
  { xmlName: 'ExternalClientApplication', directoryName: 'externalClientApps', suffix: 'eca' },
  { xmlName: 'ExtlClntAppOauthSettings', directoryName: 'extlClntAppOauthSettings', suffix: 'ecaOauth' },
  { xmlName: 'ExtlClntAppGlobalOauthSettings', directoryName: 'extlClntAppGlobalOauthSets', suffix: 'ecaGlblOauth' },
  { xmlName: 'ExtlClntAppOauthConfigurablePolicies', directoryName: 'extlClntAppOauthPolicies', suffix: 'ecaOauthPlcy' },
  { xmlName: 'ExtlClntAppConfigurablePolicies', directoryName: 'extlClntAppPolicies', suffix: 'ecaPlcy' },
] as const;

export type EcaType = (typeof ecaTypes)[number]['xmlName'];
const HEADER = 'ExternalClientApplication';
const GLOBAL = 'ExtlClntAppGlobalOauthSettings';
const POLICIES = 'ExtlClntAppOauthConfigurablePolicies';

export function isEcaType(type: string): type is EcaType {
  return ecaTypes.some((t) => t.xmlName === type);
}

/** The stored components of one external client app type, by full name. */
export function ecaStore(org: OrgApi, type: string): Map<string, StoredFile> {
  const all = storeOf(org).externalClientApps;
  let map = all.get(type);
  if (!map) {
    map = new Map();
    all.set(type, map);
  }
  return map;
}

/** Wording of the local org where Salesforce's exact text is not published; the rules are the reference pages'. */
export const refusals = {
  // Salesforce Help's note on connected app setup pages since Spring '26.
  connectedAppCreation:
    "Connected apps creation is restricted as of Spring '26. Use an external client app instead; if you must continue creating connected apps, contact Salesforce Support.",
  externalClientAppsOff:
    'External client apps are not enabled in this org. From Setup, enter External Client Apps in the Quick Find box, then select Settings and turn them on.',
  consumerSecretAccessOff:
    'Access to OAuth consumer secrets via the Metadata API is not allowed in this org. From Setup, enter External Client Apps in the Quick Find box, select Settings, and turn on "Allow Access to OAuth Consumer Secrets via Metadata API".',
};

const appOf = (body: XmlObject): string | undefined => text(body.externalClientApplication);

/** Problems of one external client app component or connected app, given the rest of the package. */
export function validateAppComponent(org: OrgApi, c: Component, components: Component[]): string[] {
  if (c.type === 'ConnectedApp') {
    const problems: string[] = [];
    if (!text(c.body.label)) problems.push('Required field is missing: label');
    if (!text(c.body.contactEmail)) problems.push('Required field is missing: contactEmail');
    // Spring '26: new connected apps only through package installs or when Support allows it; edits still work.
    if (!findStored(storeOf(org).connectedApps, c.fullName) && org.options.allowConnectedAppCreation !== true) {
      problems.push(refusals.connectedAppCreation);
    }
    return problems;
  }
  const settings = externalClientAppSettings(org);
  if (!settings.enableExternalClientApps) return [refusals.externalClientAppsOff];
  if (c.type === HEADER) return text(c.body.label) ? [] : ['Required field is missing: label'];
  const problems: string[] = [];
  if (c.type === GLOBAL && !settings.enableConsumerSecretApiAccess) problems.push(refusals.consumerSecretAccessOff);
  const app = appOf(c.body);
  if (!app) return [...problems, 'Required field is missing: externalClientApplication'];
  const inPackage = components.some((o) => o.type === HEADER && o.fullName.toLowerCase() === app.toLowerCase());
  if (!inPackage && !findStored(ecaStore(org, HEADER), app)) {
    problems.push(`In field: externalClientApplication - no ExternalClientApplication named ${app} found`);
  }
  if (c.type === POLICIES) problems.push(...policyProblems(org, c, components));
  return problems;
}

function policyProblems(org: OrgApi, c: Component, components: Component[]): string[] {
  const problems: string[] = [];
  const permitted = text(c.body.permittedUsersPolicyType);
  if (permitted && permitted !== 'AdminApprovedPreAuthorized' && permitted !== 'AllSelfAuthorized') {
    problems.push(`bad value for restricted picklist field: ${permitted}`);
  }
  for (const name of list(c.body.commaSeparatedPermissionSet)) {
    const inPackage = components.some((o) => o.type === 'PermissionSet' && o.fullName.toLowerCase() === name.toLowerCase());
    const byId = name.startsWith('0PS') && org.get('PermissionSet', name) !== undefined;
    if (!inPackage && !byId && !findPermissionSet(org, name)) {
      problems.push(`In field: commaSeparatedPermissionSet - no PermissionSet named ${name} found`);
    }
  }
  return problems;
}

const list = (value: unknown): string[] =>
  (text(value) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

function newConsumerKey(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._';
  return `3MVG9${[...randomBytes(80)].map((b) => alphabet[b % alphabet.length]).join('')}`;
}

/** Stores the component; the global OAuth settings keep the consumer key and secret generated at creation. */
export function applyAppComponent(org: OrgApi, c: Component, userId: string, at: string): boolean {
  const map = ecaStore(org, c.type);
  const existing = findStored(map, c.fullName);
  if (existing) map.delete(existing.fullName);
  const file: StoredFile = {
    fullName: c.fullName,
    raw: c.raw ?? '',
    createdDate: existing?.createdDate ?? at,
    lastModifiedDate: at,
    createdById: existing?.createdById ?? userId,
  };
  if (c.type === GLOBAL) {
    // The consumer key is Salesforce's and not writable: a deployed value is ignored, the app's own is kept.
    file.consumerKey = existing?.consumerKey ?? newConsumerKey();
    file.consumerSecret = existing?.consumerSecret ?? randomBytes(32).toString('hex').toUpperCase();
  }
  map.set(c.fullName, file);
  return !existing;
}

/** Deleting the header deletes the app with every component that belongs to it. */
export function deleteAppComponent(org: OrgApi, type: string, fullName: string): void {
  const map = ecaStore(org, type);
  const stored = findStored(map, fullName);
  if (!stored) return;
  map.delete(stored.fullName);
  if (type !== HEADER) return;
  for (const t of ecaTypes) {
    const children = ecaStore(org, t.xmlName);
    for (const [name, child] of [...children]) {
      if (appOf(parseXml(child.raw).value)?.toLowerCase() === stored.fullName.toLowerCase()) children.delete(name);
    }
  }
}

/** The file a retrieve returns, or the problem that keeps it out (the consumer secret access rule). */
export function retrieveAppComponent(org: OrgApi, type: string, fullName: string): { file?: string; problem?: string } {
  const stored = findStored(ecaStore(org, type), fullName);
  if (!stored) return { problem: `Entity of type '${type}' named '${fullName}' cannot be found` };
  if (type !== GLOBAL) return { file: stored.raw };
  if (!externalClientAppSettings(org).enableConsumerSecretApiAccess) return { problem: refusals.consumerSecretAccessOff };
  const { value } = parseXml(stored.raw);
  return {
    file: metadataFile(type, sortedKeys({ ...value, consumerKey: stored.consumerKey, consumerSecret: stored.consumerSecret })),
  };
}

export type OAuthAppView = {
  fullName: string;
  consumerKey?: string;
  certificate?: string;
  isAdminApproved: boolean;
  permissionSets: string[];
  profiles: string[];
};

/** The external client app whose global OAuth settings carry this consumer key, as the OAuth flows see it. */
export function externalClientAppOfConsumerKey(org: OrgApi, consumerKey: string): OAuthAppView | undefined {
  const global = [...ecaStore(org, GLOBAL).values()].find((g) => g.consumerKey === consumerKey);
  if (!global) return undefined;
  const globalBody = parseXml(global.raw).value;
  const app = appOf(globalBody) ?? '';
  const policies = [...ecaStore(org, POLICIES).values()]
    .map((p) => parseXml(p.raw).value)
    .find((p) => appOf(p)?.toLowerCase() === app.toLowerCase());
  const permissionSets = list(policies?.commaSeparatedPermissionSet).map((name) => {
    const byId = name.startsWith('0PS') ? org.get('PermissionSet', name) : undefined;
    return byId ? String(byId.Name) : name;
  });
  return {
    fullName: app,
    consumerKey,
    certificate: text(globalBody.certificate),
    isAdminApproved: text(policies?.permittedUsersPolicyType) === 'AdminApprovedPreAuthorized',
    permissionSets,
    profiles: list(policies?.commaSeparatedProfile),
  };
}
