/*
 * Metadata the local org keeps verbatim, per org: page layouts, connected apps and external client apps as deployed
 * (returned unchanged by retrieve), org settings, and the custom-object bookkeeping (auto-number counters) the data plane does not own.
 */
import type { OrgApi } from '../core/types.js';
import type { XmlObject } from './xml.js';

export type StoredFile = {
  fullName: string;
  raw: string;
  createdDate: string;
  lastModifiedDate: string;
  createdById: string;
  /** OAuth consumer credentials Salesforce generates for an app (ExtlClntAppGlobalOauthSettings). */
  consumerKey?: string;
  consumerSecret?: string;
};

export type MetadataStore = {
  layouts: Map<string, StoredFile>;
  connectedApps: Map<string, StoredFile>;
  /** External client app components by metadata type, then full name. */
  externalClientApps: Map<string, Map<string, StoredFile>>;
  /** Settings fields deployed over the defaults, by settings name (e.g. ExternalClientApp). */
  settings: Map<string, XmlObject>;
  /** Custom objects whose Name default trigger is registered, with their auto-number state. */
  nameFields: Map<string, { autoNumber?: { format: string; next: number } }>;
};

const stores = new WeakMap<OrgApi, MetadataStore>();

export function storeOf(org: OrgApi): MetadataStore {
  let store = stores.get(org);
  if (!store) {
    store = { layouts: new Map(), connectedApps: new Map(), externalClientApps: new Map(), settings: new Map(), nameFields: new Map() };
    stores.set(org, store);
  }
  return store;
}

/** Connected apps deployed to the org, by full name (the raw `.connectedApp` XML as deployed). */
export function connectedApps(org: OrgApi): ReadonlyMap<string, StoredFile> {
  return storeOf(org).connectedApps;
}

/** Case-insensitive lookup of a stored file. */
export function findStored(map: Map<string, StoredFile>, fullName: string): StoredFile | undefined {
  const wanted = fullName.toLowerCase();
  for (const [k, v] of map) if (k.toLowerCase() === wanted) return v;
  return undefined;
}
