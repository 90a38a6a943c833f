/*
 * Duplicate rules on API inserts (REST API Developer Guide: "Duplicate Rule Header"; Salesforce Help: "Duplicate
 * Rules"). A local org started with `leadDuplicateRule` has one active Lead duplicate rule, action "Allow" with an
 * alert, whose matching rule compares Email (exact, case-insensitive) with Leads and Contacts. Through the API an
 * alert blocks the save unless `Sforce-Duplicate-Rule-Header: allowSave=true`; the refusal is DUPLICATES_DETECTED
 * with a duplicateResult naming the matching records (their fields only with includeRecordDetails=true).
 */
import { SalesforceError, type ApiErrorBody, type ObjectDef, type OrgApi, type SRecord } from '../core/types.js';

export const LEAD_DUPLICATE_RULE = 'Lead_Email_Duplicate_Rule';
const MATCHING_RULE = 'Lead_Email_Matching_Rule';
const ALERT = "You're creating a duplicate record. We recommend you use an existing record instead.";

export type DuplicateRuleHeader = { allowSave: boolean; includeRecordDetails: boolean; runAsCurrentUser: boolean };

/** `allowSave=true; includeRecordDetails=true` (commas accepted too); absent properties are false. */
export function parseDuplicateRuleHeader(value: string | string[] | undefined): DuplicateRuleHeader {
  const text = Array.isArray(value) ? value.join(';') : value ?? '';
  const props = new Map(
    text
      .split(/[;,]/)
      .map((p) => p.split('=').map((s) => s.trim().toLowerCase()))
      .filter((kv) => kv.length === 2)
      .map(([k, v]) => [k, v === 'true'])
  );
  return {
    allowSave: props.get('allowsave') === true,
    includeRecordDetails: props.get('includerecorddetails') === true,
    runAsCurrentUser: props.get('runascurrentuser') === true,
  };
}

export type DuplicateResult = {
  allowSave: boolean;
  duplicateRule: string;
  duplicateRuleEntityType: string;
  errorMessage: string;
  matchResults: Array<{
    entityType: string;
    errors: unknown[];
    matchEngine: string;
    matchRecords: Array<{ additionalInformation: unknown[]; fieldDiffs: unknown[]; matchConfidence: number; record: Record<string, unknown> }>;
    rule: string;
    size: number;
    success: boolean;
  }>;
};

export class DuplicatesDetected extends SalesforceError {
  public constructor(public readonly duplicateResult: DuplicateResult) {
    super('DUPLICATES_DETECTED', 'Use one of these records?', [], 400);
  }

  public toBody(): ApiErrorBody & { duplicateResult: DuplicateResult } {
    return { ...super.toBody(), duplicateResult: this.duplicateResult };
  }
}

/** Throws DuplicatesDetected when an active duplicate rule matches the record about to be inserted. */
export function checkDuplicateRules(
  org: OrgApi,
  def: ObjectDef,
  fields: Record<string, unknown>,
  header: DuplicateRuleHeader,
  version: string
): void {
  if (!org.options.leadDuplicateRule || def.name !== 'Lead' || header.allowSave) return;
  const email = Object.entries(fields).find(([k]) => k.toLowerCase() === 'email')?.[1];
  if (typeof email !== 'string' || !email.trim()) return;
  const key = email.trim().toLowerCase();
  const same = (r: SRecord): boolean => typeof r.Email === 'string' && r.Email.trim().toLowerCase() === key;
  const matches = [
    { entityType: 'Lead', records: org.query('Lead', (r) => same(r) && r.IsConverted !== true) },
    { entityType: 'Contact', records: org.query('Contact', same) },
  ].filter((m) => m.records.length > 0);
  if (matches.length === 0) return;
  throw new DuplicatesDetected({
    allowSave: false,
    duplicateRule: LEAD_DUPLICATE_RULE,
    duplicateRuleEntityType: 'Lead',
    errorMessage: ALERT,
    matchResults: matches.map((m) => ({
      entityType: m.entityType,
      errors: [],
      matchEngine: 'ExactMatchEngine',
      matchRecords: m.records.map((r) => ({
        additionalInformation: [],
        fieldDiffs: [],
        matchConfidence: 100,
        record: {
          attributes: { type: m.entityType, url: `/services/data/v${version}/sobjects/${m.entityType}/${r.Id}` },
          Id: r.Id,
          ...(header.includeRecordDetails ? { FirstName: r.FirstName ?? null, LastName: r.LastName ?? null, Email: r.Email ?? null } : {}),
        },
      })),
      rule: MATCHING_RULE,
      size: m.records.length,
      success: true,
    })),
  });
}
