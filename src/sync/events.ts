/*
 * The sync input contract: the four Instruqt play event types and what each one needs.
 * `validateEvent` turns one parsed JSON line into a typed event or a reason; unknown extra properties are ignored,
 * values that are well-formed but do not fit a Salesforce field are accepted here and handled by fields.ts.
 */

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
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
// A pragmatic shape check; Salesforce's own Email validation is the final word (INVALID_EMAIL_ADDRESS).
export const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
// ISO 8601 date-time with a zone, as Instruqt sends it.
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

class Invalid extends Error {}

function fail(reason: string): never {
  throw new Invalid(reason);
}

function optString(o: Obj, key: string, path: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') fail(`${path}.${key} must be a string`);
  const t = v.trim();
  return t === '' ? undefined : t;
}

function reqString(o: Obj, key: string, path: string, why?: string): string {
  const v = optString(o, key, path);
  if (v === undefined) fail(`${path}.${key} is required${why ? ` (${why})` : ''}`);
  return v;
}

/** An identifier used as a key in SOQL and in post bodies: no control characters. */
function reqId(o: Obj, key: string, path: string): string {
  const v = reqString(o, key, path);
  if (CONTROL.test(v)) fail(`${path}.${key} must not contain control characters`);
  return v;
}

function reqObj(o: Obj, key: string, path: string, why?: string): Obj {
  const v = o[key];
  if (!isObj(v)) fail(`${path}.${key} is required and must be an object${why ? ` (${why})` : ''}`);
  return v;
}

function optObj(o: Obj, key: string, path: string): Obj | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!isObj(v)) fail(`${path}.${key} must be an object`);
  return v;
}

function participantOf(raw: Obj, type: EventType): Participant {
  const p = reqObj(raw, 'participant', 'event');
  const email = optString(p, 'email', 'participant');
  if (email !== undefined && !EMAIL.test(email)) fail(`participant.email is not an email address: ${email}`);
  const participant: Participant = {
    id: reqId(p, 'id', 'participant'),
    email,
    firstName: optString(p, 'firstName', 'participant'),
    lastName: optString(p, 'lastName', 'participant'),
    company: optString(p, 'company', 'participant'),
    phone: optString(p, 'phone', 'participant'),
    title: optString(p, 'title', 'participant'),
  };
  if (type === 'invite.submitted') {
    if (!participant.email) fail('participant.email is required for invite.submitted (a Lead is matched by email)');
    if (!participant.lastName) fail('participant.lastName is required for invite.submitted (a Lead needs a last name)');
  }
  return participant;
}

function trackOf(raw: Obj, required: boolean): SyncEvent['track'] {
  const t = required ? reqObj(raw, 'track', 'event', 'the Play belongs to a track') : optObj(raw, 'track', 'event');
  if (!t) return undefined;
  return { slug: reqId(t, 'slug', 'track'), title: optString(t, 'title', 'track') };
}

function playOf(raw: Obj, type: EventType): NonNullable<SyncEvent['play']> {
  const p = reqObj(raw, 'play', 'event', `${type} belongs to a play`);
  const play: NonNullable<SyncEvent['play']> = { id: reqId(p, 'id', 'play') };
  if (type === 'track.completed') {
    const s = p.timeSpentSeconds;
    if (typeof s !== 'number' || !Number.isFinite(s) || s < 0) {
      fail('play.timeSpentSeconds is required for track.completed and must be a number >= 0');
    }
    play.timeSpentSeconds = Math.round(s);
  }
  return play;
}

function reviewOf(raw: Obj): NonNullable<SyncEvent['review']> {
  const r = reqObj(raw, 'review', 'event', 'review.submitted carries a score and/or a comment');
  const score = r.score;
  if (score !== undefined && score !== null && (typeof score !== 'number' || !Number.isFinite(score))) {
    fail('review.score must be a number');
  }
  const comment = optString(r, 'comment', 'review');
  const review = { score: typeof score === 'number' ? score : undefined, comment };
  if (review.score === undefined && review.comment === undefined) fail('review needs a score or a comment');
  return review;
}

/** Validate one parsed input line against what its type needs. */
export function validateEvent(raw: unknown, line: number): Validation {
  try {
    if (!isObj(raw)) fail('an event must be a JSON object');
    const id = reqId(raw, 'id', 'event');
    const type = raw.type;
    if (typeof type !== 'string') fail('event.type is required');
    if (!(EVENT_TYPES as readonly string[]).includes(type)) {
      fail(`event.type "${type}" is not one of ${EVENT_TYPES.join(', ')}`);
    }
    const t = type as EventType;
    const timestamp = reqString(raw, 'timestamp', 'event');
    const time = ISO_DATETIME.test(timestamp) ? Date.parse(timestamp) : NaN;
    if (Number.isNaN(time)) fail(`event.timestamp is not an ISO 8601 date-time: ${timestamp}`);
    const event: SyncEvent = { id, type: t, timestamp, time, line, participant: participantOf(raw, t) };
    const invite = optObj(raw, 'invite', 'event');
    if (invite) event.invite = { id: optString(invite, 'id', 'invite'), url: optString(invite, 'url', 'invite') };
    if (t !== 'invite.submitted') {
      event.play = playOf(raw, t);
      event.track = trackOf(raw, t === 'track.started');
    }
    if (t === 'review.submitted') event.review = reviewOf(raw);
    return { ok: true, event };
  } catch (e) {
    if (e instanceof Invalid) return { ok: false, reason: e.message };
    throw e;
  }
}

/** Order used wherever "first" or "latest" matters: timestamp, then event id, then input line. */
export function compareEvents(a: SyncEvent, b: SyncEvent): number {
  return a.time - b.time || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) || a.line - b.line;
}
