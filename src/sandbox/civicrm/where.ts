/** Evaluation of APIv4 `where` clauses over in-memory rows (SQL-like semantics, strings compared as utf8mb4_unicode_ci). */
import { ApiError } from './api-error.js';
import { collate, fold } from './collation.js';

export type Accessor<R> = (row: R) => unknown;
export type Resolver<R> = (field: string) => Accessor<R>;
export type Predicate<R> = (row: R) => boolean;

export const OPERATORS = new Set([
  '=', '<=', '>=', '>', '<', 'LIKE', '<>', '!=', 'NOT LIKE', 'IN', 'NOT IN', 'BETWEEN', 'NOT BETWEEN',
  'IS NOT NULL', 'IS NULL', 'CONTAINS', 'NOT CONTAINS', 'IS EMPTY', 'IS NOT EMPTY', 'REGEXP', 'NOT REGEXP',
]);

const norm = (v: unknown): unknown => (typeof v === 'boolean' ? (v ? 1 : 0) : v);
const isNullish = (v: unknown): boolean => v === null || v === undefined;

/** Like MySQL: numbers compare numerically, strings by the table collation, NULL never matches. */
export function sqlEquals(a: unknown, b: unknown): boolean {
  a = norm(a);
  b = norm(b);
  if (isNullish(a) || isNullish(b)) return false;
  if (typeof a === 'number' || typeof b === 'number') {
    const na = Number(a);
    const nb = Number(b);
    if (!Number.isNaN(na) && !Number.isNaN(nb)) return na === nb;
  }
  return collate(String(a)) === collate(String(b));
}

export function sqlCompare(a: unknown, b: unknown): number | null {
  a = norm(a);
  b = norm(b);
  if (isNullish(a) || isNullish(b)) return null;
  const na = Number(a);
  const nb = Number(b);
  if ((typeof a === 'number' || typeof b === 'number') && !Number.isNaN(na) && !Number.isNaN(nb)) return na - nb;
  const sa = collate(String(a));
  const sb = collate(String(b));
  return sa < sb ? -1 : sa > sb ? 1 : 0;
}

/** A LIKE pattern as a RegExp over folded text (test it against `fold(value)`). */
export function likeToRegExp(pattern: string): RegExp {
  let out = '';
  for (const ch of fold(pattern)) {
    if (ch === '%') out += '[\\s\\S]*';
    else if (ch === '_') out += '[\\s\\S]';
    else out += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${out}$`, 'i');
}

const isEmpty = (v: unknown): boolean =>
  isNullish(v) || v === '' || v === 0 || v === false || (Array.isArray(v) && v.length === 0);

function test(op: string, actual: unknown, value: unknown): boolean {
  const list = Array.isArray(value) ? value : [value];
  if (Array.isArray(actual)) {
    // Multi-valued fields (target_contact_id, groups, group_type): "=" / IN mean "contains".
    switch (op) {
      case 'IS NULL': case 'IS EMPTY': return actual.length === 0;
      case 'IS NOT NULL': case 'IS NOT EMPTY': return actual.length > 0;
      case '=': case 'CONTAINS': case 'IN': return actual.some((a) => list.some((v) => sqlEquals(a, v)));
      case '!=': case '<>': case 'NOT CONTAINS': case 'NOT IN': return !actual.some((a) => list.some((v) => sqlEquals(a, v)));
      default: return actual.some((a) => test(op, a, value));
    }
  }
  switch (op) {
    case '=': return sqlEquals(actual, value);
    case '!=': case '<>': return !isNullish(actual) && !isNullish(value) && !sqlEquals(actual, value);
    case '<': case '>': case '<=': case '>=': {
      const c = sqlCompare(actual, value);
      if (c === null) return false;
      return op === '<' ? c < 0 : op === '>' ? c > 0 : op === '<=' ? c <= 0 : c >= 0;
    }
    case 'IN': return list.some((v) => sqlEquals(actual, v));
    case 'NOT IN': return !isNullish(actual) && !list.some((v) => sqlEquals(actual, v));
    case 'LIKE': return !isNullish(actual) && likeToRegExp(String(value)).test(fold(String(actual)));
    case 'NOT LIKE': return !isNullish(actual) && !likeToRegExp(String(value)).test(fold(String(actual)));
    case 'CONTAINS': return !isNullish(actual) && fold(String(actual)).includes(fold(String(value)));
    case 'NOT CONTAINS': return !isNullish(actual) && !fold(String(actual)).includes(fold(String(value)));
    case 'IS NULL': return isNullish(actual);
    case 'IS NOT NULL': return !isNullish(actual);
    case 'IS EMPTY': return isEmpty(actual);
    case 'IS NOT EMPTY': return !isEmpty(actual);
    case 'BETWEEN': case 'NOT BETWEEN': {
      const lo = sqlCompare(actual, list[0]);
      const hi = sqlCompare(actual, list[1]);
      if (lo === null || hi === null) return false;
      const inside = lo >= 0 && hi <= 0;
      return op === 'BETWEEN' ? inside : !inside;
    }
    case 'REGEXP': return !isNullish(actual) && new RegExp(String(value), 'i').test(String(actual));
    case 'NOT REGEXP': return !isNullish(actual) && !new RegExp(String(value), 'i').test(String(actual));
    default: throw new ApiError('Illegal operator');
  }
}

const isGroup = (c: unknown[]): boolean =>
  typeof c[0] === 'string' && ['AND', 'OR', 'NOT'].includes(c[0].toUpperCase()) && Array.isArray(c[1]);

function compileClause<R>(clause: unknown, resolve: Resolver<R>): Predicate<R> {
  if (!Array.isArray(clause)) throw new ApiError('Invalid where clause');
  if (isGroup(clause)) {
    const kind = String(clause[0]).toUpperCase();
    const parts = (clause[1] as unknown[]).map((c) => compileClause(c, resolve));
    if (kind === 'OR') return (r) => parts.some((p) => p(r));
    if (kind === 'NOT') return (r) => !parts.every((p) => p(r));
    return (r) => parts.every((p) => p(r));
  }
  const [field, rawOp, value] = clause as [unknown, unknown, unknown];
  const op = typeof rawOp === 'string' ? rawOp.toUpperCase() : '';
  if (!OPERATORS.has(op)) throw new ApiError('Illegal operator');
  if (typeof field !== 'string') throw new ApiError('Invalid where clause');
  const get = resolve(field);
  return (r) => test(op, get(r), value);
}

/** Compile a full `where` list (implicit AND). Throws ApiError for bad operators or fields. */
export function compileWhere<R>(where: unknown, resolve: Resolver<R>): Predicate<R> {
  if (where === undefined || where === null) return () => true;
  if (!Array.isArray(where)) throw new ApiError('Parameter "where" is not of the correct type. Expecting array.');
  return compileClause(['AND', where], resolve);
}

/** Does any clause (at any depth) name this field? Used for default filters such as is_deleted. */
export function whereMentions(where: unknown, field: string): boolean {
  if (!Array.isArray(where)) return false;
  return where.some((c) => {
    if (!Array.isArray(c)) return false;
    if (isGroup(c)) return whereMentions(c[1], field);
    return c[0] === field;
  });
}

/** Values of top-level `[field, '=', v]` clauses (and `IN` lists when withIn): fast path and "fetch by unique key". */
export function topLevelEquals(where: unknown, field: string, withIn = false): unknown[] {
  if (!Array.isArray(where)) return [];
  const out: unknown[] = [];
  for (const c of where) {
    if (!Array.isArray(c) || isGroup(c) || c[0] !== field) continue;
    const op = typeof c[1] === 'string' ? c[1].toUpperCase() : '';
    if (op === '=') out.push(c[2]);
    else if (withIn && op === 'IN' && Array.isArray(c[2])) out.push(...c[2]);
  }
  return out;
}
