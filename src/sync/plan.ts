/*
 * The plan of one batch, computed from its folded events and the org's state: Leads to create, people to link,
 * Tracks and Plays to write, milestone posts to make. A plan is data: --dry-run prints it, the writers apply it.
 * Every field is "first value wins": a value already in the org is never overwritten, so re-running a batch (after a
 * kill, or from another machine) plans nothing new, and out-of-order input converges to the ordered result.
 */
/* eslint-disable camelcase -- Salesforce API names (Play_ID__c...) are used as they are */
import type { SyncConfig } from './config.js';
import {
  displayName,
  emailKey,
  fitFeedback,
  fitInvitationLink,
  fitParticipantId,
  fitScore,
  fitTimeSpentSeconds,
  fitUserId,
  formatTimeSpent,
  playName,
  truncate,
  LIMITS,
  type FieldIssue,
  type Fitted,
} from './fields.js';
import type { BatchFold, ParticipantFold, PlayFold } from './fold.js';
import { matchParticipant, personKey, type PersonRef } from './matching.js';
import { postBody, postHeadline, postKey, type Milestone } from './posts.js';
import { id15, type OrgState, type PlayRecord } from './state.js';

/** A record id, or a record this plan creates (resolved by the writers once it exists). */
export type Ref = { id: string } | { newLead: string } | { newTrack: string };

export type LeadCreate = { key: string; fields: Record<string, unknown>; participantIds: string[]; lines: number[] };
export type TrackCreate = { slug: string; fields: { Name: string; Track_Slug__c: string } };
export type PlayWrite = {
  playId: string;
  isNew: boolean;
  /** Plain field values; Play_ID__c always included (upsert key). */
  fields: Record<string, unknown>;
  lead?: Ref;
  contact?: Ref;
  track?: Ref;
  lines: number[];
};
export type PostCreate = {
  parent: Ref;
  milestone: Milestone;
  playId: string;
  headline: string;
  body: string;
  lines: number[];
};
export type PlanIssue = FieldIssue & { playId?: string; line?: number };

export type PlayPlan = {
  playId: string;
  existed: boolean;
  write?: PlayWrite;
  /** Where the play's posts go: its existing link, or the person linked now. */
  parent?: Ref;
  linkedNow: boolean;
  unmatched: boolean;
  trackTitle: string;
  /** Values the play ends with (org + batch); `started` false only when Play records are off and no start was seen. */
  final: { started: boolean; timeSpentSeconds?: number; score?: number; comment?: string };
  lines: number[];
};

export type Plan = {
  leads: LeadCreate[];
  tracks: TrackCreate[];
  plays: PlayWrite[];
  posts: PostCreate[];
  /** Plays linked to a person by this plan. */
  linked: number;
  /** Plays stored without a Lead or Contact (no match, or the createLeads workflow is off). */
  unmatched: number;
  issues: PlanIssue[];
};

export type People = { people: Map<string, PersonRef>; leads: LeadCreate[] };

/** A new Lead from a form submission; Company is required, so a placeholder stands in when the form has none. */
function newLeadFields(p: ParticipantFold, cfg: SyncConfig, leadStatus?: string): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    FirstName: p.firstName,
    LastName: p.lastName,
    Email: p.email,
    Company: p.company ?? cfg.companyPlaceholder,
    Phone: p.phone,
    Title: p.title,
    Status: leadStatus,
    LeadSource: cfg.leadSource,
  };
  for (const k of Object.keys(fields)) if (fields[k] === undefined) delete fields[k];
  return fields;
}

/** Step 1: who every participant of the batch is; Leads to create for form submissions nobody matches. */
export function resolvePeople(fold: BatchFold, state: OrgState, cfg: SyncConfig, leadStatus?: string): People {
  const people = new Map<string, PersonRef>();
  const leads = new Map<string, LeadCreate>();
  const rule = cfg.matching.rule;
  const pending: ParticipantFold[] = [];
  for (const p of fold.participants.values()) {
    const match = matchParticipant(p, state, cfg.matching);
    if (match) people.set(p.id, match);
    else pending.push(p);
  }
  // Form submissions first: they create Leads the other participants of the batch may then match.
  if (cfg.workflows.createLeads) {
    for (const p of pending) {
      if (!p.submitted || !p.email || !p.lastName) continue;
      const key = personKey(rule, p.email, p.firstName, p.lastName);
      let lead = leads.get(key);
      if (!lead) {
        lead = { key, fields: newLeadFields(p, cfg, leadStatus), participantIds: [], lines: [] };
        leads.set(key, lead);
      }
      lead.participantIds.push(p.id);
      lead.lines.push(...p.lines);
      people.set(p.id, { kind: 'Lead', newLead: key, firstName: p.firstName, lastName: p.lastName, via: 'new-lead' });
    }
    const byEmail = new Map<string, LeadCreate>();
    for (const l of leads.values()) if (!byEmail.has(emailKey(String(l.fields.Email)))) byEmail.set(emailKey(String(l.fields.Email)), l);
    for (const p of pending) {
      if (people.has(p.id) || !p.email) continue;
      const lead =
        leads.get(personKey(rule, p.email, p.firstName, p.lastName)) ??
        // A participant who gave no names matches a new Lead by email alone, as against existing records.
        (p.firstName === undefined && p.lastName === undefined ? byEmail.get(emailKey(p.email)) : undefined);
      if (lead) {
        people.set(p.id, {
          kind: 'Lead',
          newLead: lead.key,
          firstName: lead.fields.FirstName as string | undefined,
          lastName: lead.fields.LastName as string | undefined,
          via: 'new-lead',
        });
      }
    }
  }
  return { people, leads: [...leads.values()] };
}

const refOfPerson = (p: PersonRef): Ref => (p.id ? { id: p.id } : { newLead: p.newLead! });

function trackTitleOf(f: PlayFold, existing: PlayRecord | undefined, state: OrgState): string {
  const track =
    (existing?.Instruqt_Track__c ? state.tracksById.get(id15(existing.Instruqt_Track__c)) : undefined) ??
    (f.trackSlug ? state.tracksBySlug.get(f.trackSlug) : undefined);
  return f.trackTitle ?? track?.Name ?? f.trackSlug ?? 'Instruqt track';
}

/** Who a play is for, in its name: the linked person's name, else the participant's, else email or id. */
function personLabel(f: PlayFold, person?: PersonRef, participant?: ParticipantFold): string {
  return (
    displayName(person?.firstName, person?.lastName) ??
    displayName(participant?.firstName, participant?.lastName) ??
    participant?.email ??
    f.participantId
  );
}

/** Fit `incoming` into a field the org has no value for yet; undefined when the field keeps its value. */
function filler(issue: (i?: FieldIssue) => void): <T, V>(have: unknown, incoming: T | undefined, fit: (v: T) => Fitted<V>) => V | undefined {
  return <T, V>(have: unknown, incoming: T | undefined, fit: (v: T) => Fitted<V>): V | undefined => {
    if ((have !== undefined && have !== null && have !== '') || incoming === undefined) return undefined;
    const r = fit(incoming);
    issue(r.issue);
    return r.value;
  };
}

/** The values this batch adds to a play (first value wins: only fields still empty in the org). */
function newValues(f: PlayFold, existing: PlayRecord | undefined, issue: (i?: FieldIssue) => void): Record<string, unknown> {
  const take = filler(issue);
  const fields: Record<string, unknown> = {};
  const set = (name: string, value: unknown): void => {
    if (value !== undefined) fields[name] = value;
  };
  set('User_ID__c', take(existing?.User_ID__c, f.participantId, fitUserId));
  set('Participant_ID__c', take(existing?.Participant_ID__c, f.participantId, fitParticipantId));
  set('Invitation_Link__c', take(existing?.Invitation_Link__c, f.inviteUrl, fitInvitationLink));
  const seconds = take(existing?.Time_Spent_Seconds__c, f.timeSpentSeconds, fitTimeSpentSeconds);
  set('Time_Spent_Seconds__c', seconds);
  set('Time_Spent__c', seconds === undefined ? undefined : formatTimeSpent(seconds));
  set('Score__c', take(existing?.Score__c, f.score, fitScore));
  set('Feedback__c', take(existing?.Feedback__c, f.comment, fitFeedback));
  return fields;
}

/** What the play holds once this batch is written (the posts are made from it). */
function finalValues(f: PlayFold, existing: PlayRecord | undefined, fields: Record<string, unknown>): PlayPlan['final'] {
  return {
    started: true,
    timeSpentSeconds: existing?.Time_Spent_Seconds__c ?? (fields.Time_Spent_Seconds__c as number | undefined),
    score: existing?.Score__c ?? (fields.Score__c as number | undefined),
    comment: f.comment ?? existing?.Feedback__c ?? undefined,
  };
}

/** Step 2: the write (if any) and the final values of one play. */
export function planPlay(
  f: PlayFold,
  existing: PlayRecord | undefined,
  person: PersonRef | undefined,
  participant: ParticipantFold | undefined,
  state: OrgState,
  issues: PlanIssue[]
): PlayPlan {
  const lineOf: Record<string, number | undefined> = {
    Score__c: f.valueLines.score,
    Feedback__c: f.valueLines.comment,
    Time_Spent_Seconds__c: f.valueLines.timeSpentSeconds,
    Invitation_Link__c: f.valueLines.inviteUrl,
  };
  const issue = (i?: FieldIssue): void => {
    if (i) issues.push({ ...i, playId: f.playId, line: lineOf[i.field] ?? f.lines[0] });
  };
  const fields = newValues(f, existing, issue);
  const write: PlayWrite = { playId: f.playId, isNew: !existing, fields: { Play_ID__c: f.playId, ...fields }, lines: f.lines };
  if (!existing?.Instruqt_Track__c && f.trackSlug) {
    const track = state.tracksBySlug.get(f.trackSlug);
    write.track = track ? { id: track.Id } : { newTrack: f.trackSlug };
  }
  const final = finalValues(f, existing, fields);

  const linked = existing?.Contact__c ?? existing?.Lead__c;
  const parent: Ref | undefined = linked ? { id: linked } : person ? refOfPerson(person) : undefined;
  const linkedNow = !linked && !!person;
  if (linkedNow && person) {
    if (person.kind === 'Contact') write.contact = parent;
    else write.lead = parent;
  }
  const trackTitle = trackTitleOf(f, existing, state);
  if (!existing || linkedNow || !existing.Name) {
    const name = playName(trackTitle, personLabel(f, person, participant));
    if (name !== existing?.Name) write.fields.Name = name;
  }
  const changed = !existing || Object.keys(write.fields).length > 1 || !!write.track || linkedNow;
  return {
    playId: f.playId,
    existed: !!existing,
    write: changed ? write : undefined,
    parent,
    linkedNow,
    unmatched: !parent,
    trackTitle,
    final,
    lines: f.lines,
  };
}

/** Step 2 for the whole batch: tracks to create and every play's plan, including earlier unlinked plays to link now. */
export function planPlays(
  fold: BatchFold,
  state: OrgState,
  people: Map<string, PersonRef>,
  cfg: SyncConfig,
  issues: PlanIssue[]
): { tracks: TrackCreate[]; plays: PlayPlan[] } {
  const plays: PlayPlan[] = [];
  const tracks = new Map<string, TrackCreate>();
  if (!cfg.workflows.plays) {
    // Without Play records, posts follow the events alone.
    for (const f of fold.plays.values()) {
      const person = people.get(f.participantId);
      plays.push({
        playId: f.playId,
        existed: false,
        parent: person ? refOfPerson(person) : undefined,
        linkedNow: false,
        unmatched: !person,
        trackTitle: f.trackTitle ?? f.trackSlug ?? 'Instruqt track',
        final: {
          started: f.started,
          timeSpentSeconds: f.timeSpentSeconds,
          score: f.score !== undefined ? fitScore(f.score).value : undefined,
          comment: f.comment,
        },
        lines: f.lines,
      });
    }
    return { tracks: [], plays };
  }
  for (const f of fold.plays.values()) {
    if (f.trackSlug && !state.tracksBySlug.has(f.trackSlug) && !tracks.has(f.trackSlug)) {
      tracks.set(f.trackSlug, {
        slug: f.trackSlug,
        fields: { Name: truncate(f.trackTitle ?? f.trackSlug, LIMITS.trackName), Track_Slug__c: f.trackSlug },
      });
    }
    const person = people.get(f.participantId);
    plays.push(planPlay(f, state.playsById.get(f.playId), person, fold.participants.get(f.participantId), state, issues));
  }
  // Plays stored unlinked by an earlier batch whose participant this batch identifies (out-of-order input).
  for (const [participantId, person] of people) {
    for (const existing of state.playsByParticipant.get(participantId) ?? []) {
      if (existing.Lead__c ?? existing.Contact__c ?? fold.plays.has(existing.Play_ID__c)) continue;
      const f: PlayFold = { playId: existing.Play_ID__c, participantId, started: true, valueLines: {}, lines: [], eventIds: [] };
      plays.push(planPlay(f, existing, person, fold.participants.get(participantId), state, issues));
    }
  }
  return { tracks: [...tracks.values()], plays };
}

/** Existing people whose posts must be read before planning posts: parents of plays that were already in the org. */
export function parentsToCheck(plays: PlayPlan[], cfg: SyncConfig): string[] {
  const ids = new Set<string>();
  for (const p of plays) {
    // A play new to the org cannot have posts yet: posts are written after their Play.
    if (p.parent && 'id' in p.parent && (p.existed || !cfg.workflows.plays)) ids.add(p.parent.id);
  }
  return [...ids];
}

/** Step 3: the milestone posts each play should have and does not. */
export function planPosts(plays: PlayPlan[], existingPosts: Set<string>, cfg: SyncConfig): PostCreate[] {
  if (!cfg.workflows.chatter) return [];
  const posts: PostCreate[] = [];
  for (const p of plays) {
    if (!p.parent) continue;
    const parentId = 'id' in p.parent ? p.parent.id : undefined;
    const want: Milestone[] = p.final.started ? ['started'] : [];
    if (p.final.timeSpentSeconds !== undefined) want.push('completed');
    if (p.final.score !== undefined) want.push('score');
    if (p.final.comment) want.push('feedback');
    for (const milestone of want) {
      if (parentId && existingPosts.has(postKey(parentId, milestone, p.playId))) continue;
      const input = {
        milestone,
        playId: p.playId,
        trackTitle: p.trackTitle,
        timeSpentSeconds: p.final.timeSpentSeconds,
        score: p.final.score,
        comment: p.final.comment,
      };
      posts.push({ parent: p.parent, milestone, playId: p.playId, headline: postHeadline(input), body: postBody(input), lines: p.lines });
    }
  }
  return posts;
}

/** The whole plan of a batch from its parts. */
export function assemblePlan(people: People, plays: { tracks: TrackCreate[]; plays: PlayPlan[] }, posts: PostCreate[], issues: PlanIssue[]): Plan {
  return {
    leads: people.leads,
    tracks: plays.tracks,
    plays: plays.plays.flatMap((p) => (p.write ? [p.write] : [])),
    posts,
    linked: plays.plays.filter((p) => p.linkedNow).length,
    unmatched: plays.plays.filter((p) => p.unmatched).length,
    issues,
  };
}

export const isEmptyPlan = (p: Plan): boolean =>
  p.leads.length + p.tracks.length + p.plays.length + p.posts.length === 0;
