/**
 * End to end through the real queues: sandbox Koha → BullMQ workers on real Redis → sandbox CiviCRM.
 * One app and one pair of sandboxes serve the whole file; tests run in order and build on each other.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { createCiviClient, type CiviClient } from '../../connectors/civicrm/index.js';
import type { App } from '../../src/app.js';
import { nullLogger } from '../../src/core/logger.js';
import type { DesiredContact, SourceRecord } from '../../src/core/types.js';
import type { SandboxEnvironment } from '../../src/sandbox/environment.js';
import type { RunReport } from '../../src/state/ports.js';
import { lookalikeIds } from './dataset-rules.js';
import { REDIS_URL, startSyncHarness, type SyncHarness } from './sync-harness.js';
const PATRONS = 2000;
const PAGE = 200;
const BATCH = 50;

let harness: SyncHarness;
let env: SandboxEnvironment;
let app: App;
let civi: CiviClient;

const sync = (mode: 'incremental' | 'full'): Promise<RunReport> => harness.sync(mode);

// CiviCRM's column lengths (contracts: Contact.json, Phone.json, Address.json), and what the shipped
// mapping does with a longer value: names, street lines and city are cut, a phone is left out.
const LIMITS: Record<string, number> = { first_name: 64, last_name: 64, 'phone_primary.phone': 32, 'address_primary.street_address': 96, 'address_primary.city': 64 };
const CUT = new Set(['first_name', 'last_name', 'address_primary.street_address', 'address_primary.city']);
const tooLongFor = (f: string, v: unknown) => f in LIMITS && [...String(v ?? '')].length > LIMITS[f]!;

const FIELDS = ['first_name', 'last_name', 'birth_date', 'email_primary.email', 'phone_primary.phone', 'address_primary.street_address', 'address_primary.city', 'address_primary.postal_code', 'address_primary.country_id:name', 'Library_Patron.Card_Number', 'Library_Patron.Home_Branch', 'Library_Patron.Patron_Category'];

async function crmContacts(): Promise<Map<string, Record<string, unknown>>> {
  const res = await civi.call('Contact', 'get', { select: ['id', 'external_identifier', ...FIELDS], where: [['external_identifier', 'LIKE', 'koha:%']], orderBy: { id: 'ASC' } });
  return new Map(res.values.map((c) => [String(c.external_identifier), c]));
}

function expectedContacts(): { written: Map<string, DesiredContact>; notWritten: number } {
  const mapping = app.deps.sources.get('koha')!.mapping;
  const written = new Map<string, DesiredContact>();
  let notWritten = 0;
  for (const p of env.dataset.patrons) {
    const rec: SourceRecord = { sourceId: 'koha', kind: 'patron', id: String(p.patron_id), updatedAt: String(p.updated_on), anonymised: p.anonymized === true, data: p as unknown as Record<string, unknown> };
    const t = mapping.transform(rec);
    if (t.kind === 'contact') written.set(t.contact.externalId, t.contact);
    else notWritten += 1;
  }
  return { written, notWritten };
}

function countPerContact(entity: string): number {
  const perContact = new Map<unknown, number>();
  for (const row of env.civi.rows(entity)) perContact.set(row.contact_id, (perContact.get(row.contact_id) ?? 0) + 1);
  return Math.max(0, ...perContact.values());
}

beforeAll(async () => {
  harness = await startSyncHarness({ patrons: PATRONS, seed: 7, pageSize: PAGE, batchSize: BATCH, overlapSeconds: 300 });
  ({ env, app } = harness);
  civi = createCiviClient(harness.loaded.config.crm, { logger: nullLogger });
});

afterAll(async () => harness?.stop());

describe('sync through the queues', () => {
  it(`a full sync makes every writable patron of ${PATRONS} exactly one contact with the right fields`, async () => {
    const report = await sync('full');
    const src = report.sources[0]!;
    expect(report.status).toBe('done');
    expect(src.read).toBe(PATRONS);
    expect(src.pages).toBe(PATRONS / PAGE + 1); // the last page was full, so one more (empty) read confirms the end
    expect(src.created + src.rejected + src.skipped + src.held).toBe(PATRONS);
    expect(src.updated).toBe(0);
    // Patrons that look like one person (same e-mail and names, e.g. a parent and child of one name) are
    // linked to one contact only: the later ones wait for a person, never a silent second contact.
    expect(src.held).toBe(lookalikeIds(env.dataset.patrons).length);

    const crm = await crmContacts();
    expect(crm.size).toBe(src.created);
    const { written } = expectedContacts();
    let compared = 0;
    for (const [externalId, contact] of crm) {
      const want = written.get(externalId);
      expect(want).toBeDefined();
      for (const f of FIELDS) {
        // Values too long for CiviCRM are checked in the next test.
        if (f in want!.values && !tooLongFor(f, want!.values[f])) expect([f, contact[f]]).toEqual([f, want!.values[f]]);
      }
      compared += 1;
    }
    expect(compared).toBeGreaterThan(PATRONS * 0.9);
    // Unicode survives: some CJK, RTL and emoji names are among the contacts, byte for byte.
    const names = [...crm.values()].map((c) => `${c.first_name} ${c.last_name}`).join(' ');
    expect(names).toMatch(/\p{Script=Han}/u);
    expect(names).toMatch(/\p{Script=Arabic}|\p{Script=Hebrew}/u);
    expect(names).toMatch(/\p{Extended_Pictographic}/u);
    // No duplicated rows anywhere.
    expect(new Set(env.civi.rows('Contact').map((c) => c.external_identifier).filter(Boolean)).size).toBe(crm.size);
    expect(countPerContact('Email')).toBe(1);
    expect(countPerContact('Phone')).toBe(1);
    expect(countPerContact('Address')).toBe(1);
  });

  it('writes patrons whose values are too long for CiviCRM with warnings: names and street lines cut, a phone left out', async () => {
    const report = (await app.state.listRuns(1))[0]!;
    const src = report.sources[0]!;
    const tooLong = [...expectedContacts().written.values()].flatMap((c) =>
      Object.keys(LIMITS).filter((f) => tooLongFor(f, c.values[f])).map((f) => [c, f] as const));
    expect(tooLong.length).toBeGreaterThan(3);
    const crm = await crmContacts();
    const warnings = new Set(src.warnings.map((w) => `${w.recordId} ${w.field} ${w.rule}`));
    for (const [c, f] of tooLong) {
      const stored = crm.get(c.externalId)?.[f];
      // Cut to the column's length, at a character boundary, with no trailing space and no "...".
      const want = CUT.has(f) ? [...String(c.values[f])].slice(0, LIMITS[f]).join('').trimEnd() : null;
      expect([c.sourceRecordId, f, stored]).toEqual([c.sourceRecordId, f, want]);
      expect(warnings).toContain(`${c.sourceRecordId} ${f} ${CUT.has(f) ? 'truncated' : 'too_long'}`);
    }
    expect(src.rejections.filter((r) => /longer than/.test(r.reason))).toEqual([]);
    expect(src.withWarnings).toBeGreaterThanOrEqual(new Set(tooLong.map(([c]) => c.sourceRecordId)).size);
    // Warnings and rejections carry ids, field names and rules, never the patron's values.
    const text = JSON.stringify([src.warnings, src.rejections]);
    for (const [c] of tooLong) for (const v of [c.values.last_name, c.values.first_name]) if (typeof v === 'string' && v.length > 3) expect(text).not.toContain(v);
    // A written at-limit value is stored whole.
    const atLimit = [...env.dataset.traits].find(([, t]) => t.includes('last_name_at_limit'));
    if (atLimit) expect(String(crm.get(`koha:${atLimit[0]}`)?.last_name ?? '')).toHaveLength(64);
  });

  it('the same sync again creates and changes nothing', async () => {
    env.civi.resetStats();
    const incremental = (await sync('incremental')).sources[0]!;
    expect(incremental).toMatchObject({ created: 0, updated: 0 });
    const full = (await sync('full')).sources[0]!;
    expect(full).toMatchObject({ read: PATRONS, created: 0, updated: 0 });
    expect(full.unchanged + full.rejected + full.skipped + full.held).toBe(PATRONS);
    expect(env.civi.stats.byAction['Contact.save'] ?? 0).toBe(0);
  });

  it('an incremental sync after 5% of patrons changed updates exactly those, with requests in proportion', async () => {
    const { written } = expectedContacts();
    const changed = env.dataset.patrons.filter((p) => written.has(`koha:${p.patron_id}`)).slice(0, PATRONS * 0.05);
    for (const p of changed) env.koha.updatePatron(p.patron_id, { city: `Newtown ${p.patron_id}` });
    env.civi.resetStats();
    env.koha.resetStats();

    const src = (await sync('incremental')).sources[0]!;
    expect(src.updated).toBe(changed.length);
    expect(src.created).toBe(0);
    const crm = await crmContacts();
    for (const p of changed) expect(crm.get(`koha:${p.patron_id}`)?.['address_primary.city']).toBe(`Newtown ${p.patron_id}`);

    // Window pages, plus pages re-reading by id the patrons earlier runs could not write.
    const kohaPages = Math.ceil((src.read - src.retried + 1) / PAGE) + Math.ceil(src.retried / PAGE);
    expect(src.retried).toBeGreaterThan(0);
    expect(env.koha.stats.requests).toBeLessThanOrEqual(kohaPages);
    const batches = Math.ceil(changed.length / BATCH);
    expect(env.civi.stats.byAction['Contact.save']).toBe(batches);
    expect(env.civi.stats.requests).toBeLessThan(10 * batches + 10); // not per-record, not per-patron-in-Koha
  });

  it('a contact a CRM user put in the trash is not written again, nor duplicated: a conflict waits for a person', async () => {
    const crm = await crmContacts();
    const [victimExt, victim] = [...crm][0]!;
    const [otherExt] = [...crm][1]!;
    env.civi.trashContact(Number(victim.id));
    for (const ext of [victimExt, otherExt]) env.koha.updatePatron(Number(ext.split(':')[1]), { city: 'Trashville' });

    const keptBefore = new Set((await app.state.listFailures('koha')).map((f) => f.recordId));
    const src = (await sync('incremental')).sources[0]!;
    expect(src.updated).toBe(1);
    const victimId = victimExt.split(':')[1]!;
    expect(src.rejections.filter((r) => !keptBefore.has(r.recordId))).toEqual([]);
    const conflicts = await app.state.listConflicts('koha', { status: 'open' });
    expect(conflicts.filter((c) => c.recordId === victimId)).toEqual([
      expect.objectContaining({ kind: 'gone', contactId: Number(victim.id), decision: 'review', reason: expect.stringMatching(/trash/) }),
    ]);
    // Held, so kept for retry; never a second contact under the key.
    expect((await app.state.listFailures('koha')).find((f) => f.recordId === victimId)).toMatchObject({ code: 'CONFLICT', parked: false });
    expect(env.civi.rows('Contact').filter((c) => c.external_identifier === victimExt)).toHaveLength(1);
  });

  it('keeps personal data out of job payloads', async () => {
    const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const pages = new Queue('pages', { connection, prefix: harness.loaded.config.redis.prefix });
    const jobs = await pages.getJobs(['completed', 'failed', 'waiting', 'delayed']);
    await pages.close();
    connection.disconnect();
    expect(jobs.length).toBeGreaterThan(0);
    const payloads = JSON.stringify(jobs.map((j) => j.data));
    for (const p of env.dataset.patrons.slice(0, 300)) {
      for (const v of [p.surname, p.email, p.cardnumber]) if (v && v.length > 4) expect(payloads).not.toContain(v);
    }
  });
});
