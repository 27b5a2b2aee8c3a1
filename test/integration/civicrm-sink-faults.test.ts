/**
 * The CiviCRM sink against the sandbox when Contact.save fails with a 500 whose cause CiviCRM hides
 * (an API user without 'view debug output'): the report must say which records were written anyway.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { createCiviCrmSink } from '../../connectors/civicrm/index.js';
import type { CrmOperation } from '../../src/core/types.js';
import { nullLogger } from '../../src/core/logger.js';
import { startCiviSandbox, type CiviFaultOptions, type CiviSandbox } from '../../src/sandbox/civicrm/index.js';

let civi: CiviSandbox | undefined;
afterEach(async () => {
  await civi?.stop();
  civi = undefined;
});

const values = (n: number) => ({ first_name: `Given${n}`, last_name: `Family${n}` });
const create = (n: number): CrmOperation => ({ kind: 'upsertContact', mode: 'create', externalId: `koha:${n}`, sourceRecordId: String(n), values: values(n), addGroups: [], removeGroups: [] });
/** An update of a known contact, with its modified_date as read before the write. */
const update = (n: number, s: CiviSandbox, id: number): CrmOperation => ({
  ...create(n), mode: 'update', contactId: id, values: { last_name: `Renamed${n}` },
  seen: String(s.rows('Contact').find((r) => r.id === id)!.modified_date),
});

/** A sandbox whose clock the test moves, and a sink that calls it as the no-debug user. */
async function setup(faults: (saveFaults: { on: boolean }) => CiviFaultOptions) {
  let clock = new Date('2026-11-23T09:00:00Z');
  const saveFaults = { on: false };
  civi = await startCiviSandbox({ now: () => clock, faults: faults(saveFaults) });
  const sink = createCiviCrmSink(
    { type: 'civicrm', base_url: civi.url, api_key: civi.keys.nodebug, batch_size: 50, timeout_ms: 5000, retries: 1 },
    { logger: nullLogger, retry: { minDelayMs: 1, maxDelayMs: 2 } },
  );
  return { sink, tick: () => (clock = new Date(clock.getTime() + 60_000)), saveFaults };
}

const externalIds = (s: CiviSandbox) => s.rows('Contact').map((r) => r['external_identifier']).filter((x) => typeof x === 'string').sort();

describe('CiviCRM sink: records refused for a hidden reason are re-read', () => {
  it('reports records written before the 500 as created or updated, with their contact ids', async () => {
    const { sink, tick, saveFaults } = await setup((f) => ({ seed: 1, rates: { error500AfterWrite: 1 }, actions: (call) => f.on && call === 'Contact.save' }));
    const [existing] = await sink.applyContacts([create(1)]);
    expect(existing).toMatchObject({ outcome: 'created' });
    tick();
    saveFaults.on = true;
    const results = await sink.applyContacts([update(1, civi!, existing!.contactId!), create(2), create(3)]);
    expect(results.map((r) => [r.externalId, r.outcome])).toEqual([['koha:1', 'updated'], ['koha:2', 'created'], ['koha:3', 'created']]);
    expect(results[0]!.contactId).toBe(existing!.contactId);
    // New contacts: their chunk, then each alone (3); the known one: its chunk, then alone (2).
    expect(civi!.stats.faults.error500AfterWrite).toBe(5);
    expect(externalIds(civi!)).toEqual(['koha:1', 'koha:2', 'koha:3']);
  });

  it('keeps records the CRM never wrote rejected, an existing contact included', async () => {
    const { sink, tick, saveFaults } = await setup((f) => ({ seed: 1, rates: { error500BeforeWrite: 1 }, actions: (call) => f.on && call === 'Contact.save' }));
    const [existing] = await sink.applyContacts([create(1)]);
    tick();
    saveFaults.on = true;
    const results = await sink.applyContacts([update(1, civi!, existing!.contactId!), create(2)]);
    expect(results.map((r) => [r.externalId, r.outcome, r.code])).toEqual([['koha:1', 'rejected', 'CRM_NO_DEBUG'], ['koha:2', 'rejected', 'CRM_NO_DEBUG']]);
    expect(results[0]!.reason).toMatch(/view debug output/);
    expect(externalIds(civi!)).toEqual(['koha:1']);
  });
});
