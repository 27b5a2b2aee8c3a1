import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SANDBOX_ANONYMOUS_PATRON_ID } from '../../src/sandbox/environment.js';
import { generateKohaDataset } from '../../src/sandbox/generator/index.js';
import { startKohaSandbox, type KohaCheckout, type KohaSandbox } from '../../src/sandbox/koha/index.js';

const TZ = 'Europe/Paris';
const NOW = new Date('2026-11-23T09:00:00Z');
let clock = NOW;
const data = generateKohaDataset({ patrons: 300, seed: 7, now: NOW, timezone: TZ });
const BASIC = `Basic ${Buffer.from('sync:s3cret').toString('base64')}`;
let sandbox: KohaSandbox;

beforeAll(async () => {
  sandbox = await startKohaSandbox({ ...data, auth: { basic: { username: 'sync', password: 's3cret' } }, timezone: TZ, now: () => clock });
});
afterAll(async () => sandbox.stop());

type Res = { status: number; body: any };
async function get(path: string): Promise<Res> {
  const res = await fetch(`${sandbox.url}/api/v1${path}`, { headers: { Authorization: BASIC } });
  return { status: res.status, body: await res.json() };
}
const q = (doc: unknown): string => encodeURIComponent(JSON.stringify(doc));
const ids = (rows: any[]): number[] => rows.map((c) => c.checkout_id);
const KOHA_500 = { error: 'Something went wrong, check Koha logs for details.', error_code: 'internal_server_error' };
const NOT_NULL = { patron_id: { '!=': null } };
const current = data.checkouts.filter((c) => c.checkin_date === null);
const returned = data.checkouts.filter((c) => c.checkin_date !== null);
const sortIds = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
/** One loan by id, current or returned, through the API. */
async function loan(id: number): Promise<any> {
  const cur = await get(`/checkouts?q=${q({ checkout_id: id })}`);
  if (cur.body.length === 1) return cur.body[0];
  const old = await get(`/checkouts?checked_in=true&q=${q({ checkout_id: id })}`);
  expect(old.status).toBe(200);
  return old.body[0];
}

describe('Koha sandbox loans: lists', () => {
  it('serves current loans and, narrowed to owned rows, the history', async () => {
    const cur = await get('/checkouts?_per_page=-1');
    expect(cur.status).toBe(200);
    expect(sortIds(ids(cur.body))).toEqual(sortIds(current.map((c) => c.checkout_id)));
    const old = await get(`/checkouts?checked_in=true&_per_page=-1&q=${q(NOT_NULL)}`);
    expect(old.status).toBe(200);
    expect(sortIds(ids(old.body))).toEqual(sortIds(returned.filter((c) => c.patron_id !== null).map((c) => c.checkout_id)));
    expect(old.body.some((c: any) => c.patron_id === SANDBOX_ANONYMOUS_PATRON_ID)).toBe(true);
  });

  it('answers 500 when a page of the history holds a patron_id NULL row (response validation), only then', async () => {
    expect(returned.some((c) => c.patron_id === null)).toBe(true);
    const all = await get('/checkouts?checked_in=true&_per_page=-1');
    expect([all.status, all.body]).toEqual([500, KOHA_500]);
    const nulls = await get(`/checkouts?checked_in=true&q=${q({ patron_id: null })}`);
    expect([nulls.status, nulls.body]).toEqual([500, KOHA_500]);
    const eqNull = await get(`/checkouts?checked_in=true&q=${q({ patron_id: { '=': null } })}`);
    expect(eqNull.status).toBe(500);
    // the same narrowing inside -and, as a client combines it with its window
    const narrowed = await get(`/checkouts?checked_in=true&_per_page=-1&q=${q({ '-and': [NOT_NULL, { checkout_id: { '>': 0 } }] })}`);
    expect(narrowed.status).toBe(200);
    expect(narrowed.body.every((c: any) => c.patron_id !== null)).toBe(true);
    const anonymous = await get(`/checkouts?checked_in=true&_per_page=-1&q=${q({ patron_id: 1000 })}`);
    expect(anonymous.body.length).toBe(returned.filter((c) => c.patron_id === 1000).length);
    // current loans never have a NULL owner: IS NULL finds nothing
    expect((await get(`/checkouts?q=${q({ patron_id: null })}`)).body).toEqual([]);
  });

  it('reads naive timestamp literals in the server zone', async () => {
    // e.g. 2026-01-10T15:00:00+01:00 is "2026-01-10 15:00:00" in Koha's database
    const l = returned.find((c) => c.patron_id !== null && c.timestamp.endsWith('+01:00'))!;
    const naive = l.timestamp.slice(0, 19).replace('T', ' ');
    const at = await get(`/checkouts?checked_in=true&q=${q({ checkout_id: l.checkout_id, timestamp: { '>=': naive } })}`);
    expect(ids(at.body)).toEqual([l.checkout_id]);
    const after = await get(`/checkouts?checked_in=true&q=${q({ checkout_id: l.checkout_id, timestamp: { '>': naive } })}`);
    expect(after.body).toEqual([]);
  });

  it('walks the history by the client keyset (timestamp, checkout_id) over a window, without gaps or repeats', async () => {
    // window in naive Paris time: 2025-06-01 00:00 (+02:00) to 2026-11-23 10:00 (+01:00)
    const [fromMs, toMs] = [Date.parse('2025-06-01T00:00:00+02:00'), Date.parse('2026-11-23T10:00:00+01:00')];
    const window = { timestamp: { '>=': '2025-06-01 00:00:00', '<=': '2026-11-23 10:00:00' } };
    const want = returned
      .filter((c) => c.patron_id !== null && Date.parse(c.timestamp) >= fromMs && Date.parse(c.timestamp) <= toMs)
      .sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp) || a.checkout_id - b.checkout_id)
      .map((c) => c.checkout_id);
    expect(want.length).toBeGreaterThan(100);
    const seen: number[] = [];
    let cursor: { t: string; id: number } | undefined;
    for (let guard = 0; guard < 100; guard++) {
      const parts: unknown[] = [NOT_NULL, window];
      if (cursor) parts.push({ '-or': [{ timestamp: { '>': cursor.t } }, { timestamp: cursor.t, checkout_id: { '>': cursor.id } }] });
      const r = await get(`/checkouts?checked_in=true&q=${q({ '-and': parts })}&_order_by=+me.timestamp,+me.checkout_id&_per_page=40&_page=1`);
      expect(r.status).toBe(200);
      if (r.body.length === 0) break;
      seen.push(...ids(r.body));
      const last = r.body.at(-1);
      cursor = { t: last.timestamp.slice(0, 19).replace('T', ' '), id: last.checkout_id };
    }
    expect(seen).toEqual(want);
  });
});

describe('Koha sandbox loans: what staff and crons do', () => {
  const used = new Set<number>();
  const patronOf = (pred: (p: (typeof data.patrons)[number]) => boolean) =>
    data.patrons.find((p) => p.patron_id > 1000 && !used.has(p.patron_id) && pred(p) && (used.add(p.patron_id), true))!;
  const loansOf = (id: number, kind: 'current' | 'returned'): KohaCheckout[] => (kind === 'current' ? current : returned).filter((c) => c.patron_id === id);
  // the clock: 2026-11-23 10:30:00 in Paris (+01:00)
  const AT = '2026-11-23T10:30:00+01:00';
  beforeAll(() => {
    clock = new Date('2026-11-23T09:30:00Z');
  });

  it('returnLoan checks a loan in now, at its issuing library; the item is free again', async () => {
    const p = patronOf((x) => x.privacy === 1 && loansOf(x.patron_id, 'current').length > 0);
    const l = loansOf(p.patron_id, 'current')[0]!;
    sandbox.returnLoan(l.checkout_id);
    expect((await get(`/checkouts?q=${q({ checkout_id: l.checkout_id })}`)).body).toEqual([]);
    const back = await loan(l.checkout_id);
    expect([back.patron_id, back.checkin_date, back.checkin_library_id, back.timestamp, back.checkout_date])
      .toEqual([p.patron_id, AT, l.library_id, AT, l.checkout_date]);
    const item = (await get(`/items?q=${q({ item_id: l.item_id })}`)).body[0];
    expect(item.checked_out_date).toBeNull();
    expect(() => sandbox.returnLoan(l.checkout_id)).toThrow(/already returned/);
  });

  it('returnLoan of a privacy 2 patron hands the loan to the AnonymousPatron at check-in', async () => {
    const p = patronOf((x) => x.privacy !== 2 && loansOf(x.patron_id, 'current').length > 0);
    sandbox.updatePatron(p.patron_id, { privacy: 2 });
    const l = loansOf(p.patron_id, 'current')[0]!;
    sandbox.returnLoan(l.checkout_id, { libraryId: 'NORTH' });
    const back = await loan(l.checkout_id);
    expect([back.patron_id, back.checkin_date, back.checkin_library_id, back.timestamp]).toEqual([1000, AT, 'NORTH', AT]);
  });

  it('renewLoan counts a renewal and moves the due date 21 days on, 23:59 local', async () => {
    const l = current.find((c) => c.renewals_count === 0 && !used.has(c.patron_id!))!;
    used.add(l.patron_id!);
    sandbox.renewLoan(l.checkout_id);
    const r = await loan(l.checkout_id);
    expect([r.renewals_count, r.last_renewed_date, r.due_date, r.timestamp, r.checkin_date])
      .toEqual([1, AT, '2026-12-14T23:59:00+01:00', AT, null]);
    sandbox.renewLoan(l.checkout_id);
    expect((await loan(l.checkout_id)).renewals_count).toBe(2);
  });

  it('lend issues a free item under a new checkout_id', async () => {
    const p = patronOf((x) => !x.anonymized);
    const out = new Set(sandbox.checkouts().filter((c) => c.checkin_date === null).map((c) => c.item_id));
    const before = Math.max(...sandbox.checkouts().map((c) => c.checkout_id));
    const id = sandbox.lend(p.patron_id);
    expect(id).toBe(before + 1);
    const mine = (await get(`/patrons/${p.patron_id}/checkouts`)).body;
    const l = mine.find((c: any) => c.checkout_id === id);
    expect([l.checkout_date, l.due_date, l.timestamp, l.renewals_count, l.library_id, l.checkin_date])
      .toEqual([AT, '2026-12-14T23:59:00+01:00', AT, 0, p.library_id, null]);
    expect(out.has(l.item_id)).toBe(false);
    expect((await get(`/items?q=${q({ item_id: l.item_id })}`)).body[0].checked_out_date).toBe('2026-11-23');
    expect(() => sandbox.lend(p.patron_id, { itemId: l.item_id })).toThrow(/checked out/);
    expect(sandbox.lend(p.patron_id, { libraryId: 'MAIN' })).toBe(id + 1);
  });

  it('anonymiseLoan moves a returned loan to the AnonymousPatron, or to NULL', async () => {
    const p = patronOf((x) => x.privacy !== 2 && loansOf(x.patron_id, 'returned').length >= 2);
    const [a, b] = loansOf(p.patron_id, 'returned') as [KohaCheckout, KohaCheckout];
    sandbox.anonymiseLoan(a.checkout_id);
    const ra = await loan(a.checkout_id);
    expect([ra.patron_id, ra.timestamp, ra.checkin_date]).toEqual([1000, AT, a.checkin_date]);
    sandbox.anonymiseLoan(b.checkout_id, 'null');
    expect((await get(`/checkouts?checked_in=true&q=${q({ checkout_id: b.checkout_id })}`)).status).toBe(500);
    const snap = sandbox.checkouts().find((c) => c.checkout_id === b.checkout_id)!;
    expect([snap.patron_id, snap.timestamp]).toEqual([null, AT]);
    const cur = current.find((c) => !used.has(c.patron_id!))!;
    expect(() => sandbox.anonymiseLoan(cur.checkout_id)).toThrow(/current loan/);
  });

  it('anonymisePatron blanks the patron, bumps updated_on and hands the history to the AnonymousPatron', async () => {
    const p = patronOf((x) => !x.anonymized && loansOf(x.patron_id, 'current').length === 0 && loansOf(x.patron_id, 'returned').length > 0);
    const history = loansOf(p.patron_id, 'returned').map((c) => c.checkout_id);
    sandbox.anonymisePatron(p.patron_id);
    const r = (await get(`/patrons/${p.patron_id}`)).body;
    expect([r.anonymized, r.firstname, r.email, r.phone, r.address, r.cardnumber, r.updated_on, r.library_id])
      .toEqual([true, null, null, null, null, null, AT, p.library_id]);
    expect(r.surname).not.toBe(p.surname);
    expect((await get(`/checkouts?checked_in=true&patron_id=${p.patron_id}`)).body).toEqual([]);
    const moved = (await get(`/checkouts?checked_in=true&_per_page=-1&q=${q({ checkout_id: { '-in': history } })}`)).body;
    expect(moved.map((c: any) => [c.checkout_id, c.patron_id, c.timestamp])).toEqual(history.map((id) => [id, 1000, AT]));
    const busy = patronOf((x) => loansOf(x.patron_id, 'current').length > 0);
    expect(() => sandbox.anonymisePatron(busy.patron_id)).toThrow(/has_checkouts/);
  });

  it('deletePatron removes the patron; the history keeps its rows with patron_id NULL and untouched timestamps', async () => {
    const p = patronOf((x) => x.privacy !== 2 && loansOf(x.patron_id, 'current').length === 0 && loansOf(x.patron_id, 'returned').length > 0);
    const history = loansOf(p.patron_id, 'returned');
    sandbox.deletePatron(p.patron_id);
    expect((await get(`/patrons/${p.patron_id}`)).status).toBe(404);
    expect((await get(`/patrons?q=${q({ patron_id: p.patron_id })}`)).body).toEqual([]);
    const snap = new Map(sandbox.checkouts().map((c) => [c.checkout_id, c]));
    expect(history.map((c) => [snap.get(c.checkout_id)!.patron_id, snap.get(c.checkout_id)!.timestamp])).toEqual(history.map((c) => [null, c.timestamp]));
    // an incremental read since before the deletion does not see it; a full read of those rows fails validation
    const changed = await get(`/checkouts?checked_in=true&_per_page=-1&q=${q({ timestamp: { '>=': '2026-11-23 10:00:00' } })}`);
    expect(changed.status).toBe(500); // the loan anonymised to NULL above is in this window
    const since = await get(`/checkouts?checked_in=true&_per_page=-1&q=${q({ '-and': [NOT_NULL, { timestamp: { '>=': '2026-11-23 10:00:00' } }] })}`);
    expect(since.status).toBe(200);
    expect(since.body.length).toBeGreaterThan(0);
    expect(ids(since.body).some((id) => history.some((c) => c.checkout_id === id))).toBe(false);
    expect((await get(`/checkouts?checked_in=true&q=${q({ checkout_id: history[0]!.checkout_id })}`)).status).toBe(500);
    const busy = patronOf((x) => loansOf(x.patron_id, 'current').length > 0);
    expect(() => sandbox.deletePatron(busy.patron_id)).toThrow(/has_checkouts/);
    expect((await get(`/patrons/${busy.patron_id}`)).status).toBe(200);
    expect(() => sandbox.deletePatron(1000)).toThrow(/is_anonymous_patron/);
  });

  it('checkouts() is a rendered copy of every loan', () => {
    const snap = sandbox.checkouts();
    expect(snap.length).toBe(data.checkouts.length + 2); // the two lent above
    expect(snap.every((c) => typeof c.timestamp === 'string' && /\+0[12]:00$/.test(c.timestamp))).toBe(true);
    snap[0]!.patron_id = -1;
    expect(sandbox.checkouts()[0]!.patron_id).not.toBe(-1);
    expect(sandbox.anonymousPatronId).toBe(1000);
  });
});
