/* eslint-disable camelcase -- Salesforce API names (Play_ID__c...) are used as they are */
import { expect } from 'chai';
import { DEFAULT_CONFIG, type SyncConfig } from '../../src/sync/config.js';
import { foldBatch } from '../../src/sync/fold.js';
import { matchParticipant } from '../../src/sync/matching.js';
import { assemblePlan, planPlays, planPosts, resolvePeople, type Plan, type PlanIssue } from '../../src/sync/plan.js';
import { postKey } from '../../src/sync/posts.js';
import { emptyState, type OrgState, type PersonRecord, type PlayRecord } from '../../src/sync/state.js';
import { completedRaw, events, inviteRaw, reviewRaw, shuffle, startedRaw, type Person } from './fixtures.js';

const ada: Person = { id: 'p-ada', email: 'ada@example.com', firstName: 'Ada', lastName: 'Lovelace', company: 'Analytical Engines' };
const cfgWith = (patch: Partial<SyncConfig> = {}): SyncConfig => ({ ...structuredClone(DEFAULT_CONFIG), ...patch });

function withPeople(people: PersonRecord[], plays: PlayRecord[] = []): OrgState {
  const s = emptyState();
  for (const p of people) {
    s.peopleById.set(p.Id.slice(0, 15), p);
    const map = p.kind === 'Contact' ? s.contactsByEmail : s.leadsByEmail;
    const k = (p.Email ?? '').toLowerCase();
    map.set(k, [...(map.get(k) ?? []), p]);
  }
  for (const p of plays) {
    s.playsById.set(p.Play_ID__c, p);
    const person = p.User_ID__c ?? p.Participant_ID__c;
    if (person) s.playsByParticipant.set(person, [...(s.playsByParticipant.get(person) ?? []), p]);
  }
  return s;
}

function plan(raws: Array<Record<string, unknown>>, state = emptyState(), cfg = cfgWith(), posted = new Set<string>()): Plan {
  const fold = foldBatch(events(raws));
  const people = resolvePeople(fold, state, cfg, 'Open - Not Contacted');
  const issues: PlanIssue[] = [];
  const plays = planPlays(fold, state, people.people, cfg, issues);
  return assemblePlan(people, plays, planPosts(plays.plays, posted, cfg), issues);
}

const contact = (id: string, email: string, first: string, last: string, created = '2020-01-01T00:00:00.000Z'): PersonRecord => ({
  Id: id,
  kind: 'Contact',
  Email: email,
  FirstName: first,
  LastName: last,
  CreatedDate: created,
});
const lead = (id: string, email: string, first: string, last: string, extra: Partial<PersonRecord> = {}): PersonRecord => ({
  Id: id,
  kind: 'Lead',
  Email: email,
  FirstName: first,
  LastName: last,
  CreatedDate: '2020-01-01T00:00:00.000Z',
  ...extra,
});

const strip = (p: Plan): unknown => JSON.parse(JSON.stringify(p, (k, v: unknown) => (k === 'lines' ? undefined : v)));

describe('sync plan: Create Lead on form submission', () => {
  it('creates one Lead with the configured status, source and the form company when nobody matches', () => {
    const p = plan([inviteRaw(ada), inviteRaw(ada, 5)]);
    expect(p.leads).to.have.length(1);
    expect(p.leads[0].fields).to.deep.include({
      FirstName: 'Ada',
      LastName: 'Lovelace',
      Email: 'ada@example.com',
      Company: 'Analytical Engines',
      Status: 'Open - Not Contacted',
      LeadSource: 'Instruqt',
      Title: 'CTO',
    });
  });

  it('uses the company placeholder when the form has none', () => {
    const p = plan([inviteRaw({ ...ada, company: undefined })], emptyState(), cfgWith({ companyPlaceholder: 'Unknown' }));
    expect(p.leads[0].fields.Company).to.equal('Unknown');
  });

  it('does not create a Lead when a Contact has the same email, first and last name (case and spaces aside)', () => {
    const s = withPeople([contact('003000000000001AAA', 'ADA@example.com', ' ada ', 'LOVE lace')]);
    expect(plan([inviteRaw(ada)], s).leads).to.have.length(0);
  });

  it('does not create a Lead when a Lead has the same email and names', () => {
    const s = withPeople([lead('00Q000000000001AAA', 'ada@example.com', 'Ada', 'Lovelace')]);
    expect(plan([inviteRaw(ada)], s).leads).to.have.length(0);
  });

  it('creates a Lead when only the email matches under the email + names rule, not under the email rule', () => {
    const s = withPeople([contact('003000000000001AAA', 'ada@example.com', 'Augusta', 'King')]);
    expect(plan([inviteRaw(ada)], s).leads).to.have.length(1);
    expect(plan([inviteRaw(ada)], s, cfgWith({ matching: { rule: 'email', contactFirst: true } })).leads).to.have.length(0);
  });

  it('creates no Lead with the createLeads workflow off; the play is stored unlinked and counted', () => {
    const p = plan([inviteRaw(ada), startedRaw(ada, 'play-1')], emptyState(), cfgWith({ workflows: { createLeads: false, plays: true, chatter: true } }));
    expect(p.leads).to.have.length(0);
    expect(p.unmatched).to.equal(1);
    expect(p.plays[0].lead ?? p.plays[0].contact).to.equal(undefined);
    expect(p.posts).to.have.length(0);
  });
});

describe('sync matching', () => {
  const fold = foldBatch(events([inviteRaw(ada)]));
  const p = fold.participants.get('p-ada')!;

  it('prefers a Contact over a Lead, or the reverse with contactFirst=false', () => {
    const s = withPeople([lead('00Q000000000001AAA', 'ada@example.com', 'Ada', 'Lovelace'), contact('003000000000001AAA', 'ada@example.com', 'Ada', 'Lovelace')]);
    expect(matchParticipant(p, s, { rule: 'email+names', contactFirst: true })).to.include({ kind: 'Contact', via: 'contact' });
    expect(matchParticipant(p, s, { rule: 'email+names', contactFirst: false })).to.include({ kind: 'Lead', via: 'lead' });
  });

  it('follows a converted Lead to its ConvertedContactId', () => {
    const s = withPeople([lead('00Q000000000001AAA', 'ada@example.com', 'Ada', 'Lovelace', { IsConverted: true, ConvertedContactId: '003000000000009AAA' })]);
    expect(matchParticipant(p, s, { rule: 'email+names', contactFirst: false })).to.include({ kind: 'Contact', id: '003000000000009AAA', via: 'converted-lead' });
  });

  it('links a participant already linked through an earlier Play before any email match', () => {
    const earlier: PlayRecord = { Id: 'a01000000000001AAA', Play_ID__c: 'old', Participant_ID__c: 'p-ada', Lead__c: '00Q000000000007AAA', CreatedDate: '2021-01-01' };
    const s = withPeople([contact('003000000000001AAA', 'ada@example.com', 'Ada', 'Lovelace')], [earlier]);
    expect(matchParticipant(p, s, { rule: 'email+names', contactFirst: true })).to.include({ kind: 'Lead', id: '00Q000000000007AAA', via: 'earlier-play' });
  });

  it('takes the oldest of several matching Contacts', () => {
    const s = withPeople([
      contact('003000000000002AAA', 'ada@example.com', 'Ada', 'Lovelace', '2022-01-01T00:00:00.000Z'),
      contact('003000000000001AAA', 'ada@example.com', 'Ada', 'Lovelace', '2021-01-01T00:00:00.000Z'),
    ]);
    s.contactsByEmail.get('ada@example.com')!.sort((a, b) => (a.CreatedDate ?? '').localeCompare(b.CreatedDate ?? ''));
    expect(matchParticipant(p, s, { rule: 'email+names', contactFirst: true })?.id).to.equal('003000000000001AAA');
  });
});

describe('sync plan: Plays and posts', () => {
  const full = [
    inviteRaw(ada),
    startedRaw(ada, 'play-77'),
    completedRaw(ada, 'play-77', 1834),
    reviewRaw(ada, 'play-77', { score: 4, comment: 'Great lab' }),
  ];

  it('plans a Track, a linked Play with every field, and the four posts', () => {
    const p = plan(full);
    expect(p.tracks).to.deep.equal([{ slug: 'kubernetes-101', fields: { Name: 'Kubernetes 101', Track_Slug__c: 'kubernetes-101' } }]);
    expect(p.plays).to.have.length(1);
    expect(p.plays[0].fields).to.deep.equal({
      Play_ID__c: 'play-77',
      Participant_ID__c: 'p-ada',
      User_ID__c: 'p-ada',
      Invitation_Link__c: 'https://play.instruqt.com/invite/p-ada',
      Time_Spent_Seconds__c: 1834,
      Time_Spent__c: '30m 34s',
      Score__c: 4,
      Feedback__c: 'Great lab',
      Name: 'Kubernetes 101 - Ada Lovelace',
    });
    expect(p.plays[0].lead).to.deep.equal({ newLead: p.leads[0].key });
    expect(p.plays[0].track).to.deep.equal({ newTrack: 'kubernetes-101' });
    expect(p.posts.map((x) => x.milestone)).to.deep.equal(['started', 'completed', 'score', 'feedback']);
    expect(p.linked).to.equal(1);
  });

  it('plans the same for shuffled and duplicated input as for the ordered input', () => {
    const dup = [...full, ...full.slice(1)];
    expect(strip(plan(shuffle(dup, 7)))).to.deep.equal(strip(plan(full)));
    expect(strip(plan(shuffle(full, 3)))).to.deep.equal(strip(plan(full)));
  });

  it('plans nothing for a batch the org already reflects, posts included', () => {
    const existing: PlayRecord = {
      Id: 'a01000000000001AAA',
      Play_ID__c: 'play-77',
      Name: 'Kubernetes 101 - Ada Lovelace',
      Participant_ID__c: 'p-ada',
      User_ID__c: 'p-ada',
      Lead__c: '00Q000000000001AAA',
      Instruqt_Track__c: 'a02000000000001AAA',
      Invitation_Link__c: 'https://play.instruqt.com/invite/p-ada',
      Time_Spent_Seconds__c: 1834,
      Time_Spent__c: '30m 34s',
      Score__c: 4,
      Feedback__c: 'Great lab',
    };
    const s = withPeople([lead('00Q000000000001AAA', 'ada@example.com', 'Ada', 'Lovelace')], [existing]);
    s.tracksBySlug.set('kubernetes-101', { Id: 'a02000000000001AAA', Name: 'Kubernetes 101', Track_Slug__c: 'kubernetes-101' });
    const posted = new Set(['started', 'completed', 'score', 'feedback'].map((m) => postKey('00Q000000000001AAA', m as 'started', 'play-77')));
    const p = plan(full, s, cfgWith(), posted);
    expect(p.leads.length + p.tracks.length + p.plays.length + p.posts.length).to.equal(0);
    // Only the missing post is planned.
    posted.delete(postKey('00Q000000000001AAA', 'score', 'play-77'));
    expect(plan(full, s, cfgWith(), posted).posts.map((x) => x.milestone)).to.deep.equal(['score']);
  });

  it('never overwrites a value the org already has (first value wins)', () => {
    const existing: PlayRecord = { Id: 'a01000000000001AAA', Play_ID__c: 'play-77', Name: 'X', Score__c: 2, Lead__c: '00Q000000000001AAA', Participant_ID__c: 'p-ada' };
    const s = withPeople([], [existing]);
    const p = plan([reviewRaw(ada, 'play-77', { score: 5 })], s);
    expect(p.plays[0]?.fields.Score__c).to.equal(undefined);
  });

  it('truncates feedback over 255 characters with a warning and keeps the full comment in the post', () => {
    const comment = 'A'.repeat(300);
    const p = plan([startedRaw(ada, 'play-1'), reviewRaw(ada, 'play-1', { comment })], withPeople([contact('003000000000001AAA', 'ada@example.com', 'Ada', 'Lovelace')]));
    expect((p.plays[0].fields.Feedback__c as string).length).to.equal(255);
    expect(p.issues).to.deep.include({ field: 'Feedback__c', action: 'truncated', reason: p.issues[0].reason, playId: 'play-1', line: 2 });
    expect(p.posts.find((x) => x.milestone === 'feedback')?.body).to.contain(comment);
  });

  it('skips a score outside 0-9 (reported) and keeps a 28-character participant id whole in User_ID__c, never cut into Participant_ID__c', () => {
    const long: Person = { ...ada, id: 'p'.repeat(28) };
    const p = plan([startedRaw(long, 'play-1'), reviewRaw(long, 'play-1', { score: 12 })]);
    expect(p.plays[0].fields).to.not.have.property('Score__c');
    expect(p.plays[0].fields).to.not.have.property('Participant_ID__c');
    expect(p.plays[0].fields.User_ID__c).to.equal('p'.repeat(28));
    expect(p.issues.map((i) => i.field).sort()).to.deep.equal(['Score__c']);
  });

  it('links plays stored unlinked by an earlier batch once their participant is known', () => {
    const orphan: PlayRecord = { Id: 'a01000000000001AAA', Play_ID__c: 'play-9', Name: 'K - ada@example.com', Participant_ID__c: 'p-ada', Time_Spent_Seconds__c: 60 };
    const s = withPeople([], [orphan]);
    const p = plan([inviteRaw(ada)], s);
    expect(p.plays).to.have.length(1);
    expect(p.plays[0].lead).to.deep.equal({ newLead: p.leads[0].key });
    expect(p.posts.map((x) => x.milestone)).to.deep.equal(['started', 'completed']);
  });

  it('writes no Play and no Track with the plays workflow off, and posts what the events say', () => {
    const p = plan(full, emptyState(), cfgWith({ workflows: { createLeads: true, plays: false, chatter: true } }));
    expect(p.plays).to.have.length(0);
    expect(p.tracks).to.have.length(0);
    expect(p.posts).to.have.length(4);
  });

  it('posts nothing with the chatter workflow off', () => {
    expect(plan(full, emptyState(), cfgWith({ workflows: { createLeads: true, plays: true, chatter: false } })).posts).to.have.length(0);
  });
});
