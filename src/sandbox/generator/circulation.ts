/** A small catalogue and loan history consistent with the generated patrons (for loan sync work). */
import type { KohaBiblio, KohaCheckout, KohaItem, KohaPatron } from '../koha/types.js';
import { formatRfc3339, fromWallClock, formatNaive } from '../koha/zoned-time.js';
import type { Rng } from './prng.js';

const TITLES: ReadonlyArray<readonly [string, string | null]> = [
  ['The Hobbit', 'Tolkien, J. R. R.'], ["L'Étranger", 'Camus, Albert'], ['Der Process', 'Kafka, Franz'],
  ['百年孤独', '加西亚·马尔克斯'], ['Cien años de soledad', 'García Márquez, Gabriel'],
  ['Pride and Prejudice', 'Austen, Jane'], ['ألف ليلة وليلة', null], ['Le Petit Prince', 'Saint-Exupéry, Antoine de'],
  ['Moby-Dick; or, The Whale', 'Melville, Herman'], ['Les Misérables', 'Hugo, Victor'],
  ['Krieg und Frieden', 'Tolstoi, Lew'], ['Emoji Dick 🐳', null],
];

const DAY = 86400000;

export interface Circulation {
  biblios: KohaBiblio[];
  items: KohaItem[];
  checkouts: KohaCheckout[];
}

/** Due dates of daily loans end at 23:59 local time. */
function dueDate(checkoutMs: number, tz: string): number {
  const [y, mo, d] = formatNaive(checkoutMs + 21 * DAY, tz).slice(0, 10).split('-').map(Number) as [number, number, number];
  return fromWallClock({ y, mo, d, h: 23, mi: 59, s: 0 }, tz);
}

export function buildCirculation(
  patrons: readonly KohaPatron[], libraryIds: readonly string[], rng: Rng, nowMs: number, tz: string,
): Circulation {
  const biblioCount = Math.min(300, Math.max(10, Math.round(patrons.length / 10)));
  const biblios: KohaBiblio[] = [];
  const items: KohaItem[] = [];
  for (let b = 1; b <= biblioCount; b++) {
    const [title, author] = TITLES[(b - 1) % TITLES.length]!;
    const vol = b > TITLES.length ? ` (vol. ${Math.ceil(b / TITLES.length)})` : '';
    biblios.push({ biblio_id: b, title: `${title}${vol}`, subtitle: null, author, isbn: null, publication_year: rng.int(1900, 2025) });
    for (let c = rng.int(1, 2); c > 0; c--) {
      const itemId = items.length + 1;
      const lib = rng.pick(libraryIds);
      items.push({
        item_id: itemId, biblio_id: b, external_id: `3${String(itemId).padStart(13, '0')}`, home_library_id: lib,
        holding_library_id: lib, callnumber: `${rng.int(100, 999)}.${rng.int(1, 99)}`, item_type_id: 'BK',
        effective_item_type_id: 'BK', location: null, not_for_loan_status: 0, damaged_status: 0, lost_status: 0,
        withdrawn: 0, checked_out_date: null, timestamp: formatRfc3339(nowMs - rng.int(30, 900) * DAY, tz),
      });
    }
  }
  const free = items.map((i) => i.item_id);
  const checkouts: KohaCheckout[] = [];
  for (const p of patrons) {
    if (p.anonymized || p.surname === null || !rng.chance(0.25)) continue;
    for (let n = rng.int(1, 3); n > 0; n--) {
      const current = rng.chance(0.6) && free.length > 0;
      const itemId = current ? free.splice(rng.int(0, free.length - 1), 1)[0]! : rng.pick(items).item_id;
      const outMs = nowMs - rng.int(1, 400) * DAY - rng.int(0, 36000) * 1000;
      const dueMs = dueDate(outMs, tz);
      const renewals = rng.weighted([[0, 70], [1, 20], [2, 10]] as const);
      const renewedMs = renewals > 0 ? outMs + rng.int(1, 20) * DAY : null;
      const inMs = current ? null : Math.min(nowMs - 1000, outMs + rng.int(1, 30) * DAY);
      const timestampMs = inMs ?? renewedMs ?? outMs;
      if (current) items[itemId - 1]!.checked_out_date = formatNaive(outMs, tz).slice(0, 10);
      checkouts.push({
        checkout_id: checkouts.length + 1, patron_id: p.patron_id, item_id: itemId, booking_id: null,
        library_id: p.library_id, issuer_id: null, checkout_date: formatRfc3339(outMs, tz),
        due_date: formatRfc3339(dueMs, tz), checkin_date: inMs === null ? null : formatRfc3339(inMs, tz),
        checkin_library_id: inMs === null ? null : p.library_id,
        last_renewed_date: renewedMs === null ? null : formatRfc3339(renewedMs, tz), renewals_count: renewals,
        unseen_renewals: 0, auto_renew: false, auto_renew_error: null, timestamp: formatRfc3339(Math.min(timestampMs, nowMs - 1000), tz),
        onsite_checkout: false, note: null, note_date: null, note_seen: null,
      });
    }
  }
  return { biblios, items, checkouts };
}
