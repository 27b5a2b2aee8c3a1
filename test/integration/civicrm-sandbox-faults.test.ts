/**
 * The CiviCRM sandbox's seeded fault injection: every kind happens, a seed replays the same faults,
 * a 500 after the write has applied the call (and one before has not), with the envelope real CiviCRM gives.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { startCiviSandbox, type CiviFaultOptions, type CiviSandbox, type PrincipalName } from '../../src/sandbox/civicrm/index.js';
import { recorded } from '../unit/civicrm-fixtures.js';

/** A recorded 500 with an error message (sync user, with 'view debug output'), and the same without that permission. */
const RECORDED_500 = recorded('Contact.create duplicate external_identifier (with view debug output)').response.body as object;
const RECORDED_500_NO_DEBUG = recorded('Contact.create duplicate external_identifier (without view debug output)').response.body as object;

type Outcome = { kind: string; status?: number; retryAfter?: string | null; body?: unknown };

const started: CiviSandbox[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.stop()));
});

async function sandboxWith(faults: CiviFaultOptions): Promise<CiviSandbox> {
  const s = await startCiviSandbox({ faults });
  started.push(s);
  return s;
}

/**
 * One API call as a client with a 300 ms timeout sees it: below the 400 ms a hung socket is held, well
 * above what an answer takes on a loaded machine (at 150 ms a slow ordinary answer counted as a timeout).
 */
async function call(s: CiviSandbox, entity: string, action: string, params: unknown, who: PrincipalName = 'sync'): Promise<Outcome> {
  try {
    const res = await fetch(`${s.url}/civicrm/ajax/api4/${entity}/${action}`, {
      method: 'POST',
      headers: { 'X-Civi-Auth': `Bearer ${s.keys[who]}`, 'X-Requested-With': 'XMLHttpRequest', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ params: JSON.stringify(params) }).toString(),
      signal: AbortSignal.timeout(300),
    });
    const text = await res.text();
    const body: unknown = /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : text;
    const kind = res.status === 200 ? 'ok' : res.status === 500 ? 'error500' : `http${res.status}`;
    return { kind, status: res.status, retryAfter: res.headers.get('retry-after'), body };
  } catch {
    return { kind: 'timeout' }; // aborted by the client or the socket was destroyed
  }
}

const ALL_KINDS = { http503: 0.15, http429: 0.15, timeout: 0.15, error500BeforeWrite: 0.1, error500AfterWrite: 0.1 };

describe('CiviCRM sandbox faults', () => {
  it('injects every kind of fault, counts them, and answers like a web server or CiviCRM would', async () => {
    const s = await sandboxWith({ seed: 11, rates: ALL_KINDS, holdMs: 400 });
    const outcomes: Outcome[] = [];
    for (let i = 0; i < 120; i++) outcomes.push(await call(s, 'Contact', 'get', { select: ['id'], limit: 1 }));

    const count = (kind: string) => outcomes.filter((o) => o.kind === kind).length;
    expect(s.stats.faults).toEqual({
      http503: count('http503'),
      http429: count('http429'),
      timeout: count('timeout'),
      error500BeforeWrite: expect.any(Number),
      error500AfterWrite: expect.any(Number),
    });
    for (const n of Object.values(s.stats.faults)) expect(n).toBeGreaterThan(0);
    expect(s.stats.faults.error500BeforeWrite + s.stats.faults.error500AfterWrite).toBe(count('error500'));
    expect(count('ok')).toBe(120 - Object.values(s.stats.faults).reduce((a, b) => a + b, 0));
    expect(s.stats.requests).toBe(120);

    const retryAfters = new Set(outcomes.filter((o) => o.kind === 'http429').map((o) => o.retryAfter));
    expect(retryAfters).toEqual(new Set(['0', '1']));
    for (const o of outcomes.filter((x) => x.kind === 'error500')) {
      // The recorded shape, key order included; only the message differs.
      expect(Object.keys(o.body as object)).toEqual(Object.keys(RECORDED_500));
      expect(o.body).toEqual({ error_id: expect.stringMatching(/^\w{4}-\w{4}-\w{4}$/), error_code: 0, error_message: 'DB Error: unknown error', status: 500 });
    }
  });

  it('hides the message from a user without view debug output, as CiviCRM does', async () => {
    const s = await sandboxWith({ seed: 1, rates: { error500BeforeWrite: 1 } });
    const o = await call(s, 'Contact', 'get', {}, 'nodebug');
    expect(o.status).toBe(500);
    expect(Object.keys(o.body as object)).toEqual(Object.keys(RECORDED_500_NO_DEBUG));
    expect(o.body).toMatchObject({ error_code: '1', error_message: expect.stringMatching(/^Sorry an error occurred/), status: 500 });
  });

  it('gives the same faults for the same calls with the same seed, and others with another seed', async () => {
    const kinds = async (seed: number) => {
      const s = await sandboxWith({ seed, rates: { http503: 0.2, http429: 0.2, error500BeforeWrite: 0.2 } });
      const out: string[] = [];
      for (let i = 0; i < 40; i++) out.push((await call(s, 'Contact', i % 2 ? 'get' : 'getFields', {})).kind);
      return out.join(' ');
    };
    const first = await kinds(5);
    expect(first).toMatch(/http503/);
    expect(await kinds(5)).toBe(first);
    expect(await kinds(6)).not.toBe(first);
  });

  it('a 500 after the write has applied the call; a 500 before it has not', async () => {
    const after = await sandboxWith({ seed: 3, rates: { error500AfterWrite: 1 }, actions: ['Contact.save'] });
    const saved = await call(after, 'Contact', 'save', { records: [{ contact_type: 'Individual', last_name: 'Applied', external_identifier: 'koha:1' }], match: ['external_identifier'] });
    expect(saved).toMatchObject({ status: 500, body: { error_message: 'DB Error: unknown error' } });
    expect(after.rows('Contact').filter((r) => r['external_identifier'] === 'koha:1')).toHaveLength(1);
    // Calls outside `actions` are left alone.
    expect(await call(after, 'Contact', 'get', { where: [['external_identifier', '=', 'koha:1']] })).toMatchObject({ status: 200, body: { count: 1 } });

    const before = await sandboxWith({ seed: 3, rates: { error500BeforeWrite: 1 }, actions: (c) => c === 'Contact.save' });
    const refused = await call(before, 'Contact', 'save', { records: [{ contact_type: 'Individual', last_name: 'Lost', external_identifier: 'koha:2' }], match: ['external_identifier'] });
    expect(refused).toMatchObject({ status: 500, body: { error_message: 'DB Error: unknown error' } });
    expect(before.rows('Contact').filter((r) => r['external_identifier'] === 'koha:2')).toHaveLength(0);
    expect(before.stats.byAction['Contact.save']).toBeUndefined();
  });

  it('applies faults to metadata calls too', async () => {
    const s = await sandboxWith({ seed: 9, rates: { http503: 1 }, actions: ['Contact.getFields'] });
    expect(await call(s, 'Contact', 'getFields', { select: ['name'] })).toMatchObject({ kind: 'http503' });
    expect(s.stats.faults.http503).toBe(1);
  });

  it('refuses rates that cannot be shares of calls', async () => {
    await expect(startCiviSandbox({ faults: { seed: 1, rates: { http503: 0.7, http429: 0.5 } } })).rejects.toThrow(/add up to at most 1/);
    await expect(startCiviSandbox({ faults: { seed: 1, rates: { timeout: -0.1 } } })).rejects.toThrow(/between 0 and 1/);
  });
});
