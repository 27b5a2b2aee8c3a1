/**
 * A catalogue and loan history consistent with the generated patrons (for loan sync work): about 3.2
 * loans per patron, current ones (some overdue, some renewed) on distinct items, returned ones, and the
 * history Koha's privacy rules rewrite — privacy 2 patrons' returned loans already belong to the
 * AnonymousPatron, batch_anonymise has moved old history of privacy 1 patrons there, anonymised
 * patrons' history too, and deleted patrons left rows with patron_id NULL.
 */
import type { KohaBiblio, KohaCheckout, KohaItem, KohaPatron } from '../koha/types.js';
import { formatRfc3339, fromWallClock, formatNaive, parseDateTime } from '../koha/zoned-time.js';
import type { Rng } from './prng.js';

const TITLES: ReadonlyArray<readonly [string, string | null]> = [
  ['The Hobbit', 'Tolkien, J. R. R.'], ["L'Étranger", 'Camus, Albert'], ['Der Process', 'Kafka, Franz'],
  ['百年孤独', '加西亚·马尔克斯'], ['Cien años de soledad', 'García Márquez, Gabriel'],
  ['Pride and Prejudice', 'Austen, Jane'], ['ألف ليلة وليلة', null], ['Le Petit Prince', 'Saint-Exupéry, Antoine de'],
  ['Moby-Dick; or, The Whale', 'Melville, Herman'], ['Les Misérables', 'Hugo, Victor'],
  ['Krieg und Frieden', 'Tolstoi, Lew'], ['Emoji Dick 🐳', null],
];

const DAY = 86400000;
/** Koha's AnonymousPatron syspref in the sandbox: owner of anonymised loan history. */
export const SANDBOX_ANONYMOUS_PATRON_ID = 1000;
/** batch_anonymise.pl --days in the sandbox library. */
export const ANONYMISE_AFTER_DAYS = 365;
export const LOAN_DAYS = 21;

export interface Circulation {
  biblios: KohaBiblio[];
  items: KohaItem[];
  checkouts: KohaCheckout[];
}

/** Due date of a daily loan issued or renewed at `fromMs`: LOAN_DAYS later, 23:59 local time. */
export function dueDate(fromMs: number, tz: string): number {
  const [y, mo, d] = formatNaive(fromMs + LOAN_DAYS * DAY, tz).slice(0, 10).split('-').map(Number) as [number, number, number];
  return fromWallClock({ y, mo, d, h: 23, mi: 59, s: 0 }, tz);
}

/** Koha's AnonymousPatron: an ordinary patron record with only a surname. */
export function anonymousPatron(patronId: number, libraryId: string, nowMs: number, tz: string): KohaPatron {
  const sinceMs = Math.floor((nowMs - 1200 * DAY) / DAY) * DAY + 8 * 3600000;
  const none = null;
  return {
    patron_id: patronId, cardnumber: 'ANONYMOUS', surname: 'Anonymous', firstname: none, preferred_name: none,
    middle_name: none, title: none, other_name: none, initials: none, pronouns: none, street_number: none,
    street_type: none, address: none, address2: none, city: none, state: none, postal_code: none, country: none,
    email: none, phone: none, mobile: none, fax: none, secondary_email: none, secondary_phone: none,
    altaddress_street_number: none, altaddress_street_type: none, altaddress_address: none, altaddress_address2: none,
    altaddress_city: none, altaddress_state: none, altaddress_postal_code: none, altaddress_country: none,
    altaddress_email: none, altaddress_phone: none, date_of_birth: none, library_id: libraryId, category_id: 'ADULT',
    date_enrolled: formatNaive(sinceMs, tz).slice(0, 10), expiry_date: '2099-12-31', date_renewed: none,
    incorrect_address: none, patron_card_lost: none, restricted: false, staff_notes: 'AnonymousPatron (system)',
    relationship_type: none, gender: none, userid: none, opac_notes: none, altaddress_notes: none, statistics_1: none,
    statistics_2: none, autorenew_checkouts: false, altcontact_firstname: none, altcontact_surname: none,
    altcontact_address: none, altcontact_address2: none, altcontact_city: none, altcontact_state: none,
    altcontact_postal_code: none, altcontact_country: none, altcontact_phone: none, sms_number: none,
    sms_provider_id: none, privacy: 1, privacy_guarantor_checkouts: 0, privacy_guarantor_fines: false,
    check_previous_checkout: 'inherit', updated_on: formatRfc3339(sinceMs, tz), last_seen: none, lang: 'default',
    login_attempts: 0, overdrive_auth_token: none, anonymized: false, protected: true, extended_attributes: [],
  };
}

interface Loan {
  patronId: number | null;
  itemId: number;
  libraryId: string;
  outMs: number;
  dueMs: number;
  renewals: number;
  renewedMs: number | null;
  inMs: number | null;
  inLibraryId: string | null;
  timestampMs: number;
}

export function buildCirculation(
  patrons: readonly KohaPatron[], libraryIds: readonly string[], rng: Rng, nowMs: number, tz: string,
  anonymousId: number | null = SANDBOX_ANONYMOUS_PATRON_ID, loanFactor = 1,
): Circulation {
  const latest = nowMs - 1000;
  const biblioCount = Math.max(10, Math.round(patrons.length / 2));
  const biblios: KohaBiblio[] = [];
  const items: KohaItem[] = [];
  for (let b = 1; b <= biblioCount; b++) {
    const [title, author] = TITLES[(b - 1) % TITLES.length]!;
    const vol = b > TITLES.length ? ` (vol. ${Math.ceil(b / TITLES.length)})` : '';
    biblios.push({ biblio_id: b, title: `${title}${vol}`, subtitle: null, author, isbn: null, publication_year: rng.int(1900, 2025) });
    for (let c = rng.int(1, 3); c > 0; c--) {
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
  const loans: Loan[] = [];
  const otherLibrary = (home: string): string => (rng.chance(0.8) ? home : rng.pick(libraryIds));

  /** A returned loan checked in before `beforeMs`, the oldest about three years back. */
  const returned = (patronId: number | null, home: string, beforeMs: number): Loan => {
    const outMs = beforeMs - rng.int(1, 1100) * DAY - rng.int(0, 36000) * 1000;
    let renewals: number = rng.weighted([[0, 75], [1, 17], [2, 8]] as const);
    let renewedMs: number | null = outMs + rng.int(10, 20) * DAY + rng.int(0, 36000) * 1000;
    if (renewals === 0 || renewedMs >= beforeMs - 3600000) [renewals, renewedMs] = [0, null];
    const dueMs = dueDate(renewedMs ?? outMs, tz);
    const inMs = Math.min(beforeMs, (renewedMs ?? outMs) + rng.int(0, 30) * DAY + rng.int(600, 30000) * 1000);
    return {
      patronId, itemId: rng.pick(items).item_id, libraryId: home, outMs, dueMs, renewals, renewedMs, inMs,
      inLibraryId: otherLibrary(home), timestampMs: inMs,
    };
  };

  for (const p of patrons) {
    if (!rng.chance(0.72)) continue;
    const home = p.library_id;
    const updatedMs = parseDateTime(p.updated_on, tz) ?? latest;
    for (let n = Math.max(1, Math.round(rng.int(1, 8) * loanFactor)); n > 0; n--) {
      // Anonymised patrons (the GDPR cron) have no current loans; their history went to the AnonymousPatron then.
      if (p.anonymized) {
        loans.push({ ...returned(anonymousId, home, updatedMs - DAY), timestampMs: updatedMs });
        continue;
      }
      if (rng.chance(0.13) && free.length > 0) {
        const itemId = free.splice(rng.int(0, free.length - 1), 1)[0]!;
        const outMs = nowMs - rng.int(0, 70) * DAY - rng.int(60, 36000) * 1000;
        const ageDays = Math.floor((latest - outMs) / DAY);
        const renewals = ageDays >= 2 && rng.chance(0.3) ? rng.int(1, 2) : 0;
        const renewedMs = renewals > 0 ? outMs + rng.int(1, ageDays - 1) * DAY : null;
        const dueMs = dueDate(renewedMs ?? outMs, tz);
        items[itemId - 1]!.checked_out_date = formatNaive(outMs, tz).slice(0, 10);
        loans.push({
          patronId: p.patron_id, itemId, libraryId: otherLibrary(home), outMs, dueMs, renewals, renewedMs, inMs: null,
          inLibraryId: null, timestampMs: renewedMs ?? outMs,
        });
        continue;
      }
      const loan = returned(p.patron_id, otherLibrary(home), latest);
      if (p.privacy === 2) loan.patronId = anonymousId; // anonymised at check-in: same update, same timestamp
      else if (p.privacy === 1 && loan.inMs! < nowMs - ANONYMISE_AFTER_DAYS * DAY && rng.chance(0.6)) {
        // the nightly batch_anonymise run after the loan turned ANONYMISE_AFTER_DAYS old (ON UPDATE timestamp)
        loan.patronId = anonymousId;
        loan.timestampMs = Math.min(latest, loan.inMs! + (ANONYMISE_AFTER_DAYS + 1) * DAY + rng.int(0, 3600) * 1000);
      }
      loans.push(loan);
    }
  }
  // Patrons deleted since: Koha's FK (old_issues.borrowernumber ON DELETE SET NULL) leaves their history ownerless.
  const deleted = patrons.length === 0 ? 0 : Math.max(2, Math.round(patrons.length * 0.01));
  for (let d = 0; d < deleted; d++) {
    const home = rng.pick(libraryIds);
    for (let n = rng.int(1, 4); n > 0; n--) loans.push(returned(null, home, latest - rng.int(1, 200) * DAY));
  }

  // issue_id grows with the checkout: number the loans in checkout order (ties: generation order).
  const order = loans.map((l, i) => [l, i] as const).sort(([a, i], [b, j]) => a.outMs - b.outMs || i - j);
  const checkouts: KohaCheckout[] = order.map(([l], k) => ({
    checkout_id: k + 1, patron_id: l.patronId, item_id: l.itemId, booking_id: null, library_id: l.libraryId,
    issuer_id: null, checkout_date: formatRfc3339(l.outMs, tz), due_date: formatRfc3339(l.dueMs, tz),
    checkin_date: l.inMs === null ? null : formatRfc3339(l.inMs, tz), checkin_library_id: l.inLibraryId,
    last_renewed_date: l.renewedMs === null ? null : formatRfc3339(l.renewedMs, tz), renewals_count: l.renewals,
    unseen_renewals: 0, auto_renew: false, auto_renew_error: null, timestamp: formatRfc3339(Math.min(l.timestampMs, latest), tz),
    onsite_checkout: false, note: null, note_date: null, note_seen: null,
  }));
  return { biblios, items, checkouts };
}
