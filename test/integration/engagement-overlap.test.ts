/**
 * The engagement stream's pages overlap (read ahead, written side by side, committed in order): the
 * engagement a CRM user sees is the same as when all due patrons fit in one page, and every due patron
 * is read once. Two libraries from the same seed, one synced in pages of 7, one in a single page.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bundledMapping } from '../../src/core/paths.js';
import type { RunReport } from '../../src/state/ports.js';
import { startSyncHarness, type SyncHarness } from './sync-harness.js';

const FIELDS = ['Library_Engagement.First_Loan', 'Library_Engagement.Last_Loan', 'Library_Engagement.Loans_12_Months', 'Library_Engagement.Lapsed'];

let paged: SyncHarness;
let single: SyncHarness;
beforeAll(async () => {
  const opts = { patrons: 120, seed: 14, mapping: bundledMapping() };
  paged = await startSyncHarness({ ...opts, pageSize: 7 });
  single = await startSyncHarness({ ...opts, pageSize: 1000 });
}, 120_000);
afterAll(async () => {
  await paged?.stop();
  await single?.stop();
});

/** Per external identifier: the engagement fields and the engagement groups the contact is in. */
function engagementSeen(h: SyncHarness): Map<string, unknown> {
  const groups = new Map(h.env.civi.rows('Group').map((g) => [g.id, String(g.name)]));
  const inGroups = (id: unknown) => h.env.civi.rows('GroupContact')
    .filter((gc) => gc.contact_id === id && gc.status === 'Added').map((gc) => groups.get(gc.group_id)!)
    .filter((g) => g === 'Lapsed_Patrons' || g === 'New_Patrons').sort();
  return new Map(h.env.civi.rows('Contact').filter((c) => String(c.external_identifier ?? '').startsWith('koha:'))
    .map((c) => [String(c.external_identifier), { ...Object.fromEntries(FIELDS.map((f) => [f, c[f] ?? null])), groups: inGroups(c.id) }]));
}

const engagementOf = (r: RunReport) => r.sources.find((s) => s.stream === 'engagement')!;

describe('engagement in overlapping pages', () => {
  it('writes what a single page writes, each due patron once', async () => {
    const [a, b] = [await paged.sync('full'), await single.sync('full')];
    expect([a.status, b.status]).toEqual(['done', 'done']);
    const [ea, eb] = [engagementOf(a), engagementOf(b)];
    expect(ea.pages).toBeGreaterThan(5);
    expect(eb.pages).toBe(1);
    const counts = (e: typeof ea) => ({ read: e.read, created: e.created, updated: e.updated, unchanged: e.unchanged, skipped: e.skipped, rejected: e.rejected });
    expect(counts(ea)).toEqual(counts(eb));
    expect(ea.created).toBeGreaterThan(50);

    const seen = engagementSeen(paged);
    expect([...seen.values()].filter((v) => (v as Record<string, unknown>)['Library_Engagement.Last_Loan'] !== null).length).toBe(ea.created);
    expect(seen).toEqual(engagementSeen(single));
  }, 180_000);

  it('a second run finds nothing due and writes nothing', async () => {
    const e = engagementOf(await paged.sync('incremental'));
    expect({ read: e.read, created: e.created, updated: e.updated }).toEqual({ read: 0, created: 0, updated: 0 });
  }, 60_000);
});
