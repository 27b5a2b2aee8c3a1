/**
 * What Koha staff and crons do to loans, on the sandbox's tables: check-in, renewal, check-out, history
 * anonymisation, patron anonymisation and deletion. Each change stamps the loan's `timestamp` with the
 * clock (issues/old_issues.timestamp is ON UPDATE CURRENT_TIMESTAMP) — except the FK cascade of a patron
 * deletion, which MySQL applies without touching it.
 */
import { dueDate } from '../generator/circulation.js';
import { anonymize } from '../generator/planted.js';
import { createRng } from '../generator/prng.js';
import { CHECKOUT_FIELDS, datetimeFields } from './fields.js';
import type { KohaStore, Row } from './store.js';
import type { KohaCheckout, KohaPatron } from './types.js';
import { formatNaive } from './zoned-time.js';

const CHECKOUT_TIMES = datetimeFields(CHECKOUT_FIELDS);
const wholeSeconds = (ms: number): number => Math.floor(ms / 1000) * 1000;

export interface LendOptions {
  /** A free item; default the free item with the lowest item_id. */
  itemId?: number;
  /** Issuing library; default the patron's library. */
  libraryId?: string;
}

export class LoanDesk {
  constructor(private readonly store: KohaStore, readonly anonymousPatronId: number | null) {}

  private loan(checkoutId: number): Row {
    const row = this.store.checkouts.find((c) => c.checkout_id === checkoutId);
    if (!row) throw new Error(`checkout_id ${checkoutId} does not exist`);
    return row;
  }

  private current(checkoutId: number): Row {
    const row = this.loan(checkoutId);
    if (row.checkin_date !== null) throw new Error(`checkout_id ${checkoutId} is already returned`);
    return row;
  }

  private returned(checkoutId: number): Row {
    const row = this.loan(checkoutId);
    if (row.checkin_date === null) throw new Error(`checkout_id ${checkoutId} is a current loan`);
    return row;
  }

  private patron(patronId: number): Row {
    const row = this.store.patrons.get(patronId);
    if (!row) throw new Error(`patron_id ${patronId} does not exist`);
    return row;
  }

  private touchItem(itemId: unknown, nowMs: number, checkedOut: string | null): void {
    const item = typeof itemId === 'number' ? this.store.items.get(itemId) : undefined;
    if (!item) return;
    item.checked_out_date = checkedOut;
    item.timestamp = wholeSeconds(nowMs);
  }

  private hasCurrentLoans(patronId: number): boolean {
    return this.store.checkouts.some((c) => c.patron_id === patronId && c.checkin_date === null);
  }

  /** Check-in: the loan moves to the history; a privacy 2 ("never") patron's loan is anonymised at once. */
  returnLoan(checkoutId: number, nowMs: number, opts: { libraryId?: string } = {}): void {
    const row = this.current(checkoutId);
    const owner = typeof row.patron_id === 'number' ? this.store.patrons.get(row.patron_id) : undefined;
    row.checkin_date = wholeSeconds(nowMs);
    row.checkin_library_id = opts.libraryId ?? row.library_id ?? owner?.library_id ?? null;
    if (owner?.privacy === 2) row.patron_id = this.anonymousPatronId;
    row.timestamp = wholeSeconds(nowMs);
    this.touchItem(row.item_id, nowMs, null);
  }

  /** Renewal: one more, due LOAN_DAYS from now at 23:59 local. */
  renewLoan(checkoutId: number, nowMs: number): void {
    const row = this.current(checkoutId);
    row.renewals_count = (typeof row.renewals_count === 'number' ? row.renewals_count : 0) + 1;
    row.last_renewed_date = wholeSeconds(nowMs);
    row.due_date = dueDate(nowMs, this.store.timeZone);
    row.timestamp = wholeSeconds(nowMs);
  }

  /** Check-out of a free item to a patron; returns the new checkout_id (the highest so far + 1). */
  lend(patronId: number, nowMs: number, opts: LendOptions = {}): number {
    const patron = this.patron(patronId);
    const out = new Set(this.store.checkouts.filter((c) => c.checkin_date === null).map((c) => c.item_id));
    let itemId = opts.itemId;
    if (itemId === undefined) {
      itemId = [...this.store.items.keys()].sort((a, b) => a - b).find((id) => !out.has(id));
      if (itemId === undefined) throw new Error('no free item to lend');
    } else if (!this.store.items.has(itemId)) throw new Error(`item_id ${itemId} does not exist`);
    else if (out.has(itemId)) throw new Error(`item_id ${itemId} is checked out`);
    const checkoutId = this.store.checkouts.reduce((m, c) => Math.max(m, c.checkout_id as number), 0) + 1;
    const t = wholeSeconds(nowMs);
    this.store.checkouts.push({
      checkout_id: checkoutId, patron_id: patronId, item_id: itemId, booking_id: null,
      library_id: opts.libraryId ?? patron.library_id, issuer_id: null, checkout_date: t,
      due_date: dueDate(nowMs, this.store.timeZone), checkin_date: null, checkin_library_id: null,
      last_renewed_date: null, renewals_count: 0, unseen_renewals: 0, auto_renew: false, auto_renew_error: null,
      timestamp: t, onsite_checkout: false, note: null, note_date: null, note_seen: null,
    });
    this.touchItem(itemId, nowMs, formatNaive(nowMs, this.store.timeZone).slice(0, 10));
    return checkoutId;
  }

  /** batch_anonymise on one returned loan: to the AnonymousPatron, or NULL (no AnonymousPatron set). */
  anonymiseLoan(checkoutId: number, nowMs: number, to: 'anonymous' | 'null' = 'anonymous'): void {
    const row = this.returned(checkoutId);
    row.patron_id = to === 'anonymous' ? this.anonymousPatronId : null;
    row.timestamp = wholeSeconds(nowMs);
  }

  /** The patron anonymisation cron: personal fields blanked, anonymized = true, history to the AnonymousPatron. */
  anonymisePatron(patronId: number, nowMs: number): void {
    const row = this.patron(patronId);
    if (patronId === this.anonymousPatronId) throw new Error('the AnonymousPatron cannot be anonymised');
    if (this.hasCurrentLoans(patronId)) throw new Error(`patron_id ${patronId} has current loans (has_checkouts)`);
    const patron = { ...this.store.patronRender(row) } as unknown as KohaPatron;
    anonymize(patron, createRng(patronId));
    const { updated_on: _kept, ...changes } = patron;
    this.store.updatePatron(patronId, changes, nowMs);
    for (const c of this.store.checkouts) {
      if (c.patron_id === patronId && c.checkin_date !== null) {
        c.patron_id = this.anonymousPatronId;
        c.timestamp = wholeSeconds(nowMs);
      }
    }
  }

  /** Staff deletes a patron: refused with current loans; the history's patron_id becomes NULL, timestamps untouched. */
  deletePatron(patronId: number): void {
    this.patron(patronId);
    if (patronId === this.anonymousPatronId) throw new Error('the AnonymousPatron cannot be deleted (is_anonymous_patron)');
    if (this.hasCurrentLoans(patronId)) throw new Error(`patron_id ${patronId} has current loans (has_checkouts)`);
    this.store.patrons.delete(patronId);
    for (const c of this.store.checkouts) if (c.patron_id === patronId) c.patron_id = null;
  }

  /** Every loan, current and returned, as the API renders it (copies, by checkout_id). */
  snapshot(): KohaCheckout[] {
    return [...this.store.checkouts]
      .sort((a, b) => (a.checkout_id as number) - (b.checkout_id as number))
      .map((c) => this.store.render(c, CHECKOUT_TIMES) as unknown as KohaCheckout);
  }
}
