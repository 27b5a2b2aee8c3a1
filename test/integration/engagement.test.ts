/**
 * Engagement on the contact, kept true as time passes: the runs' clock is injected, so months go by
 * in a test. Expected values are worked out here from the sandbox's loans with luxon, by the rules
 * as the issue states them (first and last loan, loans in the last 12 months, lapsed after 12 months
 * without a loan, new when the first loan is less than 3 months old).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { bundledMapping } from '../../src/core/paths.js';
import { startSyncHarness, type SyncHarness } from './sync-harness.js';

const CRM_ZONE = 'America/New_York';
let h: SyncHarness;
let offsetMs = 0;
const clock = () => new Date(Date.now() + offsetMs);

interface Expected { first: string | null; last: string | null; recent: number; lapsed: boolean; isNew: boolean }

/** Per contact id, the engagement a CRM user should see on `today`. */
function expected(today: string): Map<number, Expected> {
  const contacts = new Map(h.env.civi.rows('Contact').filter((c) => String(c.external_identifier ?? '').startsWith('koha:')).map((c) => [Number(String(c.external_identifier).slice(5)), c.id as number]));
  const days = new Map<number, string[]>();
  for (const c of h.env.koha.checkouts()) {
    if (c.patron_id === null || !contacts.has(c.patron_id)) continue;
    const day = DateTime.fromISO(c.checkout_date, { setZone: true }).setZone(CRM_ZONE).toISODate()!;
    days.set(c.patron_id, [...(days.get(c.patron_id) ?? []), day]);
  }
  const t = DateTime.fromISO(today, { zone: 'UTC' });
  const out = new Map<number, Expected>();
  for (const [patron, ds] of days) {
    ds.sort();
    const first = ds[0]!;
    const last = ds[ds.length - 1]!;
    const recent = ds.filter((d) => t < DateTime.fromISO(d, { zone: 'UTC' }).plus({ months: 12 })).length;
    out.set(contacts.get(patron)!, {
      first, last, recent,
      lapsed: t >= DateTime.fromISO(last, { zone: 'UTC' }).plus({ months: 12 }),
      isNew: t < DateTime.fromISO(first, { zone: 'UTC' }).plus({ months: 3 }),
    });
  }
  return out;
}

function members(group: string): number[] {
  const g = h.env.civi.rows('Group').find((r) => r.name === group);
  return g ? h.env.civi.rows('GroupContact').filter((gc) => gc.group_id === g.id && gc.status === 'Added').map((gc) => gc.contact_id as number).sort((a, b) => a - b) : [];
}

function expectCrmShows(today: string): void {
  const want = expected(today);
  const rows = new Map(h.env.civi.rows('Contact').map((c) => [c.id as number, c]));
  const wrong = [...want].filter(([id, e]) => {
    const c = rows.get(id)!;
    return c['Library_Engagement.First_Loan'] !== e.first || c['Library_Engagement.Last_Loan'] !== e.last
      || c['Library_Engagement.Loans_12_Months'] !== e.recent || c['Library_Engagement.Lapsed'] !== e.lapsed;
  });
  expect(wrong.slice(0, 3).map(([id, e]) => ({ id, e, crm: rows.get(id) }))).toEqual([]);
  expect(members('Lapsed_Patrons')).toEqual([...want].filter(([, e]) => e.lapsed).map(([id]) => id).sort((a, b) => a - b));
  expect(members('New_Patrons')).toEqual([...want].filter(([, e]) => e.isNew).map(([id]) => id).sort((a, b) => a - b));
}

const today = () => DateTime.fromJSDate(clock()).setZone(CRM_ZONE).toISODate()!;

beforeAll(async () => {
  h = await startSyncHarness({ patrons: 400, seed: 14, mapping: bundledMapping(), civiTimezone: CRM_ZONE, clock });
}, 120_000);
afterAll(async () => h?.stop());

describe('engagement fields and groups', () => {
  it('a first run shows each borrower\'s first and last loan, loans in the last 12 months, lapsed and new', async () => {
    const report = await h.sync('full');
    expect(report.status).toBe('done');
    const want = expected(today());
    expect(want.size).toBeGreaterThan(100);
    expect([...want.values()].some((e) => e.lapsed) && [...want.values()].some((e) => !e.lapsed)).toBe(true);
    expectCrmShows(today());
  }, 120_000);

  it('months later, with no new loan in Koha, patrons lapse and counts fall: only the patrons whose values changed are written', async () => {
    const before = expected(today());
    offsetMs += 200 * 86_400_000; // about six and a half months
    const now = expected(today());
    const changed = [...now].filter(([id, e]) => JSON.stringify(e.lapsed) !== JSON.stringify(before.get(id)!.lapsed)
      || e.recent !== before.get(id)!.recent || e.isNew !== before.get(id)!.isNew).length;
    expect(changed).toBeGreaterThan(0);
    expect([...now].some(([id, e]) => e.lapsed && !before.get(id)!.lapsed)).toBe(true);

    const report = await h.sync('incremental');
    const engagement = report.sources.find((s) => s.stream === 'engagement')!;
    expect(engagement.updated).toBe(changed);
    expect(engagement.read).toBeLessThanOrEqual(changed + 5); // due patrons only, not every contact
    expectCrmShows(today());

    const again = (await h.sync('incremental')).sources.find((s) => s.stream === 'engagement')!;
    expect({ read: again.read, updated: again.updated }).toEqual({ read: 0, updated: 0 });
  }, 120_000);

  it('a new loan makes a lapsed patron active again at the next run', async () => {
    const lapsed = [...expected(today())].find(([, e]) => e.lapsed)![0];
    const patronId = Number(String(h.env.civi.rows('Contact').find((c) => c.id === lapsed)!.external_identifier).slice(5));
    h.env.koha.lend(patronId);
    await h.sync('incremental');
    // The loan is dated by Koha's clock (today), the engagement by the runs' clock (months on): both as the rules say.
    const e = expected(today()).get(lapsed)!;
    expect(e.lapsed).toBe(false);
    expectCrmShows(today());
  }, 120_000);
});
