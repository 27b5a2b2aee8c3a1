/** In-memory tables: rows by id, auto-increment, unique indexes (compared as utf8mb4_unicode_ci) and lookup indexes. */
import { collate } from './collation.js';

export type Row = Record<string, unknown>;

const keyPart = (v: unknown): string => collate(String(v));

const keyOf = (values: unknown[]): string | null => {
  if (values.some((v) => v === null || v === undefined || v === '')) return null;
  return values.map(keyPart).join('\u0001');
};

export class Table {
  readonly rows = new Map<number, Row>();
  nextId = 1;
  private readonly uniques: Array<{ fields: string[]; map: Map<string, number> }>;
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

  update(id: number, changes: Row): Row {
    const row = this.rows.get(id);
    if (!row) throw new Error(`${this.entity} ${id} missing`);
    this.unindexRow(id, row);
    Object.assign(row, changes);
    this.indexRow(id, row);
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

  /** Ids of rows whose `field` equals value (field must be a lookup or unique single field). */
  lookup(field: string, value: unknown): number[] | null {
    const m = this.lookups.get(field);
    if (m) return [...(m.get(keyPart(value)) ?? [])];
    const u = this.uniques.find((x) => x.fields.length === 1 && x.fields[0] === field);
    if (u) {
      const id = u.map.get(keyPart(value));
      return id === undefined ? [] : [id];
    }
    return null;
  }

  hasLookup(field: string): boolean {
    return this.lookups.has(field) || this.uniques.some((x) => x.fields.length === 1 && x.fields[0] === field);
  }

  all(): Row[] {
    return [...this.rows.values()];
  }

  private indexRow(id: number, row: Row): void {
    for (const u of this.uniques) {
      const k = keyOf(u.fields.map((f) => row[f]));
      if (k !== null) u.map.set(k, id);
    }
    for (const [f, m] of this.lookups) {
      const v = row[f];
      if (v === null || v === undefined) continue;
      const k = keyPart(v);
      let s = m.get(k);
      if (!s) m.set(k, (s = new Set()));
      s.add(id);
    }
  }

  private unindexRow(id: number, row: Row): void {
    for (const u of this.uniques) {
      const k = keyOf(u.fields.map((f) => row[f]));
      if (k !== null && u.map.get(k) === id) u.map.delete(k);
    }
    for (const [f, m] of this.lookups) {
      const v = row[f];
      if (v === null || v === undefined) continue;
      m.get(keyPart(v))?.delete(id);
    }
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
