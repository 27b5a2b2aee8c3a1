/**
 * Values that do not fit CiviCRM's fields, end to end: sandbox Koha → BullMQ workers on real Redis →
 * sandbox CiviCRM (which, like the real one, would cut an over-long value with "..."). One value that
 * does not fit no longer keeps a patron out of the CRM: it is cut or left out, with a warning.
 */
import { lookalikeIds } from './dataset-rules.js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createCiviClient, type CiviClient } from '../../connectors/civicrm/index.js';
import { formatReport } from '../../src/cli/format-report.js';
import { nullLogger } from '../../src/core/logger.js';
import type { SandboxEnvironment } from '../../src/sandbox/environment.js';
import { PLANTED_TRAITS } from '../../src/sandbox/generator/index.js';
import { startSyncHarness, type SyncHarness } from './sync-harness.js';

const PATRONS = 1000;
const SURNAME_70 = 'Bartholomäus-Wilhelmina-Konstantina-Alexandrína-Leopoldine-Françoise-X';
const SURNAME_64 = 'Bartholomäus-Wilhelmina-Konstantina-Alexandrína-Leopoldine-Franç';
const PHONE_40 = '+44 161 496 0123 ext. 12 (evenings) 4444';

/** Planted generator traits and the warning the shipped mapping gives for them. */
const TRAIT_WARNINGS: Record<string, [field: string, rule: string]> = {
  first_name_over_limit: ['first_name', 'truncated'],
  last_name_over_limit: ['last_name', 'truncated'],
  street_address_over_limit: ['address_primary.street_address', 'truncated'],
  city_over_limit: ['address_primary.city', 'truncated'],
  phone_over_limit: ['phone_primary.phone', 'too_long'],
  email_over_limit: ['email_primary.email', 'invalid'], // longer than 254 is no e-mail address at all
  invalid_date_of_birth: ['birth_date', 'invalid'],
};

let harness: SyncHarness;
let env: SandboxEnvironment;
let civi: CiviClient;
let patronId: number;

async function contactOf(id: number): Promise<Record<string, unknown> | undefined> {
  const res = await civi.call('Contact', 'get', {
    select: ['id', 'last_name', 'first_name', 'birth_date', 'phone_primary.phone', 'email_primary.email', 'address_primary.street_address', 'address_primary.city'],
    where: [['external_identifier', '=', `koha:${id}`]],
  });
  return res.values[0];
}

beforeAll(async () => {
  harness = await startSyncHarness({ patrons: PATRONS, seed: 11, pageSize: 200, batchSize: 50 });
  env = harness.env;
  civi = createCiviClient(harness.loaded.config.crm, { logger: nullLogger });
  // An ordinary patron (no planted hostile value) whose phone and surname staff then made too long.
  const planted = new Set<string>(PLANTED_TRAITS);
  patronId = env.dataset.patrons.find((p) => !(env.dataset.traits.get(p.patron_id) ?? []).some((t) => planted.has(t)))!.patron_id;
  env.koha.updatePatron(patronId, { surname: SURNAME_70, phone: PHONE_40 });
});

afterAll(async () => harness?.stop());

describe('values that do not fit CiviCRM', () => {
  it('a 40-character phone and a 70-character surname: the contact is written with warnings, surname cut to 64, no phone', async () => {
    expect([[...SURNAME_70].length, [...SURNAME_64].length, PHONE_40.length]).toEqual([70, 64, 40]);
    const report = await harness.sync('full');
    const src = report.sources[0]!;
    expect(report.status).toBe('done');

    const contact = await contactOf(patronId);
    expect(contact).toMatchObject({ last_name: SURNAME_64, 'phone_primary.phone': null });
    expect(env.civi.rows('Phone').filter((r) => r.contact_id === contact!.id)).toEqual([]);

    expect(src.warnings.filter((w) => w.recordId === String(patronId))).toEqual([
      { recordId: String(patronId), field: 'last_name', rule: 'truncated' },
      { recordId: String(patronId), field: 'phone_primary.phone', rule: 'too_long' },
    ]);
    expect(src.warningCounts).toEqual(expect.arrayContaining([
      { field: 'last_name', rule: 'truncated', count: expect.any(Number) },
      { field: 'phone_primary.phone', rule: 'too_long', count: expect.any(Number) },
    ]));
    expect(src.rejections.map((r) => r.recordId)).not.toContain(String(patronId));
    const text = formatReport(report, { maxRejections: PATRONS });
    expect(text).toContain(`koha: written with warnings: ${src.withWarnings}`);
    expect(text).toContain(`record ${patronId}: last_name truncated to fit; phone_primary.phone too long, left out`);
    // The report names ids, fields and rules, never the values.
    const all = `${text}\n${JSON.stringify(report)}`;
    for (const v of [SURNAME_64, PHONE_40, 'Bartholomäus']) expect(all).not.toContain(v);
  });

  it(`in a load of ${PATRONS} patrons only those without a surname are rejected; every other misfit is written with warnings`, async () => {
    const src = (await harness.app.state.listRuns(1))[0]!.sources[0]!;
    const noSurname = env.dataset.patrons.filter((p) => !p.anonymized && (p.surname ?? '').trim() === '').map((p) => String(p.patron_id));
    expect(noSurname.length).toBeGreaterThan(0);
    expect(src.rejections.map((r) => r.recordId).sort()).toEqual(noSurname.sort());
    for (const r of src.rejections) expect(r).toMatchObject({ code: 'RECORD_INVALID', reason: 'last_name: required, but surname has no value' });
    expect(src.read).toBe(PATRONS);
    expect(src.held).toBe(lookalikeIds(env.dataset.patrons).length);
    expect(src.created).toBe(PATRONS - src.skipped - noSurname.length - src.held);

    const warned = new Set(src.warnings.map((w) => `${w.recordId} ${w.field} ${w.rule}`));
    let planted = 0;
    for (const [id, traits] of env.dataset.traits) {
      for (const t of traits.filter((x) => x in TRAIT_WARNINGS)) {
        const [field, rule] = TRAIT_WARNINGS[t]!;
        expect([t, warned.has(`${id} ${field} ${rule}`)]).toEqual([t, true]);
        const contact = await contactOf(id);
        expect(contact).toBeDefined();
        if (rule !== 'truncated') expect([t, contact![field]]).toEqual([t, null]);
        planted += 1;
      }
    }
    expect(planted).toBeGreaterThanOrEqual(10); // invalid dates alone are 1%
    expect(src.withWarnings).toBe(new Set(src.warnings.map((w) => w.recordId)).size);
  });

  it('the same run again sends nothing (the cut surname is what was sent); a fix in Koha is sent', async () => {
    env.civi.resetStats();
    const again = (await harness.sync('full')).sources[0]!;
    expect(again).toMatchObject({ created: 0, updated: 0, withWarnings: 0, warnings: [] });
    expect(env.civi.stats.byAction['Contact.save'] ?? 0).toBe(0);

    env.koha.updatePatron(patronId, { surname: 'Okonkwo', phone: '+44 20 7946 0000' });
    const fixed = (await harness.sync('incremental')).sources[0]!;
    expect(fixed).toMatchObject({ updated: 1, created: 0, withWarnings: 0 });
    expect(await contactOf(patronId)).toMatchObject({ last_name: 'Okonkwo', 'phone_primary.phone': '+44 20 7946 0000' });
  });
});
