/*
 * The sync input contract: the four Instruqt play event types and what each one needs.
 * `validateEvent` turns one parsed JSON line into a typed event or a reason, validating it with the JSON Schema
 * schemas/instruqt-sync-input.json; unknown extra properties are ignored, values that are well-formed but do not fit a
 * Salesforce field are accepted here and handled by fields.ts.
 */
import { errorPath, schemaValidator, type SchemaError } from './schemas.js';

export const EVENT_TYPES = ['invite.submitted', 'track.started', 'track.completed', 'review.submitted'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export type Participant = {
  id: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  company?: string;
  phone?: string;
  title?: string;
};

export type SyncEvent = {
  id: string;
  type: EventType;
  timestamp: string;
  /** Epoch ms of `timestamp`, for ordering. */
  time: number;
  /** 1-based line of the input this event came from. */
  line: number;
  participant: Participant;
  invite?: { id?: string; url?: string };
  track?: { slug: string; title?: string };
  play?: { id: string; timeSpentSeconds?: number };
  review?: { score?: number; comment?: string };
};

export type Validation = { ok: true; event: SyncEvent } | { ok: false; reason: string };

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Where today's checks look, in the order they look: the first fault in this order is the one reported. */
const PROPERTY_ORDER: Record<string, string[]> = {
  event: ['id', 'type', 'timestamp', 'participant', 'invite', 'play', 'track', 'review'],
  participant: ['email', 'id', 'firstName', 'lastName', 'company', 'phone', 'title'],
  invite: ['id', 'url'],
  play: ['id', 'timeSpentSeconds'],
  track: ['slug', 'title'],
  review: ['score', 'comment'],
};
const NESTED = ['participant', 'invite', 'track', 'play', 'review'];

/** Strings trimmed, and null or empty strings dropped: they count as absent. Taken as given: the type (" track.started"
 * is not a type) and non-null values where an object or a number belongs (a string there is a wrong type). */
function normalize(raw: Obj): Obj {
  const strings = (o: Obj, asGiven: (key: string) => boolean): Obj => {
    const out: Obj = {};
    for (const [k, v] of Object.entries(o)) {
      const value = typeof v === 'string' && !asGiven(k) ? v.trim() : v;
      if (value !== null && value !== undefined && (value !== '' || asGiven(k))) out[k] = value;
    }
    return out;
  };
  const event = strings(raw, (k) => k === 'type' || NESTED.includes(k));
  if (raw.type === null) event.type = null;
  for (const key of NESTED) {
    const value = event[key];
    if (isObj(value)) event[key] = strings(value, (k) => k === 'score' || k === 'timeSpentSeconds');
  }
  return event;
}

/** Why an object is required for this type, as today's reasons say it. */
function requiredObject(key: string, type: unknown): string | undefined {
  if (key === 'participant') return '';
  if (key === 'track' && type === 'track.started') return ' (the Play belongs to a track)';
  if (key === 'play' && type !== 'invite.submitted') return ` (${String(type)} belongs to a play)`;
  if (key === 'review' && type === 'review.submitted') return ' (review.submitted carries a score and/or a comment)';
  return undefined;
}

/** The reason users read for one schema error of an event. */
function reasonFor(error: SchemaError, event: Obj): string {
  const path = errorPath(error);
  const value = path.reduce<unknown>((o, k) => (isObj(o) ? o[k] : undefined), event);
  if (error.keyword === 'anyOf') return 'review needs a score or a comment';
  return (path.length === 1 ? topLevelReason(path[0], error.keyword, value, event.type) : undefined) ?? propertyReason(path, error, value, event.type);
}

function topLevelReason(key: string, keyword: string, value: unknown, type: unknown): string | undefined {
  const why = requiredObject(key, type);
  if (why !== undefined) return `event.${key} is required and must be an object${why}`;
  if (key === 'invite' || key === 'track') return `event.${key} must be an object`;
  if (key === 'type') {
    return keyword === 'enum' ? `event.type "${String(value)}" is not one of ${EVENT_TYPES.join(', ')}` : 'event.type is required';
  }
  if (key === 'timestamp' && keyword === 'format') return `event.timestamp is not an ISO 8601 date-time: ${String(value)}`;
  return undefined;
}

function propertyReason(path: string[], error: SchemaError, value: unknown, type: unknown): string {
  const { keyword } = error;
  const name = `${path.length === 1 ? 'event' : path[0]}.${path.at(-1) ?? ''}`;
  if (keyword === 'required' && type === 'invite.submitted') {
    if (name === 'participant.email') return 'participant.email is required for invite.submitted (a Lead is matched by email)';
    if (name === 'participant.lastName') return 'participant.lastName is required for invite.submitted (a Lead needs a last name)';
  }
  if (name === 'participant.email' && keyword === 'format') return `participant.email is not an email address: ${String(value)}`;
  if (name === 'play.timeSpentSeconds') return 'play.timeSpentSeconds is required for track.completed and must be a number >= 0';
  if (name === 'review.score') return 'review.score must be a number';
  if (keyword === 'required') return `${name} is required`;
  if (keyword === 'pattern') return `${name} must not contain control characters`;
  if (keyword === 'type') return `${name} must be a string`;
  return `${name} ${error.message ?? 'is invalid'}`;
}

/** The first fault in the order of PROPERTY_ORDER; an unmet anyOf stands for the errors of its branches. */
function firstError(errors: SchemaError[]): SchemaError | undefined {
  const rank = (e: SchemaError): number[] => {
    const [top, key] = errorPath(e);
    const own = PROPERTY_ORDER.event.indexOf(top);
    const inner = key === undefined ? -1 : (PROPERTY_ORDER[top] ?? []).indexOf(key);
    // Type-specific requirements (the allOf branches) come after the shape of the object they concern.
    return [own < 0 ? 99 : own, e.schemaPath.startsWith('#/allOf') && e.keyword === 'required' && key !== undefined ? 1 : 0, inner];
  };
  const candidates = errors.filter((e) => e.keyword !== 'if' && !e.schemaPath.includes('/anyOf/'));
  const ranked = candidates.map((e) => ({ e, r: rank(e) }));
  ranked.sort((a, b) => a.r[0] - b.r[0] || a.r[1] - b.r[1] || a.r[2] - b.r[2]);
  return ranked[0]?.e;
}

const str = (o: unknown, key: string): string | undefined => (isObj(o) && typeof o[key] === 'string' ? o[key] : undefined);

/** Validate one parsed input line against what its type needs (schemas/instruqt-sync-input.json). */
export function validateEvent(raw: unknown, line: number): Validation {
  if (!isObj(raw)) return { ok: false, reason: 'an event must be a JSON object' };
  const e = normalize(raw);
  const validate = schemaValidator('instruqt-sync-input');
  if (!validate(e)) {
    const error = firstError(validate.errors ?? []);
    return { ok: false, reason: error ? reasonFor(error, e) : 'the event does not match schemas/instruqt-sync-input.json' };
  }
  const type = e.type as EventType;
  const timestamp = e.timestamp as string;
  const p = e.participant as Obj;
  const event: SyncEvent = {
    id: e.id as string,
    type,
    timestamp,
    time: Date.parse(timestamp),
    line,
    participant: {
      id: p.id as string,
      email: str(p, 'email'),
      firstName: str(p, 'firstName'),
      lastName: str(p, 'lastName'),
      company: str(p, 'company'),
      phone: str(p, 'phone'),
      title: str(p, 'title'),
    },
  };
  if (isObj(e.invite)) event.invite = { id: str(e.invite, 'id'), url: str(e.invite, 'url') };
  if (type !== 'invite.submitted') {
    const play = e.play as Obj;
    event.play = { id: play.id as string };
    if (type === 'track.completed') event.play.timeSpentSeconds = Math.round(play.timeSpentSeconds as number);
    event.track = isObj(e.track) ? { slug: e.track.slug as string, title: str(e.track, 'title') } : undefined;
  }
  if (type === 'review.submitted') {
    const review = e.review as Obj;
    event.review = { score: typeof review.score === 'number' ? review.score : undefined, comment: str(review, 'comment') };
  }
  return { ok: true, event };
}

/** Order used wherever "first" or "latest" matters: timestamp, then event id, then input line. */
export function compareEvents(a: SyncEvent, b: SyncEvent): number {
  return a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) || a.line - b.line;
}
