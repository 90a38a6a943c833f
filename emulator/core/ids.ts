/*
 * Salesforce record ids: the 15 -> 18 character checksum, new ids per key prefix, and normalising what callers send.
 * 18 = 15 + 3 checksum chars: for each 5-char block, bit j is set when char j is A-Z, then
 * "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"[n]  (00558000001N0Ke -> 00558000001N0KeAAK).
 */

const CHECKSUM_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ID_CHARS = /^[a-zA-Z0-9]+$/;

/** The three checksum characters of a 15-character id. */
export function checksum(id15: string): string {
  let out = '';
  for (let block = 0; block < 3; block++) {
    let n = 0;
    for (let j = 0; j < 5; j++) {
      const c = id15.charCodeAt(block * 5 + j);
      if (c >= 65 && c <= 90) n |= 1 << j;
    }
    out += CHECKSUM_ALPHABET[n];
  }
  return out;
}

/** 15 -> 18 characters; an 18-character id is returned with its checksum recomputed (ids are case-insensitive as 18). */
export function to18(id: string): string {
  const id15 = id.slice(0, 15);
  return id15 + checksum(id15);
}

/** True when `id` looks like a Salesforce id: 15 or 18 alphanumerics, and an 18-char id's checksum matches. */
export function isValidId(id: unknown): id is string {
  if (typeof id !== 'string' || (id.length !== 15 && id.length !== 18) || !ID_CHARS.test(id)) return false;
  if (id.length === 18) return checksum(id.slice(0, 15)).toUpperCase() === id.slice(15).toUpperCase();
  return true;
}

/** The canonical 18-character form, or undefined when the value is not an id. */
export function normalizeId(id: unknown): string | undefined {
  return isValidId(id) ? to18(id) : undefined;
}

/** The 3-character key prefix of an id (which object it belongs to). */
export function keyPrefixOf(id: string): string {
  return id.slice(0, 3);
}

/** Encodes n in base 62, left-padded with zeros to `width`. */
export function base62(n: number, width: number): string {
  let out = '';
  let rest = Math.floor(n);
  while (rest > 0) {
    out = BASE62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out.padStart(width, '0');
}

/** Random base-62 characters (not cryptographic: tokens of a local test org). */
export function randomChars(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE62[Math.floor(Math.random() * 62)];
  return out;
}

/**
 * Makes ids for one org: prefix (3) + pod (2) + reserved '0' + a 9-character sequence, then the checksum.
 * The sequence starts at a random offset so two local orgs do not hand out the same ids.
 */
export class IdFactory {
  private seq: number;

  public constructor(private readonly pod = '5g') {
    this.seq = Math.floor(Math.random() * 1e9) + 1e6;
  }

  public next(prefix: string): string {
    this.seq += 1;
    return to18(prefix + this.pod + '0' + base62(this.seq, 9));
  }
}
