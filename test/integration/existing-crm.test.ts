/**
 * Pointing patron-bridge at a CiviCRM people already use: the sandbox CRM is pre-filled with the
 * library's patrons as a real one holds them (same person not yet linked, housemates sharing an
 * e-mail, people entered twice, candidates of another system), then CRM users edit, remove, merge
 * and trash. Expectations come from what was planted (env.prefill), written by hand.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { SandboxEnvironment } from '../../src/sandbox/environment.js';
import type { PrefilledContact } from '../../src/sandbox/generator/crm-prefill.js';
import type { RunReport } from '../../src/state/ports.js';
import { ensureBuilt, runCli, writeConfig } from './cli-process.js';
import { lookalikeGroups } from './dataset-rules.js';
import { REDIS_URL, startSyncHarness, type SyncHarness } from './sync-harness.js';

let harness: SyncHarness;
let env: SandboxEnvironment;
let first: RunReport['sources'][number];
let configFile: string;

/** Patrons planted with this kind of contact; those that look like another Koha patron are left out (they wait for a person). */
const planted = (kind: PrefilledContact['kind']) => {
  const alike = new Set(lookalikeGroups(env.dataset.patrons).flat());
  return [...env.prefill.byPatron].filter(([id, cs]) => !alike.has(String(id)) && cs.every((c) => c.kind === kind));
};
const contact = (id: number) => env.civi.rows('Contact').find((c) => c.id === id);
const byKey = (patronId: number) => env.civi.rows('Contact').filter((c) => c.external_identifier === `koha:${patronId}` && !c.is_deleted);
const openConflicts = () => harness.app.state.listConflicts('koha', { status: 'open' });

beforeAll(async () => {
  ensureBuilt();
  harness = await startSyncHarness({ patrons: 800, seed: 9, civiPrefill: { seed: 4 }, pageSize: 100, batchSize: 50 });
  env = harness.env;
  configFile = await writeConfig(path.join(await mkdtemp(path.join(os.tmpdir(), 'pb-crm-')), 'config.yaml'), harness.loaded.config);
  first = (await harness.sync('full')).sources[0]!;
}, 120_000);
afterAll(async () => harness?.stop());

describe('the first night against a CRM full of people', () => {
  it('plants every kind of existing contact', () => {
    for (const kind of ['same_person', 'housemate', 'twin', 'other_external_id'] as const) expect([kind, planted(kind).length > 0]).toEqual([kind, true]);
  });

  it('links each unlinked same person instead of creating a second contact, whatever the letter case, accents or spacing', () => {
    const same = planted('same_person');
    for (const [patronId, [c]] of same) {
      expect([patronId, c!.variant, byKey(patronId).map((x) => x.id)]).toEqual([patronId, c!.variant, [c!.contactId]]);
    }
    expect(first.linked).toBeGreaterThanOrEqual(same.length);
  });

  it('keeps a housemate sharing the e-mail as a separate contact, untouched', () => {
    for (const [patronId, [c]] of planted('housemate')) {
      expect(byKey(patronId)).toHaveLength(1);
      expect(byKey(patronId)[0]!.id).not.toBe(c!.contactId);
      expect(contact(c!.contactId)?.external_identifier ?? null).toBeNull();
    }
  });

  it('writes nothing for a patron with two candidates or one carrying another key, and holds a conflict for a person', async () => {
    const open = await openConflicts();
    for (const [patronId, cs] of planted('twin')) {
      expect(byKey(patronId)).toEqual([]);
      expect(open.find((x) => x.recordId === String(patronId))).toMatchObject({ kind: 'match', candidates: cs.map((c) => c.contactId).sort((a, b) => a - b) });
      for (const c of cs) expect(contact(c.contactId)?.external_identifier ?? null).toBeNull();
    }
    for (const [patronId, [c]] of planted('other_external_id')) {
      expect(byKey(patronId)).toEqual([]);
      expect(open.find((x) => x.recordId === String(patronId))).toMatchObject({ kind: 'linked_elsewhere', candidates: [c!.contactId] });
      expect(contact(c!.contactId)?.external_identifier).toBe(c!.externalIdentifier);
    }
    for (const id of env.prefill.donors) expect(String(contact(id)?.external_identifier ?? '')).not.toMatch(/^koha:/);
    expect(first.held).toBeGreaterThanOrEqual(planted('twin').length + planted('other_external_id').length);
  });

  it('a person links a twin with conflicts resolve --link, applied at once; the other twin stays untouched', async () => {
    const [patronId, cs] = planted('twin')[0]!;
    const conflict = (await openConflicts()).find((x) => x.recordId === String(patronId))!;
    const shown = await runCli(['conflicts', 'show', conflict.id, '--config', configFile]);
    expect(shown.stdout).toContain(`candidate contacts: ${cs.map((c) => c.contactId).sort((a, b) => a - b).join(', ')}`);
    const chosen = cs[1]!.contactId;
    const resolved = await runCli(['conflicts', 'resolve', conflict.id, '--link', String(chosen), '--json', '--config', configFile], { timeoutMs: 60_000 });
    expect(resolved.code).toBe(0);
    expect(JSON.parse(resolved.stdout).sources[0]).toMatchObject({ linked: 1, held: 0 });
    expect(byKey(patronId).map((c) => c.id)).toEqual([chosen]);
    expect(contact(cs[0]!.contactId)?.external_identifier ?? null).toBeNull();
    expect(await harness.app.state.getConflict('koha', conflict.id)).toMatchObject({ status: 'resolved', resolution: { link: chosen } });
    expect((await harness.app.state.listFailures('koha')).some((f) => f.recordId === String(patronId))).toBe(false);
  }, 90_000);
});

describe('CRM users edit, remove, merge and trash', () => {
  /** A patron the first night created a contact for (not planted, not a look-alike). */
  const createdPatrons = () => env.dataset.patrons.filter((p) => !env.prefill.byPatron.has(p.patron_id) && byKey(p.patron_id).length === 1);

  it('an e-mail a CRM user corrected survives a later Koha change of the phone; the case is listed as a conflict', async () => {
    const p = createdPatrons().find((x) => (x.email ?? '').includes('@') && (x.phone ?? '') !== '')!;
    const c = byKey(p.patron_id)[0]!;
    env.civi.editContact(Number(c.id), { 'email_primary.email': 'corrected.by.staff@example.org' });
    env.koha.updatePatron(p.patron_id, { phone: '+44 20 7946 0999' });
    const src = (await harness.sync('incremental')).sources[0]!;
    expect(src.updated).toBeGreaterThanOrEqual(1);
    const after = env.civi.rows('Email').filter((e) => e.contact_id === c.id && e.is_primary);
    expect(after.map((e) => e.email)).toEqual(['corrected.by.staff@example.org']);
    expect(env.civi.rows('Phone').filter((x) => x.contact_id === c.id && x.is_primary).map((x) => x.phone)).toEqual(['+44 20 7946 0999']);
    const logged = await harness.app.state.listConflicts('koha', { status: 'decided' });
    expect(logged.find((x) => x.recordId === String(p.patron_id) && x.field === 'email_primary.email')).toMatchObject({ kind: 'field', decision: 'crm', crm: 'corrected.by.staff@example.org' });
  });

  it('a group membership a CRM user removed is not put back at the next Koha edit', async () => {
    const p = createdPatrons()[5]!;
    const c = byKey(p.patron_id)[0]!;
    const group = env.civi.rows('GroupContact').find((g) => g.contact_id === c.id && g.status === 'Added')!;
    env.civi.removeFromGroup(Number(c.id), Number(group.group_id));
    env.koha.updatePatron(p.patron_id, { city: 'Removedtown' });
    await harness.sync('incremental');
    expect(env.civi.rows('GroupContact').filter((g) => g.contact_id === c.id && g.group_id === group.group_id).map((g) => g.status)).toEqual(['Removed']);
    const logged = await harness.app.state.listConflicts('koha', { status: 'decided' });
    expect(logged.find((x) => x.recordId === String(p.patron_id) && x.kind === 'group')).toMatchObject({ decision: 'crm' });
  });

  it('a contact merged into another: the key moves with it and the survivor is updated, no new contact', async () => {
    const p = createdPatrons()[7]!;
    const loser = byKey(p.patron_id)[0]!;
    const survivor = env.prefill.donors.map(contact).find((d) => d && !d.external_identifier)!;
    env.civi.mergeContacts(Number(loser.id), Number(survivor.id));
    env.koha.updatePatron(p.patron_id, { city: 'Mergeville' });
    await harness.sync('incremental');
    expect(byKey(p.patron_id).map((c) => c.id)).toEqual([survivor.id]);
    expect(env.civi.rows('Address').find((a) => a.contact_id === survivor.id && a.is_primary)?.city).toBe('Mergeville');
  });

  it('a contact put in the trash: a conflict, no crash, no second contact; a person brings it back with conflicts resolve --take source', async () => {
    const p = createdPatrons()[9]!;
    const c = byKey(p.patron_id)[0]!;
    env.civi.trashContact(Number(c.id));
    env.koha.updatePatron(p.patron_id, { city: 'Trashtown' });
    const src = (await harness.sync('incremental')).sources[0]!;
    expect(src.status).toBe('done');
    const conflict = (await openConflicts()).find((x) => x.recordId === String(p.patron_id))!;
    expect(conflict).toMatchObject({ kind: 'gone', contactId: c.id });
    expect(env.civi.rows('Contact').filter((x) => x.external_identifier === `koha:${p.patron_id}`)).toHaveLength(1);
    expect(contact(Number(c.id))?.is_deleted).toBe(true);

    const back = await runCli(['conflicts', 'resolve', conflict.id, '--take', 'source', '--json', '--config', configFile], { timeoutMs: 60_000 });
    expect(JSON.parse(back.stdout).sources[0]).toMatchObject({ updated: 1, held: 0, created: 0 });
    expect(contact(Number(c.id))).toMatchObject({ is_deleted: false, external_identifier: `koha:${p.patron_id}` });
    expect(env.civi.rows('Address').find((a) => a.contact_id === c.id && a.is_primary)?.city).toBe('Trashtown');
  }, 90_000);

  it('sync --resend after Redis lost its state: no duplicate, no CRM user\'s edit lost', async () => {
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${harness.prefix}:state:sent:*`);
    await redis.del(...keys);
    redis.disconnect();
    const before = env.civi.rows('Contact').length;
    const src = (await harness.sync('resend')).sources[0]!;
    expect(src.status).toBe('done');
    // Nothing is created again; only a patron whose look-alike a CRM user changed meanwhile (no longer the same person) may be new.
    expect(src.created).toBeLessThanOrEqual(1);
    expect(env.civi.rows('Contact').length).toBe(before + src.created);
    const perKey = new Map<string, number>();
    for (const c of env.civi.rows('Contact')) if (typeof c.external_identifier === 'string') perKey.set(c.external_identifier, (perKey.get(c.external_identifier) ?? 0) + 1);
    expect(Math.max(...perKey.values())).toBe(1);
    expect(env.civi.rows('Email').filter((e) => e.email === 'corrected.by.staff@example.org')).toHaveLength(1);
    // An open conflict about a patron's match settles itself once the patron has a contact.
    for (const c of await openConflicts()) if (c.kind === 'match' || c.kind === 'linked_elsewhere') expect([c.recordId, byKey(Number(c.recordId))]).toEqual([c.recordId, []]);
  });
});
