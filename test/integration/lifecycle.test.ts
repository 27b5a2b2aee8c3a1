/**
 * Patrons who leave: expired cards get lifecycle.on_expired at once; patrons deleted in Koha get
 * lifecycle.on_gone from the next full run (Koha has no feed of deletions), never a hard delete;
 * a full run that finds too many gone stops instead of acting.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bundledMappingWith } from './patrons-only.js';
import { startSyncHarness, type SyncHarness } from './sync-harness.js';

let h: SyncHarness;

/** Clear the contacts of patrons gone from Koha, flag those whose card expired. */
const mapping = () => bundledMappingWith([['  on_gone: flag ', '  on_gone: clear'], ['  on_expired: nothing ', '  on_expired: flag    ']]);

const contactsByPatron = () => new Map(h.env.civi.rows('Contact').filter((c) => String(c.external_identifier ?? '').startsWith('koha:')).map((c) => [Number(String(c.external_identifier).slice(5)), c]));
function former(status: 'Added' | 'Removed'): number[] {
  const g = h.env.civi.rows('Group').find((r) => r.name === 'Former_Library_Patrons');
  return g ? h.env.civi.rows('GroupContact').filter((gc) => gc.group_id === g.id && gc.status === status).map((gc) => gc.contact_id as number).sort((a, b) => a - b) : [];
}
function loanTargets(): Set<number> {
  const loanActivities = new Set(h.env.civi.rows('Activity').filter((a) => typeof a['Library_Loan.Loan_ID'] === 'string').map((a) => a.id));
  return new Set(h.env.civi.rows('ActivityContact').filter((l) => l.record_type_id === 3 && loanActivities.has(l.activity_id)).map((l) => l.contact_id as number));
}
/** Contacts' patrons with loans in the CRM and none out (Koha refuses to delete a patron with loans out). */
function deletable(): number[] {
  const out = new Set(h.env.koha.checkouts().filter((c) => c.checkin_date === null).map((c) => c.patron_id));
  const withLoans = loanTargets();
  return [...contactsByPatron()].filter(([id, c]) => !out.has(id) && withLoans.has(c.id as number)).map(([id]) => id);
}

beforeAll(async () => {
  h = await startSyncHarness({ patrons: 400, seed: 15, mapping: mapping() });
  expect((await h.sync('full')).status).toBe('done');
}, 120_000);
afterAll(async () => h?.stop());

describe('patron lifecycle', () => {
  it('an expired card puts the contact in the lifecycle group; a renewed one takes it out again', async () => {
    const contacts = contactsByPatron();
    const today = new Date().toISOString().slice(0, 10);
    const idOf = (p: { patron_id: number }) => contacts.get(p.patron_id)!.id as number;
    const sorted = (ids: number[]) => [...ids].sort((x, y) => x - y);
    // The first run already flagged the cards that had expired.
    const expired = h.env.dataset.patrons.filter((p) => contacts.has(p.patron_id) && p.expiry_date !== null && p.expiry_date < today);
    expect(expired.length).toBeGreaterThan(0);
    expect(former('Added')).toEqual(sorted(expired.map(idOf)));

    const valid = h.env.dataset.patrons.filter((p) => contacts.has(p.patron_id) && (p.expiry_date ?? '9999') >= today);
    const [a, b] = [valid[0]!, valid[1]!];
    h.env.koha.updatePatron(a.patron_id, { expiry_date: '2020-01-31' });
    h.env.koha.updatePatron(b.patron_id, { expiry_date: '2021-06-30' });
    await h.sync('incremental');
    expect(former('Added')).toEqual(sorted([...expired.map(idOf), idOf(a), idOf(b)]));

    h.env.koha.updatePatron(b.patron_id, { expiry_date: '2031-06-30' });
    await h.sync('incremental');
    expect(former('Added')).toEqual(sorted([...expired.map(idOf), idOf(a)]));
    expect(former('Removed')).toEqual([idOf(b)]);
  }, 120_000);

  it('a patron deleted in Koha: the next full run clears the library fields and the loans, and keeps the contact', async () => {
    const [gone] = deletable();
    const contact = contactsByPatron().get(gone!)!;
    h.env.koha.deletePatron(gone!);
    const quick = await h.sync('incremental');
    expect(quick.sources.find((s) => s.stream === 'sweep')).toMatchObject({ deleted: 0, updated: 0 });
    expect(loanTargets().has(contact.id as number)).toBe(true);

    const full = await h.sync('full');
    expect(full.status).toBe('done');
    const after = contactsByPatron().get(gone!)!;
    expect(after.is_deleted).toBe(false);
    expect([after.last_name ?? null, after['Library_Patron.Card_Number'] ?? null]).toEqual([null, null]);
    expect(loanTargets().has(contact.id as number)).toBe(false);
    // Said once: the run after finds nothing more to do.
    const again = (await h.sync('full')).sources.find((s) => s.stream === 'sweep')!;
    expect({ deleted: again.deleted, updated: again.updated }).toEqual({ deleted: 0, updated: 0 });
  }, 120_000);

  it('a full run that finds a quarter of the patrons gone stops instead of clearing them', async () => {
    const before = h.env.civi.rows('Contact').map((c) => JSON.stringify(c));
    const leavers = deletable().slice(0, Math.ceil(contactsByPatron().size * 0.25));
    for (const id of leavers) h.env.koha.deletePatron(id);
    const report = await h.sync('full');
    const sweep = report.sources.find((s) => s.stream === 'sweep')!;
    expect(sweep.status).toBe('failed');
    expect(sweep.error).toMatch(/of \d+ contacts' patrons are no longer in Koha, more than lifecycle.max_gone_percent \(20%\); nothing was changed/);
    expect(h.env.civi.rows('Contact').map((c) => JSON.stringify(c))).toEqual(before);
  }, 120_000);
});
