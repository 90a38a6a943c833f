/*
 * The local org's shared vocabulary: schema, records, errors and the Org API every part of the emulator codes against.
 * The data plane (REST, SOQL), the Metadata API and access enforcement all read and write one Org through this API,
 * so that what a deploy changes is exactly what a query or a later retrieve sees.
 */

/** Field types as describe reports them (Salesforce `DescribeFieldResult.type`). */
export type FieldType =
  | 'id'
  | 'string'
  | 'textarea'
  | 'url'
  | 'email'
  | 'phone'
  | 'boolean'
  | 'int'
  | 'double'
  | 'currency'
  | 'percent'
  | 'date'
  | 'datetime'
  | 'picklist'
  | 'multipicklist'
  | 'reference'
  | 'base64'
  | 'combobox'
  | 'address';

export type PicklistValue = { value: string; label: string; active: boolean; defaultValue: boolean };

export type FieldDef = {
  name: string; // canonical API name, e.g. 'LastName', 'Track_Slug__c'
  label: string;
  type: FieldType;
  /** First API version that has the field (Object Reference); requests made with an older version do not see it. */
  since?: string;
  length?: number; // text-like types
  precision?: number; // numbers
  scale?: number;
  digits?: number; // int
  nillable: boolean;
  createable: boolean;
  updateable: boolean;
  defaultedOnCreate?: boolean;
  custom: boolean;
  nameField?: boolean;
  autoNumber?: boolean;
  calculated?: boolean;
  externalId?: boolean;
  unique?: boolean;
  caseSensitive?: boolean;
  idLookup?: boolean;
  referenceTo?: string[];
  relationshipName?: string;
  relationshipLabel?: string;
  deleteConstraint?: 'SetNull' | 'Restrict' | 'Cascade';
  picklistValues?: PicklistValue[];
  restrictedPicklist?: boolean;
  /** Picklist whose values come from records of another object (Lead.Status <- LeadStatus.MasterLabel). */
  picklistFrom?: { object: string; field: string; where?: Record<string, unknown> };
  defaultValue?: unknown;
  /** Custom field metadata as deployed (CustomField XML as a plain object), for retrieve. */
  metadata?: Record<string, unknown>;
  /** Name of the child relationship on the parent (Contact.AccountId -> 'Contacts'), for describe and subqueries. */
  childRelationshipName?: string;
  /** A lookup that accepts an id of any object (FeedItem.ParentId); referenceTo then lists the usual targets. */
  anyReference?: boolean;
};

export type ObjectDef = {
  name: string; // canonical API name
  label: string;
  labelPlural: string;
  keyPrefix: string;
  custom: boolean;
  createable: boolean;
  updateable: boolean;
  deletable: boolean;
  queryable: boolean;
  /** Setup objects cannot be written in the same transaction as non-setup objects (MIXED_DML_OPERATION). */
  setup?: boolean;
  /** Not visible to API callers until this epoch-ms (new custom objects activate after a delay). */
  activeAt?: number;
  /** Fields keyed by lower-case API name. */
  fields: Map<string, FieldDef>;
  /** CustomObject metadata as deployed (object-level XML as a plain object), for retrieve. */
  metadata?: Record<string, unknown>;
  sharingModel?: string;
};

/** A stored record: canonical field name -> value. Id is always the 18-character form. */
export type SRecord = { [field: string]: unknown; Id: string };

/** One Salesforce API error, `[{message, errorCode, fields}]` on REST, `statusCode` inside collection results. */
export type ApiErrorBody = { message: string; errorCode: string; fields?: string[] };

export class SalesforceError extends Error {
  public constructor(
    public readonly errorCode: string,
    message: string,
    public readonly fields: string[] = [],
    public readonly httpStatus = 400
  ) {
    super(message);
  }

  public toBody(): ApiErrorBody {
    return { message: this.message, errorCode: this.errorCode, fields: this.fields };
  }
}

/** The user a request runs as. */
export type Principal = { userId: string; orgId: string };

/** CRUD operations checked against object permissions. */
export type ObjectAccess = 'read' | 'create' | 'edit' | 'delete';

/**
 * Access enforcement, plugged in by the setup/permissions module (emulator/access). The data plane calls these for
 * every API request made as a user; the default policy allows everything. "System" writes (seeding, deploys) bypass it.
 */
export type AccessPolicy = {
  /** Throws API_DISABLED_FOR_ORG (or the Salesforce refusal) when the user may not use the API. */
  checkApi(p: Principal): void;
  /** False -> the object is invisible to the user (describe/query say INVALID_TYPE / NOT_FOUND). */
  objectVisible(p: Principal, object: string): boolean;
  /** Throws INSUFFICIENT_ACCESS_OR_READONLY (or the Salesforce error) when the operation is not allowed. */
  checkObject(p: Principal, object: string, op: ObjectAccess): void;
  fieldReadable(p: Principal, object: string, field: string): boolean;
  fieldEditable(p: Principal, object: string, field: string): boolean;
  /** True when the user holds a system permission, e.g. 'ModifyMetadata', 'ViewSetup', 'ModifyAllData'. */
  hasPermission(p: Principal, permission: string): boolean;
};

/** Write hooks for object-specific Salesforce rules (duplicate assignments, licences, DUPLICATE_USERNAME...). */
export type Trigger = {
  beforeInsert?(rec: SRecord, ctx: TriggerContext): void;
  beforeUpdate?(rec: SRecord, old: SRecord, ctx: TriggerContext): void;
  beforeDelete?(old: SRecord, ctx: TriggerContext): void;
  afterInsert?(rec: SRecord, ctx: TriggerContext): void;
  afterUpdate?(rec: SRecord, old: SRecord, ctx: TriggerContext): void;
  afterDelete?(old: SRecord, ctx: TriggerContext): void;
};
export type TriggerContext = { principal?: Principal; org: OrgApi };

/** Options of one local org. */
export type LocalOrgOptions = {
  port?: number; // 0 or undefined -> a free port
  host?: string; // default 127.0.0.1
  latencyMs?: number; // added before answering every request
  dailyApiLimit?: number; // Sforce-Limit-Info max; REQUEST_LIMIT_EXCEEDED past it (default 100000)
  activationDelayMs?: number; // new custom objects become usable after this (default 0)
  deployStepMs?: number; // time a deploy spends in Pending / InProgress (default small)
  apiVersion?: string; // newest version served, default '65.0'
  orgName?: string;
  isSandbox?: boolean;
  /** Support has allowed connected app creation (Spring '26 blocks it by default; Salesforce Help 005228017). */
  allowConnectedAppCreation?: boolean;
  /** Faults on demand from the start (`--faults`): names and meaning in emulator/http/chaos.ts. */
  faults?: { lock?: number; unavailable?: number; drop?: number; concurrent?: number; expire?: number; seed?: number };
  /** An active Lead duplicate rule matching Leads and Contacts on Email (emulator/rest/duplicate-rules.ts). */
  leadDuplicateRule?: boolean;
};

/** Faults on demand, for reliability tests. */
export type FaultKind = 'UNABLE_TO_LOCK_ROW' | '503' | 'drop' | 'expire-session' | '500';
/** `phase: 'after'` answers with the fault after the request was carried out (a write the client never hears of). */
export type FaultRule = {
  kind: FaultKind;
  method?: string;
  path?: RegExp;
  times: number;
  afterCalls?: number;
  phase?: 'before' | 'after';
};

/** What every emulator module codes against. One instance per local org. */
export type OrgApi = {
  readonly orgId: string;
  readonly options: Required<Pick<LocalOrgOptions, 'dailyApiLimit' | 'activationDelayMs' | 'apiVersion'>> &
    LocalOrgOptions;
  access: AccessPolicy;
  /** The user system writes (seeding, deploys) are attributed to in CreatedById/OwnerId. */
  defaultUserId?: string;

  // schema (internal view: ignores activation and access)
  getObject(name: string): ObjectDef | undefined;
  listObjects(): ObjectDef[];
  /** Create or replace an object definition; existing records are kept. */
  defineObject(def: ObjectDef): void;
  removeObject(name: string): void;
  defineField(object: string, field: FieldDef): void;
  removeField(object: string, field: string): void;
  newKeyPrefix(): string;
  /** True once a custom object's activation delay has passed. */
  isActive(object: string): boolean;
  registerTrigger(object: string, trigger: Trigger): void;

  // records, system context (no access checks); validate types/required/unique/lookups, run triggers
  insert(object: string, fields: Record<string, unknown>, principal?: Principal): SRecord;
  update(object: string, id: string, fields: Record<string, unknown>, principal?: Principal): SRecord;
  delete(object: string, id: string, principal?: Principal): void;
  get(object: string, id: string): SRecord | undefined;
  /** Stored records are shared, treat them as read-only. includeDeleted adds records in the recycle bin (IsDeleted). */
  query(object: string, predicate?: (r: SRecord) => boolean, options?: { includeDeleted?: boolean }): SRecord[];
  /** Records whose field equals value (strings case-insensitive unless the field is caseSensitive); indexed for
   * unique/externalId/idLookup fields and Id. */
  findByField(object: string, field: string, value: unknown): SRecord[];
  /** Number of live records of an object. */
  count(object: string): number;
  /** Object name of an id from its key prefix. */
  objectOfId(id: string): string | undefined;
  /** Runs fn; if it throws, every write it made is undone, then the error is rethrown. */
  transaction<T>(fn: () => T): T;
  /** As transaction, for async work (composite requests). Writes of other requests made meanwhile are undone too. */
  transactionAsync<T>(fn: () => Promise<T>): Promise<T>;

  // sessions
  issueToken(userId: string): string;
  userOfToken(token: string): string | undefined;
  revokeToken(token: string): void;
};

/** One HTTP request as handlers see it. `path` has duplicate leading slashes collapsed ('//services' -> '/services'). */
export type RequestContext = {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** Path parameters from the route pattern (':version', ':type', ...). */
  params: Record<string, string>;
  /** The authenticated user; undefined only on routes registered with { auth: false }. */
  principal?: Principal;
  /** For SOAP routes: the parsed envelope body's first element (fast-xml-parser object) and its local name. */
  soap?: { operation: string; body: Record<string, unknown>; raw: string };
  org: OrgApi;
  /** Parsed JSON body (throws a 400 JSON_PARSER_ERROR SalesforceError on bad JSON). */
  json<T = unknown>(): T;
};

/** A handler's answer: JSON unless `body` is a string/Buffer (then `contentType` is used, default text/plain). */
export type Reply = { status: number; body?: unknown; contentType?: string; headers?: Record<string, string> };
export type Handler = (ctx: RequestContext) => Reply | Promise<Reply>;

export type Router = {
  /** pattern: '/services/data/:version/sobjects/:type/:id'; ':version' matches 'vNN.N'. */
  add(method: string, pattern: string, handler: Handler, options?: { auth?: boolean; countsAsApiCall?: boolean }): void;
  /** SOAP operations, dispatched on the first element of the envelope Body for POST /services/Soap/{m|u|c}/:version.
   * The principal comes from <SessionHeader><sessionId>; a bad session answers a SOAP fault INVALID_SESSION_ID. */
  soap(operation: string, handler: Handler): void;
};

/** A feature of the local org (metadata API, access enforcement, bulk API...) plugged in at start. */
export type EmulatorModule = { name: string; install(org: OrgApi, router: Router): void };
