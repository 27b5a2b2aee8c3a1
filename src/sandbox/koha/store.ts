/**
 * The sandbox's in-memory tables. Date-time fields are kept as instants (epoch ms, whole seconds)
 * so the server zone only matters when rendering and when reading naive `q` literals.
 */
import {
  CHECKOUT_FIELDS, ITEM_FIELDS, PATRON_FIELDS, datetimeFields, type FieldMap,
} from './fields.js';
import type { KohaBiblio, KohaCategory, KohaCheckout, KohaItem, KohaLibrary, KohaPatron } from './types.js';
import { formatRfc3339, parseDateTime } from './zoned-time.js';

/** A stored object: the API shape with date-time fields replaced by epoch ms (or null). */
export type Row = Record<string, unknown>;

export interface StoreData {
  patrons: KohaPatron[];
  libraries?: KohaLibrary[];
  categories?: KohaCategory[];
  checkouts?: KohaCheckout[];
  items?: KohaItem[];
  biblios?: KohaBiblio[];
}

const wholeSeconds = (ms: number): number => Math.floor(ms / 1000) * 1000;

export class KohaStore {
  readonly patrons = new Map<number, Row>();
  readonly checkouts: Row[] = [];
  readonly items = new Map<number, Row>();
  readonly biblios: Map<number, KohaBiblio>;
  readonly libraries: Map<string, KohaLibrary>;
  readonly categories: Map<string, KohaCategory>;
  private readonly patronTimes = datetimeFields(PATRON_FIELDS);

  constructor(data: StoreData, readonly timeZone: string) {
    for (const p of data.patrons) this.addPatron(p);
    for (const c of data.checkouts ?? []) this.checkouts.push(this.toRow(c, CHECKOUT_FIELDS, `checkout ${c.checkout_id}`));
    for (const i of data.items ?? []) this.items.set(i.item_id, this.toRow(i, ITEM_FIELDS, `item ${i.item_id}`));
    this.biblios = new Map((data.biblios ?? []).map((b) => [b.biblio_id, b]));
    this.libraries = new Map((data.libraries ?? []).map((l) => [l.library_id, l]));
    this.categories = new Map((data.categories ?? []).map((c) => [c.patron_category_id, c]));
  }

  addPatron(p: KohaPatron): void {
    if (this.patrons.has(p.patron_id)) throw new Error(`patron_id ${p.patron_id} already exists`);
    this.patrons.set(p.patron_id, this.toRow(p, PATRON_FIELDS, `patron ${p.patron_id}`));
  }

  /** Merges `changes` as staff editing the record would; `updated_on` becomes `nowMs` unless given. */
  updatePatron(patronId: number, changes: Partial<KohaPatron>, nowMs: number): void {
    const row = this.patrons.get(patronId);
    if (!row) throw new Error(`patron_id ${patronId} does not exist`);
    const merged = this.toRow({ ...changes }, PATRON_FIELDS, `patron ${patronId}`, true);
    Object.assign(row, merged, { patron_id: patronId });
    if (changes.updated_on === undefined) row.updated_on = wholeSeconds(nowMs);
  }

  patronRender(row: Row): Record<string, unknown> {
    return this.render(row, this.patronTimes);
  }

  render(row: Row, times: string[]): Record<string, unknown> {
    const out: Record<string, unknown> = { ...row };
    for (const f of times) {
      const v = row[f];
      if (typeof v === 'number') out[f] = formatRfc3339(v, this.timeZone);
    }
    return out;
  }

  /** Parses the date-time fields of an input object; a bad value is a programming error in a test. */
  private toRow(obj: object, fields: FieldMap, what: string, partial = false): Row {
    const row: Row = { ...(obj as Record<string, unknown>) };
    for (const f of datetimeFields(fields)) {
      const v = row[f];
      if (v === undefined && partial) continue;
      if (v === null || v === undefined) {
        row[f] = null;
        continue;
      }
      const ms = typeof v === 'string' ? parseDateTime(v, this.timeZone) : undefined;
      if (ms === undefined) throw new Error(`${what}: ${f} is not a date-time`);
      row[f] = wholeSeconds(ms);
    }
    return row;
  }
}

