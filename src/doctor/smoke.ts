/*
 * `doctor --smoke`: seed 000's "To test the integration" without a browser. A form submission and a short play for a
 * throwaway address go through the real sync library, as the integration user when its org is given; the Lead, play,
 * track and posts it produced are checked, then deleted as the admin (the integration user may not delete Leads).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { SalesforceClient } from '../salesforce/client.js';
import { soqlIn, soqlLiteral } from '../salesforce/soql.js';
import { runSync } from '../sync/engine.js';
import { loadConfig } from '../sync/config.js';
import { PLAY_OBJECT, TRACK_OBJECT } from '../footprint/vocabulary.js';
import type { DoctorCheck } from './doctor.js';

export type SmokeOptions = {
  /** The org as the integration user (alias given with --integration-org); default: the admin. */
  syncClient: SalesforceClient;
  syncUsername: string;
  /** The admin: reads the result and removes it. */
  adminClient: SalesforceClient;
  orgId: string;
  configPath?: string;
  /** True when the sync runs as the admin because no integration-user org was given. */
  asAdmin: boolean;
};

export type SmokeReport = {
  email: string;
  created: { leads: string[]; plays: string[]; tracks: string[]; posts: string[] };
  removed: number;
  leftBehind: string[];
};

const TITLE = 'Smoke test: a form submission becomes an enriched Lead';

/** The four events of one play, as Instruqt sends them. */
export function smokeEvents(token: string, now = Date.now()): string {
  const email = `instruqt-smoke-${token}@example.com`;
  const participant = { id: `smoke-${token}`, email, firstName: 'Instruqt', lastName: `Smoke ${token}`, company: 'Instruqt doctor' };
  const track = { slug: `instruqt-doctor-smoke-${token}`, title: 'Instruqt doctor smoke test' };
  const play = { id: `smoke-play-${token}` };
  const at = (seconds: number): string => new Date(now + seconds * 1000).toISOString();
  return [
    { id: `smoke-${token}-1`, type: 'invite.submitted', timestamp: at(0), participant },
    { id: `smoke-${token}-2`, type: 'track.started', timestamp: at(1), participant: { id: participant.id, email }, track, play },
    {
      id: `smoke-${token}-3`,
      type: 'track.completed',
      timestamp: at(2),
      participant: { id: participant.id, email },
      track,
      play: { ...play, timeSpentSeconds: 61 },
    },
    {
      id: `smoke-${token}-4`,
      type: 'review.submitted',
      timestamp: at(3),
      participant: { id: participant.id, email },
      track,
      play,
      review: { score: 5, comment: 'smoke test' },
    },
  ]
    .map((e) => JSON.stringify(e))
    .join('\n');
}

export async function runSmoke(options: SmokeOptions): Promise<{ check: DoctorCheck; report: SmokeReport }> {
  const token = randomUUID().slice(0, 8);
  const email = `instruqt-smoke-${token}@example.com`;
  const report: SmokeReport = { email, created: { leads: [], plays: [], tracks: [], posts: [] }, removed: 0, leftBehind: [] };
  const config = await loadConfig(options.configPath);
  // A journal of its own: the smoke run must not touch the journal of the org's real syncs.
  const journalDir = await mkdtemp(join(tmpdir(), 'instruqt-smoke-'));
  let problem: string | undefined;
  try {
    const result = await runSync({
      client: options.syncClient,
      orgId: options.orgId,
      input: Readable.from([smokeEvents(token)]),
      config,
      journalDir,
    });
    report.created = await collect(options.adminClient, email, token);
    problem = verify(result.failures, report, config.workflows);
  } catch (error) {
    problem = `the sync failed: ${(error as Error).message}`;
    report.created = await collect(options.adminClient, email, token).catch(() => report.created);
  } finally {
    const removal = await cleanUp(options.adminClient, report.created);
    report.removed = removal.removed;
    report.leftBehind = removal.leftBehind;
    await rm(journalDir, { recursive: true, force: true });
  }
  const who = options.asAdmin
    ? ` as ${options.syncUsername} (not the integration user: pass --integration-org to test its access)`
    : ` as ${options.syncUsername}`;
  const leftover = report.leftBehind.length ? ` Could not remove: ${report.leftBehind.join(', ')}.` : '';
  const check: DoctorCheck = problem
    ? {
        id: 'smoke',
        title: TITLE,
        status: 'fail',
        detail: `A test form submission for ${email}${who}: ${problem}.${leftover}`,
        fix: 'Fix what the other checks report, then run doctor --smoke again.',
      }
    : {
        id: 'smoke',
        title: TITLE,
        status: options.asAdmin ? 'warn' : 'pass',
        detail: `A test form submission for ${email}${who} created a Lead with ${report.created.plays.length} play and ${report.created.posts.length} post(s); all ${report.removed} record(s) removed.${leftover}`,
      };
  return { check, report };
}

function verify(failures: number, report: SmokeReport, workflows: { createLeads: boolean; plays: boolean; chatter: boolean }): string | undefined {
  if (failures > 0) return `Salesforce refused ${failures} record(s) of the sync`;
  if (workflows.createLeads && report.created.leads.length !== 1) return 'no Lead was created';
  if (workflows.plays && report.created.plays.length !== 1) return 'no Instruqt play was recorded on the Lead';
  if (workflows.chatter && report.created.posts.length === 0) return 'no activity post was written on the Lead';
  return undefined;
}

async function collect(admin: SalesforceClient, email: string, token: string): Promise<SmokeReport['created']> {
  const leads = (await admin.query<{ Id: string }>(`SELECT Id FROM Lead WHERE Email = ${soqlLiteral(email)}`)).map((l) => l.Id);
  const tracks = await admin.query<{ Id: string }>(
    `SELECT Id FROM ${TRACK_OBJECT} WHERE Track_Slug__c = ${soqlLiteral(`instruqt-doctor-smoke-${token}`)}`
  );
  // By play and participant too: a play the sync could not link to a Lead is still the smoke test's to remove.
  const ids = soqlIn(leads);
  const plays = await admin.query<{ Id: string }>(
    `SELECT Id FROM ${PLAY_OBJECT} WHERE Lead__c IN ${ids} OR Play_ID__c = ${soqlLiteral(`smoke-play-${token}`)} OR Participant_ID__c = ${soqlLiteral(`smoke-${token}`)}`
  );
  const [posts, tasks] =
    leads.length === 0
      ? [[], []]
      : await Promise.all([
          admin.query<{ Id: string }>(`SELECT Id FROM FeedItem WHERE ParentId IN ${ids}`).catch(() => []),
          admin.query<{ Id: string }>(`SELECT Id FROM Task WHERE WhoId IN ${ids}`).catch(() => []),
        ]);
  return { leads, plays: plays.map((p) => p.Id), tracks: tracks.map((t) => t.Id), posts: [...posts, ...tasks].map((p) => p.Id) };
}

/** Children first: posts and plays, then the track and the Lead. */
async function cleanUp(admin: SalesforceClient, created: SmokeReport['created']): Promise<{ removed: number; leftBehind: string[] }> {
  const { posts, plays, tracks, leads } = created;
  let removed = 0;
  const leftBehind: string[] = [];
  for (const ids of [posts, plays, [...tracks, ...leads]]) {
    if (ids.length === 0) continue;
    const results = await admin.delete(ids).catch((error: Error) =>
      ids.map(() => ({ success: false, errors: [{ statusCode: 'ERROR', message: error.message, fields: [] }] }))
    );
    results.forEach((r, i) => {
      if (r.success || r.errors.some((e) => e.statusCode === 'ENTITY_IS_DELETED')) removed++;
      else leftBehind.push(ids[i]);
    });
  }
  return { removed, leftBehind };
}
