/** Renders stored rows as API objects, adding the embeds a request asked for. */
import { CHECKOUT_FIELDS, ITEM_FIELDS, datetimeFields } from './fields.js';
import type { KohaStore, Row } from './store.js';

const CHECKOUT_TIMES = datetimeFields(CHECKOUT_FIELDS);
const ITEM_TIMES = datetimeFields(ITEM_FIELDS);

/** Current (not returned) checkouts of a patron. */
export function currentCheckouts(store: KohaStore, patronId: number): Row[] {
  return store.checkouts.filter((c) => c.patron_id === patronId && c.checkin_date === null);
}

export function renderPatron(store: KohaStore, row: Row, embeds: Set<string>, nowMs: number): Record<string, unknown> {
  const { extended_attributes: attrs, ...rest } = store.patronRender(row);
  const out: Record<string, unknown> = rest;
  if (embeds.has('extended_attributes')) out.extended_attributes = Array.isArray(attrs) ? attrs : [];
  const patronId = row.patron_id as number;
  if (embeds.has('checkouts+count')) out.checkouts_count = currentCheckouts(store, patronId).length;
  if (embeds.has('overdues+count')) {
    out.overdues_count = currentCheckouts(store, patronId).filter((c) => (c.due_date as number) < nowMs).length;
  }
  if (embeds.has('account_balance')) out.account_balance = 0;
  if (embeds.has('library')) out.library = store.libraries.get(String(row.library_id)) ?? null;
  if (embeds.has('+strings')) {
    const library = store.libraries.get(String(row.library_id));
    const category = store.categories.get(String(row.category_id));
    out._strings = {
      library_id: { str: library?.name ?? null, type: 'library' },
      category_id: { str: category?.name ?? null, type: 'patron_category' },
    };
  }
  return out;
}

export function renderItem(store: KohaStore, row: Row, embeds: Set<string>): Record<string, unknown> {
  const out = store.render(row, ITEM_TIMES);
  if (embeds.has('biblio')) out.biblio = store.biblios.get(row.biblio_id as number) ?? null;
  if (embeds.has('+strings')) {
    const library = store.libraries.get(String(row.home_library_id));
    out._strings = { home_library_id: { str: library?.name ?? null, type: 'library' } };
  }
  return out;
}

/** `renewals` is accepted but not served: checkout.yaml has no such property to put it in. */
export function renderCheckout(
  store: KohaStore,
  row: Row,
  embeds: Set<string>,
  nowMs: number,
): Record<string, unknown> {
  const out = store.render(row, CHECKOUT_TIMES);
  const patronOf = (id: unknown): Record<string, unknown> | null => {
    const p = typeof id === 'number' ? store.patrons.get(id) : undefined;
    return p ? renderPatron(store, p, new Set(), nowMs) : null;
  };
  if (embeds.has('issuer')) out.issuer = patronOf(row.issuer_id);
  if (embeds.has('patron')) out.patron = patronOf(row.patron_id);
  if (embeds.has('library')) out.library = store.libraries.get(String(row.library_id)) ?? null;
  if (embeds.has('booking')) out.booking = null;
  if (embeds.has('item') || embeds.has('item.biblio')) {
    const item = typeof row.item_id === 'number' ? store.items.get(row.item_id) : undefined;
    const itemEmbeds = new Set(embeds.has('item.biblio') ? ['biblio'] : []);
    out.item = item ? renderItem(store, item, itemEmbeds) : null;
  }
  return out;
}
