/*
 * WHERE clauses compiled once into a predicate over stored records (SOQL and SOSL Reference: WHERE, Comparison
 * Operators, Logical Operators, Date Formats and Date Literals, Semi-Joins). String comparisons are case-insensitive,
 * ids match in their 15- or 18-character form, `!=` and NOT IN keep records whose value is null.
 */
import type {
  ConditionWithValueQuery,
  LiteralType,
  Query,
  ValueQueryCondition,
  WhereClause,
} from '@jetstreamapp/soql-parser-js';
import { normalizeId } from '../core/ids.js';
import type { FieldDef, ObjectDef, SalesforceError, SRecord } from '../core/types.js';
import { malformed, soqlError } from './errors.js';
import { dateLiteralRange, dateMs, dateTimeMs, likeToRegExp, unquote, type Range } from './literals.js';
import { getterOf, kindOf, resolvePath, type Ctx, type ValueKind } from './schema.js';

export type Pred = (r: SRecord) => boolean;

/**
 * A compiled WHERE: the predicate, plus, when a top-level conjunct is `F = x` or `F IN (...)` on an id, lookup or
 * case-insensitive text field of the queried object, the values to look up through the org's field index first.
 */
export type Candidates = { field: string; values: unknown[] };
/** `idFiltered`: a top-level conjunct is `Id = x` or `Id IN (...)` (FeedItem's implementation restriction needs one). */
export type CompiledWhere = { pred: Pred; candidates?: Candidates; idFiltered?: boolean };

/** Runs a semi-join subquery and returns the set of values its single column holds. */
export type SemiJoinRunner = (query: Query, token: string) => () => Set<unknown>;

type Tok =
  | { t: '(' | ')' | 'AND' | 'OR' | 'NOT' }
  | { t: 'cond'; c: ConditionWithValueQuery };

function flatten(where: WhereClause | undefined, out: Tok[]): void {
  let node: WhereClause | undefined = where;
  while (node) {
    const left = node.left as (ConditionWithValueQuery & { openParen?: number; closeParen?: number }) | null;
    if (left) {
      for (let i = 0; i < (left.openParen ?? 0); i++) out.push({ t: '(' });
      if ('field' in left || 'fn' in left) out.push({ t: 'cond', c: left });
      for (let i = 0; i < (left.closeParen ?? 0); i++) out.push({ t: ')' });
    }
    if ('operator' in node && node.operator) out.push({ t: node.operator });
    node = 'right' in node ? node.right : undefined;
  }
}

const isNull = (v: unknown): boolean => v === null || v === undefined || v === '';

/** Record value -> comparable form for a kind. */
function normalizer(kind: ValueKind): (v: unknown) => unknown {
  switch (kind) {
    case 'text':
    case 'multi':
      return (v) => (isNull(v) ? null : String(v).toLowerCase());
    case 'id':
      return (v) => (isNull(v) ? null : String(v).length === 15 ? normalizeId(v) : v);
    case 'number':
      return (v) => (isNull(v) ? null : Number(v));
    case 'boolean':
      return (v) => v === true || v === 'true';
    case 'date':
      return (v) => (isNull(v) ? null : dateMs(String(v)));
    case 'datetime':
      return (v) => (isNull(v) ? null : dateTimeMs(String(v)));
  }
}

const TYPE_NAMES: Partial<Record<FieldDef['type'], string>> = {
  int: 'integer',
  double: 'double',
  currency: 'currency',
  percent: 'double',
  boolean: 'boolean',
  date: 'date',
  datetime: 'dateTime',
  id: 'id',
  reference: 'id',
};

const ALLOWED: Record<ValueKind, LiteralType[]> = {
  text: ['STRING', 'NULL'],
  multi: ['STRING', 'NULL'],
  id: ['STRING', 'NULL'],
  number: ['INTEGER', 'DECIMAL', 'INTEGER_WITH_CURRENCY_PREFIX', 'DECIMAL_WITH_CURRENCY_PREFIX', 'NULL'],
  boolean: ['BOOLEAN', 'NULL'],
  date: ['DATE', 'DATE_LITERAL', 'DATE_N_LITERAL', 'NULL'],
  datetime: ['DATETIME', 'DATE_LITERAL', 'DATE_N_LITERAL', 'NULL'],
};

/** One literal as a comparable: a value, or a range for relative date literals. */
type Lit = { value: unknown } | { range: Range };

export class WhereCompiler {
  public constructor(
    private readonly ctx: Ctx,
    private readonly obj: ObjectDef,
    private readonly alias: string | undefined,
    private readonly semiJoin: SemiJoinRunner
  ) {}

  public compile(where: WhereClause | undefined): CompiledWhere {
    if (!where) return { pred: () => true };
    const toks: Tok[] = [];
    flatten(where, toks);
    let pos = 0;
    const soql = this.ctx.soql;
    let candidates: Candidates | undefined;
    let idFiltered = false;

    const parseSeq = (top: boolean): Pred => {
      const operands: Pred[] = [parseUnary(top)];
      let op: 'AND' | 'OR' | undefined;
      while (pos < toks.length && (toks[pos].t === 'AND' || toks[pos].t === 'OR')) {
        const next = toks[pos++].t as 'AND' | 'OR';
        // Salesforce refuses AND and OR mixed without parentheses.
        if (op && next !== op) throw malformed(soql, next, `unexpected token: ${next}`);
        op = next;
        operands.push(parseUnary(top && next === 'AND'));
      }
      if (op === 'OR' && top) {
        candidates = undefined;
        idFiltered = false;
      }
      if (operands.length === 1) return operands[0];
      if (op === 'OR') return (r) => operands.some((p) => p(r));
      return (r) => operands.every((p) => p(r));
    };
    const parseUnary = (top: boolean): Pred => {
      const tok = toks[pos++];
      if (!tok) throw malformed(soql, soql.length, 'unexpected token: <EOF>');
      if (tok.t === 'NOT') {
        const inner = parseUnary(false);
        return (r) => !inner(r);
      }
      if (tok.t === '(') {
        const inner = parseSeq(false);
        if (toks[pos]?.t !== ')') throw malformed(soql, soql.length, "unexpected token: ')'");
        pos++;
        return inner;
      }
      if (tok.t === 'cond') {
        const compiled = this.condition(tok.c);
        if (top && compiled.candidates && !candidates) candidates = compiled.candidates;
        if (top && compiled.candidates?.field === 'Id') idFiltered = true;
        return compiled.pred;
      }
      throw malformed(soql, tok.t, `unexpected token: ${tok.t}`);
    };
    const pred = parseSeq(true);
    if (pos < toks.length) throw malformed(soql, soql.length, `unexpected token: ${toks[pos].t}`);
    return { pred, candidates, idFiltered };
  }

  private condition(c: ConditionWithValueQuery): CompiledWhere {
    const soql = this.ctx.soql;
    if (!('field' in c)) {
      throw malformed(soql, 'fn' in c ? c.fn.functionName ?? '(' : '(', 'Functions in WHERE are not supported by the local org');
    }
    const path = resolvePath(this.ctx, this.obj, c.field, this.alias);
    const get = getterOf(this.ctx.org, path);
    const kind = kindOf(path.field);
    const norm = normalizer(kind);
    const read = (r: SRecord): unknown => norm(get(r));
    const op = (c.operator as string) === '<>' ? '!=' : c.operator;
    const refuse = (): SalesforceError => malformed(soql, c.field, `unexpected token: ${op}`);

    if ('valueQuery' in c && c.valueQuery) return this.semi(c, op, read, norm);
    if (!('value' in c)) throw refuse();
    const raws: string[] = Array.isArray(c.value) ? c.value : [c.value];
    const lits = this.literals(c, raws, path.field, kind);
    // The org's field index matches ids in either form and text case-insensitively, like SOQL.
    const indexable = path.hops.length === 0 && (kind === 'id' || (kind === 'text' && !path.field.caseSensitive));
    const candidatesOf = (values: unknown[]): Candidates | undefined =>
      indexable ? { field: path.field.name, values } : undefined;

    if (op === 'IN' || op === 'NOT IN') return inPredicate(op, lits, read, candidatesOf);
    if (op === 'INCLUDES' || op === 'EXCLUDES') return includesPredicate(op, lits, read);
    if (lits.length !== 1) throw refuse();
    if (op === 'LIKE') {
      const re = likeToRegExp(raws[0]);
      return { pred: (r): boolean => matches(re, get(r)) };
    }
    const lit = lits[0];
    const compiled = 'range' in lit ? rangePredicate(op, lit.range, read) : scalarPredicate(op, lit.value, read, candidatesOf);
    if (!compiled) throw refuse();
    return compiled;
  }

  private literals(c: { field: string; literalType?: LiteralType | LiteralType[] }, raws: string[], field: FieldDef, kind: ValueKind): Lit[] {
    const types: Array<LiteralType | undefined> = Array.isArray(c.literalType)
      ? c.literalType
      : raws.map(() => c.literalType as LiteralType | undefined);
    const ns = 'dateLiteralVariable' in c ? (c.dateLiteralVariable as number | number[]) : undefined;
    return raws.map((raw, i) => this.literal(field, kind, raw, types[i], c.field, Array.isArray(ns) ? ns[i] : ns));
  }

  private semi(
    c: ValueQueryCondition,
    op: string,
    read: (r: SRecord) => unknown,
    norm: (v: unknown) => unknown
  ): CompiledWhere {
    if (op !== 'IN' && op !== 'NOT IN') throw malformed(this.ctx.soql, c.field, `unexpected token: ${op}`);
    const values = this.semiJoin(c.valueQuery, c.field);
    let cached: Set<unknown> | undefined;
    const has = (r: SRecord): boolean => {
      cached ??= new Set([...values()].map(norm));
      const v = read(r);
      return v !== null && cached.has(v);
    };
    return { pred: op === 'IN' ? has : (r): boolean => !has(r) };
  }

  private literal(
    field: FieldDef,
    kind: ValueKind,
    raw: string,
    type: LiteralType | undefined,
    token: string,
    n: number | undefined
  ): Lit {
    const soql = this.ctx.soql;
    const literalType = type ?? 'STRING';
    if (!ALLOWED[kind].includes(literalType)) {
      const typeName = TYPE_NAMES[field.type] ?? 'string';
      const quoted = kind === 'text' || kind === 'multi' || kind === 'id';
      throw soqlError(
        'INVALID_FIELD',
        soql,
        token,
        `value of filter criterion for field '${field.name}' must be of type ${typeName} and should${quoted ? '' : ' not'} be enclosed in quotes`
      );
    }
    switch (literalType) {
      case 'NULL':
        return { value: null };
      case 'STRING': {
        const s = unquote(raw);
        if (kind === 'id') {
          const id = normalizeId(s);
          if (!id) throw soqlError('INVALID_QUERY_FILTER_OPERATOR', soql, token, `invalid ID field: ${s}`);
          return { value: id };
        }
        return { value: s.toLowerCase() };
      }
      case 'BOOLEAN':
        return { value: raw.toUpperCase() === 'TRUE' };
      case 'DATE':
        return { value: dateMs(raw) };
      case 'DATETIME':
        return { value: dateTimeMs(raw) };
      case 'DATE_LITERAL':
      case 'DATE_N_LITERAL': {
        const range = dateLiteralRange(raw, n ?? Number(raw.split(':')[1] ?? 1));
        if (!range) throw malformed(soql, raw, `unexpected token: ${raw}`);
        return { range };
      }
      default:
        return { value: Number(raw.replace(/^[A-Z]{3}/, '')) };
    }
  }
}

function matches(re: RegExp, v: unknown): boolean {
  return !isNull(v) && re.test(String(v));
}

function inPredicate(
  op: 'IN' | 'NOT IN',
  lits: Lit[],
  read: (r: SRecord) => unknown,
  candidatesOf: (values: unknown[]) => Candidates | undefined
): CompiledWhere {
  const ranges = lits.flatMap((l) => ('range' in l ? [l.range] : []));
  const values = new Set(lits.flatMap((l) => ('value' in l ? [l.value] : [])));
  const withNull = values.has(null);
  const inList = (r: SRecord): boolean => {
    const v = read(r);
    if (v === null) return withNull;
    if (values.has(v)) return true;
    return ranges.some((g) => (v as number) >= g.start && (v as number) < g.end);
  };
  if (op === 'NOT IN') return { pred: (r): boolean => !inList(r) };
  return { pred: inList, candidates: withNull || ranges.length ? undefined : candidatesOf([...values]) };
}

/** Multi-select picklists: 'a;b' in the list means both values selected. */
function includesPredicate(op: 'INCLUDES' | 'EXCLUDES', lits: Lit[], read: (r: SRecord) => unknown): CompiledWhere {
  const wanted = lits.map((l) =>
    String('value' in l ? l.value : '')
      .split(';')
      .map((s) => s.trim())
  );
  const includes = (r: SRecord): boolean => {
    const v = read(r);
    if (v === null) return false;
    const have = new Set(
      String(v)
        .split(';')
        .map((s) => s.trim())
    );
    return wanted.some((w) => w.every((x) => have.has(x)));
  };
  return { pred: op === 'INCLUDES' ? includes : (r): boolean => !includes(r) };
}

/** A relative date literal covers a range: `= TODAY` is inside it, `< TODAY` before it, `> TODAY` after it. */
function rangePredicate(op: string, range: Range, read: (r: SRecord) => unknown): CompiledWhere | undefined {
  const { start, end } = range;
  const inRange = (v: number): boolean => v >= start && v < end;
  const tests: Record<string, (v: number) => boolean> = {
    '=': inRange,
    '!=': (v) => !inRange(v),
    '<': (v) => v < start,
    '<=': (v) => v < end,
    '>': (v) => v >= end,
    '>=': (v) => v >= start,
  };
  const test = tests[op];
  if (!test) return undefined;
  return {
    pred: (r): boolean => {
      const v = read(r);
      return v === null ? op === '!=' : test(v as number);
    },
  };
}

function scalarPredicate(
  op: string,
  want: unknown,
  read: (r: SRecord) => unknown,
  candidatesOf: (values: unknown[]) => Candidates | undefined
): CompiledWhere | undefined {
  if (want === null) {
    if (op === '=') return { pred: (r): boolean => read(r) === null };
    if (op === '!=') return { pred: (r): boolean => read(r) !== null };
    return { pred: (): boolean => false };
  }
  if (op === '=') return { pred: (r): boolean => read(r) === want, candidates: candidatesOf([want]) };
  if (op === '!=') return { pred: (r): boolean => read(r) !== want };
  const ordered: Record<string, (v: number, w: number) => boolean> = {
    '<': (v, w) => v < w,
    '<=': (v, w) => v <= w,
    '>': (v, w) => v > w,
    '>=': (v, w) => v >= w,
  };
  const test = ordered[op];
  if (!test) return undefined;
  return {
    pred: (r): boolean => {
      const v = read(r);
      return v !== null && test(v as number, want as number);
    },
  };
}
