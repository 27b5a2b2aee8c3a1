/**
 * Syncs against a CiviCRM that fails like a real one under load: 503s, 429s with Retry-After, timeouts
 * and 500s after the write was applied, metadata calls included. The run must still complete with every
 * writable patron exactly once and a report that tells the truth.
 */
import { isWritable, lookalikeIds } from './dataset-rules.js';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { KohaPatron } from '../../src/sandbox/koha/types.js';
import { startSyncHarness, type SyncHarness } from './sync-harness.js';

const PATRONS = 1000;

/** Fast retries for a test: a small timeout for the timeout faults, short backoffs, enough tries. */
const TUNING = {
  pageSize: 100,
  batchSize: 25,
  crm: { timeoutMs: 400, retries: 8, retryMinDelayMs: 5, retryMaxDelayMs: 40 },
  attempts: 5,
  backoffMs: 20,
} as const;

/** Transient error codes: retried, so never the reason a patron is reported rejected. */
const TRANSIENT = ['HTTP_TRANSIENT', 'NETWORK', 'CRM_SERVER'];


/** Written by hand from the generated data (dataset-rules.ts), not with the product's mapping. */
function writable(patrons: readonly KohaPatron[]): Set<string> {
  const held = new Set(lookalikeIds(patrons));
  return new Set(patrons.filter((p) => isWritable(p) && !held.has(String(p.patron_id))).map((p) => `koha:${p.patron_id}`));
}

let harness: SyncHarness | undefined;
afterEach(async () => {
  await harness?.stop();
  harness = undefined;
});

/** external_identifier → number of live contacts holding it. */
function contactsByExternalId(h: SyncHarness): Map<string, number> {
  const out = new Map<string, number>();
  for (const c of h.env.civi.rows('Contact')) {
    const ext = c['external_identifier'];
    if (typeof ext === 'string' && !c['is_deleted']) out.set(ext, (out.get(ext) ?? 0) + 1);
  }
  return out;
}

describe('sync against a faulty CiviCRM', () => {
  it('completes with every writable patron exactly once and a true report (8% 503, 8% 429, 2% timeouts, 5% 500 after the write)', async () => {
    harness = await startSyncHarness({
      patrons: PATRONS,
      seed: 21,
      civiFaults: { seed: 4, rates: { http503: 0.08, http429: 0.08, timeout: 0.02, error500AfterWrite: 0.05 }, holdMs: 1000 },
      ...TUNING,
    });
    const report = await harness.sync('full');
    const src = report.sources[0]!;
    expect([report.status, src.error]).toEqual(['done', undefined]);

    const want = writable(harness.env.dataset.patrons);
    const have = contactsByExternalId(harness);
    expect([...have.values()].filter((n) => n > 1)).toEqual([]); // no duplicates
    expect([...want].filter((ext) => !have.has(ext))).toEqual([]); // none missing
    expect([...have.keys()].filter((ext) => !want.has(ext))).toEqual([]); // none that should not be there

    expect(src.read).toBe(PATRONS);
    expect(src.created + src.rejected + src.skipped + src.held).toBe(src.read);
    expect(src.created).toBe(have.size);
    expect(src.rejections.filter((r) => TRANSIENT.includes(r.code))).toEqual([]);

    const faults = harness.env.civi.stats.faults;
    for (const kind of ['http503', 'http429', 'timeout', 'error500AfterWrite'] as const) expect([kind, faults[kind] > 0]).toEqual([kind, true]);
  });

  it('retries a 500 "DB Error: unknown error" on Contact.getFields and completes the run', async () => {
    let getFields = 0;
    harness = await startSyncHarness({
      patrons: 100,
      seed: 3,
      // The first two getFields calls fail as a lost DB connection does; everything else is left alone.
      civiFaults: { seed: 1, rates: { error500BeforeWrite: 1 }, actions: (call) => call === 'Contact.getFields' && ++getFields <= 2 },
      ...TUNING,
    });
    const report = await harness.sync('full');
    expect([report.status, report.sources[0]!.error]).toEqual(['done', undefined]);
    expect(harness.env.civi.stats.faults.error500BeforeWrite).toBe(2);
    const want = writable(harness.env.dataset.patrons);
    expect(report.sources[0]!.created).toBe(want.size);
    expect(contactsByExternalId(harness).size).toBe(want.size);
  });

  it('a page whose CRM calls keep failing fails the source with the error, and the next run picks it up again', async () => {
    let outage = true;
    harness = await startSyncHarness({
      patrons: 100,
      seed: 3,
      civiFaults: { seed: 1, rates: { http503: 1 }, actions: (call) => outage && call === 'Contact.save' },
      ...TUNING,
      crm: { ...TUNING.crm, retries: 1 },
      attempts: 2,
    });
    const failed = await harness.sync('incremental');
    expect(failed.status).toBe('failed');
    expect(failed.sources[0]!.error).toMatch(/HTTP_TRANSIENT: Contact\.save: CiviCRM is unavailable \(HTTP 503\)/);
    // 2 attempts of the page; each sends its batches of 25 new contacts side by side, each a call with 1 retry.
    const batches = Math.ceil(writable(harness.env.dataset.patrons).size / 25);
    expect(batches).toBeGreaterThan(1);
    expect(harness.env.civi.stats.faults.http503).toBe(2 * batches * 2);
    expect(contactsByExternalId(harness).size).toBe(0);

    outage = false;
    const next = await harness.sync('incremental');
    expect(next.status).toBe('done');
    const want = writable(harness.env.dataset.patrons);
    expect(next.sources[0]!.created).toBe(want.size);
    expect([...contactsByExternalId(harness).keys()].sort()).toEqual([...want].sort());
  });
});
