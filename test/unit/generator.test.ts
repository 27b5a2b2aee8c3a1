import { describe, expect, it } from '@jest/globals';
import { ALL_TRAITS, CIVICRM_LIMITS, SANDBOX_ANONYMOUS_PATRON_ID, generateKohaDataset } from '../../src/sandbox/generator/index.js';
import { checkSchema, loadDefinition, parseDateTime } from '../../src/sandbox/koha/index.js';
import { KOHA_DEFINITIONS } from '../contracts/koha/definitions.js';

const NOW = new Date('2026-11-23T09:00:00Z');
const TZ = 'Europe/Paris';
const data = generateKohaDataset({ patrons: 2000, seed: 11, now: NOW, timezone: TZ });
const byId = new Map(data.patrons.map((p) => [p.patron_id, p]));
const withTrait = (t: string): number[] => [...data.traits].filter(([, ts]) => ts.includes(t)).map(([id]) => id);
const chars = (s: string | null): number => [...(s ?? '')].length;

describe('generateKohaDataset', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const again = generateKohaDataset({ patrons: 2000, seed: 11, now: NOW, timezone: TZ });
    expect(JSON.stringify(again.patrons)).toBe(JSON.stringify(data.patrons));
    expect(JSON.stringify(again.checkouts)).toBe(JSON.stringify(data.checkouts));
    expect([...again.traits]).toEqual([...data.traits]);
    const other = generateKohaDataset({ patrons: 2000, seed: 12, now: NOW, timezone: TZ });
    expect(JSON.stringify(other.patrons)).not.toBe(JSON.stringify(data.patrons));
  });

  it('covers every hostile trait, keeping over-limit patrons rare', () => {
    for (const t of ALL_TRAITS) expect([t, withTrait(t).length > 0]).toEqual([t, true]);
    const overLimit = new Set([...data.traits].filter(([, ts]) => ts.some((t) => t.endsWith('_over_limit'))).map(([id]) => id));
    expect(overLimit.size / data.patrons.length).toBeGreaterThan(0.005);
    expect(overLimit.size / data.patrons.length).toBeLessThan(0.02);
  });

  it('records length traits that are true of the values (characters, as MySQL counts)', () => {
    const checks: Array<[string, (id: number) => number, number]> = [
      ['first_name', (id) => chars(byId.get(id)!.firstname), CIVICRM_LIMITS.first_name],
      ['last_name', (id) => chars(byId.get(id)!.surname), CIVICRM_LIMITS.last_name],
      ['email', (id) => chars(byId.get(id)!.email), CIVICRM_LIMITS.email],
      ['phone', (id) => chars(byId.get(id)!.phone), CIVICRM_LIMITS.phone],
      ['street_address', (id) => chars(byId.get(id)!.address), CIVICRM_LIMITS.street_address],
    ];
    for (const [field, len, limit] of checks) {
      for (const id of withTrait(`${field}_at_limit`)) expect([field, len(id)]).toEqual([field, limit]);
      for (const id of withTrait(`${field}_over_limit`)) expect(len(id)).toBeGreaterThan(limit);
    }
    for (const id of withTrait('city_over_limit')) expect(chars(byId.get(id)!.city)).toBeGreaterThan(CIVICRM_LIMITS.city);
    const ordinary = data.patrons.filter((p) => !data.traits.get(p.patron_id)?.some((t) => t.includes('limit')));
    for (const p of ordinary) expect(chars(p.firstname) <= 64 && chars(p.surname) <= 64 && chars(p.email) <= 254).toBe(true);
  });

  it('records the other traits truthfully', () => {
    for (const id of withTrait('invalid_date_of_birth')) {
      expect(parseDateTime(byId.get(id)!.date_of_birth!, 'UTC')).toBeUndefined();
    }
    for (const id of withTrait('anonymized')) {
      const p = byId.get(id)!;
      expect([p.anonymized, p.firstname, p.email, p.phone, p.address, p.cardnumber]).toEqual([true, null, null, null, null, null]);
    }
    const emails = withTrait('shared_email').map((id) => byId.get(id)!.email!.trim().toLowerCase());
    for (const e of emails) expect(emails.filter((x) => x === e).length).toBeGreaterThan(1);
    for (const id of withTrait('expired_card')) expect(byId.get(id)!.expiry_date! < '2026-11-23').toBe(true);
    const countries = new Set(data.patrons.map((p) => p.country));
    for (const c of ['France', 'FR', 'United Kingdom', 'Deutschland', 'USA', '']) expect(countries.has(c)).toBe(true);
  });

  it('spreads updated_on over ~2 years strictly before now, rendered in the server zone', () => {
    const instants = data.patrons.map((p) => Date.parse(p.updated_on));
    expect(Math.max(...instants)).toBeLessThan(NOW.getTime());
    expect(Math.min(...instants)).toBeLessThan(NOW.getTime() - 600 * 86400000);
    expect(data.patrons.every((p) => /\+0[12]:00$/.test(p.updated_on))).toBe(true);
    expect(withTrait('shared_updated_on').length).toBeGreaterThan(20);
  });

  it('produces patrons that validate against the spec patron definition', () => {
    const { schema, resolve: ref } = loadDefinition(KOHA_DEFINITIONS, 'patron');
    const problems = data.patrons.flatMap((p) => checkSchema(schema, p, ref).map((x) => ({ id: p.patron_id, ...x })));
    expect(problems).toEqual([]);
  });

  it('builds reference data and loans consistent with the patrons', () => {
    expect(data.libraries.length).toBe(5);
    expect(data.libraries.every((l) => l.library_id.length <= 10)).toBe(true);
    expect(data.categories.map((c) => c.patron_category_id)).toEqual(['ADULT', 'CHILD', 'STAFF', 'SENIOR', 'STUDENT']);
    const libraryIds = new Set(data.libraries.map((l) => l.library_id));
    expect(data.patrons.every((p) => libraryIds.has(p.library_id))).toBe(true);
    const itemIds = new Set(data.items.map((i) => i.item_id));
    expect(data.checkouts.length).toBeGreaterThan(100);
    expect(data.checkouts.every((c) => (c.patron_id === null || byId.has(c.patron_id)) && itemIds.has(c.item_id!))).toBe(true);
    const current = data.checkouts.filter((c) => c.checkin_date === null).map((c) => c.item_id);
    expect(new Set(current).size).toBe(current.length);
    expect(data.checkouts.some((c) => c.checkin_date !== null)).toBe(true);
    expect(data.checkouts.every((c) => c.patron_id === null || !byId.get(c.patron_id)!.anonymized)).toBe(true);
  });

  it('starts with Koha\'s AnonymousPatron (1000), then the generated patrons from 1001', () => {
    expect(SANDBOX_ANONYMOUS_PATRON_ID).toBe(1000);
    expect(data.anonymousPatronId).toBe(1000);
    expect(data.patrons).toHaveLength(2001);
    const anon = data.patrons[0]!;
    expect([anon.patron_id, anon.surname, anon.firstname, anon.email, anon.address, anon.phone, anon.category_id, anon.library_id, anon.anonymized])
      .toEqual([1000, 'Anonymous', null, null, null, null, 'ADULT', 'CPL', false]);
    expect(Date.parse(anon.updated_on)).toBeLessThan(NOW.getTime());
    expect(data.patrons[1]!.patron_id).toBe(1001);
    expect(data.patrons.at(-1)!.patron_id).toBe(3000);
  });
});

describe('generateKohaDataset: loan history', () => {
  const DAY = 86400000;
  const nowMs = NOW.getTime();
  const loans = data.checkouts;
  const current = loans.filter((c) => c.checkin_date === null);
  const returned = loans.filter((c) => c.checkin_date !== null);
  const t = (s: string | null): number => Date.parse(s!);

  it('has about 3.2 loans per patron: at least 6,000 for 2,000 patrons, current and returned', () => {
    expect(loans.length).toBeGreaterThanOrEqual(6000);
    expect(loans.length).toBeLessThan(2000 * 4);
    expect(current.length + returned.length).toBe(loans.length);
    expect(current.length).toBeGreaterThan(300);
    expect(returned.length).toBeGreaterThan(current.length);
    expect(new Set(loans.map((c) => c.checkout_id)).size).toBe(loans.length);
    expect(data.biblios.length).toBe(1000);
    expect(data.items.length).toBeGreaterThanOrEqual(1000);
    expect(data.items.length).toBeLessThanOrEqual(3000);
  });

  it('loanFactor gives the same library with more loans (the mid-size benchmark asks for about 4 per patron)', () => {
    const more = generateKohaDataset({ patrons: 2000, seed: 11, now: NOW, timezone: TZ, loanFactor: 1.25 });
    expect(more.patrons).toEqual(data.patrons);
    // each borrowing patron's 1-8 loans become round(n x 1.25): 5.75 instead of 4.5 on average
    expect(more.checkouts.length / loans.length).toBeGreaterThan(1.2);
    expect(more.checkouts.length / loans.length).toBeLessThan(1.35);
  });

  it('puts each current loan on its own item, marked checked out on the item', () => {
    const itemsOut = current.map((c) => c.item_id);
    expect(new Set(itemsOut).size).toBe(itemsOut.length);
    const checkedOut = data.items.filter((i) => i.checked_out_date !== null).map((i) => i.item_id).sort((a, b) => a - b);
    expect(checkedOut).toEqual([...itemsOut].sort((a, b) => a! - b!));
    for (const c of current) expect(data.items[c.item_id! - 1]!.checked_out_date).toBe(c.checkout_date.slice(0, 10));
  });

  it('has overdue and renewed current loans; due dates at 23:59 local, 21 days after the last issue or renewal', () => {
    const overdue = current.filter((c) => t(c.due_date) < nowMs);
    expect(overdue.length).toBeGreaterThan(10);
    expect(current.length - overdue.length).toBeGreaterThan(10);
    const renewed = current.filter((c) => c.renewals_count! > 0);
    expect(renewed.length).toBeGreaterThan(10);
    for (const c of renewed) {
      expect([1, 2]).toContain(c.renewals_count);
      expect(t(c.last_renewed_date)).toBeGreaterThan(t(c.checkout_date));
      expect(c.timestamp).toBe(c.last_renewed_date);
    }
    for (const c of current.filter((x) => x.renewals_count === 0)) {
      expect(c.last_renewed_date).toBeNull();
      expect(c.timestamp).toBe(c.checkout_date);
    }
    for (const c of loans) {
      expect(c.due_date.slice(11, 19)).toBe('23:59:00');
      const from = t(c.last_renewed_date ?? c.checkout_date);
      // 21 days later by the calendar, so 20–22 days of elapsed time across a DST change
      expect(t(c.due_date) - from).toBeGreaterThan(20 * DAY);
      expect(t(c.due_date) - from).toBeLessThan(22 * DAY);
    }
  });

  it('stamps every loan with its last change, strictly before now; returned ones with a check-in library', () => {
    for (const c of loans) {
      expect(t(c.timestamp)).toBeLessThan(nowMs);
      expect(t(c.timestamp)).toBeGreaterThanOrEqual(t(c.last_renewed_date ?? c.checkout_date));
      expect(c.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[12]:00$/);
    }
    for (const c of returned) {
      expect(t(c.checkin_date)).toBeGreaterThan(t(c.last_renewed_date ?? c.checkout_date));
      expect(t(c.timestamp)).toBeGreaterThanOrEqual(t(c.checkin_date));
      expect(c.checkin_library_id).not.toBeNull();
    }
    for (const c of current) expect(c.checkin_library_id).toBeNull();
  });

  it('applies Koha\'s privacy rules to the history', () => {
    const privacy2 = new Set(data.patrons.filter((p) => p.privacy === 2).map((p) => p.patron_id));
    expect(privacy2.size).toBeGreaterThan(20);
    expect(returned.filter((c) => privacy2.has(c.patron_id!))).toEqual([]);
    const anonymised = new Set(data.patrons.filter((p) => p.anonymized).map((p) => p.patron_id));
    expect(anonymised.size).toBeGreaterThan(5);
    expect(loans.filter((c) => anonymised.has(c.patron_id!))).toEqual([]);
    expect(current.filter((c) => c.patron_id === 1000 || c.patron_id === null)).toEqual([]);
    const toAnonymous = returned.filter((c) => c.patron_id === 1000);
    expect(toAnonymous.length).toBeGreaterThan(100);
    // batch_anonymise moved history older than 365 days of patrons with default privacy (1)…
    const old = toAnonymous.filter((c) => t(c.checkin_date) < nowMs - 365 * DAY);
    expect(old.length).toBeGreaterThan(50);
    expect(old.some((c) => t(c.timestamp) > t(c.checkin_date) + 365 * DAY)).toBe(true);
    // …but never of patrons who chose to keep it (privacy 0): old history stays under their own id
    const keepers = new Set(data.patrons.filter((p) => p.privacy === 0).map((p) => p.patron_id));
    expect(returned.some((c) => keepers.has(c.patron_id!) && t(c.checkin_date) < nowMs - 365 * DAY)).toBe(true);
    const ownOld = returned.filter((c) => c.patron_id !== null && c.patron_id !== 1000 && t(c.checkin_date) < nowMs - 365 * DAY);
    expect(ownOld.every((c) => byId.get(c.patron_id!)!.privacy !== 2)).toBe(true);
    // deleted patrons: ownerless history (FK ON DELETE SET NULL)
    const ownerless = loans.filter((c) => c.patron_id === null);
    expect(ownerless.length).toBeGreaterThanOrEqual(20);
    expect(ownerless.every((c) => c.checkin_date !== null)).toBe(true);
  });

  it('records nothing personal in a loan and keeps issue ids in checkout order', () => {
    const keys = Object.keys(loans[0]!).sort();
    expect(keys).toEqual(['auto_renew', 'auto_renew_error', 'booking_id', 'checkin_date', 'checkin_library_id', 'checkout_date',
      'checkout_id', 'due_date', 'issuer_id', 'item_id', 'last_renewed_date', 'library_id', 'note', 'note_date', 'note_seen',
      'onsite_checkout', 'patron_id', 'renewals_count', 'timestamp', 'unseen_renewals']);
    const byId2 = [...loans].sort((a, b) => a.checkout_id - b.checkout_id);
    for (let i = 1; i < byId2.length; i++) expect(t(byId2[i]!.checkout_date)).toBeGreaterThanOrEqual(t(byId2[i - 1]!.checkout_date));
  });

  it('validates against definitions/checkout.yaml, except the null patron_id of deleted patrons\' history', () => {
    const { schema, resolve: ref } = loadDefinition(KOHA_DEFINITIONS, 'checkout');
    const problems = loans.flatMap((c) => checkSchema(schema, c, ref).map((x) => ({ id: c.checkout_id, owner: c.patron_id, ...x })));
    expect(problems.length).toBe(loans.filter((c) => c.patron_id === null).length);
    expect(problems.every((p) => p.owner === null && p.path === '/patron_id')).toBe(true);
  });
});
