/*
 * One Instruqt play report -> the sync's input events (the NDJSON contract of src/sync/events.ts), so the pull feeds
 * the same engine as a file: a form submission when the user left an email and a last name with the team, a start,
 * a completion at 100 %, a review when there is one. Event ids derive from the play id, so a play read again (the
 * lookback window, a re-read page) folds into the same events.
 */
import { EMAIL } from '../schemas.js';
import type { PlayReport } from './pull.js';

export type RawEvent = Record<string, unknown>;

export type MapStats = { plays: number; developerPlaysSkipped: number; anonymousPlays: number; events: number };

const text = (v: string | null | undefined): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** The person as the sync knows them: Instruqt's user id, and the details they left with this team (if any). */
function participantOf(play: PlayReport): RawEvent {
  const d = play.user.details;
  const email = text(d?.email);
  const participant: RawEvent = {
    id: play.user.id,
    email: email && EMAIL.test(email) ? email : undefined,
    firstName: text(d?.firstName),
    lastName: text(d?.lastName),
    company: text(d?.companyName),
    title: text(d?.jobTitle),
  };
  for (const k of Object.keys(participant)) if (participant[k] === undefined) delete participant[k];
  return participant;
}

/** The events one play stands for; none for a DEVELOPER play unless `includeDeveloper`. */
export function playEvents(play: PlayReport, includeDeveloper: boolean, stats?: MapStats): RawEvent[] {
  if (play.mode !== 'NORMAL' && !(includeDeveloper && play.mode === 'DEVELOPER')) {
    if (stats) stats.developerPlaysSkipped++;
    return [];
  }
  const started = Date.parse(play.startedAt);
  if (Number.isNaN(started)) return [];
  const participant = participantOf(play);
  const track = { slug: play.track.slug, title: text(play.track.title) };
  const events: RawEvent[] = [];
  if (participant.email && participant.lastName) {
    // What the user typed into the invite or landing-page form: creates or matches the Lead or Contact.
    events.push({ id: `instruqt:${play.id}:form`, type: 'invite.submitted', timestamp: iso(started), participant });
  }
  events.push({ id: `instruqt:${play.id}:started`, type: 'track.started', timestamp: iso(started), participant, track, play: { id: play.id } });
  const spent = Math.max(0, Math.round(play.timeSpent ?? 0));
  const ended = started + spent * 1000;
  if (play.completionPercent >= 100) {
    events.push({
      id: `instruqt:${play.id}:completed`,
      type: 'track.completed',
      timestamp: iso(ended),
      participant,
      track,
      play: { id: play.id, timeSpentSeconds: spent },
    });
  }
  const review = play.playReview;
  const score = typeof review?.score === 'number' ? review.score : undefined;
  const comment = text(review?.content);
  if (review && (score !== undefined || comment !== undefined)) {
    events.push({
      id: `instruqt:${play.id}:review`,
      type: 'review.submitted',
      timestamp: iso(ended),
      participant,
      track,
      play: { id: play.id },
      review: { score, comment },
    });
  }
  if (stats) {
    stats.plays++;
    stats.events += events.length;
    if (!participant.email) stats.anonymousPlays++;
  }
  return events;
}
