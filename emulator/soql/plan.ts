/*
 * A parsed SOQL query turned into a plan checked against the schema and the caller's access: the projection tree
 * (fields, parent relationships, child subqueries), the compiled WHERE, ORDER BY keys, LIMIT/OFFSET and aggregates.
 * Both the query executor and the `columns=true` description are built from it, so they refuse the same queries.
 */
import type { FieldType, OrderByClause, Query, Subquery } from '@jetstreamapp/soql-parser-js';
import type { FieldDef, ObjectDef, SRecord } from '../core/types.js';
import { findToken, malformed, soqlError } from './errors.js';
import { dateMs, dateTimeMs } from './literals.js';
import {
  getterOf,
  kindOf,
  lookupField,
  requireField,
  resolveChildRelationship,
  resolveHop,
  resolveObject,
  resolvePath,
  type ChildRelationship,
  type Ctx,
  type FieldPath,
  type Hop,
  type ValueKind,
} from './schema.js';
import { WhereCompiler, type CompiledWhere, type SemiJoinRunner } from './where.js';

export type FieldProj = { kind: 'field'; key: string; field: FieldDef; owner: ObjectDef };
export type ParentProj = { kind: 'parent'; key: string; hop: Hop; children: Proj[] };
export type ChildProj = { kind: 'child'; key: string; rel: ChildRelationship; plan: Plan };
export type Proj = FieldProj | ParentProj | ChildProj;

export type OrderKey = { get: (r: SRecord) => unknown; desc: boolean; nullsFirst: boolean };

export type AggItem =
  | { kind: 'group'; key: string; get: (r: SRecord) => unknown; field: FieldDef; raw: string }
  | { kind: 'agg'; key: string; fn: string; get?: (r: SRecord) => unknown; field?: FieldDef; raw: string };

export type AggregatePlan = {
  items: AggItem[];
  groupBy: Array<{ get: (r: SRecord) => unknown; norm: (v: unknown) => unknown }>;
  order: Array<{ key: string; desc: boolean; nullsFirst: boolean }>;
};

export type Plan = {
  obj: ObjectDef;
  projections: Proj[];
  where: CompiledWhere;
  order: OrderKey[];
  limit?: number;
  offset?: number;
  /** SELECT COUNT() ...: only totalSize is answered. */
  countOnly: boolean;
  aggregate?: AggregatePlan;
  idSelected: boolean;
};

/** Sort form of a value: text case-insensitive, dates as epoch ms, null stays null. */
export function sortNormalizer(kind: ValueKind): (v: unknown) => unknown {
  return (v) => {
    if (v === null || v === undefined || v === '') return null;
    switch (kind) {
      case 'text':
      case 'multi':
        return String(v).toLowerCase();
      case 'date':
        return dateMs(String(v));
      case 'datetime':
        return dateTimeMs(String(v));
      case 'boolean':
        return v === true ? 1 : 0;
      default:
        return v;
    }
  };
}

export function compareValues(a: unknown, b: unknown, desc: boolean, nullsFirst: boolean): number {
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : nullsFirst ? -1 : 1;
  if (b === null || b === undefined) return nullsFirst ? 1 : -1;
  const c = (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
  return desc ? -c : c;
}

const AGGREGATE_FNS = new Set(['COUNT', 'COUNT_DISTINCT', 'SUM', 'AVG', 'MIN', 'MAX']);

type SelectItem = { raw: string; parts: string[]; alias?: string };

export class Planner {
  public constructor(private readonly ctx: Ctx, private readonly semiJoin: SemiJoinRunner) {}

  public plan(query: Query | Subquery, objOverride?: ObjectDef): Plan {
    const ctx = this.ctx;
    const soql = ctx.soql;
    const obj = objOverride ?? resolveObject(ctx, (query as Query).sObject ?? '');
    const alias = query.sObjectAlias;
    const fields = query.fields ?? [];
    if (fields.some((f) => f.type === 'FieldTypeof')) throw malformed(soql, 'TYPEOF', 'TYPEOF is not supported by the local org');

    // SOQL and SOSL Reference: OFFSET ("The maximum offset is 2,000 rows").
    if (query.offset !== undefined && query.offset > 2000) {
      throw soqlError('NUMBER_OUTSIDE_VALID_RANGE', soql, 'OFFSET', 'Maximum SOQL offset allowed is 2000');
    }
    const isAggregate =
      query.groupBy !== undefined ||
      fields.some((f) => f.type === 'FieldFunctionExpression' && AGGREGATE_FNS.has(f.functionName.toUpperCase()));
    const compileWhere = (): CompiledWhere => new WhereCompiler(ctx, obj, alias, this.semiJoin).compile(query.where);
    const plan: Plan = {
      obj,
      projections: [],
      where: { pred: () => true },
      order: [],
      limit: query.limit,
      offset: query.offset,
      countOnly: false,
      idSelected: false,
    };

    if (isAggregate) {
      const aggregate = this.planAggregate(query, obj, alias);
      return { ...plan, ...aggregate, where: compileWhere() };
    }

    for (const f of fields) {
      switch (f.type) {
        case 'Field':
        case 'FieldRelationship': {
          const item = this.selectItem(f, alias);
          if (item.alias) throw malformed(soql, item.alias, 'Only aggregate expressions use field aliasing');
          this.addPath(plan.projections, obj, item.parts, item.raw, true);
          break;
        }
        case 'FieldSubquery': {
          if (objOverride) throw malformed(soql, 'SELECT', 'unexpected token: SELECT');
          const sub = f.subquery;
          const rel = resolveChildRelationship(ctx, obj, sub.relationshipName);
          const subPlan = this.plan(sub, rel.child);
          plan.projections.push({ kind: 'child', key: rel.name, rel, plan: subPlan });
          break;
        }
        case 'FieldFunctionExpression': {
          if (f.functionName.toUpperCase() !== 'FIELDS') {
            throw malformed(soql, f.functionName, `${f.functionName} is not supported by the local org`);
          }
          this.expandFields(plan, obj, String(f.parameters[0] ?? '').toUpperCase(), query.limit);
          break;
        }
        default:
          break;
      }
    }
    // Salesforce reports the first problem in query order: object, SELECT list, WHERE, ORDER BY.
    plan.where = compileWhere();
    plan.idSelected = plan.projections.some((p) => p.kind === 'field' && p.key === 'Id');
    plan.order = this.orderKeys(query.orderBy, obj, alias);
    return plan;
  }

  private selectItem(f: FieldType, alias?: string): SelectItem {
    if (f.type === 'Field') {
      const parts = f.field.split('.');
      return { raw: f.field, parts, alias: f.alias };
    }
    if (f.type === 'FieldRelationship') {
      let parts = [...f.relationships, f.field];
      const prefix = 'objectPrefix' in f ? (f as { objectPrefix?: string }).objectPrefix : undefined;
      if (prefix && alias && parts[0].toLowerCase() === alias.toLowerCase()) parts = parts.slice(1);
      else if (alias && parts.length > 1 && parts[0].toLowerCase() === alias.toLowerCase()) parts = parts.slice(1);
      return { raw: f.rawValue ?? parts.join('.'), parts, alias: (f as { alias?: string }).alias };
    }
    return { raw: '', parts: [] };
  }

  /** Adds a selected path to the projection tree; `strict` refuses one selected twice, as Salesforce does. */
  private addPath(list: Proj[], obj: ObjectDef, parts: string[], raw: string, strict = false): void {
    if (parts.length === 1) {
      const field = requireField(this.ctx, obj, parts[0], raw);
      if (!list.some((p) => p.kind === 'field' && p.key === field.name)) {
        list.push({ kind: 'field', key: field.name, field, owner: obj });
      } else if (strict) {
        const second = findToken(this.ctx.soql, raw, { skip: 1 });
        throw soqlError('INVALID_FIELD', this.ctx.soql, second, `duplicate field selected: ${raw}`);
      }
      return;
    }
    const hop = resolveHop(this.ctx, obj, parts[0], raw);
    let node = list.find((p): p is ParentProj => p.kind === 'parent' && p.key === hop.relationshipName);
    if (!node) {
      node = { kind: 'parent', key: hop.relationshipName, hop, children: [] };
      list.push(node);
    }
    const rest = parts.slice(1);
    // Polymorphic lookups: resolve on the first target that has the field.
    const target =
      rest.length === 1 ? hop.targets.find((t) => lookupField(this.ctx, t, rest[0])) ?? hop.targets[0] : hop.targets[0];
    this.addPath(node.children, target, rest, raw, strict);
  }

  private expandFields(plan: Plan, obj: ObjectDef, which: string, limit?: number): void {
    if ((which === 'ALL' || which === 'CUSTOM') && (limit === undefined || limit > 200)) {
      throw malformed(this.ctx.soql, 'FIELDS', 'The SOQL FIELDS function must have a LIMIT of at most 200');
    }
    for (const field of obj.fields.values()) {
      if (which === 'STANDARD' && field.custom) continue;
      if (which === 'CUSTOM' && !field.custom) continue;
      if (!lookupField(this.ctx, obj, field.name)) continue;
      this.addPath(plan.projections, obj, [field.name], field.name);
    }
  }

  private orderKeys(orderBy: OrderByClause | OrderByClause[] | undefined, obj: ObjectDef, alias?: string): OrderKey[] {
    const clauses = orderBy === undefined ? [] : Array.isArray(orderBy) ? orderBy : [orderBy];
    return clauses.map((c) => {
      if (!('field' in c)) throw malformed(this.ctx.soql, 'ORDER', 'ORDER BY a function is only supported in aggregate queries');
      const path = resolvePath(this.ctx, obj, c.field, alias);
      const get = getterOf(this.ctx.org, path);
      const norm = sortNormalizer(kindOf(path.field));
      const desc = c.order === 'DESC';
      // Nulls sort as the lowest value: first ascending, last descending, unless NULLS FIRST/LAST says otherwise.
      const nullsFirst = c.nulls ? c.nulls === 'FIRST' : !desc;
      return { get: (r: SRecord): unknown => norm(get(r)), desc, nullsFirst };
    });
  }

  private planAggregate(
    query: Query | Subquery,
    obj: ObjectDef,
    alias: string | undefined
  ): { countOnly: true } | { aggregate: AggregatePlan } {
    const soql = this.ctx.soql;
    const fields = query.fields ?? [];
    const groupClauses = query.groupBy === undefined ? [] : Array.isArray(query.groupBy) ? query.groupBy : [query.groupBy];
    const groupPaths: FieldPath[] = groupClauses.map((g) => {
      if (!('field' in g)) throw malformed(soql, 'GROUP', 'GROUP BY a function is not supported by the local org');
      return resolvePath(this.ctx, obj, g.field, alias);
    });
    if (query.having) throw malformed(soql, 'HAVING', 'HAVING is not supported by the local org');

    const only = fields.length === 1 ? fields[0] : undefined;
    if (only?.type === 'FieldFunctionExpression' && only.functionName.toUpperCase() === 'COUNT' && !only.parameters.length) {
      if (groupPaths.length) throw malformed(soql, 'GROUP', 'COUNT() and GROUP BY may not be used together');
      return { countOnly: true };
    }

    let expr = 0;
    const items = fields.map((f): AggItem => {
      if (f.type === 'FieldFunctionExpression') {
        const key = f.alias ?? `expr${expr++}`;
        return this.aggregateItem(f.functionName, f.parameters, key, f.rawValue, obj, alias);
      }
      if (f.type !== 'Field' && f.type !== 'FieldRelationship') {
        throw malformed(soql, 'SELECT', 'Only fields and aggregate functions may be selected in an aggregate query');
      }
      const item = this.selectItem(f, alias);
      const path = resolvePath(this.ctx, obj, item.parts.join('.'), alias);
      const route = (p: FieldPath): string => [...p.hops.map((h) => h.ref.name), p.field.name].join('.');
      if (!groupPaths.some((g) => route(g) === route(path))) {
        throw malformed(soql, item.raw, `Field must be grouped or aggregated: ${path.field.name}`);
      }
      return { kind: 'group', key: item.alias ?? path.field.name, get: getterOf(this.ctx.org, path), field: path.field, raw: item.raw };
    });

    return {
      aggregate: {
        items,
        groupBy: groupPaths.map((p) => ({ get: getterOf(this.ctx.org, p), norm: sortNormalizer(kindOf(p.field)) })),
        order: this.aggregateOrder(query.orderBy, items),
      },
    };
  }

  private aggregateItem(
    functionName: string,
    parameters: unknown[],
    key: string,
    rawValue: string | undefined,
    obj: ObjectDef,
    alias: string | undefined
  ): AggItem {
    const soql = this.ctx.soql;
    const fn = functionName.toUpperCase();
    if (!AGGREGATE_FNS.has(fn)) throw malformed(soql, functionName, `${functionName} is not supported by the local org`);
    if (fn === 'COUNT' && parameters.length === 0) {
      throw malformed(soql, 'COUNT', 'COUNT() must be the only element in the SELECT list.');
    }
    const param = parameters[0];
    if (typeof param !== 'string') throw malformed(soql, functionName, `unexpected token: ${functionName}`);
    const path = resolvePath(this.ctx, obj, param, alias);
    return { kind: 'agg', key, fn, get: getterOf(this.ctx.org, path), field: path.field, raw: rawValue ?? `${fn}(${param})` };
  }

  private aggregateOrder(orderBy: OrderByClause | OrderByClause[] | undefined, items: AggItem[]): AggregatePlan['order'] {
    const clauses = orderBy === undefined ? [] : Array.isArray(orderBy) ? orderBy : [orderBy];
    const squash = (s: string): string => s.replace(/\s+/g, '').toLowerCase();
    return clauses.map((c) => {
      const wanted = 'field' in c ? squash(c.field) : squash(c.fn.rawValue ?? '');
      const item = items.find((i) => squash(i.raw) === wanted || i.key.toLowerCase() === wanted);
      if (!item) {
        throw malformed(this.ctx.soql, 'ORDER', 'ORDER BY must name a selected group or aggregate in an aggregate query');
      }
      const desc = c.order === 'DESC';
      return { key: item.key, desc, nullsFirst: c.nulls ? c.nulls === 'FIRST' : !desc };
    });
  }
}
