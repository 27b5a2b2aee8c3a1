import { describe, expect, it } from '@jest/globals';
import { ALL_TRAITS, CIVICRM_LIMITS, generateKohaDataset } from '../../src/sandbox/generator/index.js';
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

  it('generates 2,000 patrons well under a second', () => {
    const t0 = performance.now();
    generateKohaDataset({ patrons: 2000, seed: 99, now: NOW, timezone: TZ });
    expect(performance.now() - t0).toBeLessThan(800);
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
    expect(data.checkouts.every((c) => byId.has(c.patron_id) && itemIds.has(c.item_id!))).toBe(true);
    const current = data.checkouts.filter((c) => c.checkin_date === null).map((c) => c.item_id);
    expect(new Set(current).size).toBe(current.length);
    expect(data.checkouts.some((c) => c.checkin_date !== null)).toBe(true);
    expect(data.checkouts.every((c) => !byId.get(c.patron_id)!.anonymized)).toBe(true);
  });
});
