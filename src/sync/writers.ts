/*
 * Applies a batch plan in dependency order: Leads, Tracks, Plays (linked to the Leads just created), posts.
 * Each kind goes through sObject Collections (200 records a call) or, above the bulk threshold, one Bulk API 2.0
 * ingest job. Refused records come back as failures with Salesforce's reason; the rest of the batch goes on.
 */
/* eslint-disable camelcase -- Salesforce API names (Play_ID__c...) are used as they are */
import { Bulk2, type CsvRow } from '../salesforce/bulk2.js';
import type { SalesforceClient, SaveResult } from '../salesforce/client.js';
import { PLAY_OBJECT, TRACK_OBJECT } from '../footprint/vocabulary.js';
import type { SyncConfig } from './config.js';
import { duplicateMatch, isDuplicateError, type DuplicateLink, type DuplicateMatch } from './duplicates.js';
import { personKey } from './matching.js';
import type { Plan, PostCreate, Ref } from './plan.js';
import { postKey, recognisePost, type Milestone } from './posts.js';

export type FailedRecord = {
  object: string;
  /** What the record is: a play id, a track slug, a Lead's email, a post's milestone + play. */
  key: string;
  lines: number[];
  errors: string[];
  record?: Record<string, unknown>;
};

export type WriteCounts = {
  leadsCreated: number;
  tracksCreated: number;
  playsCreated: number;
  playsUpdated: number;
  posts: Record<Milestone, number>;
};

export type WriteResult = WriteCounts & { failures: FailedRecord[]; bulkJobs: number; duplicates: DuplicateLink[] };

export type WriterHooks = {
  /** A Bulk API job exists now (journal it before its data is uploaded). */
  onBulkJob?: (jobId: string, object: string) => void | Promise<void>;
};

type Item = { key: string; record: Record<string, unknown>; lines: number[] };
type Outcome = { id?: string; created?: boolean; errors?: string[]; duplicate?: DuplicateMatch };

export const emptyCounts = (): WriteCounts => ({
  leadsCreated: 0,
  tracksCreated: 0,
  playsCreated: 0,
  playsUpdated: 0,
  posts: { started: 0, completed: 0, score: 0, feedback: 0 },
});

const errorsOf = (r: SaveResult): string[] => r.errors.map((e) => `${e.statusCode}: ${e.message}`);

export class PlanWriter {
  private readonly bulk: Bulk2;

  public constructor(
    private readonly client: SalesforceClient,
    private readonly cfg: SyncConfig,
    private readonly hooks: WriterHooks = {}
  ) {
    this.bulk = new Bulk2(client, { pollMs: cfg.bulkPollMs, pollMaxMs: cfg.bulkPollMaxMs, timeoutMs: cfg.bulkTimeoutMs });
  }

  /** Apply a plan. Call-level errors (dropped connections after retries...) propagate: the caller re-plans. */
  public async apply(plan: Plan): Promise<WriteResult> {
    const result: WriteResult = { ...emptyCounts(), failures: [], bulkJobs: 0, duplicates: [] };
    const rule = this.cfg.matching.rule;

    // 1. Leads.
    const leadIds = new Map<string, string>();
    const leadOutcomes = await this.write(
      'Lead',
      'insert',
      plan.leads.map((l) => ({ key: l.key, record: l.fields, lines: l.lines })),
      (row) => personKey(rule, row.Email ?? '', row.FirstName, row.LastName),
      result
    );
    for (const lead of plan.leads) {
      const o = leadOutcomes.get(lead.key);
      if (o?.id) {
        leadIds.set(lead.key, o.id);
        result.leadsCreated++;
      } else if (o?.duplicate) {
        // The org's duplicate rule refused it and named the record to use: the plays and posts go there.
        leadIds.set(lead.key, o.duplicate.id);
        result.duplicates.push({ email: String(lead.fields.Email), lines: lead.lines, linkedTo: o.duplicate.id, object: o.duplicate.object, rule: o.duplicate.rule });
      } else result.failures.push(this.failure('Lead', String(lead.fields.Email), lead.lines, o, lead.fields));
    }

    // 2. Tracks (upsert by slug: a repeated run or a concurrent one finds the same record).
    const trackIds = new Map<string, string>();
    const trackOutcomes = await this.write(
      TRACK_OBJECT,
      'upsert',
      plan.tracks.map((t) => ({ key: t.slug, record: t.fields, lines: [] })),
      (row) => row.Track_Slug__c ?? '',
      result,
      'Track_Slug__c'
    );
    for (const t of plan.tracks) {
      const o = trackOutcomes.get(t.slug);
      if (o?.id) {
        trackIds.set(t.slug, o.id);
        if (o.created !== false) result.tracksCreated++;
      } else result.failures.push(this.failure(TRACK_OBJECT, t.slug, [], o, t.fields));
    }

    const resolve = (ref: Ref | undefined): string | undefined => {
      if (!ref) return undefined;
      if ('id' in ref) return ref.id;
      if ('newLead' in ref) return leadIds.get(ref.newLead);
      return trackIds.get(ref.newTrack);
    };

    // 3. Plays (upsert by play id), linked to what now exists.
    const playItems: Item[] = plan.plays.map((p) => {
      const record: Record<string, unknown> = { ...p.fields };
      const lead = resolve(p.lead);
      const contact = resolve(p.contact);
      const track = resolve(p.track);
      // A new Lead a duplicate rule refused may stand for a Contact (key prefix 003).
      if (lead) record[lead.startsWith('003') ? 'Contact__c' : 'Lead__c'] = lead;
      if (contact) record.Contact__c = contact;
      if (track) record.Instruqt_Track__c = track;
      return { key: p.playId, record, lines: p.lines };
    });
    const playOutcomes = await this.write(PLAY_OBJECT, 'upsert', playItems, (row) => row.Play_ID__c ?? '', result, 'Play_ID__c');
    const failedPlays = new Set<string>();
    const isNew = new Map(plan.plays.map((p) => [p.playId, p.isNew]));
    for (const item of playItems) {
      const o = playOutcomes.get(item.key);
      if (o?.id) {
        if (o.created ?? isNew.get(item.key)) result.playsCreated++;
        else result.playsUpdated++;
      } else {
        failedPlays.add(item.key);
        result.failures.push(this.failure(PLAY_OBJECT, item.key, item.lines, o, item.record));
      }
    }

    // 4. Posts: only for plays that exist and people that exist.
    const posts: Array<{ post: PostCreate; parentId: string }> = [];
    for (const post of plan.posts) {
      const parentId = resolve(post.parent);
      if (!parentId) continue; // its Lead failed: reported above; the next run posts once the Lead exists
      if (this.cfg.workflows.plays && failedPlays.has(post.playId)) continue;
      posts.push({ post, parentId });
    }
    const chatter = this.cfg.activity === 'chatter';
    const today = new Date().toISOString().slice(0, 10);
    const postItems: Item[] = posts.map(({ post, parentId }) => ({
      key: postKey(parentId, post.milestone, post.playId),
      record: chatter
        ? { ParentId: parentId, Body: post.body, Type: 'TextPost' }
        : {
            WhoId: parentId,
            Subject: post.headline.slice(0, 255),
            Description: post.body,
            Status: 'Completed',
            Priority: 'Normal',
            ActivityDate: today,
          },
      lines: post.lines,
    }));
    const object = chatter ? 'FeedItem' : 'Task';
    const postOutcomes = await this.write(
      object,
      'insert',
      postItems,
      (row) => {
        const seen = recognisePost(chatter ? row.Body : row.Description);
        return seen ? postKey(chatter ? row.ParentId ?? '' : row.WhoId ?? '', seen.milestone, seen.playId) : '';
      },
      result
    );
    posts.forEach(({ post }, i) => {
      const item = postItems[i];
      const o = postOutcomes.get(item.key);
      if (o?.id) result.posts[post.milestone]++;
      else result.failures.push(this.failure(object, `${post.milestone} ${post.playId}`, item.lines, o, item.record));
    });
    return result;
  }

  private failure(object: string, key: string, lines: number[], o: Outcome | undefined, record: Record<string, unknown>): FailedRecord {
    return { object, key, lines, errors: o?.errors ?? ['no result returned for this record'], record };
  }

  /** Write items of one kind; outcomes by item key. */
  private async write(
    object: string,
    operation: 'insert' | 'upsert',
    items: Item[],
    keyOfRow: (row: CsvRow) => string,
    result: WriteResult,
    externalId?: string
  ): Promise<Map<string, Outcome>> {
    const outcomes = new Map<string, Outcome>();
    if (items.length === 0) return outcomes;
    if (items.length > this.cfg.bulkThreshold) {
      result.bulkJobs++;
      const ingest = await this.bulk.ingest(
        object,
        operation,
        items.map((i) => i.record),
        { externalIdFieldName: externalId, onJob: (id) => this.hooks.onBulkJob?.(id, object) }
      );
      for (const row of ingest.successful) {
        outcomes.set(keyOfRow(row), { id: row.sf__Id, created: row.sf__Created === 'true' });
      }
      for (const row of ingest.failed) outcomes.set(keyOfRow(row), { errors: [row.sf__Error ?? 'failed'] });
      // Bulk results do not name a duplicate rule's matches: send those rows through Collections to learn them.
      const duplicates = operation === 'insert' ? items.filter((i) => isDuplicateError(outcomes.get(i.key)?.errors?.[0])) : [];
      if (duplicates.length) for (const [key, o] of await this.viaCollections(object, operation, duplicates)) outcomes.set(key, o);
      const why = ingest.job.errorMessage ? `job ${ingest.job.state}: ${ingest.job.errorMessage}` : `job ${ingest.job.state}`;
      for (const row of ingest.unprocessed) outcomes.set(keyOfRow(row), { errors: [`not processed (${why})`] });
      return outcomes;
    }
    return this.viaCollections(object, operation, items, externalId);
  }

  private async viaCollections(object: string, operation: 'insert' | 'upsert', items: Item[], externalId?: string): Promise<Map<string, Outcome>> {
    const outcomes = new Map<string, Outcome>();
    const contactFirst = this.cfg.matching.contactFirst;
    for (let i = 0; i < items.length; i += this.cfg.collectionsSize) {
      const chunk = items.slice(i, i + this.cfg.collectionsSize);
      const records = chunk.map((c) => c.record);
      const saved =
        operation === 'insert'
          ? await this.client.insert(object, records)
          : await this.client.upsert(object, externalId!, records);
      chunk.forEach((item, k) => {
        const r = saved[k];
        if (r?.success) outcomes.set(item.key, { id: r.id, created: r.created });
        else outcomes.set(item.key, { errors: r ? errorsOf(r) : undefined, duplicate: r ? duplicateMatch(r.errors, contactFirst) : undefined });
      });
    }
    return outcomes;
  }
}

export function addWriteCounts(into: WriteCounts, w: WriteCounts): void {
  into.leadsCreated += w.leadsCreated;
  into.tracksCreated += w.tracksCreated;
  into.playsCreated += w.playsCreated;
  into.playsUpdated += w.playsUpdated;
  for (const k of Object.keys(into.posts) as Array<keyof WriteCounts['posts']>) into.posts[k] += w.posts[k];
}

/** --dry-run: what the plan would write. */
export function addPlanCounts(into: WriteCounts, plan: Plan): void {
  into.leadsCreated += plan.leads.length;
  into.tracksCreated += plan.tracks.length;
  for (const p of plan.plays) {
    if (p.isNew) into.playsCreated++;
    else into.playsUpdated++;
  }
  for (const p of plan.posts) into.posts[p.milestone]++;
}
