/*
 * Leads the org's duplicate rules refuse. An API insert honours active duplicate rules: a match refuses it with
 * DUPLICATES_DETECTED and a duplicateResult naming the matching records (REST API Developer Guide: Duplicate Rule
 * Header). The sync links the play and its posts to the record Salesforce names instead of losing them, and reports it.
 * Bulk API 2.0 only says DUPLICATES_DETECTED in sf__Error, so such rows are sent again through Collections to learn the
 * record's id.
 */
import type { SaveError } from '../salesforce/client.js';

export const DUPLICATES_DETECTED = 'DUPLICATES_DETECTED';

/** The record a duplicate rule named for a refused Lead. */
export type DuplicateMatch = { id: string; object: 'Lead' | 'Contact'; rule: string };

/** A Lead the sync did not create because of a duplicate rule, and the record its plays went to instead. */
export type DuplicateLink = { email: string; lines: number[]; linkedTo: string; object: 'Lead' | 'Contact'; rule: string };

/** The record to use for a Lead refused by a duplicate rule: a Contact first when contactFirst, else a Lead first. */
export function duplicateMatch(errors: SaveError[], contactFirst: boolean): DuplicateMatch | undefined {
  const found = errors.find((e) => e.statusCode === DUPLICATES_DETECTED && e.duplicateResult);
  const result = found?.duplicateResult;
  if (!result) return undefined;
  const order: Array<'Lead' | 'Contact'> = contactFirst ? ['Contact', 'Lead'] : ['Lead', 'Contact'];
  for (const object of order) {
    for (const match of result.matchResults ?? []) {
      if (match.entityType !== object) continue;
      const id = match.matchRecords?.find((m) => typeof m.record?.Id === 'string')?.record?.Id;
      if (id) return { id, object, rule: result.duplicateRule ?? 'duplicate rule' };
    }
  }
  return undefined;
}

/** Whether a Bulk API 2.0 sf__Error is a duplicate rule's refusal. */
export const isDuplicateError = (error: string | undefined): boolean => (error ?? '').startsWith(`${DUPLICATES_DETECTED}:`);
