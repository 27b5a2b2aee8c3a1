/**
 * Compiles Koha's `q` JSON (SQL::Abstract semantics) into a predicate over a row.
 * Hash = AND, array = OR, `-and`/`-or`/`-not` change the logic; SQL NULL semantics throughout
 * (a comparison with NULL is never true). Unknown fields and operators raise QueryError.
 */
import type { FieldKind, FieldMap } from './fields.js';
import {
  QueryError, collate, compare, likeToRegExp, literalComparable, storedComparable, storedText,
  type Comparable,
} from './values.js';

/** Reads a field of the row being tested; `rel.field` reads the current joined relation row. */
export type RowReader = (field: string) => unknown;
export type Predicate = (row: RowReader) => boolean;

export interface QueryContext {
  fields: FieldMap;
  /** Relations that are embedded in this request and may be filtered with dot notation. */
  relations?: Readonly<Record<string, FieldMap>>;
  timeZone: string;
}

const TRUE: Predicate = () => true;
const FALSE: Predicate = () => false;
const and = (ps: Predicate[]): Predicate => (ps.length === 0 ? TRUE : (r) => ps.every((p) => p(r)));
const or = (ps: Predicate[]): Predicate => (ps.length === 0 ? FALSE : (r) => ps.some((p) => p(r)));
const not = (p: Predicate): Predicate => (r) => !p(r);

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Resolves `me.x`, `x`, `rel.x` to a canonical name and its kind. */
export function resolveField(name: string, ctx: QueryContext): { name: string; kind: FieldKind } {
  const bare = name.startsWith('me.') ? name.slice(3) : name;
  const own = ctx.fields[bare];
  if (own) return { name: bare, kind: own };
  const dot = bare.indexOf('.');
  if (dot > 0) {
    const kind = ctx.relations?.[bare.slice(0, dot)]?.[bare.slice(dot + 1)];
    if (kind) return { name: bare, kind };
  }
  throw new QueryError(`Invalid query: unknown field ${name}`);
}

/** Relations (`rel` of `rel.field`) a compiled query reads; callers join those rows. */
export function relationsUsed(q: unknown, ctx: QueryContext, out = new Set<string>()): Set<string> {
  if (Array.isArray(q)) for (const x of q) relationsUsed(x, ctx, out);
  else if (isPlainObject(q)) {
    for (const [k, v] of Object.entries(q)) {
      if (!k.startsWith('-')) {
        const bare = k.startsWith('me.') ? k.slice(3) : k;
        const dot = bare.indexOf('.');
        if (dot > 0 && !ctx.fields[bare]) out.add(bare.slice(0, dot));
      }
      if (typeof v === 'object') relationsUsed(v, ctx, out);
    }
  }
  return out;
}

export function compileQuery(q: unknown, ctx: QueryContext): Predicate {
  if (Array.isArray(q)) return compileList(q, 'or', ctx);
  if (isPlainObject(q)) return compileHash(q, ctx);
  throw new QueryError('Invalid query: a query must be a JSON object or array');
}

function compileList(list: unknown[], logic: 'and' | 'or', ctx: QueryContext): Predicate {
  let items = list;
  const head = items[0];
  if (typeof head === 'string' && /^-(and|or)$/i.test(head)) {
    logic = head.toLowerCase() === '-and' ? 'and' : 'or';
    items = items.slice(1);
  }
  if (items.length === 0) return TRUE;
  const ps = items.map((x) => compileQuery(x, ctx));
  return logic === 'and' ? and(ps) : or(ps);
}

function compileHash(hash: Record<string, unknown>, ctx: QueryContext): Predicate {
  const ps: Predicate[] = [];
  for (const [key, value] of Object.entries(hash)) {
    const k = key.toLowerCase();
    if (k === '-and' || k === '-or') {
      const logic = k === '-and' ? 'and' : 'or';
      if (Array.isArray(value)) ps.push(compileList(value, logic, ctx));
      else if (isPlainObject(value)) {
        const parts = Object.entries(value).map(([kk, vv]) => compileHash({ [kk]: vv }, ctx));
        ps.push(logic === 'and' ? and(parts) : or(parts));
      } else throw new QueryError(`Invalid query: ${key} expects an array or object`);
    } else if (k === '-not') ps.push(not(compileQuery(value, ctx)));
    else if (key.startsWith('-')) throw new QueryError(`Invalid query: invalid operator ${key}`);
    else ps.push(compileField(key, value, ctx));
  }
  return and(ps);
}

function compileField(name: string, value: unknown, ctx: QueryContext): Predicate {
  const field = resolveField(name, ctx);
  if (Array.isArray(value)) {
    const head = value[0];
    if (typeof head === 'string' && /^-(and|or)$/i.test(head)) {
      const ps = value.slice(1).map((v) => compileField(name, v, ctx));
      return head.toLowerCase() === '-and' ? and(ps) : or(ps);
    }
    return or(value.map((v) => compileField(name, v, ctx)));
  }
  if (isPlainObject(value)) {
    return and(Object.entries(value).map(([op, lit]) => compileOp(field, op, lit, ctx)));
  }
  return compileOp(field, '=', value, ctx);
}

type Field = { name: string; kind: FieldKind };

function compileOp(field: Field, rawOp: string, lit: unknown, ctx: QueryContext): Predicate {
  const op = rawOp.toLowerCase().replace(/^-/, '').replace(/\s+/g, '_');
  const read = (r: RowReader): Comparable | null => storedComparable(r(field.name), field.kind);
  const lv = (v: unknown): Comparable | null => literalComparable(v, field.kind, field.name, ctx.timeZone);
  const scalarOps: Record<string, (c: number) => boolean> = {
    '=': (c) => c === 0, '!=': (c) => c !== 0, '<>': (c) => c !== 0, '<': (c) => c < 0,
    '>': (c) => c > 0, '<=': (c) => c <= 0, '>=': (c) => c >= 0,
  };
  const test = scalarOps[op];
  if (test) {
    // SQL::Abstract turns an array under a scalar operator into an OR of that comparison.
    if (Array.isArray(lit)) return or(lit.map((v) => compileOp(field, rawOp, v, ctx)));
    const want = lv(lit);
    if (want === null) {
      if (op === '=') return (r) => read(r) === null;
      if (op === '!=' || op === '<>') return (r) => read(r) !== null;
      return FALSE;
    }
    return (r) => {
      const have = read(r);
      return have !== null && test(compare(have, want));
    };
  }
  switch (op) {
    case 'not':
      return not(compileOp(field, '=', lit, ctx));
    case 'in':
    case 'not_in': {
      const list = (Array.isArray(lit) ? lit : [lit]).map(lv).filter((v): v is Comparable => v !== null);
      const inList = (r: RowReader): boolean | null => {
        const have = read(r);
        return have === null ? null : list.some((w) => compare(have, w) === 0);
      };
      if (op === 'in') return (r) => inList(r) === true;
      return (r) => inList(r) === false;
    }
    case 'between':
    case 'not_between': {
      if (!Array.isArray(lit) || lit.length !== 2) {
        throw new QueryError(`Invalid query: ${rawOp} on ${field.name} expects two values`);
      }
      const lo = lv(lit[0]);
      const hi = lv(lit[1]);
      if (lo === null || hi === null) return FALSE;
      return (r) => {
        const have = read(r);
        if (have === null) return false;
        const inside = compare(have, lo) >= 0 && compare(have, hi) <= 0;
        return op === 'between' ? inside : !inside;
      };
    }
    case 'like':
    case 'not_like': {
      if (Array.isArray(lit)) return or(lit.map((v) => compileOp(field, rawOp, v, ctx)));
      if (lit === null || typeof lit === 'object') return FALSE;
      const re = likeToRegExp(String(lit));
      return (r) => {
        const text = storedText(r(field.name), field.kind, ctx.timeZone);
        if (text === null) return false;
        return re.test(collate(text)) === (op === 'like');
      };
    }
    case 'regexp': {
      let re: RegExp;
      try {
        re = new RegExp(String(lit), 'iu');
      } catch {
        throw new QueryError(`Invalid query: bad regular expression for ${field.name}`);
      }
      return (r) => {
        const text = storedText(r(field.name), field.kind, ctx.timeZone);
        return text !== null && re.test(text);
      };
    }
    case 'ident': {
      const other = resolveField(String(lit), ctx);
      return (r) => {
        const a = read(r);
        const b = storedComparable(r(other.name), other.kind);
        return a !== null && b !== null && compare(a, b) === 0;
      };
    }
    default:
      throw new QueryError(`Invalid query: invalid operator ${rawOp}`);
  }
}
