/**
 * How the sandbox compares values the way Koha's MySQL does: strings under a case- and
 * accent-insensitive collation (utf8mb4_unicode_ci), booleans as tinyint, date-times as instants.
 */
import type { FieldKind } from './fields.js';
import { formatNaive, parseDateTime } from './zoned-time.js';

/** A value ready for comparison: numbers compare numerically, strings by collation key. */
export type Comparable = number | string;

export class QueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueryError';
  }
}

/** Collation key: Zoë = zoe = ZOE, as utf8mb4_unicode_ci treats them. */
export function collate(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** A stored value (datetime already an instant in ms) → comparable, or null for SQL NULL. */
export function storedComparable(value: unknown, kind: FieldKind): Comparable | null {
  if (value === null || value === undefined) return null;
  if (kind === 'bool') return value === true || value === 1 ? 1 : 0;
  if (kind === 'string') return collate(String(value));
  if (kind === 'date') return String(value);
  return Number(value);
}

/** A `q` literal → comparable in the field's kind; throws QueryError when it cannot be one. */
export function literalComparable(value: unknown, kind: FieldKind, field: string, timeZone: string): Comparable | null {
  if (value === null) return null;
  if (typeof value === 'object') throw new QueryError(`Invalid value for field ${field}`);
  switch (kind) {
    case 'bool':
      if (value === true || value === 1 || value === '1' || value === 'true') return 1;
      if (value === false || value === 0 || value === '0' || value === 'false') return 0;
      break;
    case 'int':
    case 'number': {
      const n = typeof value === 'number' ? value : Number(String(value).trim());
      if (String(value).trim() !== '' && Number.isFinite(n)) return n;
      break;
    }
    case 'datetime': {
      const ms = parseDateTime(String(value), timeZone);
      if (ms !== undefined) return ms;
      break;
    }
    case 'date':
      return String(value);
    case 'string':
      return collate(String(value));
  }
  throw new QueryError(`Invalid value for field ${field}`);
}

/** Text of a stored value as SQL LIKE/REGEXP sees it (date-times in the server's naive form). */
export function storedText(value: unknown, kind: FieldKind, timeZone: string): string | null {
  if (value === null || value === undefined) return null;
  if (kind === 'datetime') return formatNaive(Number(value), timeZone);
  if (kind === 'bool') return value === true || value === 1 ? '1' : '0';
  return String(value);
}

export function compare(a: Comparable, b: Comparable): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** SQL LIKE (`%`, `_`, backslash escapes) → a case/accent-insensitive RegExp over collation keys. */
export function likeToRegExp(pattern: string): RegExp {
  let out = '';
  const p = collate(pattern);
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    if (c === '\\' && i + 1 < p.length) out += escapeRe(p[++i]!);
    else if (c === '%') out += '[\\s\\S]*';
    else if (c === '_') out += '[\\s\\S]';
    else out += escapeRe(c);
  }
  return new RegExp(`^${out}$`, 'u');
}

function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
