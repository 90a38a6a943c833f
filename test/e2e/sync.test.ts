/* eslint-disable camelcase -- Salesforce API names */
/*
 * `sf instruqt sync` end to end: the real sf CLI, logged in as the integration user of a local org with the
 * footprint installed, for every workflow and matching rule; each test asserts the org's records afterwards.
 */
import { mkdtempSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Ajv } from 'ajv';
import { SfRunner, repoRoot, type SfResult } from '../helpers/sf.js';
import type { SyncResult } from '../../src/sync/engine.js';
import { startSyncOrg, seedPerson, type SyncOrg } from '../sync/org-fixture.js';
import { completedRaw, inviteRaw, ndjson, reviewRaw, shuffle, startedRaw, type Person } from '../sync/fixtures.js';
import { snapshot } from '../sync/snapshot.js';

type Env = { o: SyncOrg; alias: string; dir: string };

const ada: Person = { id: 'p-ada', email: "Ada.O'Brien@Example.com", firstName: 'Ada', lastName: "O'Brien", company: 'Analytical Engines' };
const grace: Person = { id: 'p-grace', email: 'grace@example.com', firstName: 'Grace', lastName: 'Hopper' };

function onePlay(p: Person, playId: string, review: { score?: number; comment?: string } = { score: 4, comment: 'Great lab' }): Array<Record<string, unknown>> {
  return [inviteRaw(p), startedRaw(p, playId), completedRaw(p, playId, 1834), reviewRaw(p, playId, review)];
}

async function setup(): Promise<Env> {
  const sf = SfRunner.get();
  const o = await startSyncOrg();
  const alias = `sync-${o.local.orgId.slice(-6)}-${Math.random().toString(36).slice(2, 6)}`;
  await sf.login(o.local.instanceUrl, o.integrationToken, alias);
  return { o, alias, dir: mkdtempSync(join(tmpdir(), 'sync-e2e-')) };
}

async function sync(env: Env, input: string, extra: string[] = [], config?: Record<string, unknown>): Promise<SfResult<SyncResult>> {
  const file = join(env.dir, `events-${Date.now()}.ndjson`);
  writeFileSync(file, input);
  const defaults = ['--journal-dir', join(env.dir, 'journal'), '--failed-records', join(env.dir, 'failed.ndjson')];
  const own = defaults.filter((d, i) => !(i % 2 === 0 ? extra.includes(d) : extra.includes(defaults[i - 1])));
  const args = ['instruqt', 'sync', '-o', env.alias, '--file', file, '--json', ...own, ...extra];
  if (config) {
    const cfg = join(env.dir, `config-${Date.now()}.json`);
    writeFileSync(cfg, JSON.stringify(config));
    args.push('--config', cfg);
  }
  return SfRunner.get().run<SyncResult>(args, { timeoutMs: 180_000 });
}

const leadsOf = (o: SyncOrg, email: string): Array<Record<string, unknown>> =>
  o.records('Lead').filter((l) => String(l.Email).toLowerCase() === email.toLowerCase());
const postsOn = (o: SyncOrg, parentId: unknown): string[] =>
  o.records('FeedItem').filter((f) => f.ParentId === parentId).map((f) => String(f.Body)).sort();

describe('sf instruqt sync (end to end)', function () {
  this.timeout(300_000);
  let env: Env;
  beforeEach(async () => {
    env = await setup();
  });
  afterEach(async () => env.o.stop());

  it('creates a Lead on form submission, a Track, a linked Play and the four Chatter posts', async () => {
    const r = await sync(env, ndjson(onePlay(ada, 'play-77')));
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    const leads = leadsOf(env.o, ada.email);
    expect(leads).to.have.length(1);
    expect(leads[0]).to.include({ FirstName: 'Ada', LastName: "O'Brien", Company: 'Analytical Engines', Status: 'Open - Not Contacted', LeadSource: 'Instruqt', Title: 'CTO' });
    const [track] = env.o.records('Instruqt_Track__c');
    expect(track).to.include({ Name: 'Kubernetes 101', Track_Slug__c: 'kubernetes-101' });
    const [play] = env.o.records('Instruqt_Play__c');
    expect(play).to.include({
      Name: "Kubernetes 101 - Ada O'Brien",
      Play_ID__c: 'play-77',
      Lead__c: leads[0].Id,
      Instruqt_Track__c: track.Id,
      Participant_ID__c: 'p-ada',
      Invitation_Link__c: 'https://play.instruqt.com/invite/p-ada',
      Time_Spent__c: '30m 34s',
      Time_Spent_Seconds__c: 1834,
      Score__c: 4,
      Feedback__c: 'Great lab',
    });
    const posts = postsOn(env.o, leads[0].Id);
    expect(posts).to.have.length(4);
    expect(posts.join('\n')).to.contain('Completed the Instruqt track "Kubernetes 101" in 30m 34s.');
    expect(r.json?.result).to.deep.include({ leads: { created: 1 }, tracks: { created: 1 } });
    expect(r.json?.result.posts.total).to.equal(4);
    const validate = new Ajv({ allErrors: true, strict: false, logger: false }).compile(JSON.parse(readFileSync(join(repoRoot, 'schemas', 'instruqt-sync.json'), 'utf8')) as object);
    expect(validate(r.json?.result), JSON.stringify(validate.errors)).to.equal(true);
  });

  it('posts nothing twice and creates nothing twice when the same input runs again from another machine', async () => {
    const input = ndjson([...onePlay(ada, 'play-1'), ...onePlay(grace, 'play-2')]);
    expect((await sync(env, input)).code).to.equal(0);
    // Another machine: no journal.
    const again = await sync(env, input, ['--journal-dir', join(env.dir, 'elsewhere')]);
    expect(again.code, again.stdout).to.equal(0);
    expect(again.json?.result.leads.created).to.equal(0);
    expect(again.json?.result.posts.total).to.equal(0);
    expect(again.json?.result.plays).to.deep.include({ created: 0, updated: 0 });
    expect(env.o.records('Lead')).to.have.length(2);
    expect(env.o.records('Instruqt_Play__c')).to.have.length(2);
    expect(env.o.records('FeedItem')).to.have.length(8);
  });

  it('does not create a Lead when a Contact has the same email, first and last name, and links the Contact', async () => {
    const c = seedPerson(env.o.local, 'Contact', { FirstName: 'ada ', LastName: " O'BRIEN", Email: ada.email.toLowerCase() });
    seedPerson(env.o.local, 'Lead', { FirstName: 'Ada', LastName: "O'Brien", Email: ada.email });
    const r = await sync(env, ndjson(onePlay(ada, 'play-1')));
    expect(r.code, r.stdout).to.equal(0);
    expect(leadsOf(env.o, ada.email)).to.have.length(1);
    expect(env.o.records('Instruqt_Play__c')[0]).to.include({ Contact__c: c.Id, Lead__c: null });
    expect(postsOn(env.o, c.Id)).to.have.length(4);
  });

  it('links a participant already linked through an earlier Play before matching by email', async () => {
    const c = seedPerson(env.o.local, 'Contact', { FirstName: 'Ada', LastName: "O'Brien", Email: ada.email });
    expect((await sync(env, ndjson([startedRaw(ada, 'play-1')]))).code).to.equal(0);
    // Same participant id, now with an address that a Lead has.
    seedPerson(env.o.local, 'Lead', { FirstName: 'Ada', LastName: "O'Brien", Email: 'ada@new-employer.example' });
    const moved: Person = { ...ada, email: 'ada@new-employer.example' };
    const r = await sync(env, ndjson([startedRaw(moved, 'play-2'), completedRaw(moved, 'play-2', 90)]), ['--journal-dir', join(env.dir, 'j2')]);
    expect(r.code, r.stdout).to.equal(0);
    const plays = new Map(env.o.records('Instruqt_Play__c').map((p) => [p.Play_ID__c, p]));
    expect(plays.get('play-1')).to.include({ Contact__c: c.Id });
    expect(plays.get('play-2')).to.include({ Contact__c: c.Id, Lead__c: null });
    expect(postsOn(env.o, c.Id)).to.have.length(3);
  });

  it('prefers the Lead with contactFirst=false, and follows a converted Lead to its Contact', async () => {
    const c = seedPerson(env.o.local, 'Contact', { FirstName: 'Ada', LastName: "O'Brien", Email: ada.email });
    const lead = seedPerson(env.o.local, 'Lead', { FirstName: 'Ada', LastName: "O'Brien", Email: ada.email });
    const converted = seedPerson(env.o.local, 'Lead', { FirstName: 'Grace', LastName: 'Hopper', Email: grace.email });
    const graceContact = seedPerson(env.o.local, 'Contact', { FirstName: 'Grace', LastName: 'Hopper', Email: 'g.hopper@navy.example' });
    env.o.local.org.update('Lead', converted.Id, { IsConverted: true, ConvertedContactId: graceContact.Id });
    const r = await sync(env, ndjson([...onePlay(ada, 'play-a'), ...onePlay(grace, 'play-g')]), [], { matching: { contactFirst: false } });
    expect(r.code, r.stdout).to.equal(0);
    const plays = new Map(env.o.records('Instruqt_Play__c').map((p) => [p.Play_ID__c, p]));
    expect(plays.get('play-a')).to.include({ Lead__c: lead.Id, Contact__c: null });
    expect(plays.get('play-g')).to.include({ Contact__c: graceContact.Id });
    expect(postsOn(env.o, c.Id)).to.have.length(0);
    expect(r.json?.result.leads.created).to.equal(0);
  });

  it('matches by email alone with the email rule, and creates a Lead for different names under the default rule', async () => {
    const other = seedPerson(env.o.local, 'Contact', { FirstName: 'Augusta', LastName: 'King', Email: ada.email });
    const byEmail = await sync(env, ndjson(onePlay(ada, 'play-1')), [], { matching: { rule: 'email' } });
    expect(byEmail.code, byEmail.stdout).to.equal(0);
    expect(leadsOf(env.o, ada.email)).to.have.length(0);
    expect(env.o.records('Instruqt_Play__c')[0]).to.include({ Contact__c: other.Id });

    const byNames = await sync(env, ndjson(onePlay({ ...ada, id: 'p-2' }, 'play-2')), ['--journal-dir', join(env.dir, 'j2')]);
    expect(byNames.code).to.equal(0);
    expect(leadsOf(env.o, ada.email)).to.have.length(1);
  });

  it('writes Tasks instead of Chatter posts with activity "task"', async () => {
    const r = await sync(env, ndjson(onePlay(ada, 'play-1')), [], { activity: 'task' });
    expect(r.code, r.stdout).to.equal(0);
    const [lead] = leadsOf(env.o, ada.email);
    const tasks = env.o.records('Task').filter((t) => t.WhoId === lead.Id);
    expect(tasks.map((t) => t.Subject).sort()).to.deep.equal([
      'Completed the Instruqt track "Kubernetes 101" in 30m 34s.',
      'Left feedback on the Instruqt track "Kubernetes 101":',
      'Scored the Instruqt track "Kubernetes 101": 4.',
      'Started the Instruqt track "Kubernetes 101".',
    ]);
    expect(env.o.records('FeedItem')).to.have.length(0);
    const again = await sync(env, ndjson(onePlay(ada, 'play-1')), ['--journal-dir', join(env.dir, 'j2')], { activity: 'task' });
    expect(again.json?.result.posts.total).to.equal(0);
    expect(env.o.records('Task')).to.have.length(4);
  });

  it('switches workflows off: no Lead, no Play, no post', async () => {
    const off = await sync(env, ndjson(onePlay(ada, 'play-1')), [], { workflows: { createLeads: false, chatter: false } });
    expect(off.code, off.stdout).to.equal(0);
    expect(env.o.records('Lead')).to.have.length(0);
    expect(env.o.records('FeedItem')).to.have.length(0);
    const [play] = env.o.records('Instruqt_Play__c');
    expect(play).to.include({ Lead__c: null, Contact__c: null, Name: "Kubernetes 101 - Ada O'Brien" });
    expect(off.json?.result.plays.unmatched).to.equal(1);

    const noPlays = await sync(env, ndjson(onePlay(grace, 'play-2')), ['--journal-dir', join(env.dir, 'j2')], { workflows: { plays: false } });
    expect(noPlays.code, noPlays.stdout).to.equal(0);
    expect(env.o.records('Instruqt_Play__c')).to.have.length(1);
    const [g] = leadsOf(env.o, grace.email);
    expect(postsOn(env.o, g.Id)).to.have.length(4);
  });

  it('reads stdin with --file -, and --dry-run writes nothing but says what it would do', async () => {
    const input = ndjson(onePlay(ada, 'play-1'));
    const dry = await SfRunner.get().run<SyncResult>(['instruqt', 'sync', '-o', env.alias, '--file', '-', '--dry-run', '--json'], { input });
    expect(dry.code, dry.stdout).to.equal(0);
    expect(dry.json?.result).to.deep.include({ dryRun: true, leads: { created: 1 } });
    expect(dry.json?.result.posts.total).to.equal(4);
    expect(env.o.records('Lead')).to.have.length(0);
    expect(env.o.records('Instruqt_Play__c')).to.have.length(0);

    const real = await SfRunner.get().run<SyncResult>(
      ['instruqt', 'sync', '-o', env.alias, '--file', '-', '--json', '--journal-dir', join(env.dir, 'j')],
      { input }
    );
    expect(real.code, real.stdout).to.equal(0);
    expect(env.o.records('Lead')).to.have.length(1);
  });

  it('ends in the same state for shuffled, duplicated input as for the ordered input', async () => {
    const ordered = [...onePlay(ada, 'play-1'), ...onePlay(grace, 'play-2'), startedRaw(ada, 'play-3', 'terraform-101')];
    const messy = shuffle([...ordered, ...ordered.slice(0, 5)], 11);
    const r = await sync(env, ndjson(messy));
    expect(r.code, r.stdout).to.equal(0);
    const clean = await setup();
    try {
      expect((await sync(clean, ndjson(ordered))).code).to.equal(0);
      expect(snapshot(env.o)).to.deep.equal(snapshot(clean.o));
    } finally {
      await clean.o.stop();
    }
  });

  it('handles values that do not fit visibly: feedback truncated (full text in the post), score skipped, long id kept whole in User_ID__c only', async () => {
    const long: Person = { ...ada, id: 'p-0123456789abcd' };
    const comment = 'Loved it. '.repeat(40).trim();
    const r = await sync(env, ndjson([inviteRaw(long), startedRaw(long, 'play-1'), reviewRaw(long, 'play-1', { score: 12, comment })]));
    expect(r.code, r.stdout).to.equal(0);
    const [play] = env.o.records('Instruqt_Play__c');
    expect(String(play.Feedback__c)).to.have.length(255);
    expect(play.Score__c).to.equal(null);
    expect(play.Participant_ID__c).to.equal(null);
    expect(play.User_ID__c).to.equal('p-0123456789abcd');
    const fields = (r.json?.result.fieldIssues ?? []).map((i) => `${i.field}:${i.action}`).sort();
    expect(fields).to.deep.equal(['Feedback__c:truncated', 'Score__c:skipped']);
    expect(r.json?.warnings?.join('\n')).to.contain('Score__c skipped');
    const [lead] = leadsOf(env.o, ada.email);
    expect(postsOn(env.o, lead.Id).find((b) => b.startsWith('Left feedback'))).to.contain(comment);
  });

  it('reports every malformed line with its number and reason, processes the rest and exits 68', async () => {
    const good = onePlay(ada, 'play-1').map((e) => JSON.stringify(e));
    const lines = [
      good[0],
      '{not json',
      JSON.stringify({ id: 'x1', type: 'track.paused', timestamp: '2026-11-20T10:00:00Z', participant: { id: 'p' } }),
      JSON.stringify({ id: 'x2', type: 'track.started', timestamp: 'yesterday', participant: { id: 'p' }, track: { slug: 's' }, play: { id: 'q' } }),
      JSON.stringify({ id: 'x3', type: 'track.completed', timestamp: '2026-11-20T10:00:00Z', participant: { id: 'p' }, play: { id: 'q' } }),
      JSON.stringify({ id: 'x4', type: 'invite.submitted', timestamp: '2026-11-20T10:00:00Z', participant: { id: 'p', email: 'not-an-email', lastName: 'X' } }),
      '[1,2,3]',
      good[1],
      JSON.stringify({ id: 'x5', type: 'review.submitted', timestamp: '2026-11-20T10:00:00Z', participant: { id: 'p' }, play: { id: 'q' }, review: {} }),
      good[2],
      good[3],
    ];
    const r = await sync(env, lines.join('\n') + '\n');
    expect(r.code, r.stdout).to.equal(68);
    const rejected = r.json?.result.rejectedLines ?? [];
    expect(rejected.map((x) => x.line)).to.deep.equal([2, 3, 4, 5, 6, 7, 9]);
    expect(rejected[0].reason).to.match(/not valid JSON/);
    expect(rejected[1].reason).to.match(/track.paused/);
    expect(rejected[2].reason).to.match(/timestamp/);
    expect(rejected[3].reason).to.match(/timeSpentSeconds/);
    expect(rejected[4].reason).to.match(/email/);
    expect(rejected[5].reason).to.match(/JSON object/);
    expect(rejected[6].reason).to.match(/score or a comment/);
    const file = join(env.dir, 'failed.ndjson');
    expect(statSync(file).mode & 0o777).to.equal(0o600);
    const failed = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { line: number; reason: string });
    expect(failed.map((f) => f.line)).to.deep.equal([2, 3, 4, 5, 6, 7, 9]);
    // The valid lines were processed.
    expect(leadsOf(env.o, ada.email)).to.have.length(1);
    expect(env.o.records('FeedItem')).to.have.length(4);
  });

  it('refuses an unknown newLeadStatus before writing anything', async () => {
    const r = await sync(env, ndjson(onePlay(ada, 'play-1')), [], { newLeadStatus: 'Hot Prospect' });
    expect(r.code).to.equal(1);
    expect(r.json?.name).to.equal('InvalidLeadStatusError');
    expect(r.json?.message).to.contain('Open - Not Contacted');
    expect(env.o.records('Lead')).to.have.length(0);
    expect(env.o.records('Instruqt_Play__c')).to.have.length(0);
    const ok = await sync(env, ndjson(onePlay(ada, 'play-1')), [], { newLeadStatus: 'working - contacted' });
    expect(ok.code, ok.stdout).to.equal(0);
    expect(leadsOf(env.o, ada.email)[0].Status).to.equal('Working - Contacted');
  });

  it('keeps its journal per org with mode 0600 and no tokens inside', async () => {
    expect((await sync(env, ndjson(onePlay(ada, 'play-1')))).code).to.equal(0);
    const file = join(env.dir, 'journal', `${env.o.local.orgId}.json`);
    expect(statSync(file).mode & 0o777).to.equal(0o600);
    const text = readFileSync(file, 'utf8');
    expect(text).to.not.contain(env.o.integrationToken);
    expect(text).to.not.contain(env.o.integrationToken.split('!')[1]);
    expect(JSON.parse(text)).to.include({ status: 'complete', committedLine: 4 });
  });
});
