/**
 * The sandbox CiviCRM's cost model (src/sandbox/civicrm/cost.ts): a pool of workers holding each
 * request for its recorded cost. Expected figures are worked out by hand from the constants
 * (overhead 93; Contact 80 per call + 18 create / 29 update per record + 12 per location + 6 per
 * custom group; get 2 per call + 0.2 per row; other writes 35 + 14 per record). Assertions rest on
 * the pool's accounted figures; wall time only as lower bounds the model guarantees.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { performance } from 'node:perf_hooks';
import { requestCost, startCiviSandbox, type CiviSandbox } from '../../src/sandbox/civicrm/index.js';
import { civiCall } from './civicrm-sandbox-client.js';

const patron = (n: number) => ({
  external_identifier: `cost-${n}`, contact_type: 'Individual', first_name: `First${n}`, last_name: `Last${n}`,
  'email_primary.email': `p${n}@example.org`, 'phone_primary.phone': `+49 30 ${n}`,
  'address_primary.street_address': `Street ${n}`, 'address_primary.city': 'Berlin', 'address_primary.postal_code': '10115',
  'Library_Patron.Card_Number': `C${n}`, 'Library_Patron.Home_Branch': 'MAIN',
});
const saveParams = { records: [patron(1), patron(2), patron(3)], match: ['external_identifier'] };

async function withLibraryPatronGroup(s: CiviSandbox): Promise<void> {
  const g = await civiCall(s, 'CustomGroup', 'save', { records: [{ name: 'Library_Patron', title: 'Library patron', extends: 'Individual', style: 'Inline' }], match: ['name'] }, 'admin');
  expect(g.status).toBe(200);
  for (const name of ['Card_Number', 'Home_Branch']) {
    const f = await civiCall(s, 'CustomField', 'save', {
      records: [{ 'custom_group_id:name': 'Library_Patron', name, label: name, data_type: 'String', html_type: 'Text' }], match: ['custom_group_id', 'name'],
    }, 'admin');
    expect(f.status).toBe(200);
  }
}

let sandboxes: CiviSandbox[] = [];
const start = async (...args: Parameters<typeof startCiviSandbox>) => {
  const s = await startCiviSandbox(...args);
  sandboxes.push(s);
  return s;
};
afterEach(async () => {
  await Promise.all(sandboxes.map((s) => s.stop()));
  sandboxes = [];
});

describe('requestCost (pure)', () => {
  it('a Contact.save of 3 new records with email, phone, address and one custom group', () => {
    // 93 + 80 + 3 * (18 + 3 * 12 + 6) = 93 + 80 + 3 * 60 = 353
    expect(requestCost('Contact', 'save', saveParams, { ok: true, matched: 0 })).toBe(353);
    // the same records all matched: 93 + 80 + 3 * (29 + 36 + 6) = 386
    expect(requestCost('Contact', 'save', saveParams, { ok: true, matched: 3 })).toBe(386);
    // one matched: 93 + 80 + 71 + 60 + 60 = 364
    expect(requestCost('Contact', 'save', saveParams, { ok: true, matched: 1 })).toBe(364);
  });

  it('gets, activities, other writes, refusals', () => {
    expect(requestCost('Contact', 'get', { select: ['id'] }, { ok: true, rows: 10 })).toBeCloseTo(93 + 2 + 2, 9);
    // Activity.save, 2 records with the Library_Loan group, one created one updated: 93 + 35 + (14 + 6) + (26 + 6)
    const loans = { records: [{ subject: 'a', 'Library_Loan.Loan_ID': 'x' }, { subject: 'b', 'Library_Loan.Loan_ID': 'y' }], match: ['Library_Loan.Loan_ID'] };
    expect(requestCost('Activity', 'save', loans, { ok: true, matched: 1 })).toBe(180);
    // Email.create: 93 + 35 + 12
    expect(requestCost('Email', 'create', { values: { contact_id: 5, email: 'a@b.c' } }, { ok: true, rows: 1 })).toBe(140);
    // GroupContact.save of 2 new rows: 93 + 35 + 2 * 14
    expect(requestCost('GroupContact', 'save', { records: [{ group_id: 1, contact_id: 5 }, { group_id: 1, contact_id: 6 }] }, { ok: true, matched: 0 })).toBe(156);
    // a refused Contact.save is charged its per-call cost only: 93 + 80
    expect(requestCost('Contact', 'save', saveParams, { ok: false })).toBe(173);
    // Contact.update of one row (values: a name and a custom field): 93 + 80 + 29 + 6
    expect(requestCost('Contact', 'update', { values: { id: 7, first_name: 'A', 'Library_Patron.Home_Branch': 'X' } }, { ok: true, rows: 1 })).toBe(208);
  });
});

describe('the sandbox with a cost model', () => {
  it('accounts the hand-computed cost of a Contact.save, created then updated, and of a get', async () => {
    const s = await start({ cost: { workers: 1, scale: 0.01 } });
    await withLibraryPatronGroup(s);
    // CustomGroup.save (93 + 35 + 14) and two CustomField.save (same) were served
    expect(s.stats.pool).toMatchObject({ workers: 1, requests: 3, costMs: 3 * 142 });
    s.resetStats();
    expect(s.stats.pool).toMatchObject({ requests: 0, costMs: 0, busyMs: 0 });

    const created = await civiCall(s, 'Contact', 'save', saveParams);
    expect(created.status).toBe(200);
    expect(created.body['countMatched']).toBe(0);
    expect(s.stats.pool!.costMs).toBe(353);
    expect(s.stats.pool!.busyMs).toBeCloseTo(3.53, 9);

    const updated = await civiCall(s, 'Contact', 'save', saveParams);
    expect(updated.body['countMatched']).toBe(3);
    expect(s.stats.pool!.costMs).toBe(353 + 386);

    const got = await civiCall(s, 'Contact', 'get', { select: ['id'], where: [['external_identifier', 'IN', ['cost-1', 'cost-2', 'cost-3']]] });
    expect(got.values).toHaveLength(3);
    // 93 + 2 + 3 * 0.2
    expect(s.stats.pool!.costMs).toBeCloseTo(353 + 386 + 95.6, 9);
    expect(s.stats.pool!.requests).toBe(3);

    const report = s.poolReport()!;
    expect(report.requests).toBe(3);
    expect(report.costMs).toBeCloseTo(834.6, 9);
    expect(report.busyMs).toBeCloseTo(8.346, 9);
    expect(report.utilisation).toBeGreaterThan(0);
    expect(report.utilisation).toBeLessThanOrEqual(1);
    expect(report.utilisation).toBeCloseTo(report.busyMs / (report.workers * report.wallMs), 9);
  });

  it('a refused request costs its per-call figure; a request the key may not make, the overhead only', async () => {
    const s = await start({ cost: { workers: 2, scale: 0 } });
    const bad = await civiCall(s, 'Contact', 'save', { records: [{ contact_type: 'Individual', 'No_Such.Field': 1 }], bogus: 1 });
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(s.stats.pool!.costMs).toBe(93 + 80);
    const res = await fetch(`${s.url}/civicrm/ajax/api4/Contact/get`, { method: 'POST', headers: { 'X-Civi-Auth': 'Bearer wrong', 'X-Requested-With': 'XMLHttpRequest' } });
    await res.text();
    expect(s.stats.pool!.costMs).toBe(93 + 80 + 93);
  });

  // Two gets that find nothing: 93 + 2 = 95 ms each, scaled by 3: each holds a worker for 285 ms.
  const HOLD = 95 * 3;
  async function twoAtOnce(s: CiviSandbox): Promise<{ elapsed: number; order: string[] }> {
    const order: string[] = [];
    const t0 = performance.now();
    await Promise.all(['a', 'b'].map(async (name) => {
      const r = await civiCall(s, 'Contact', 'get', { select: ['id'], where: [['external_identifier', '=', `none-${name}`]] });
      expect(r.status).toBe(200);
      order.push(name);
    }));
    return { elapsed: performance.now() - t0, order };
  }

  it('one worker serves two concurrent requests one after the other', async () => {
    const s = await start({ cost: { workers: 1, scale: 3 } });
    const { elapsed, order } = await twoAtOnce(s);
    expect(order).toHaveLength(2);
    const pool = s.stats.pool!;
    expect(pool.requests).toBe(2);
    expect(pool.costMs).toBe(190);
    expect(pool.busyMs).toBe(2 * HOLD);
    expect(pool.maxBusy).toBe(1);
    // the second waited for the first
    expect(pool.queuedMs).toBeGreaterThan(0);
    // the model never answers the second before both holds have passed
    expect(elapsed).toBeGreaterThanOrEqual(2 * HOLD);
    expect(s.poolReport()!.utilisation).toBeLessThanOrEqual(1);
  });

  it('its timeline tells when each request held a worker, for how long and what it was, until the stats are reset', async () => {
    const s = await start({ cost: { workers: 1, scale: 3 } });
    await twoAtOnce(s);
    const spans = s.poolTimeline();
    expect(spans.map((x) => [x.action, x.ms])).toEqual([['Contact.get', HOLD], ['Contact.get', HOLD]]);
    // one worker: the second took it once the first gave it back
    expect(spans[1]!.at).toBeGreaterThanOrEqual(spans[0]!.at + HOLD);
    s.resetStats();
    expect(s.poolTimeline()).toEqual([]);
  });

  it('two workers serve them side by side', async () => {
    const s = await start({ cost: { workers: 2, scale: 3 } });
    const { elapsed } = await twoAtOnce(s);
    const pool = s.stats.pool!;
    expect(pool.requests).toBe(2);
    expect(pool.busyMs).toBe(2 * HOLD);
    expect(pool.maxBusy).toBe(2);
    // a free worker is taken at once: nobody queued
    expect(pool.queuedMs).toBeLessThan(5);
    expect(elapsed).toBeGreaterThanOrEqual(HOLD);
    const report = s.poolReport()!;
    expect(report.utilisation).toBeGreaterThan(0);
    expect(report.utilisation).toBeLessThanOrEqual(1);
  });

  it('one worker serves requests first come, first served', async () => {
    const s = await start({ cost: { workers: 1, scale: 1 } });
    const order: string[] = [];
    const sent: Array<Promise<void>> = [];
    for (const [i, name] of ['a', 'b', 'c'].entries()) {
      sent.push(civiCall(s, 'Contact', 'get', { select: ['id'], where: [['external_identifier', '=', name]] }).then(() => void order.push(name)));
      // the next one is sent only once the server has this one
      while (s.stats.requests < i + 1) await new Promise((r) => setTimeout(r, 1));
    }
    await Promise.all(sent);
    expect(order).toEqual(['a', 'b', 'c']);
    expect(s.stats.pool).toMatchObject({ requests: 3, costMs: 3 * 95, busyMs: 3 * 95, maxBusy: 1 });
  });

  it('a multi-call request costs one overhead and each call', async () => {
    const s = await start({ cost: { workers: 1, scale: 0 } });
    const calls = { one: ['Contact', 'get', { select: ['id'], where: [['id', '=', -1]] }], two: ['Contact', 'get', { select: ['id'], where: [['id', '=', -2]] }] };
    const res = await fetch(`${s.url}/civicrm/ajax/api4`, {
      method: 'POST',
      headers: { 'X-Civi-Auth': `Bearer ${s.keys.sync}`, 'X-Requested-With': 'XMLHttpRequest', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ calls: JSON.stringify(calls) }).toString(),
    });
    expect(res.status).toBe(200);
    await res.text();
    // 93 + (2 + 0) + (2 + 0)
    expect(s.stats.pool!.costMs).toBe(97);
  });

  it("the web server's own refusals (503 faults) take no worker", async () => {
    const s = await start({ cost: { workers: 1, scale: 1 }, faults: { seed: 1, rates: { http503: 1 } } });
    const r = await fetch(`${s.url}/civicrm/ajax/api4/Contact/get`, { method: 'POST', headers: { 'X-Civi-Auth': `Bearer ${s.keys.sync}` } });
    expect(r.status).toBe(503);
    await r.text();
    expect(s.stats.faults.http503).toBe(1);
    expect(s.stats.pool).toMatchObject({ requests: 0, costMs: 0 });
  });

  it('without the option nothing changes: no pool, no report', async () => {
    const s = await start();
    const r = await civiCall(s, 'Contact', 'get', { select: ['id'], limit: 1 });
    expect(r.status).toBe(200);
    expect(s.stats.pool).toBeUndefined();
    expect(s.poolReport()).toBeUndefined();
  });
});
