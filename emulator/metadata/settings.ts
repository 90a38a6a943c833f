/*
 * Org settings of the local org that other features depend on, deployed and retrieved as the Settings type
 * (`settings/<Name>.settings`, Metadata API "Settings"). A settings deploy changes only the fields it names.
 * ExternalClientAppSettings (Metadata API "ExternalClientAppSettings"): enableExternalClientApps gates the
 * ExternalClientApplication type, enableConsumerSecretApiAccess the OAuth consumer key and secret of
 * ExtlClntAppGlobalOauthSettings. External client apps are on in current orgs; consumer secret access is off until
 * an admin turns it on.
 */
import type { OrgApi } from '../core/types.js';
import { storeOf } from './store.js';
import { metadataFile, sortedKeys, text, type XmlObject } from './xml.js';

const defaults: Record<string, XmlObject> = {
  ExternalClientApp: { enableConsumerSecretApiAccess: 'false', enableExternalClientApps: 'true' },
};

export function settingsNames(org: OrgApi): string[] {
  return [...new Set([...Object.keys(defaults), ...storeOf(org).settings.keys()])];
}

export function readSettings(org: OrgApi, name: string): XmlObject | undefined {
  const stored = storeOf(org).settings.get(name);
  const base = defaults[name];
  if (!stored && !base) return undefined;
  return sortedKeys({ ...(base ?? {}), ...(stored ?? {}) });
}

export function applySettings(org: OrgApi, name: string, body: XmlObject): void {
  const settings = storeOf(org).settings;
  settings.set(name, { ...(settings.get(name) ?? {}), ...body });
}

export function settingsFile(org: OrgApi, name: string): string | undefined {
  const value = readSettings(org, name);
  return value ? metadataFile(`${name}Settings`, value) : undefined;
}

export type ExternalClientAppSettings = { enableExternalClientApps: boolean; enableConsumerSecretApiAccess: boolean };

export function externalClientAppSettings(org: OrgApi): ExternalClientAppSettings {
  const value = readSettings(org, 'ExternalClientApp') ?? {};
  return {
    enableExternalClientApps: text(value.enableExternalClientApps) === 'true',
    enableConsumerSecretApiAccess: text(value.enableConsumerSecretApiAccess) === 'true',
  };
}
