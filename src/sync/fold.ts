/*
 * Folding one batch of events into what they say about each participant and each play, independent of arrival
 * order: events are deduplicated by id, then for every field the first event by timestamp that carries it wins.
 * So duplicated or shuffled input folds to the same state as the ordered, deduplicated input.
 */
import { compareEvents, type Participant, type SyncEvent } from './events.js';

export type ParticipantFold = Participant & {
  /** True when an invite.submitted (form submission) was seen: this participant may become a new Lead. */
  submitted: boolean;
  lines: number[];
};

export type PlayFold = {
  playId: string;
  participantId: string;
  trackSlug?: string;
  trackTitle?: string;
  inviteUrl?: string;
  started: boolean;
  timeSpentSeconds?: number;
  score?: number;
  comment?: string;
  /** Line of the event each value came from, by field (for reports about that value). */
  valueLines: Partial<Record<'timeSpentSeconds' | 'score' | 'comment' | 'inviteUrl', number>>;
  /** Input lines of the events folded in (for reports). */
  lines: number[];
  eventIds: string[];
};

export type BatchFold = {
  participants: Map<string, ParticipantFold>;
  plays: Map<string, PlayFold>;
  /** Events dropped because an event with the same id came earlier in the batch. */
  duplicates: number;
};

const PERSON_FIELDS = ['email', 'firstName', 'lastName', 'company', 'phone', 'title'] as const;

function foldParticipants(ordered: SyncEvent[]): Map<string, ParticipantFold> {
  const participants = new Map<string, ParticipantFold>();
  // Identity fields from the form submission win over those of other events: the form is what a person typed.
  const byForm = [
    ...ordered.filter((e) => e.type === 'invite.submitted'),
    ...ordered.filter((e) => e.type !== 'invite.submitted'),
  ];
  for (const e of byForm) {
    const p = participants.get(e.participant.id) ?? { id: e.participant.id, submitted: false, lines: [] };
    for (const f of PERSON_FIELDS) p[f] ??= e.participant[f];
    if (e.type === 'invite.submitted') p.submitted = true;
    p.lines.push(e.line);
    participants.set(p.id, p);
  }
  return participants;
}

function foldPlay(f: PlayFold, e: SyncEvent): void {
  f.lines.push(e.line);
  f.eventIds.push(e.id);
  if (e.track) {
    f.trackSlug ??= e.track.slug;
    if (e.track.slug === f.trackSlug) f.trackTitle ??= e.track.title;
  }
  const take = <K extends keyof PlayFold['valueLines']>(key: K, value: PlayFold[K] | undefined): void => {
    if (f[key] !== undefined || value === undefined) return;
    (f as Record<K, unknown>)[key] = value;
    f.valueLines[key] = e.line;
  };
  take('inviteUrl', e.invite?.url);
  if (e.type === 'track.started') f.started = true;
  if (e.type === 'track.completed') take('timeSpentSeconds', e.play?.timeSpentSeconds);
  if (e.type === 'review.submitted') {
    take('score', e.review?.score);
    take('comment', e.review?.comment);
  }
}

/** Fold a batch. The result depends only on the set of distinct events, not on their order. */
export function foldBatch(events: SyncEvent[]): BatchFold {
  const seen = new Map<string, SyncEvent>();
  let duplicates = 0;
  for (const e of events) {
    const prev = seen.get(e.id);
    if (prev) duplicates++;
    // Keep the earliest copy so the choice is order-independent too.
    if (!prev || compareEvents(e, prev) < 0) seen.set(e.id, e);
  }
  const ordered = [...seen.values()].sort(compareEvents);
  const plays = new Map<string, PlayFold>();
  for (const e of ordered) {
    if (!e.play) continue;
    const f = plays.get(e.play.id) ?? { playId: e.play.id, participantId: e.participant.id, started: false, valueLines: {}, lines: [], eventIds: [] };
    foldPlay(f, e);
    plays.set(f.playId, f);
  }
  return { participants: foldParticipants(ordered), plays, duplicates };
}
