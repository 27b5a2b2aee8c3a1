/**
 * Clocks: the configured sources[].timezone against the sandbox Koha's own clock (Europe/Berlin),
 * and keyset paging through many patrons sharing one updated_on second. Real Redis and queues.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createCiviClient, type CiviClient } from '../../connectors/civicrm/index.js';
import { nullLogger } from '../../src/core/logger.js';
import type { Cursor } from '../../src/core/types.js';
import { startSyncHarness, type SyncHarness } from './sync-harness.js';

const PAGE = 50;

async function crmCities(civi: CiviClient): Promise<Map<string, unknown>> {
  const res = await civi.call('Contact', 'get', { select: ['external_identifier', 'address_primary.city'], where: [['external_identifier', 'LIKE', 'koha:%']] });
  return new Map(res.values.map((c) => [String(c.external_identifier), c['address_primary.city']]));
}

describe('a configured time zone that contradicts the Koha server', () => {
  let harness: SyncHarness;
  let civi: CiviClient;
  let cursorBefore: Cursor;
  let changed: number[];

  beforeAll(async () => {
    harness = await startSyncHarness({ patrons: 300, seed: 3, pageSize: PAGE });
    civi = createCiviClient(harness.loaded.config.crm, { logger: nullLogger });
  });
  afterAll(async () => harness?.stop());

  it('stops the run before anything is written, keeps the cursor and names sources[].timezone', async () => {
    expect((await harness.sync('full')).status).toBe('done');
    cursorBefore = await harness.app.state.getCursor('koha');
    expect(cursorBefore.updatedAt).not.toBeNull();
    // The wrong zone shifts the window 1-2 h into the past; the newest patron is older than that,
    // so Koha still answers rows (with their +01:00/+02:00 offsets) for the check to see.
    const newest = Math.max(...harness.env.dataset.patrons.map((p) => Date.parse(p.updated_on)));
    expect(Date.now() - newest).toBeGreaterThan(3 * 3600_000);

    const before = await crmCities(civi);
    changed = harness.env.dataset.patrons.map((p) => p.patron_id).filter((id) => before.has(`koha:${id}`)).slice(0, 135);
    expect(changed).toHaveLength(135);
    for (const id of changed) harness.env.koha.updatePatron(id, { city: `Clockton ${id}` });

    await harness.reconfigure({ pageSize: PAGE, kohaTimezone: 'UTC' });
    harness.env.civi.resetStats();
    const report = await harness.sync('incremental');
    const src = report.sources[0]!;
    expect(report.status).toBe('failed');
    expect(src.status).toBe('failed');
    expect(src.error).toContain('source "koha"');
    expect(src.error).toMatch(/Koha returned updated_on with offset \+0[12]:00, but sources\[\]\.timezone is "UTC" \(offset \+00:00 at that time\)/);
    expect(src).toMatchObject({ created: 0, updated: 0 });
    expect(harness.env.civi.stats.byAction['Contact.save'] ?? 0).toBe(0);
    expect(await crmCities(civi)).toEqual(before);
    expect(await harness.app.state.getCursor('koha')).toEqual(cursorBefore);
    // Offsets and field names only: no patron's values.
    const patron = harness.env.dataset.patrons.find((p) => p.patron_id === changed[0])!;
    for (const v of [patron.surname, patron.email, `Clockton ${changed[0]}`]) if (v) expect(src.error).not.toContain(v);
  });

  it('once the zone is corrected, the next incremental run writes every change it had stopped on', async () => {
    await harness.reconfigure({ pageSize: PAGE });
    const src = (await harness.sync('incremental')).sources[0]!;
    expect(src.status).toBe('done');
    expect(src).toMatchObject({ created: 0, updated: changed.length });
    const cities = await crmCities(civi);
    for (const id of changed) expect([id, cities.get(`koha:${id}`)]).toEqual([id, `Clockton ${id}`]);
  });
});

describe('a bulk edit of 300 patrons within one second', () => {
  let harness: SyncHarness;
  let civi: CiviClient;

  beforeAll(async () => {
    harness = await startSyncHarness({ patrons: 1000, seed: 21, pageSize: PAGE });
    civi = createCiviClient(harness.loaded.config.crm, { logger: nullLogger });
  });
  afterAll(async () => harness?.stop());

  it('an incremental run reads each of them once, in a bounded number of pages, and updates every one', async () => {
    const { env } = harness;
    expect((await harness.sync('full')).status).toBe('done');
    const before = await crmCities(civi);
    // The 300 first patrons the CRM holds (the others were skipped or rejected by the full run).
    const edited = env.dataset.patrons.map((p) => p.patron_id).filter((id) => before.has(`koha:${id}`)).slice(0, 300);
    expect(edited).toHaveLength(300);
    // Rows the run re-reads anyway: the overlap of 300 s before the newest updated_on of the full run.
    const newest = Math.max(...env.dataset.patrons.map((p) => Date.parse(p.updated_on)));
    const overlap = env.dataset.patrons.filter((p) => !edited.includes(p.patron_id) && Date.parse(p.updated_on) >= newest - 300_000).length;

    const second = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
    for (const id of edited) env.koha.updatePatron(id, { city: `Bulkton ${id}`, updated_on: second });
    const failures = await harness.app.state.listFailures('koha'); // rejected or held by the full run, retried by id
    const kept = failures.length;
    const keptHeld = failures.filter((f) => f.code === 'CONFLICT').length;
    const src = (await harness.sync('incremental')).sources[0]!;

    expect(src.status).toBe('done');
    expect(src.retried).toBe(kept);
    const windowRead = src.read - src.retried;
    expect(windowRead).toBe(300 + overlap);
    expect(src).toMatchObject({ created: 0, updated: 300, rejected: kept - keptHeld, held: keptHeld });
    // Full pages of 50, then one short or empty page that ends the window; then the kept failures by id.
    const windowPages = src.pages - Math.ceil(kept / PAGE);
    expect(windowPages).toBe(Math.floor(windowRead / PAGE) + 1);
    expect(windowPages).toBeLessThanOrEqual(Math.ceil(300 / PAGE) + 2);
    const after = await crmCities(civi);
    expect(after.size).toBe(before.size);
    for (const id of edited) expect([id, after.get(`koha:${id}`)]).toEqual([id, `Bulkton ${id}`]);
  });
});
