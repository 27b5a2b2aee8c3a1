/** In-memory tables: rows by id, auto-increment, unique indexes (compared as utf8mb4_unicode_ci) and lookup indexes. */
import { collate } from './collation.js';

export type Row = Record<string, unknown>;

const keyPart = (v: unknown): string => collate(String(v));

const keyOf = (values: unknown[]): string | null => {
  if (values.some((v) => v === null || v === undefined || v === '')) return null;
  return values.map(keyPart).join('\u0001');
};

/**
 * Lookup keys under which a stored value is filed. They follow `sqlEquals` (where.ts): strings are
 * equal by collation ("S"), a number equals a number ("N") or a string that reads as that number ("T").
 * Booleans are stored as 1/0; each element of a multi-valued field is filed.
 */
function storedKeys(v: unknown, out: string[]): void {
  if (Array.isArray(v)) {
    for (const x of v) storedKeys(x, out);
    return;
  }
  if (v === null || v === undefined) return;
  const x = typeof v === 'boolean' ? (v ? 1 : 0) : v;
  out.push(`S${collate(String(x))}`);
  if (typeof x === 'number') out.push(`N${x}`);
  else if (typeof x === 'string' && !Number.isNaN(Number(x))) out.push(`T${Number(x)}`);
}

/** The keys to look up for rows whose value `sqlEquals` the query value (what `=` and IN compare). */
function queryKeys(v: unknown): string[] {
  if (v === null || v === undefined) return [];
  const x = typeof v === 'boolean' ? (v ? 1 : 0) : v;
  const keys = [`S${collate(String(x))}`];
  if (typeof x === 'number') keys.push(`N${x}`, `T${x}`);
  else if (!Number.isNaN(Number(x))) keys.push(`N${Number(x)}`);
  return keys;
}

export class Table {
  readonly rows = new Map<number, Row>();
  nextId = 1;
  private readonly uniques: Array<{ fields: string[]; map: Map<string, number> }>;
  /** field -> lookup key -> ids; built for the declared fields up front, for any other field on its first lookup */
  private readonly lookups = new Map<string, Map<string, Set<number>>>();

  constructor(
    readonly entity: string,
    uniqueIndexes: string[][] = [],
    lookupFields: string[] = [],
  ) {
    this.uniques = uniqueIndexes.map((fields) => ({ fields, map: new Map() }));
    for (const f of lookupFields) this.lookups.set(f, new Map());
  }

  /** Reserve an id the way InnoDB does: a failed INSERT still burns its auto-increment value. */
  allocateId(): number {
    return this.nextId++;
  }

  /** The id of another row holding the same unique key, or null. */
  uniqueConflict(row: Row, selfId?: number): { fields: string[]; value: string; id: number } | null {
    for (const u of this.uniques) {
      const k = keyOf(u.fields.map((f) => row[f]));
      if (k === null) continue;
      const other = u.map.get(k);
      if (other !== undefined && other !== selfId) return { fields: u.fields, value: u.fields.map((f) => String(row[f])).join('-'), id: other };
    }
    return null;
  }

  insert(id: number, row: Row): Row {
    row['id'] = id;
    this.rows.set(id, row);
    this.indexRow(id, row);
    if (id >= this.nextId) this.nextId = id + 1;
    return row;
  }

  /** Change some columns of a row (every write goes through here, so the indexes stay true). */
  update(id: number, changes: Row): Row {
    const row = this.rows.get(id);
    if (!row) throw new Error(`${this.entity} ${id} missing`);
    const touched = (fields: readonly string[]) => fields.some((f) => f in changes);
    this.unindexRow(id, row, touched);
    Object.assign(row, changes);
    this.indexRow(id, row, touched);
    return row;
  }

  remove(id: number): void {
    const row = this.rows.get(id);
    if (!row) return;
    this.unindexRow(id, row);
    this.rows.delete(id);
  }

  get(id: number): Row | undefined {
    return this.rows.get(id);
  }

  /** Ids, ascending, of rows whose `field` equals one of `values` as SQL's `=` compares them (see sqlEquals). */
  lookupAll(field: string, values: readonly unknown[]): number[] {
    const m = this.lookupIndex(field);
    const found = new Set<number>();
    for (const v of values) for (const k of queryKeys(v)) for (const id of m.get(k) ?? []) found.add(id);
    return [...found].sort((a, b) => a - b);
  }

  /** About how many rows `lookupAll` finds (at least as many), without collecting them. */
  count(field: string, values: readonly unknown[]): number {
    const m = this.lookupIndex(field);
    let n = 0;
    for (const v of values) for (const k of queryKeys(v)) n += m.get(k)?.size ?? 0;
    return n;
  }

  /** Ids, ascending, of rows whose `field` equals value. */
  lookup(field: string, value: unknown): number[] {
    return this.lookupAll(field, [value]);
  }

  all(): Row[] {
    return [...this.rows.values()];
  }

  private lookupIndex(field: string): Map<string, Set<number>> {
    let m = this.lookups.get(field);
    if (!m) {
      this.lookups.set(field, (m = new Map()));
      for (const [id, row] of this.rows) this.file(m, id, row[field]);
    }
    return m;
  }

  private file(m: Map<string, Set<number>>, id: number, v: unknown): void {
    const keys: string[] = [];
    storedKeys(v, keys);
    for (const k of keys) {
      let s = m.get(k);
      if (!s) m.set(k, (s = new Set()));
      s.add(id);
    }
  }

  private unfile(m: Map<string, Set<number>>, id: number, v: unknown): void {
    const keys: string[] = [];
    storedKeys(v, keys);
    for (const k of keys) {
      const s = m.get(k);
      if (!s) continue;
      s.delete(id);
      if (s.size === 0) m.delete(k);
    }
  }

  private indexRow(id: number, row: Row, touched: (fields: readonly string[]) => boolean = () => true): void {
    for (const u of this.uniques) {
      if (!touched(u.fields)) continue;
      const k = keyOf(u.fields.map((f) => row[f]));
      if (k !== null) u.map.set(k, id);
    }
    for (const [f, m] of this.lookups) if (touched([f])) this.file(m, id, row[f]);
  }

  private unindexRow(id: number, row: Row, touched: (fields: readonly string[]) => boolean = () => true): void {
    for (const u of this.uniques) {
      if (!touched(u.fields)) continue;
      const k = keyOf(u.fields.map((f) => row[f]));
      if (k !== null && u.map.get(k) === id) u.map.delete(k);
    }
    for (const [f, m] of this.lookups) if (touched([f])) this.unfile(m, id, row[f]);
  }
}

export class Store {
  private readonly tables = new Map<string, Table>();

  add(table: Table): Table {
    this.tables.set(table.entity, table);
    return table;
  }

  table(entity: string): Table {
    const t = this.tables.get(entity);
    if (!t) throw new Error(`no table ${entity}`);
    return t;
  }

  has(entity: string): boolean {
    return this.tables.has(entity);
  }
}
