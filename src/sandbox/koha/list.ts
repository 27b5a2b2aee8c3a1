/**
 * Runs a list request over a set of rows: `q` and simple search parameters, `_order_by`, paging.
 * Ties in the requested order fall back to the primary key, so paging is stable.
 */
import type { FieldMap } from './fields.js';
import { compileQuery, relationsUsed, resolveField, type Predicate, type QueryContext, type RowReader } from './query.js';
import type { Match, ParsedRequest } from './request.js';
import type { Row } from './store.js';
import { QueryError, collate, compare, likeToRegExp, storedComparable, storedText } from './values.js';

export interface Relation {
  fields: FieldMap;
  rowsOf(row: Row): Row[];
}

export interface ListSource {
  rows: Row[];
  fields: FieldMap;
  /** Primary key, the final tie-breaker. */
  idField: string;
  /** Relations embedded in this request (queryable with dot notation). */
  relations?: Readonly<Record<string, Relation>>;
  /** Simple search parameters handled here (route-specific ones are handled by the route). */
  searchable: ReadonlySet<string>;
  timeZone: string;
}

export interface ListResult {
  rows: Row[];
  total: number;
  baseTotal: number;
}

export function runList(req: ParsedRequest, src: ListSource): ListResult {
  const relFields = Object.fromEntries(Object.entries(src.relations ?? {}).map(([k, r]) => [k, r.fields]));
  const ctx: QueryContext = { fields: src.fields, relations: relFields, timeZone: src.timeZone };
  const predicates: Predicate[] = req.queries.map((q) => compileQuery(q, ctx));
  for (const f of req.filters) {
    if (src.searchable.has(f.name)) predicates.push(simpleFilter(f.name, f.value, req.match, ctx));
  }
  const joined = new Set<string>();
  for (const q of req.queries) relationsUsed(q, ctx, joined);
  const matches = (row: Row): boolean => joinRows(row, [...joined], src).some((r) => predicates.every((p) => p(r)));
  const filtered = predicates.length === 0 ? [...src.rows] : src.rows.filter(matches);
  filtered.sort(comparator(req.orderBy, ctx, src.idField));
  const start = req.perPage === -1 ? 0 : (req.page - 1) * req.perPage;
  const end = req.perPage === -1 ? filtered.length : start + req.perPage;
  return { rows: filtered.slice(start, end), total: filtered.length, baseTotal: src.rows.length };
}

/** SQL join semantics: one reader per combination of related rows (LEFT JOIN: none → nulls). */
function joinRows(row: Row, relations: string[], src: ListSource): RowReader[] {
  let readers: Array<Record<string, Row | null>> = [{}];
  for (const rel of relations) {
    const related = src.relations?.[rel]?.rowsOf(row) ?? [];
    const options: Array<Row | null> = related.length > 0 ? related : [null];
    readers = readers.flatMap((r) => options.map((o) => ({ ...r, [rel]: o })));
  }
  return readers.map((joinedRow) => (field: string) => {
    const dot = field.indexOf('.');
    if (dot > 0 && !(field in src.fields)) return joinedRow[field.slice(0, dot)]?.[field.slice(dot + 1)] ?? null;
    return row[field];
  });
}

/** `?surname=smi&_match=starts_with`: case-insensitive match on the field's text. */
function simpleFilter(name: string, value: string, match: Match, ctx: QueryContext): Predicate {
  const field = resolveField(name, ctx);
  if (field.kind === 'bool') {
    const want = /^(true|1)$/i.test(value) ? 1 : 0;
    return (r) => storedComparable(r(field.name), 'bool') === want;
  }
  const escaped = value.replace(/[\\%_]/g, '\\$&');
  const pattern = { contains: `%${escaped}%`, starts_with: `${escaped}%`, ends_with: `%${escaped}`, exact: escaped }[match];
  const re = likeToRegExp(pattern);
  return (r) => {
    const text = storedText(r(field.name), field.kind, ctx.timeZone);
    return text !== null && re.test(collate(text));
  };
}

function comparator(tokens: string[], ctx: QueryContext, idField: string): (a: Row, b: Row) => number {
  const keys = tokens.map((token) => {
    // An unencoded `+` arrives as a space: both mean ascending.
    const t = token.trimStart();
    const desc = t.startsWith('-');
    const name = t.replace(/^[+-]/, '').trim();
    if (name === '') throw new QueryError('Invalid query: empty _order_by field');
    return { ...resolveField(name, { ...ctx, relations: {} }), desc };
  });
  keys.push({ name: idField, kind: ctx.fields[idField] ?? 'int', desc: false });
  return (a, b) => {
    for (const k of keys) {
      const x = storedComparable(a[k.name], k.kind);
      const y = storedComparable(b[k.name], k.kind);
      // MySQL sorts NULL first in ascending order.
      const c = x === null ? (y === null ? 0 : -1) : y === null ? 1 : compare(x, y);
      if (c !== 0) return k.desc ? -c : c;
    }
    return 0;
  };
}
