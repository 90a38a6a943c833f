/*
 * The four milestone posts of seed 000 (track started; completed with time spent; score; written feedback) as
 * Chatter FeedItem bodies or Task subject/description, and how a post already in the org is recognised again:
 * the first line names the milestone, the last line names the play. That is what makes "posted once per play and
 * milestone" hold when the sync runs again from another machine, with no local state.
 */
import { id15 } from '../salesforce/ids.js';
import { formatTimeSpent } from './fields.js';

export const MILESTONES = ['started', 'completed', 'score', 'feedback'] as const;
export type Milestone = (typeof MILESTONES)[number];

export type PostInput = {
  milestone: Milestone;
  playId: string;
  trackTitle: string;
  timeSpentSeconds?: number;
  score?: number;
  comment?: string;
};

const PREFIX: Record<Milestone, string> = {
  started: 'Started the Instruqt track',
  completed: 'Completed the Instruqt track',
  score: 'Scored the Instruqt track',
  feedback: 'Left feedback on the Instruqt track',
};

const PLAY_LINE = 'Instruqt play: ';

/** The first line of a post, also used as a Task subject (Task.Subject is 255 characters). */
export function postHeadline(p: PostInput): string {
  const track = `"${p.trackTitle}"`;
  switch (p.milestone) {
    case 'started':
      return `${PREFIX.started} ${track}.`;
    case 'completed':
      return `${PREFIX.completed} ${track} in ${formatTimeSpent(p.timeSpentSeconds ?? 0)}.`;
    case 'score':
      return `${PREFIX.score} ${track}: ${p.score ?? ''}.`;
    case 'feedback':
      return `${PREFIX.feedback} ${track}:`;
  }
}

/** The whole post text. FeedItem.Body holds 10,000 characters; a longer comment is cut there. */
export function postBody(p: PostInput): string {
  const lines = [postHeadline(p)];
  if (p.milestone === 'feedback') lines.push((p.comment ?? '').slice(0, 9000));
  lines.push(`${PLAY_LINE}${p.playId}`);
  return lines.join('\n');
}

/** Which play and milestone a FeedItem body (or Task subject + description) is about; undefined for other posts. */
export function recognisePost(text: string | null | undefined): { milestone: Milestone; playId: string } | undefined {
  if (!text) return undefined;
  const milestone = MILESTONES.find((m) => text.startsWith(PREFIX[m] + ' '));
  if (!milestone) return undefined;
  const at = text.lastIndexOf(PLAY_LINE);
  if (at < 0 || (at > 0 && text[at - 1] !== '\n')) return undefined;
  const playId = text.slice(at + PLAY_LINE.length).trim();
  return playId ? { milestone, playId } : undefined;
}

/** A post's identity in the org: parent record, milestone, play. */
export const postKey = (parentId: string, milestone: Milestone, playId: string): string =>
  `${id15(parentId)}|${milestone}|${playId}`;
