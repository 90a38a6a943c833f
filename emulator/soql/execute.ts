/*
 * Runs a SOQL query against an Org and shapes every row as the REST API returns it: `attributes`, fields under
 * their describe names in SELECT order, parent relationships as nested records (or null), child subqueries as
 * `{totalSize, done, records}` (or null), aggregate rows as `AggregateResult` with `expr0`-style keys.
 * All matching rows are returned; the REST layer pages them into batches of 2,000.
 */
import { parseQuery, type Query } from '@jetstreamapp/soql-parser-js';
import { SalesforceError, type OrgApi, type Principal, type SRecord } from '../core/types.js';
import { FEED_VIEWS } from '../schema/standard.js';
import { fromParseError, malformed, MAX_SOQL_LENGTH } from './errors.js';
import { compareValues, Planner, type ChildProj, type Plan, type Proj } from './plan.js';
import { followHop, getterOf, recordUrl, resolveObject, resolvePath, type Ctx } from './schema.js';
import { WhereCompiler, type SemiJoinRunner } from './where.js';

export type SoqlOptions = { includeDeleted?: boolean; apiVersion?: string };
export type SoqlResult = { totalSize: number; records: Array<Record<string, unknown>> };
type Row = Record<string, unknown>;

/** Parses a query (refusing over-long ones) and plans it for the caller; shared with describeSoqlColumns. */
export function planSoql(
  org: OrgApi,
  principal: Principal | undefined,
  soql: string,
  opts: SoqlOptions = {}
): { ctx: Ctx; plan: Plan } {
  if (soql.length > MAX_SOQL_LENGTH) {
    // The documented SOQL limit (SOQL and SOSL Reference: SOQL and SOSL Limits): statements of at most 100,000 characters.
    throw new SalesforceError(
      'MALFORMED_QUERY',
      `Query is too long: SOQL statements cannot be longer than ${MAX_SOQL_LENGTH.toLocaleString('en-US')} characters (this one has ${soql.length.toLocaleString('en-US')}).`,
      [],
      400
    );
  }
  let query: Query;
  try {
    query = parseQuery(soql);
  } catch (err) {
    throw fromParseError(soql, err);
  }
  const ctx: Ctx = {
    org,
    principal,
    soql,
    includeDeleted: opts.includeDeleted ?? false,
    apiVersion: opts.apiVersion ?? org.options.apiVersion,
  };
  const plan = new Planner(ctx, semiJoinRunner(ctx)).plan(query);
  checkFeedItemFilter(ctx, plan);
  return { ctx, plan };
}

/**
 * Object Reference, FeedItem: a user without View All Data must filter FeedItem by Id (a ParentId filter is not
 * enough); such users read a record's posts through its record feed (LeadFeed, ContactFeed).
 */
function checkFeedItemFilter(ctx: Ctx, plan: Plan): void {
  const { principal, org } = ctx;
  if (plan.obj.name !== 'FeedItem' || !principal || plan.where.idFiltered) return;
  if (org.access.hasPermission(principal, 'ViewAllData') || org.access.hasPermission(principal, 'ModifyAllData')) return;
  throw new SalesforceError('MALFORMED_QUERY', 'Implementation restriction: FeedItem requires a filter by Id', [], 400);
}

export function executeSoql(
  org: OrgApi,
  principal: Principal | undefined,
  soql: string,
  opts: SoqlOptions = {}
): SoqlResult {
  const { ctx, plan } = planSoql(org, principal, soql, opts);
  return runPlan(ctx, plan);
}

function runPlan(ctx: Ctx, plan: Plan): SoqlResult {
  const matched = selectRows(ctx, plan);
  if (plan.aggregate) {
    const records = aggregate(plan, matched);
    return { totalSize: records.length, records };
  }
  const rows = sortAndSlice(matched, plan);
  if (plan.countOnly) return { totalSize: rows.length, records: [] };
  const children = loadChildren(ctx, plan.projections, rows);
  const records = rows.map((r) => render(ctx, plan.obj.name, r, plan.projections, children));
  return { totalSize: records.length, records };
}

/** The records of the plan's object matching its WHERE, narrowed to the ids it names when it names some. */
function selectRows(ctx: Ctx, plan: Plan): SRecord[] {
  const { org, includeDeleted } = ctx;
  const { candidates } = plan.where;
  // A record feed (LeadFeed...) is a view of the FeedItems on its object's records.
  const feedOf = FEED_VIEWS[plan.obj.name];
  const source = feedOf ? 'FeedItem' : plan.obj.name;
  const pred = feedOf
    ? (r: SRecord): boolean => org.objectOfId(String(r.ParentId)) === feedOf && plan.where.pred(r)
    : plan.where.pred;
  if (candidates && !includeDeleted) {
    const out: SRecord[] = [];
    const seen = new Set<string>();
    for (const value of candidates.values) {
      for (const rec of org.findByField(source, candidates.field, value)) {
        if (seen.has(rec.Id)) continue;
        seen.add(rec.Id);
        if (pred(rec)) out.push(rec);
      }
    }
    // Ids grow with creation, so this is the order a scan of the store would give.
    return out.sort((a, b) => (a.Id < b.Id ? -1 : a.Id > b.Id ? 1 : 0));
  }
  return org.query(source, pred, { includeDeleted });
}

function sortAndSlice(rows: SRecord[], plan: Plan): SRecord[] {
  let out = rows;
  if (plan.order.length && !plan.aggregate) {
    const keys = plan.order;
    const decorated = out.map((r) => ({ r, k: keys.map((key) => key.get(r)) }));
    decorated.sort((a, b) => {
      for (let i = 0; i < keys.length; i++) {
        const c = compareValues(a.k[i], b.k[i], keys[i].desc, keys[i].nullsFirst);
        if (c !== 0) return c;
      }
      return 0;
    });
    out = decorated.map((d) => d.r);
  }
  if (plan.aggregate) return out;
  const offset = plan.offset ?? 0;
  if (offset || plan.limit !== undefined) out = out.slice(offset, plan.limit === undefined ? undefined : offset + plan.limit);
  return out;
}

type ChildRows = Map<ChildProj, Map<string, SRecord[]>>;

/** Child subquery rows for the given parents, grouped by parent id, ordered and limited per parent. */
function loadChildren(ctx: Ctx, projections: Proj[], parents: SRecord[]): ChildRows {
  const out: ChildRows = new Map();
  const childProjs = projections.filter((p): p is ChildProj => p.kind === 'child');
  if (!childProjs.length || !parents.length) return out;
  const parentIds = new Set(parents.map((p) => p.Id));
  for (const proj of childProjs) {
    const lookup = proj.rel.field.name;
    const { pred } = proj.plan.where;
    const rows = ctx.org.query(proj.rel.child.name, (r) => parentIds.has(r[lookup] as string) && pred(r), {
      includeDeleted: ctx.includeDeleted,
    });
    const byParent = new Map<string, SRecord[]>();
    for (const r of rows) {
      const id = r[lookup] as string;
      const list = byParent.get(id);
      if (list) list.push(r);
      else byParent.set(id, [r]);
    }
    for (const [id, list] of byParent) byParent.set(id, sortAndSlice(list, proj.plan));
    out.set(proj, byParent);
  }
  return out;
}

function render(ctx: Ctx, type: string, rec: SRecord, projections: Proj[], children: ChildRows): Row {
  const row: Row = { attributes: { type, url: recordUrl(ctx, type, rec.Id) } };
  for (const p of projections) {
    if (p.kind === 'field') {
      row[p.key] = rec[p.field.name] ?? null;
    } else if (p.kind === 'parent') {
      const parent = followHop(ctx.org, p.hop, rec);
      const parentType =
        p.hop.targets.length === 1 ? p.hop.targets[0].name : parent ? ctx.org.objectOfId(parent.Id) ?? p.hop.targets[0].name : '';
      row[p.key] = parent ? render(ctx, parentType, parent, p.children, children) : null;
    } else {
      const kids = children.get(p)?.get(rec.Id) ?? [];
      const grandChildren = loadChildren(ctx, p.plan.projections, kids);
      row[p.key] = kids.length
        ? {
            totalSize: kids.length,
            done: true,
            records: kids.map((k) => render(ctx, p.rel.child.name, k, p.plan.projections, grandChildren)),
          }
        : null;
    }
  }
  return row;
}

function aggregate(plan: Plan, rows: SRecord[]): Row[] {
  const agg = plan.aggregate!;
  const groups = new Map<string, SRecord[]>();
  if (agg.groupBy.length === 0) groups.set('', rows);
  else {
    for (const r of rows) {
      const key = JSON.stringify(agg.groupBy.map((g) => g.norm(g.get(r))));
      const list = groups.get(key);
      if (list) list.push(r);
      else groups.set(key, [r]);
    }
  }
  let out: Row[] = [];
  for (const members of groups.values()) {
    const row: Row = { attributes: { type: 'AggregateResult' } };
    for (const item of agg.items) {
      if (item.kind === 'group') {
        row[item.key] = members.length ? item.get(members[0]) ?? null : null;
        continue;
      }
      const values = members.map((m) => item.get!(m)).filter((v) => v !== null && v !== undefined && v !== '');
      row[item.key] = computeAggregate(item.fn, values);
    }
    out.push(row);
  }
  if (agg.order.length) {
    out.sort((a, b) => {
      for (const o of agg.order) {
        const c = compareValues(sortable(a[o.key]), sortable(b[o.key]), o.desc, o.nullsFirst);
        if (c !== 0) return c;
      }
      return 0;
    });
  }
  const offset = plan.offset ?? 0;
  if (offset || plan.limit !== undefined) out = out.slice(offset, plan.limit === undefined ? undefined : offset + plan.limit);
  return out;
}

const sortable = (v: unknown): unknown => (typeof v === 'string' ? v.toLowerCase() : v);

function computeAggregate(fn: string, values: unknown[]): unknown {
  switch (fn) {
    case 'COUNT':
      return values.length;
    case 'COUNT_DISTINCT':
      return new Set(values.map((v) => (typeof v === 'string' ? v.toLowerCase() : v))).size;
    case 'SUM':
      return values.length ? values.reduce((s: number, v) => s + Number(v), 0) : null;
    case 'AVG':
      return values.length ? values.reduce((s: number, v) => s + Number(v), 0) / values.length : null;
    case 'MIN':
    case 'MAX': {
      if (!values.length) return null;
      let best = values[0];
      for (const v of values) {
        const c = compareValues(sortable(v), sortable(best), false, true);
        if ((fn === 'MIN' && c < 0) || (fn === 'MAX' && c > 0)) best = v;
      }
      return best;
    }
    default:
      return null;
  }
}

/** Semi-/anti-joins: `Id IN (SELECT AssigneeId FROM PermissionSetAssignment WHERE ...)`, one field selected. */
function semiJoinRunner(ctx: Ctx): SemiJoinRunner {
  const runner: SemiJoinRunner = (query, token) => {
    const obj = resolveObject(ctx, query.sObject ?? '');
    const fields = query.fields ?? [];
    const only = fields[0];
    if (fields.length !== 1 || (only.type !== 'Field' && only.type !== 'FieldRelationship')) {
      throw malformed(ctx.soql, token, 'The inner select field in a semi-join must be a single field');
    }
    const raw = only.type === 'Field' ? only.field : only.rawValue ?? [...only.relationships, only.field].join('.');
    const path = resolvePath(ctx, obj, raw, query.sObjectAlias);
    const get = getterOf(ctx.org, path);
    const where = new WhereCompiler(ctx, obj, query.sObjectAlias, runner).compile(query.where);
    const plan: Plan = {
      obj,
      projections: [],
      where,
      order: [],
      limit: query.limit,
      countOnly: false,
      idSelected: false,
    };
    return () => new Set(sortAndSlice(selectRows(ctx, plan), plan).map(get));
  };
  return runner;
}
