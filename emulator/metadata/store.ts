/*
 * Metadata the local org keeps verbatim, per org: page layouts and connected apps as deployed (returned unchanged by
 * retrieve), and the custom-object bookkeeping (auto-number counters) the data plane does not own.
 */
import type { OrgApi } from '../core/types.js';

export type StoredFile = { fullName: string; raw: string; createdDate: string; lastModifiedDate: string; createdById: string };

export type MetadataStore = {
  layouts: Map<string, StoredFile>;
  connectedApps: Map<string, StoredFile>;
  /** Custom objects whose Name default trigger is registered, with their auto-number state. */
  nameFields: Map<string, { autoNumber?: { format: string; next: number } }>;
};

const stores = new WeakMap<OrgApi, MetadataStore>();

export function storeOf(org: OrgApi): MetadataStore {
  let store = stores.get(org);
  if (!store) {
    store = { layouts: new Map(), connectedApps: new Map(), nameFields: new Map() };
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
