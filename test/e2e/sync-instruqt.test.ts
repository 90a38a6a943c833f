/* eslint-disable camelcase -- Salesforce API names */
/*
 * `sf instruqt sync --source instruqt` end to end: the real sf CLI, logged in as the integration user of a local org
 * with the footprint installed, pulling from the local Instruqt stand-in (emulator/instruqt). Three pulls in a row
 * (first, late completions and reviews, nothing new), a refused key, two 429s, the proxy, and the key's secrecy.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { Ajv } from 'ajv';
import { SfRunner, repoRoot, type SfResult } from '../helpers/sf.js';
import { startProxy } from '../helpers/proxy.js';
import type { InstruqtSyncResult } from '../../src/commands/instruqt/sync.js';
import { startSyncOrg, seedPerson, type SyncOrg } from '../sync/org-fixture.js';
import { userId, type StandInData } from '../../emulator/instruqt/data.js';
import { startInstruqtStandIn, type InstruqtStandIn } from '../../emulator/instruqt/server.js';

const HOUR = 3_600_000;

function teamData(now: number): StandInData {
  const at = (hoursAgo: number): string => new Date(now - hoursAgo * HOUR).toISOString();
  return {
    team: 'acme',
    tracks: [
      { id: 'trk-k8s', slug: 'kubernetes-101', title: 'Kubernetes 101' },
      { id: 'trk-tf', slug: 'terraform-basics', title: 'Terraform Basics' },
    ],
    users: [
      { id: userId('ada'), details: { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', companyName: 'Analytical Engines', jobTitle: 'CTO' } },
      // Known people: a Contact and a Lead with the same email in another case.
      { id: userId('grace'), details: { firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.com' } },
      { id: userId('linus'), details: { firstName: 'Linus', lastName: 'Torvalds', email: 'LINUS@example.com' } },
      { id: userId('anon'), details: null },
      { id: userId('author'), details: { firstName: 'Track', lastName: 'Author', email: 'author@example.com' } },
    ],
    plays: [
      { id: 'play-ada-1', trackId: 'trk-k8s', userId: userId('ada'), mode: 'NORMAL', startedAt: at(30), timeSpent: 1834, completionPercent: 100, review: { id: 'r1', score: 4, content: 'Great lab' } },
      { id: 'play-grace-1', trackId: 'trk-tf', userId: userId('grace'), mode: 'NORMAL', startedAt: at(20), timeSpent: 300, completionPercent: 40 },
      { id: 'play-linus-1', trackId: 'trk-k8s', userId: userId('linus'), mode: 'NORMAL', startedAt: at(15), timeSpent: 100, completionPercent: 10 },
      { id: 'play-anon-1', trackId: 'trk-k8s', userId: userId('anon'), mode: 'NORMAL', startedAt: at(10), timeSpent: 60, completionPercent: 5 },
      { id: 'play-dev-1', trackId: 'trk-tf', userId: userId('author'), mode: 'DEVELOPER', startedAt: at(5), timeSpent: 60, completionPercent: 100 },
    ],
  };
}

/** Every file under dir that contains text. */
function filesContaining(dir: string, text: string): string[] {
  const hits: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) hits.push(...filesContaining(path, text));
    else if (entry.isFile() && statSync(path).size < 50_000_000 && readFileSync(path).includes(text)) hits.push(path);
  }
  return hits;
}

describe('sf instruqt sync --source instruqt (end to end)', function () {
  this.timeout(300_000);
  let o: SyncOrg;
  let standIn: InstruqtStandIn;
  let alias: string;
  let dir: string;
  const outputs: string[] = [];

  before(async () => {
    o = await startSyncOrg();
    alias = `iq-${o.local.orgId.slice(-6)}`;
    await SfRunner.get().login(o.local.instanceUrl, o.integrationToken, alias);
    standIn = await startInstruqtStandIn({ data: teamData(Date.now()) });
    dir = mkdtempSync(join(tmpdir(), 'sync-instruqt-e2e-'));
  });
  after(async () => {
    await standIn?.stop();
    await o?.stop();
  });

  async function pull(extra: string[] = [], env: Record<string, string> = {}): Promise<SfResult<InstruqtSyncResult>> {
    const args = ['instruqt', 'sync', '-o', alias, '--source', 'instruqt', '--team', 'acme', '--json', '--failed-records', join(dir, 'failed.ndjson'), ...extra];
    const r = await SfRunner.get().run<InstruqtSyncResult>(args, {
      env: { INSTRUQT_API_KEY: standIn.apiKey, INSTRUQT_API_URL: standIn.url, ...env },
      timeoutMs: 180_000,
    });
    outputs.push(r.stdout, r.stderr);
    return r;
  }
  const count = (object: string): number => o.records(object).length;
  const postsOn = (id: unknown): string[] => o.records('FeedItem').filter((f) => f.ParentId === id).map((f) => String(f.Body));
  const play = (id: string): Record<string, unknown> => o.records('Instruqt_Play__c').find((p) => p.Play_ID__c === id)!;

  it('says which variable to set when INSTRUQT_API_KEY is missing', async () => {
    const r = await pull(['--since', '2026-11-01'], { INSTRUQT_API_KEY: '' });
    expect(r.code).to.equal(1);
    expect(r.json?.message).to.equal('INSTRUQT_API_KEY is not set: --source instruqt needs the team\'s API key.');
  });

  it('refuses a wrong key with exit 1 before writing anything', async () => {
    const since = new Date(Date.now() - 2 * 24 * HOUR).toISOString();
    const leadsBefore = count('Lead');
    const r = await pull(['--since', since], { INSTRUQT_API_KEY: 'iq_wrong_key_0123456789' });
    expect(r.code, r.stdout + r.stderr).to.equal(1);
    expect(r.json?.message).to.match(/refused the API key in INSTRUQT_API_KEY/);
    expect(r.stdout + r.stderr).to.not.contain('iq_wrong_key_0123456789');
    expect(count('Lead')).to.equal(leadsBefore);
    expect(count('Instruqt_Play__c')).to.equal(0);
    expect(count('FeedItem')).to.equal(0);
  });

  it('first pull: Leads only for new people who left details, known Contacts and Leads linked, developer plays skipped, anonymous plays unlinked', async () => {
    const grace = seedPerson(o.local, 'Contact', { FirstName: 'Grace', LastName: 'Hopper', Email: 'Grace@Example.com' });
    const linus = seedPerson(o.local, 'Lead', { FirstName: 'Linus', LastName: 'Torvalds', Email: 'linus@example.com' });
    const r = await pull(['--since', new Date(Date.now() - 2 * 24 * HOUR).toISOString()]);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    const leads = o.records('Lead');
    expect(leads.map((l) => String(l.Email).toLowerCase()).sort()).to.deep.equal(['ada@example.com', 'linus@example.com']);
    const ada = leads.find((l) => l.Email === 'ada@example.com')!;
    expect(ada).to.include({ FirstName: 'Ada', LastName: 'Lovelace', Company: 'Analytical Engines', Title: 'CTO' });
    expect(count('Instruqt_Play__c')).to.equal(4);
    expect(play('play-ada-1')).to.include({ Lead__c: ada.Id, User_ID__c: userId('ada'), Participant_ID__c: null, Time_Spent_Seconds__c: 1834, Score__c: 4, Feedback__c: 'Great lab' });
    expect(play('play-grace-1')).to.include({ Contact__c: grace.Id, Lead__c: null });
    expect(play('play-linus-1')).to.include({ Lead__c: linus.Id, Contact__c: null });
    expect(play('play-anon-1')).to.include({ Lead__c: null, Contact__c: null, User_ID__c: userId('anon') });
    expect(play('play-dev-1')).to.equal(undefined);
    expect(postsOn(ada.Id)).to.have.length(4);
    expect(postsOn(grace.Id)).to.have.length(1);
    const result = r.json!.result;
    expect(result.instruqt).to.include({ team: 'acme', plays: 4, anonymousPlays: 1 });
    // Developer plays are left out by the query itself.
    expect(standIn.log.filter((e) => e.status === 200).every((e) => e.variables.playType === 'NORMAL')).to.equal(true);
    const schema = JSON.parse(readFileSync(join(repoRoot, 'schemas', 'instruqt-sync.json'), 'utf8')) as object;
    const validate = new Ajv({ allErrors: true, strict: false, logger: false }).compile(schema);
    expect(validate(result), JSON.stringify(validate.errors)).to.equal(true);
  });

  it('second pull (through two 429s): late completions and reviews, a user who left details since, new plays; no duplicates', async () => {
    const data = standIn.data;
    const grace = data.plays.find((p) => p.id === 'play-grace-1')!;
    Object.assign(grace, { completionPercent: 100, timeSpent: 900, review: { id: 'r2', score: 5, content: null } });
    data.users.find((u) => u.id === userId('anon'))!.details = { firstName: 'Alan', lastName: 'Turing', email: 'alan@example.com' };
    data.plays.push(
      { id: 'play-anon-2', trackId: 'trk-tf', userId: userId('anon'), mode: 'NORMAL', startedAt: new Date(Date.now() - HOUR).toISOString(), timeSpent: 10, completionPercent: 1 },
      { id: 'play-ada-2', trackId: 'trk-tf', userId: userId('ada'), mode: 'NORMAL', startedAt: new Date(Date.now() - HOUR).toISOString(), timeSpent: 10, completionPercent: 1 }
    );
    standIn.faults.push({ status: 429, retryAfterSeconds: 1 }, { status: 429, retryAfterSeconds: 0 });
    const r = await pull();
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(r.json?.result.instruqt?.retries).to.equal(2);
    expect(r.json?.result.instruqt?.continuedFrom).to.be.a('string');
    expect(count('Lead')).to.equal(3);
    expect(count('Instruqt_Play__c')).to.equal(6);
    const graceId = play('play-grace-1').Contact__c;
    expect(play('play-grace-1')).to.include({ Time_Spent_Seconds__c: 900, Score__c: 5 });
    expect(postsOn(graceId)).to.have.length(3);
    const alan = o.records('Lead').find((l) => l.Email === 'alan@example.com')!;
    // The anonymous play of the first pull is linked now that its user left details.
    expect(play('play-anon-1').Lead__c).to.equal(alan.Id);
    expect(play('play-anon-2').Lead__c).to.equal(alan.Id);
    expect(play('play-ada-2').Lead__c).to.equal(play('play-ada-1').Lead__c);
  });

  it('third pull with nothing new writes and posts nothing, and goes through the configured proxy', async () => {
    const before = { leads: count('Lead'), plays: count('Instruqt_Play__c'), posts: count('FeedItem'), tracks: count('Instruqt_Track__c') };
    const proxy = await startProxy();
    try {
      const r = await pull([], { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url, http_proxy: proxy.url, https_proxy: proxy.url, NO_PROXY: '', no_proxy: '' });
      expect(r.code, r.stdout + r.stderr).to.equal(0);
      expect(r.json?.result).to.deep.include({ leads: { created: 0 }, tracks: { created: 0 } });
      expect(r.json?.result.plays).to.include({ created: 0, updated: 0, linked: 0 });
      expect(r.json?.result.posts.total).to.equal(0);
      expect(r.json?.result.instruqt?.plays).to.equal(6);
      expect(proxy.seen).to.include(new URL(standIn.url).host);
    } finally {
      await proxy.stop();
    }
    expect({ leads: count('Lead'), plays: count('Instruqt_Play__c'), posts: count('FeedItem'), tracks: count('Instruqt_Track__c') }).to.deep.equal(before);
  });

  it('never shows the key: not in any output, not in any file under the sf home', () => {
    for (const text of outputs) expect(text).to.not.contain(standIn.apiKey);
    expect(filesContaining(SfRunner.get().home, standIn.apiKey)).to.deep.equal([]);
  });
});
