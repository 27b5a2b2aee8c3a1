/**
 * Titles, when a library asks for them: fetched from Koha in batches (GET /items with the biblio embed,
 * never once per loan), cached for the run, and shown in the loan's subject.
 */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { bundledMappingWith } from './patrons-only.js';
import { startSyncHarness, type SyncHarness } from './sync-harness.js';

let h: SyncHarness;
const PAGE = 100;

beforeAll(async () => {
  const file = bundledMappingWith([['  subject: "Library loan ({library_id})"', '  subject: "{title} ({library_id})"'], ['  titles: false', '  titles: true']]);
  h = await startSyncHarness({ patrons: 300, seed: 16, mapping: file, pageSize: PAGE });
}, 60_000);
afterAll(async () => h?.stop());

it('each loan\'s subject carries its title, read in one batch per page of loans', async () => {
  const report = await h.sync('full');
  expect(report.status).toBe('done');
  const loans = report.sources.find((s) => s.stream === 'checkouts')!;
  expect(loans.created).toBeGreaterThan(PAGE);
  const titleOfItem = new Map(h.env.dataset.items.map((i) => [i.item_id, h.env.dataset.biblios.find((b) => b.biblio_id === i.biblio_id)!.title]));
  const checkouts = new Map(h.env.koha.checkouts().map((c) => [`koha:checkout:${c.checkout_id}`, c]));
  const activities = h.env.civi.rows('Activity').filter((a) => typeof a['Library_Loan.Loan_ID'] === 'string');
  expect(activities.length).toBe(loans.created);
  for (const a of activities) {
    const c = checkouts.get(String(a['Library_Loan.Loan_ID']))!;
    expect(a.subject).toBe(`${titleOfItem.get(c.item_id!)} (${c.library_id})`);
  }
  // At most one /items request per page of loans, whatever the number of loans on it.
  expect(h.env.koha.stats.byRoute['GET /items']).toBeLessThanOrEqual(loans.pages);
});
