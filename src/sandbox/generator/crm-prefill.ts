/**
 * A library's CiviCRM before the first sync, planned from the generated Koha patrons: unlinked contacts for
 * the same people (same names and e-mail as typed by CRM staff: other letter case, decomposed accents, extra
 * spaces), housemates sharing a family e-mail, people entered twice, candidates already linked to another
 * system ("donor:123"), and unrelated donors. Seeded, so tests can write their expectations by hand.
 */
import type { KohaPatron } from '../koha/types.js';
import { NAMES } from './pools.js';
import { createRng, type Rng } from './prng.js';
import { PLANTED_TRAITS } from './traits.js';
import { slug } from './patrons.js';

export type PrefillKind = 'same_person' | 'housemate' | 'twin' | 'other_external_id';
/** How a same_person candidate differs from the patron as Koha holds it. */
export type PrefillVariant = 'exact' | 'letter_case' | 'decomposed' | 'spaces';

export interface CrmPrefillOptions {
  seed?: number;
  /** patrons with one unlinked contact of the same name and e-mail (default 10% of the eligible) */
  samePerson?: number;
  /** family e-mails (shared by several patrons) with a housemate contact: same e-mail and surname, another first name (2%) */
  housemates?: number;
  /** patrons entered twice: two identical candidate contacts (1%) */
  twins?: number;
  /** patrons whose candidate already carries another system's external_identifier, "donor:<n>" (1%) */
  otherExternalIds?: number;
  /** contacts unrelated to any patron (5%, at least 3) */
  donors?: number;
}

export interface PlannedContact {
  kind: PrefillKind | 'donor';
  /** the patrons it is a candidate for (every member of a family for a housemate; none for a donor) */
  patronIds: number[];
  variant?: PrefillVariant;
  /** Contact.create values */
  values: Record<string, string>;
}

const PLANTED = new Set<string>(PLANTED_TRAITS);
const email = (p: KohaPatron): string => (p.email ?? '').trim();
/** The first name a library's CRM knows the person by: the preferred name when the patron has one (as the shipped mapping writes it). */
const firstName = (p: KohaPatron): string => ((p.preferred_name ?? '').trim() || (p.firstname ?? '')).trim();
const lastName = (p: KohaPatron): string => (p.surname ?? '').trim();
const eligible = (p: KohaPatron, traits: ReadonlyMap<number, string[]>): boolean =>
  !p.anonymized && firstName(p) !== '' && lastName(p) !== '' && email(p) !== '' && !(traits.get(p.patron_id) ?? []).some((t) => PLANTED.has(t));

function shuffle<T>(list: readonly T[], rng: Rng): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

// rarest first: few names have accents or inner spaces
const VARIANTS: readonly PrefillVariant[] = ['decomposed', 'spaces', 'letter_case', 'exact'];

/** The variants that change something for this patron's values. */
function variantsFor(p: KohaPatron): PrefillVariant[] {
  const names = [firstName(p), lastName(p)];
  const out: PrefillVariant[] = ['exact'];
  if (names.some((n) => n.toUpperCase() !== n)) out.push('letter_case');
  if (names.some((n) => n.normalize('NFD') !== n)) out.push('decomposed');
  if (names.some((n) => n.includes(' '))) out.push('spaces');
  return out;
}

function candidateValues(p: KohaPatron, variant: PrefillVariant): Record<string, string> {
  const first = firstName(p);
  const last = lastName(p);
  switch (variant) {
    case 'letter_case': return { first_name: first, last_name: last.toUpperCase(), 'email_primary.email': email(p).toUpperCase() };
    case 'decomposed': return { first_name: first.normalize('NFD'), last_name: last.normalize('NFD'), 'email_primary.email': email(p) };
    // CiviCRM trims the ends; the doubled inner space stays
    case 'spaces': return { first_name: ` ${first.replace(/ /g, '  ')} `, last_name: `${last.replace(/ /g, '  ')}  `, 'email_primary.email': ` ${email(p)} ` };
    default: return { first_name: first, last_name: last, 'email_primary.email': email(p) };
  }
}

/** Names as a CRM search compares them (case, accents and spaces aside). */
const nameKey = (first: string, last: string): string => `${slug(first)}|${slug(last)}`;

const rate = (n: number, share: number, min = 1): number => (n === 0 ? 0 : Math.max(min, Math.round(n * share)));

export function planCrmPrefill(patrons: readonly KohaPatron[], traits: ReadonlyMap<number, string[]>, opts: CrmPrefillOptions = {}): PlannedContact[] {
  const rng = createRng(opts.seed ?? 7);
  const pool = shuffle(patrons.filter((p) => eligible(p, traits)), rng);
  const n = pool.length;
  const plan: PlannedContact[] = [];
  const used = new Set<number>();
  const externalIds = new Set<string>();
  const nextDonorId = (): string => {
    let id: string;
    do id = `donor:${rng.int(100, 99999)}`; while (externalIds.has(id));
    externalIds.add(id);
    return id;
  };

  // families: an e-mail several patrons share, all of them eligible (in the order the pool meets them)
  const byEmail = new Map<string, KohaPatron[]>();
  for (const p of patrons) if (!p.anonymized && email(p) !== '') byEmail.set(email(p).toLowerCase(), [...(byEmail.get(email(p).toLowerCase()) ?? []), p]);
  const families = [...new Set(pool.map((p) => byEmail.get(email(p).toLowerCase())!))]
    .filter((f) => f.length > 1 && f.every((p) => eligible(p, traits)));
  // a housemate's or donor's name is nobody's among the patrons, so it is a candidate only by e-mail
  const names = new Set(patrons.map((p) => nameKey(firstName(p), lastName(p))));
  for (const family of families.slice(0, opts.housemates ?? rate(n, 0.02))) {
    const first = NAMES.plain.first.find((f) => !names.has(nameKey(f, lastName(family[0]!))));
    if (first === undefined) continue;
    names.add(nameKey(first, lastName(family[0]!)));
    family.forEach((p) => used.add(p.patron_id));
    plan.push({ kind: 'housemate', patronIds: family.map((p) => p.patron_id), values: { first_name: first, last_name: lastName(family[0]!), 'email_primary.email': email(family[0]!) } });
  }
  const take = (count: number): KohaPatron[] => {
    const out = pool.filter((p) => !used.has(p.patron_id)).slice(0, count);
    out.forEach((p) => used.add(p.patron_id));
    return out;
  };
  // one patron per variant first (when some patron allows it), before twins and other ids take them
  const samePerson = opts.samePerson ?? rate(n, 0.1);
  const chosen: Array<[KohaPatron, PrefillVariant]> = [];
  for (const variant of VARIANTS.slice(0, samePerson)) {
    const p = pool.find((x) => !used.has(x.patron_id) && variantsFor(x).includes(variant));
    if (p) {
      used.add(p.patron_id);
      chosen.push([p, variant]);
    }
  }
  for (const p of take(opts.twins ?? rate(n, 0.01))) {
    for (let i = 0; i < 2; i++) plan.push({ kind: 'twin', patronIds: [p.patron_id], values: candidateValues(p, 'exact') });
  }
  for (const p of take(opts.otherExternalIds ?? rate(n, 0.01))) {
    plan.push({ kind: 'other_external_id', patronIds: [p.patron_id], values: { ...candidateValues(p, 'exact'), external_identifier: nextDonorId() } });
  }
  for (const p of take(samePerson - chosen.length)) chosen.push([p, rng.pick(variantsFor(p))]);
  for (const [p, variant] of chosen) plan.push({ kind: 'same_person', patronIds: [p.patron_id], variant, values: candidateValues(p, variant) });
  plan.push(...donors(names, opts.donors ?? rate(n, 0.05, 3), rng, nextDonorId));
  return shuffle(plan, rng);
}

/** Donors nobody could take for a patron: a name pair not in `names`, an address at a donors-only domain. */
function donors(names: Set<string>, count: number, rng: Rng, nextDonorId: () => string): PlannedContact[] {
  const out: PlannedContact[] = [];
  for (let i = 0; out.length < count && i < count * 50; i++) {
    const first = rng.pick(NAMES.plain.first);
    const last = rng.pick(NAMES.plain.last);
    if (names.has(nameKey(first, last))) continue;
    names.add(nameKey(first, last));
    const values: Record<string, string> = { first_name: first, last_name: last, 'email_primary.email': `${slug(first)}.${slug(last)}@donors.example`, source: 'Donation form' };
    if (rng.chance(0.5)) values['external_identifier'] = nextDonorId();
    out.push({ kind: 'donor', patronIds: [], values });
  }
  return out;
}

export interface PrefilledContact {
  kind: PrefillKind;
  contactId: number;
  variant?: PrefillVariant;
  /** the other system's id an other_external_id candidate carries */
  externalIdentifier?: string;
}

/** What was planted: per patron id its candidate contacts; the donors' contact ids. */
export interface CrmPrefill {
  byPatron: Map<number, PrefilledContact[]>;
  donors: number[];
}

/** The plan's contacts once created (ids in plan order). */
export function describePrefill(plan: readonly PlannedContact[], contactIds: readonly number[]): CrmPrefill {
  const out: CrmPrefill = { byPatron: new Map(), donors: [] };
  plan.forEach((c, i) => {
    const contactId = contactIds[i]!;
    if (c.kind === 'donor') {
      out.donors.push(contactId);
      return;
    }
    const planted: PrefilledContact = { kind: c.kind, contactId };
    if (c.variant) planted.variant = c.variant;
    if (c.values['external_identifier']) planted.externalIdentifier = c.values['external_identifier'];
    for (const id of c.patronIds) out.byPatron.set(id, [...(out.byPatron.get(id) ?? []), planted]);
  });
  return out;
}
