/*
 * How event values fit the footprint's fields (seed 000's field table is normative): Play name within Text(80),
 * Time_Spent__c Text(15) human readable, Feedback__c TextArea(255), Participant_ID__c Text(15), Score__c Number(1,0);
 * the participant id goes whole into User_ID__c Text(255) (an addition), and into Participant_ID__c only when it fits.
 * A value that does not fit is truncated when nothing is lost elsewhere, otherwise skipped; both are reported.
 */

export const LIMITS = {
  playName: 80,
  trackName: 80,
  feedback: 255,
  participantId: 15,
  userId: 255,
  timeSpent: 15,
  invitationLink: 255,
  trackSlug: 255,
  playId: 255,
  timeSpentSecondsMax: 9_999_999_999,
} as const;

export type FieldIssue = { field: string; action: 'truncated' | 'skipped'; reason: string };
export type Fitted<T> = { value?: T; issue?: FieldIssue };

/** Cut to `max` characters, ending with an ellipsis when cut. Surrogate pairs are not split. */
export function truncate(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  return chars.slice(0, max - 1).join('') + '…';
}

const length = (s: string): number => [...s].length;

/** 1834 -> "30m 34s", 3605 -> "1h 0m 5s", 59 -> "59s"; at most 15 characters (Time_Spent__c is Text(15)). */
export function formatTimeSpent(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const text = h > 0 ? `${h}h ${m}m ${sec}s` : m > 0 ? `${m}m ${sec}s` : `${sec}s`;
  return text.length <= LIMITS.timeSpent ? text : `${h}h ${m}m`;
}

export function fitFeedback(comment: string): Fitted<string> {
  if (length(comment) <= LIMITS.feedback) return { value: comment };
  return {
    value: truncate(comment, LIMITS.feedback),
    issue: {
      field: 'Feedback__c',
      action: 'truncated',
      reason: `feedback has ${length(comment)} characters, the field holds ${LIMITS.feedback}; the full comment is in the feedback post`,
    },
  };
}

/** Participant_ID__c holds an id of up to 15 characters; a longer one is left out (never cut): User_ID__c has it whole. */
export function fitParticipantId(id: string): Fitted<string> {
  return length(id) <= LIMITS.participantId ? { value: id } : {};
}

export function fitUserId(id: string): Fitted<string> {
  if (length(id) <= LIMITS.userId) return { value: id };
  return {
    issue: {
      field: 'User_ID__c',
      action: 'skipped',
      reason: `participant id has ${length(id)} characters, the field holds ${LIMITS.userId}`,
    },
  };
}

export function fitScore(score: number): Fitted<number> {
  if (Number.isInteger(score) && score >= 0 && score <= 9) return { value: score };
  return {
    issue: { field: 'Score__c', action: 'skipped', reason: `score ${score} is not a whole number from 0 to 9` },
  };
}

export function fitTimeSpentSeconds(seconds: number): Fitted<number> {
  if (seconds <= LIMITS.timeSpentSecondsMax) return { value: seconds };
  return {
    issue: { field: 'Time_Spent_Seconds__c', action: 'skipped', reason: `time spent ${seconds}s does not fit Number(10,0)` },
  };
}

export function fitInvitationLink(url: string): Fitted<string> {
  if (length(url) <= LIMITS.invitationLink && /^https?:\/\/\S+$/i.test(url)) return { value: url };
  return {
    issue: {
      field: 'Invitation_Link__c',
      action: 'skipped',
      reason: `invitation link is not an http(s) URL of at most ${LIMITS.invitationLink} characters`,
    },
  };
}

/** "<track title> - <person>" within 80 characters: the person keeps up to 38, the title gets the rest. */
export function playName(trackTitle: string, person: string): string {
  const full = `${trackTitle} - ${person}`;
  if (length(full) <= LIMITS.playName) return full;
  const who = truncate(person, Math.min(38, length(person)));
  const room = LIMITS.playName - 3 - length(who);
  return `${truncate(trackTitle, room)} - ${who}`;
}

/** Name comparison key: case- and whitespace-insensitive (seed 000: "same email address, first name and last name"). */
export function nameKey(name: string | undefined | null): string {
  return (name ?? '').normalize('NFC').replace(/\s+/g, '').toLowerCase();
}

/** Email comparison key (SOQL compares strings case-insensitively; so do we). */
export function emailKey(email: string | undefined | null): string {
  return (email ?? '').trim().toLowerCase();
}

/** "First Last", or undefined when neither is known. */
export function displayName(first?: string | null, last?: string | null): string | undefined {
  const n = [first, last]
    .filter((x): x is string => typeof x === 'string' && x.trim() !== '')
    .map((x) => x.trim())
    .join(' ');
  return n === '' ? undefined : n;
}
