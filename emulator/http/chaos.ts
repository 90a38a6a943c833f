/*
 * Faults on demand, by probability (a contract other checks rely on): `--faults name=value,...` at start and
 * `PUT /local/faults` while running. `lock` fails a written record with UNABLE_TO_LOCK_ROW (Collections, Composite,
 * Bulk API 2.0 results), `unavailable` answers 503, `concurrent` answers 403 REQUEST_LIMIT_EXCEEDED
 * "ConcurrentPerOrgLongTxn Limit exceeded", `drop` closes the connection without an answer (a write, half of the time
 * after applying it), `expire` ends an access token after that many requests, `seed` makes the sequence repeatable.
 */
import { SalesforceError, type OrgApi } from '../core/types.js';

export type FaultSettings = {
  lock?: number;
  unavailable?: number;
  drop?: number;
  concurrent?: number;
  expire?: number;
  seed?: number;
};

const PROBABILITIES = ['lock', 'unavailable', 'drop', 'concurrent'] as const;
export const FAULT_NAMES = [...PROBABILITIES, 'expire', 'seed'] as const;
type Probability = (typeof PROBABILITIES)[number];

/** Checks names and values; the message names the fault at fault. */
export function validateFaults(input: unknown): FaultSettings {
  if (!input || typeof input !== 'object' || Array.isArray(input)) {
    throw new SalesforceError('JSON_PARSER_ERROR', 'Faults are a JSON object such as {"lock": 0.05, "seed": 1}', [], 400);
  }
  const out: FaultSettings = {};
  for (const [name, raw] of Object.entries(input as Record<string, unknown>)) {
    if (!(FAULT_NAMES as readonly string[]).includes(name)) {
      throw new SalesforceError('INVALID_FIELD', `Unknown fault '${name}'; known: ${FAULT_NAMES.join(', ')}`, [name], 400);
    }
    const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new SalesforceError('INVALID_FIELD', `Fault '${name}' needs a number, got ${JSON.stringify(raw)}`, [name], 400);
    }
    if ((PROBABILITIES as readonly string[]).includes(name) && (value < 0 || value > 1)) {
      throw new SalesforceError('INVALID_FIELD', `Fault '${name}' is a probability between 0 and 1, got ${value}`, [name], 400);
    }
    if (name === 'expire' && (value < 1 || !Number.isInteger(value))) {
      throw new SalesforceError('INVALID_FIELD', `Fault 'expire' is a whole number of requests (1 or more), got ${value}`, [name], 400);
    }
    if (name === 'seed' && !Number.isInteger(value)) {
      throw new SalesforceError('INVALID_FIELD', `Fault 'seed' is a whole number, got ${value}`, [name], 400);
    }
    out[name as keyof FaultSettings] = value;
  }
  return out;
}

/** `lock=0.05,unavailable=0.02,seed=7` as given to `npm run org -- --faults`. */
export function parseFaultList(text: string): FaultSettings {
  const entries: Record<string, string> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new SalesforceError('INVALID_FIELD', `Fault '${part}' is not name=value`, [part], 400);
    entries[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return validateFaults(entries);
}

/** A small seeded generator (mulberry32): the same seed gives the same faults for the same requests. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d_2b_79_f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export class Chaos {
  private settings: FaultSettings = {};
  private random: () => number = Math.random;
  private readonly tokenUses = new Map<string, number>();

  public get current(): FaultSettings {
    return { ...this.settings };
  }

  /** Replaces every setting (`{}` switches faults off). */
  public set(settings: FaultSettings): void {
    this.settings = { ...settings };
    this.random = settings.seed === undefined ? Math.random : generator(settings.seed);
    this.tokenUses.clear();
  }

  /** Whether the fault fires for this request (or record). */
  public hit(name: Probability): boolean {
    const p = this.settings[name] ?? 0;
    return p > 0 && this.random() < p;
  }

  /** Whether a dropped write is applied before the connection closes (half of the time). */
  public coin(): boolean {
    return this.random() < 0.5;
  }

  /** Counts one request made with a token; true once the token has served its `expire` requests. */
  public expires(token: string): boolean {
    const limit = this.settings.expire;
    if (!limit) return false;
    const uses = (this.tokenUses.get(token) ?? 0) + 1;
    this.tokenUses.set(token, uses);
    return uses > limit;
  }
}

const chaosOfOrg = new WeakMap<OrgApi, Chaos>();

/** The org's faults on demand, shared by the HTTP front, Composite and the Bulk API 2.0 job runner. */
export function chaosOf(org: OrgApi): Chaos {
  let chaos = chaosOfOrg.get(org);
  if (!chaos) {
    chaos = new Chaos();
    chaosOfOrg.set(org, chaos);
  }
  return chaos;
}

export const LOCK_MESSAGE = 'unable to obtain exclusive access to this record or 1 records';

export function lockError(): SalesforceError {
  return new SalesforceError('UNABLE_TO_LOCK_ROW', LOCK_MESSAGE, [], 400);
}
