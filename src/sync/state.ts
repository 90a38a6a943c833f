/*
 * What the org already holds for one batch, read in a few bulk queries (IN lists, five queries per Composite call):
 * the batch's Plays (by play id and by participant), the people with the batch's emails, the tracks, and the
 * milestone posts already on the people the batch posts to. Planning is a pure function of this snapshot.
 */
/* eslint-disable camelcase -- Salesforce API names (Play_ID__c...) are used as they are */
import { id15 } from '../salesforce/ids.js';
import type { SalesforceClient } from '../salesforce/client.js';
import { chunkForIn, soqlIn } from '../salesforce/soql.js';
import { PLAY_OBJECT, TRACK_OBJECT } from '../footprint/vocabulary.js';
import { emailKey } from './fields.js';
import type { BatchFold } from './fold.js';
import { recognisePost, postKey } from './posts.js';
import { LIMITS } from './fields.js';

export type PlayRecord = {
  Id: string;
  Name?: string | null;
  Play_ID__c: string;
  Participant_ID__c?: string | null;
  User_ID__c?: string | null;
  Lead__c?: string | null;
  Contact__c?: string | null;
  Instruqt_Track__c?: string | null;
  Invitation_Link__c?: string | null;
  Score__c?: number | null;
  Feedback__c?: string | null;
  Time_Spent__c?: string | null;
  Time_Spent_Seconds__c?: number | null;
  CreatedDate?: string;
};

export type PersonRecord = {
  Id: string;
  kind: 'Contact' | 'Lead';
  FirstName?: string | null;
  LastName?: string | null;
  Email?: string | null;
  CreatedDate?: string;
  IsConverted?: boolean;
  ConvertedContactId?: string | null;
};

export type TrackRecord = { Id: string; Name?: string | null; Track_Slug__c?: string | null };

export type OrgState = {
  playsById: Map<string, PlayRecord>;
  /** Plays of each participant id (User_ID__c; Participant_ID__c for plays written before it existed), oldest first. */
  playsByParticipant: Map<string, PlayRecord[]>;
  contactsByEmail: Map<string, PersonRecord[]>;
  leadsByEmail: Map<string, PersonRecord[]>;
  /** Every person record read, by 15-character id prefix. */
  peopleById: Map<string, PersonRecord>;
  tracksBySlug: Map<string, TrackRecord>;
  tracksById: Map<string, TrackRecord>;
};

export const PLAY_FIELDS = [
  'Id',
  'Name',
  'Play_ID__c',
  'Participant_ID__c',
  'User_ID__c',
  'Lead__c',
  'Contact__c',
  'Instruqt_Track__c',
  'Invitation_Link__c',
  'Score__c',
  'Feedback__c',
  'Time_Spent__c',
  'Time_Spent_Seconds__c',
  'CreatedDate',
];

export { id15 };

export function emptyState(): OrgState {
  return {
    playsById: new Map(),
    playsByParticipant: new Map(),
    contactsByEmail: new Map(),
    leadsByEmail: new Map(),
    peopleById: new Map(),
    tracksBySlug: new Map(),
    tracksById: new Map(),
  };
}

/** IN-list chunk size for queries sent inside Composite (no URL limit; SOQL itself may be 100,000 characters). */
const IN_CHARS = 40_000;

/** Runs many queries of the form `prefix IN (...)`, five per Composite call. */
export async function queryIn<T>(
  client: SalesforceClient,
  build: (inList: string) => string,
  values: string[]
): Promise<T[]> {
  if (values.length === 0) return [];
  const soqls = chunkForIn([...new Set(values)], IN_CHARS).map((chunk) => build(soqlIn(chunk)));
  const out: T[] = [];
  for (let i = 0; i < soqls.length; i += 5) {
    const group = soqls.slice(i, i + 5);
    // client.query sends a short query as a GET and a long one in a Composite body, where the URI limits do not apply.
    if (group.length === 1) out.push(...(await client.query<T>(group[0])));
    else for (const rows of await client.queries<T>(group)) out.push(...rows);
  }
  return out;
}

const byAge = (a: { CreatedDate?: string; Id: string }, b: { CreatedDate?: string; Id: string }): number =>
  (a.CreatedDate ?? '').localeCompare(b.CreatedDate ?? '') || a.Id.localeCompare(b.Id);

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Read the org state one batch needs. `leadFields` says which optional Lead fields the org has. */
export async function loadState(
  client: SalesforceClient,
  fold: BatchFold,
  opts: { plays: boolean; convertedLeads: boolean }
): Promise<OrgState> {
  const state = emptyState();
  const emails = new Set<string>();
  for (const p of fold.participants.values()) {
    if (p.email) {
      // SOQL compares case-insensitively; the original spelling is sent too in case an org does not.
      emails.add(p.email);
      emails.add(emailKey(p.email));
    }
  }
  const participantIds = [...fold.participants.keys()].filter((id) => id.length <= LIMITS.userId);
  const playIds = [...fold.plays.keys()];
  const slugs = [...new Set([...fold.plays.values()].flatMap((p) => (p.trackSlug ? [p.trackSlug] : [])))];

  // Plays the batch touches and earlier plays of its participants.
  if (opts.plays) {
    const fields = PLAY_FIELDS.join(', ');
    const plays = [
      ...(await queryIn<PlayRecord>(client, (l) => `SELECT ${fields} FROM ${PLAY_OBJECT} WHERE Play_ID__c IN ${l}`, playIds)),
      ...(await queryIn<PlayRecord>(
        client,
        // Participant_ID__c too: plays written before User_ID__c existed carry a short id only there.
        (l) => `SELECT ${fields} FROM ${PLAY_OBJECT} WHERE User_ID__c IN ${l} OR Participant_ID__c IN ${l}`,
        participantIds
      )),
    ];
    for (const p of plays) state.playsById.set(p.Play_ID__c, p);
    for (const p of [...state.playsById.values()].sort(byAge)) {
      const person = p.User_ID__c ?? p.Participant_ID__c;
      if (person) push(state.playsByParticipant, person, p);
    }
  }

  const leadFields = ['Id', 'FirstName', 'LastName', 'Email', 'CreatedDate'];
  if (opts.convertedLeads) leadFields.push('IsConverted', 'ConvertedContactId');
  const contactFields = 'Id, FirstName, LastName, Email, CreatedDate';
  const addPeople = (records: Array<Omit<PersonRecord, 'kind'>>, kind: 'Contact' | 'Lead'): void => {
    for (const r of records) {
      const person: PersonRecord = { ...r, kind };
      state.peopleById.set(id15(r.Id), person);
    }
  };
  const emailList = [...emails];
  addPeople(await queryIn(client, (l) => `SELECT ${contactFields} FROM Contact WHERE Email IN ${l}`, emailList), 'Contact');
  addPeople(await queryIn(client, (l) => `SELECT ${leadFields.join(', ')} FROM Lead WHERE Email IN ${l}`, emailList), 'Lead');

  // People linked from earlier Plays that the email lookup did not bring (for their names and conversion).
  const linked = { Contact: new Set<string>(), Lead: new Set<string>() };
  for (const p of state.playsById.values()) {
    if (p.Contact__c && !state.peopleById.has(id15(p.Contact__c))) linked.Contact.add(p.Contact__c);
    if (p.Lead__c && !state.peopleById.has(id15(p.Lead__c))) linked.Lead.add(p.Lead__c);
  }
  addPeople(await queryIn(client, (l) => `SELECT ${contactFields} FROM Contact WHERE Id IN ${l}`, [...linked.Contact]), 'Contact');
  addPeople(await queryIn(client, (l) => `SELECT ${leadFields.join(', ')} FROM Lead WHERE Id IN ${l}`, [...linked.Lead]), 'Lead');
  for (const person of [...state.peopleById.values()].sort(byAge)) {
    if (!person.Email) continue;
    push(person.kind === 'Contact' ? state.contactsByEmail : state.leadsByEmail, emailKey(person.Email), person);
  }

  if (opts.plays) {
    const trackIds = [...new Set([...state.playsById.values()].flatMap((p) => (p.Instruqt_Track__c ? [p.Instruqt_Track__c] : [])))];
    const tracks = [
      ...(await queryIn<TrackRecord>(client, (l) => `SELECT Id, Name, Track_Slug__c FROM ${TRACK_OBJECT} WHERE Track_Slug__c IN ${l}`, slugs)),
      ...(await queryIn<TrackRecord>(client, (l) => `SELECT Id, Name, Track_Slug__c FROM ${TRACK_OBJECT} WHERE Id IN ${l}`, trackIds)),
    ];
    for (const t of tracks) {
      if (t.Track_Slug__c) state.tracksBySlug.set(t.Track_Slug__c, t);
      state.tracksById.set(id15(t.Id), t);
    }
  }
  return state;
}

/** Keys (postKey) of the milestone posts already on these parents: FeedItems, or Tasks when activity is 'task'. */
export async function loadPostKeys(
  client: SalesforceClient,
  parentIds: string[],
  activity: 'chatter' | 'task'
): Promise<Set<string>> {
  const keys = new Set<string>();
  if (activity === 'chatter') {
    // FeedItem filtered by ParentId is refused to users without View All Data ("Implementation restriction: FeedItem
    // requires a filter by Id"), the integration user included; each record's feed object reads the same posts.
    for (const [feed, ids] of byFeedObject(parentIds)) {
      const items = await queryIn<{ ParentId: string; Body?: string | null }>(
        client,
        (l) => `SELECT Id, ParentId, Body FROM ${feed} WHERE ParentId IN ${l}`,
        ids
      );
      for (const item of items) {
        const post = recognisePost(item.Body);
        if (post) keys.add(postKey(item.ParentId, post.milestone, post.playId));
      }
    }
  } else {
    const tasks = await queryIn<{ WhoId: string; Description?: string | null }>(
      client,
      (l) => `SELECT Id, WhoId, Description FROM Task WHERE WhoId IN ${l}`,
      parentIds
    );
    for (const task of tasks) {
      const post = recognisePost(task.Description);
      if (post) keys.add(postKey(task.WhoId, post.milestone, post.playId));
    }
  }
  return keys;
}

/** Record feed objects by key prefix of the record posted on (Lead 00Q, Contact 003). */
const FEED_OBJECTS: Record<string, string> = { '00Q': 'LeadFeed', '003': 'ContactFeed' };

/** Parent ids grouped by the feed object that reads their posts; other parents are read through FeedItem. */
function byFeedObject(parentIds: string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const id of parentIds) push(groups, FEED_OBJECTS[id.slice(0, 3)] ?? 'FeedItem', id);
  return groups;
}
