/*
 * Salesforce record ids, compared with @salesforce/core's helpers: an 18-character id and its 15-character form
 * name the same record (the last three characters only encode the case of the first fifteen).
 */
import { trimTo15 } from '@salesforce/core';

/** The 15-character, case-sensitive form of an id. */
export const id15 = (id: string): string => trimTo15(id);

/** Whether two ids name the same record, whichever of the 15- and 18-character forms each is in. */
export function sameId(a: string | null | undefined, b: string | null | undefined): boolean {
  return Boolean(a && b && id15(a) === id15(b));
}
