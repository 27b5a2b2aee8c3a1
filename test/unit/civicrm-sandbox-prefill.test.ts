import { describe, expect, it } from '@jest/globals';
import type { KohaPatron } from '../../src/sandbox/koha/index.js';
import { describePrefill, planCrmPrefill, type PlannedContact } from '../../src/sandbox/generator/index.js';

/** Only what the planner reads of a patron. */
const patron = (patron_id: number, firstname: string | null, surname: string | null, email: string | null, anonymized = false): KohaPatron =>
  ({ patron_id, firstname, surname, email, anonymized }) as unknown as KohaPatron;

const PATRONS = [
  patron(1, 'Zoë', 'Ñúñez', 'zoe@example.org'),
  patron(2, 'Anna 🌸', 'Smith', 'anna@example.org'),
  patron(3, 'James', 'Brown', 'JAMES@example.org'),
  patron(4, 'Laura', 'Weber', 'weber.family@example.net'),
  patron(5, 'Hugo', 'Weber', 'weber.family@example.net'),
  patron(6, 'Peter', 'Evans', 'peter@example.org'),
  patron(7, 'Sarah', 'Clarke', 'sarah@example.org'),
  patron(8, null, 'x7k2m9q1z0ab', null, true),
  patron(9, 'Long', 'Name', 'long@example.org'),
  patron(10, 'Nomail', 'Walker', null),
  patron(11, 'Mary', 'Fischer', 'mary@example.com'),
  patron(12, 'Paul', 'Becker', 'paul@example.com'),
];
const TRAITS = new Map([[9, ['first_name_over_limit']], [2, ['emoji_name']]]);
const COUNTS = { samePerson: 4, housemates: 1, twins: 1, otherExternalIds: 1, donors: 2 };
const plan = planCrmPrefill(PATRONS, TRAITS, { seed: 3, ...COUNTS });
const ofKind = (kind: string): PlannedContact[] => plan.filter((c) => c.kind === kind);

describe('planCrmPrefill: a library CRM before the first sync', () => {
  it('plants as many contacts of each kind as asked (twins twice) and is reproducible per seed', () => {
    expect(['same_person', 'housemate', 'twin', 'other_external_id', 'donor'].map((k) => ofKind(k).length)).toEqual([4, 1, 2, 1, 2]);
    expect(planCrmPrefill(PATRONS, TRAITS, { seed: 3, ...COUNTS })).toEqual(plan);
    expect(planCrmPrefill(PATRONS, TRAITS, { seed: 4, ...COUNTS })).not.toEqual(plan);
  });

  it('never plants a candidate for an anonymised patron, one without e-mail or one with a hostile planted trait', () => {
    const candidates = plan.flatMap((c) => c.patronIds);
    for (const id of [8, 9, 10]) expect(candidates).not.toContain(id);
    expect(new Set(plan.filter((c) => c.kind !== 'twin').flatMap((c) => c.patronIds)).size).toBe(plan.filter((c) => c.kind !== 'twin').flatMap((c) => c.patronIds).length);
  });

  it('gives the family sharing an e-mail a housemate: same e-mail and surname, a first name neither has', () => {
    expect(ofKind('housemate')).toEqual([{ kind: 'housemate', patronIds: [4, 5], values: { first_name: 'James', last_name: 'Weber', 'email_primary.email': 'weber.family@example.net' } }]);
  });

  it('writes each same-person variant the way CRM staff would have typed it', () => {
    const byVariant = Object.fromEntries(ofKind('same_person').map((c) => [c.variant, c]));
    expect(byVariant['decomposed']).toEqual({ kind: 'same_person', patronIds: [1], variant: 'decomposed', values: { first_name: 'Zoe\u0308', last_name: 'N\u0303u\u0301n\u0303ez', 'email_primary.email': 'zoe@example.org' } });
    expect(byVariant['spaces']).toEqual({ kind: 'same_person', patronIds: [2], variant: 'spaces', values: { first_name: ' Anna  🌸 ', last_name: 'Smith  ', 'email_primary.email': ' anna@example.org ' } });
    const cased = byVariant['letter_case']!;
    const typed = PATRONS.find((p) => p.patron_id === cased.patronIds[0])!;
    expect(cased.values).toEqual({ first_name: typed.firstname, last_name: typed.surname!.toUpperCase(), 'email_primary.email': typed.email!.toUpperCase() });
    expect(Object.keys(byVariant).sort()).toEqual(['decomposed', 'exact', 'letter_case', 'spaces']);
  });

  it('gives an other-system candidate a "donor:<n>" id, and donors names and e-mails no patron has', () => {
    expect(ofKind('other_external_id')[0]!.values['external_identifier']).toMatch(/^donor:\d+$/);
    for (const d of ofKind('donor')) {
      expect(d.patronIds).toEqual([]);
      expect(d.values['email_primary.email']).toMatch(/@donors\.example$/);
      expect(PATRONS.some((p) => p.firstname === d.values['first_name'] && p.surname === d.values['last_name'])).toBe(false);
    }
  });

  it('describePrefill lists the planted contact ids per patron and the donors', () => {
    const tiny: PlannedContact[] = [
      { kind: 'donor', patronIds: [], values: { last_name: 'D' } },
      { kind: 'twin', patronIds: [3], values: { last_name: 'Brown' } },
      { kind: 'twin', patronIds: [3], values: { last_name: 'Brown' } },
      { kind: 'housemate', patronIds: [4, 5], values: { last_name: 'Weber' } },
      { kind: 'other_external_id', patronIds: [6], values: { last_name: 'Evans', external_identifier: 'donor:12' } },
      { kind: 'same_person', patronIds: [1], variant: 'decomposed', values: { last_name: 'Ñúñez' } },
    ];
    const described = describePrefill(tiny, [7, 8, 9, 10, 11, 12]);
    expect(described.donors).toEqual([7]);
    expect(Object.fromEntries(described.byPatron)).toEqual({
      3: [{ kind: 'twin', contactId: 8 }, { kind: 'twin', contactId: 9 }],
      4: [{ kind: 'housemate', contactId: 10 }],
      5: [{ kind: 'housemate', contactId: 10 }],
      6: [{ kind: 'other_external_id', contactId: 11, externalIdentifier: 'donor:12' }],
      1: [{ kind: 'same_person', contactId: 12, variant: 'decomposed' }],
    });
  });
});
