/**
 * startSandboxes({ civiPrefill }) fills the sandbox CRM with contacts a library's CiviCRM already holds for its
 * patrons before the first sync, and says which (env.prefill), as the API shows them to the sync user.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSandboxes, type SandboxEnvironment } from '../../src/sandbox/environment.js';
import type { CrmPrefillOptions } from '../../src/sandbox/generator/index.js';
import { civiCall } from './civicrm-sandbox-client.js';

const OPTIONS: CrmPrefillOptions = { seed: 5, samePerson: 12, housemates: 3, twins: 2, otherExternalIds: 2, donors: 6 };
/** How a person would compare two spellings by eye: letter case, composed/decomposed accents and spaces aside. */
const same = (a: unknown, b: unknown): boolean => {
  const k = (v: unknown) => String(v ?? '').normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim();
  return k(a) === k(b);
};

let env: SandboxEnvironment;
let contacts: Map<number, Record<string, unknown>>;
beforeAll(async () => {
  env = await startSandboxes({ patrons: 300, seed: 42, civiPrefill: OPTIONS });
  const got = await civiCall(env.civi, 'Contact', 'get', { select: ['id', 'first_name', 'last_name', 'external_identifier', 'email_primary.email'], where: [['id', '>', 6]] });
  contacts = new Map(got.values.map((c) => [c['id'] as number, c]));
});
afterAll(async () => {
  await env.stop();
});

const patron = (id: number) => env.dataset.patrons.find((p) => p.patron_id === id)!;
const planted = (kind: string) => [...env.prefill.byPatron].filter(([, cs]) => cs.some((c) => c.kind === kind));

describe('a pre-filled sandbox CRM', () => {
  it('holds the asked numbers of contacts beside the install\'s six, none of them linked to a patron', () => {
    expect([planted('same_person').length, planted('twin').length, planted('other_external_id').length, env.prefill.donors.length]).toEqual([12, 2, 2, 6]);
    expect(new Set(planted('housemate').flatMap(([, cs]) => cs.map((c) => c.contactId))).size).toBe(3);
    expect(contacts.size).toBe(12 + 3 + 2 * 2 + 2 + 6);
    expect([...contacts.values()].filter((c) => String(c['external_identifier'] ?? '').startsWith('koha:'))).toEqual([]);
  });

  it('has one unlinked contact per same-person patron, with its names and e-mail as CRM staff typed them', () => {
    for (const [patronId, [c]] of planted('same_person')) {
      const p = patron(patronId);
      const stored = contacts.get(c!.contactId)!;
      expect({ patronId, first: same(stored['first_name'], p.firstname), last: same(stored['last_name'], p.surname), ext: stored['external_identifier'] })
        .toEqual({ patronId, first: true, last: true, ext: null });
      // CiviCRM keeps every e-mail lower-cased and trimmed
      expect(stored['email_primary.email']).toBe(p.email!.trim().toLowerCase());
      if (c!.variant === 'decomposed') expect(String(stored['first_name']) + String(stored['last_name'])).toBe((p.firstname! + p.surname!).normalize('NFD'));
      if (c!.variant === 'letter_case') expect(stored['last_name']).toBe(p.surname!.toUpperCase());
    }
    expect(new Set(planted('same_person').map(([, [c]]) => c!.variant))).toEqual(new Set(['exact', 'letter_case', 'decomposed', 'spaces']));
  });

  it('has two identical contacts for each twin patron, both found by getDuplicates', async () => {
    for (const [patronId, cs] of planted('twin')) {
      expect(cs.map((c) => c.kind)).toEqual(['twin', 'twin']);
      const dupes = await civiCall(env.civi, 'Contact', 'getDuplicates', { dedupeRule: 'Individual.Supervised', values: { first_name: patron(patronId).firstname, last_name: patron(patronId).surname, 'email_primary.email': patron(patronId).email } }, 'admin');
      expect(dupes.values.map((v) => v['id']).sort()).toEqual(cs.map((c) => c.contactId).sort());
    }
  });

  it('has candidates already linked to another system', () => {
    for (const [patronId, [c]] of planted('other_external_id')) {
      const stored = contacts.get(c!.contactId)!;
      expect(stored['external_identifier']).toMatch(/^donor:\d+$/);
      expect(stored['external_identifier']).toBe(c!.externalIdentifier);
      expect(same(stored['last_name'], patron(patronId).surname)).toBe(true);
    }
  });

  it('has housemates sharing a family e-mail and surname under another first name', () => {
    for (const [patronId, cs] of planted('housemate')) {
      const stored = contacts.get(cs[0]!.contactId)!;
      const p = patron(patronId);
      expect({ email: stored['email_primary.email'], last: same(stored['last_name'], p.surname), first: same(stored['first_name'], p.firstname) })
        .toEqual({ email: p.email!.trim().toLowerCase(), last: true, first: false });
    }
  });

  it('has donors no patron shares an e-mail with', () => {
    const patronEmails = new Set(env.dataset.patrons.map((p) => p.email?.trim().toLowerCase()));
    for (const id of env.prefill.donors) expect(patronEmails.has(String(contacts.get(id)!['email_primary.email']))).toBe(false);
  });

  it('is the same CRM for the same seeds', async () => {
    const again = await startSandboxes({ patrons: 300, seed: 42, civiPrefill: OPTIONS });
    try {
      expect(again.prefill).toEqual(env.prefill);
    } finally {
      await again.stop();
    }
  });
});

describe('without civiPrefill', () => {
  it('the CRM holds only the install\'s contacts', async () => {
    const bare = await startSandboxes({ patrons: 10 });
    try {
      expect(bare.prefill).toEqual({ byPatron: new Map(), donors: [] });
      const count = await civiCall(bare.civi, 'Contact', 'get', { select: ['row_count'] }, 'admin');
      expect(count.body['count']).toBe(6);
    } finally {
      await bare.stop();
    }
  });
});
