/*
 * SOQL literal values: quoted strings and their escapes, LIKE patterns, date and dateTime literals and
 * the relative date literals (TODAY, LAST_N_DAYS:n, ...) as half-open UTC ranges
 * (SOQL and SOSL Reference: Quoted String Escape Sequences; Date Formats and Date Literals).
 */

const ESCAPES: Record<string, string> = {
  n: '\n',
  N: '\n',
  r: '\r',
  R: '\r',
  t: '\t',
  T: '\t',
  b: '\b',
  B: '\b',
  f: '\f',
  F: '\f',
  '"': '"',
  "'": "'",
  '\\': '\\',
};

/**
 * The value of a quoted SOQL string literal. With `keepLikeEscapes`, `\%` and `\_` stay escaped (they only mean
 * something to LIKE), otherwise they become the bare characters.
 */
export function unquote(raw: string, keepLikeEscapes = false): string {
  const body = raw.startsWith("'") && raw.endsWith("'") && raw.length >= 2 ? raw.slice(1, -1) : raw;
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\' || i === body.length - 1) {
      out += c;
      continue;
    }
    const next = body[++i];
    if (next === '%' || next === '_') out += keepLikeEscapes ? `\\${next}` : next;
    else if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(body.slice(i + 1, i + 5))) {
      out += String.fromCharCode(parseInt(body.slice(i + 1, i + 5), 16));
      i += 4;
    } else out += ESCAPES[next] ?? next;
  }
  return out;
}

/** A LIKE pattern as an anchored, case-insensitive RegExp: % any run, _ one character, \% and \_ literal. */
export function likeToRegExp(rawLiteral: string): RegExp {
  const pattern = unquote(rawLiteral, true);
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && (pattern[i + 1] === '%' || pattern[i + 1] === '_')) {
      source += pattern[++i];
    } else if (c === '%') source += '[\\s\\S]*';
    else if (c === '_') source += '[\\s\\S]';
    else source += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'i');
}

/** Epoch ms of a stored or literal dateTime ('2026-11-20T10:00:00.000+0000', '...Z', '...+01:00'). */
export function dateTimeMs(value: string): number {
  const normal = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  return Date.parse(normal);
}

/** Epoch ms of UTC midnight of a 'YYYY-MM-DD' date. */
export const dateMs = (value: string): number => Date.parse(`${value.slice(0, 10)}T00:00:00Z`);

/** A half-open range [start, end) in epoch ms. */
export type Range = { start: number; end: number };

const DAY = 86_400_000;
const utcDay = (y: number, m: number, d: number): number => Date.UTC(y, m, d);

/**
 * The range a relative date literal covers, in UTC (Salesforce uses the user's time zone; the local org's users are
 * UTC). Weeks start on Sunday (en_US locale); the fiscal year is the calendar year (the default fiscal year setting).
 */
export function dateLiteralRange(literal: string, n = 1, now = new Date()): Range | undefined {
  const y = now.getUTCFullYear();
  const mo = now.getUTCMonth();
  const today = utcDay(y, mo, now.getUTCDate());
  const weekStart = today - now.getUTCDay() * DAY;
  const quarterMonth = mo - (mo % 3);
  const month = (offset: number, count = 1): Range => ({
    start: utcDay(y, mo + offset, 1),
    end: utcDay(y, mo + offset + count, 1),
  });
  const quarter = (offset: number, count = 1): Range => ({
    start: utcDay(y, quarterMonth + offset * 3, 1),
    end: utcDay(y, quarterMonth + (offset + count) * 3, 1),
  });
  const year = (offset: number, count = 1): Range => ({ start: utcDay(y + offset, 0, 1), end: utcDay(y + offset + count, 0, 1) });
  const days = (offset: number, count = 1): Range => ({ start: today + offset * DAY, end: today + (offset + count) * DAY });
  const weeks = (offset: number, count = 1): Range => ({
    start: weekStart + offset * 7 * DAY,
    end: weekStart + (offset + count) * 7 * DAY,
  });
  const ranges: Record<string, () => Range> = {
    YESTERDAY: () => days(-1),
    TODAY: () => days(0),
    TOMORROW: () => days(1),
    LAST_WEEK: () => weeks(-1),
    THIS_WEEK: () => weeks(0),
    NEXT_WEEK: () => weeks(1),
    LAST_MONTH: () => month(-1),
    THIS_MONTH: () => month(0),
    NEXT_MONTH: () => month(1),
    LAST_90_DAYS: () => days(-90, 91),
    NEXT_90_DAYS: () => days(1, 90),
    LAST_QUARTER: () => quarter(-1),
    THIS_QUARTER: () => quarter(0),
    NEXT_QUARTER: () => quarter(1),
    LAST_YEAR: () => year(-1),
    THIS_YEAR: () => year(0),
    NEXT_YEAR: () => year(1),
    LAST_FISCAL_QUARTER: () => quarter(-1),
    THIS_FISCAL_QUARTER: () => quarter(0),
    NEXT_FISCAL_QUARTER: () => quarter(1),
    LAST_FISCAL_YEAR: () => year(-1),
    THIS_FISCAL_YEAR: () => year(0),
    NEXT_FISCAL_YEAR: () => year(1),
    // LAST_N_DAYS:n covers today and the n days before it.
    LAST_N_DAYS: () => days(-n, n + 1),
    NEXT_N_DAYS: () => days(1, n),
    N_DAYS_AGO: () => days(-n),
    LAST_N_WEEKS: () => weeks(-n, n),
    NEXT_N_WEEKS: () => weeks(1, n),
    N_WEEKS_AGO: () => weeks(-n),
    LAST_N_MONTHS: () => month(-n, n),
    NEXT_N_MONTHS: () => month(1, n),
    N_MONTHS_AGO: () => month(-n),
    LAST_N_QUARTERS: () => quarter(-n, n),
    NEXT_N_QUARTERS: () => quarter(1, n),
    N_QUARTERS_AGO: () => quarter(-n),
    LAST_N_YEARS: () => year(-n, n),
    NEXT_N_YEARS: () => year(1, n),
    N_YEARS_AGO: () => year(-n),
    LAST_N_FISCAL_QUARTERS: () => quarter(-n, n),
    NEXT_N_FISCAL_QUARTERS: () => quarter(1, n),
    N_FISCAL_QUARTERS_AGO: () => quarter(-n),
    LAST_N_FISCAL_YEARS: () => year(-n, n),
    NEXT_N_FISCAL_YEARS: () => year(1, n),
    N_FISCAL_YEARS_AGO: () => year(-n),
  };
  const name = literal.split(':')[0].toUpperCase();
  return ranges[name]?.();
}
