/**
 * generateKohaDataset: a deterministic Koha world from a seed — realistic patrons plus hostile
 * ones (scripts, lengths at and over CiviCRM's limits, invalid dates, families, bulk imports).
 */
import type { KohaBiblio, KohaCategory, KohaCheckout, KohaItem, KohaLibrary, KohaPatron } from '../koha/types.js';
import { assertTimeZone, formatRfc3339 } from '../koha/zoned-time.js';
import { SANDBOX_ANONYMOUS_PATRON_ID, anonymousPatron, buildCirculation } from './circulation.js';
import { buildPatron, dateIn, type Household, type PatronContext } from './patrons.js';
import { applyPlanted } from './planted.js';
import { createRng } from './prng.js';
import { CATEGORIES, LIBRARIES } from './reference.js';
import { PLANTED_RATES, PLANTED_TRAITS, deriveTraits, type PlantedTrait } from './traits.js';

export interface GenerateOptions {
  patrons: number;
  seed?: number;
  /** The server's "now"; every updated_on is strictly before it. Default 2026-11-23T09:00:00Z. */
  now?: Date;
  timezone?: string;
  /** patron_id of Koha's AnonymousPatron (the first patron of the list). Default SANDBOX_ANONYMOUS_PATRON_ID; null: a Koha without
   * the AnonymousPatron preference (no such patron; anonymised loans lose their patron_id). */
  anonymousPatronId?: number | null;
  /**
   * Multiplies each borrowing patron's number of loans (1 to 8 by default, about 3.2 per patron in all); default 1.
   * The patrons are the same (drawn before the loans); the loans are drawn anew.
   */
  loanFactor?: number;
}

export interface KohaDataset {
  /** The AnonymousPatron first, then the generated patrons (ids from 1001). */
  patrons: KohaPatron[];
  libraries: KohaLibrary[];
  categories: KohaCategory[];
  biblios: KohaBiblio[];
  items: KohaItem[];
  checkouts: KohaCheckout[];
  /** For tests: which patron ids carry which hostile trait. */
  traits: Map<number, string[]>;
  /** The AnonymousPatron's patron_id (owner of anonymised loan history), or null without one. */
  anonymousPatronId: number | null;
}

export const DEFAULT_NOW = new Date(Date.UTC(2026, 10, 23, 9, 0, 0));
const FIRST_PATRON_ID = 1001;

/** Chooses distinct patron positions for each planted trait (at least one each from 50 patrons). */
function plantPlan(count: number, rng: ReturnType<typeof createRng>): Map<number, PlantedTrait> {
  const plan = new Map<number, PlantedTrait>();
  for (const trait of PLANTED_TRAITS) {
    const want = Math.max(count >= 50 ? 1 : 0, Math.round(PLANTED_RATES[trait] * count));
    for (let placed = 0, tries = 0; placed < want && tries < count * 4; tries++) {
      const at = rng.int(0, count - 1);
      if (!plan.has(at)) {
        plan.set(at, trait);
        placed++;
      }
    }
  }
  return plan;
}

export function generateKohaDataset(opts: GenerateOptions): KohaDataset {
  const tz = opts.timezone ?? 'UTC';
  assertTimeZone(tz);
  const nowMs = Math.floor((opts.now ?? DEFAULT_NOW).getTime() / 1000) * 1000;
  const rng = createRng(opts.seed ?? 42);
  let attributeId = 0;
  const libraryIds = LIBRARIES.map((l) => l.library_id);
  const ctx: PatronContext = { rng, nowMs, timeZone: tz, libraryIds, nextAttributeId: () => ++attributeId };
  const plan = plantPlan(opts.patrons, rng);
  // Bulk imports: a few instants shared to the second by many patrons.
  const batches = Array.from({ length: 6 }, () => formatRfc3339(nowMs - rng.int(3600, 700 * 86400) * 1000, tz));

  const patrons: KohaPatron[] = [];
  const traits = new Map<number, string[]>();
  let household: Household | undefined;
  let householdLeft = 0;
  for (let i = 0; i < opts.patrons; i++) {
    const id = FIRST_PATRON_ID + i;
    if (householdLeft === 0 && rng.chance(0.025)) householdLeft = rng.int(2, 4);
    const inFamily = householdLeft > 0;
    const firstOfFamily = inFamily && household === undefined;
    const category = inFamily && !firstOfFamily
      ? 'CHILD'
      : rng.weighted([['ADULT', 60], ['CHILD', 12], ['STUDENT', 12], ['SENIOR', 12], ['STAFF', 4]] as const);
    const built = buildPatron(id, ctx, category, inFamily && !firstOfFamily ? household : undefined);
    const { patron, nameTrait } = built;
    if (firstOfFamily) {
      household = built.home;
      patron.email = household.email;
    }
    if (inFamily && --householdLeft === 0) household = undefined;
    if (!inFamily && patron.email !== null) {
      if (rng.chance(0.03)) patron.email = patron.email.replace(/^[a-z]/, (c) => c.toUpperCase()).replace(/@(.*)$/, (_m, d: string) => `@${d.toUpperCase()}`);
      else if (rng.chance(0.01)) patron.email = ` ${patron.email} `;
    }
    if (rng.chance(0.1)) patron.updated_on = rng.pick(batches);
    const t: string[] = [];
    const planted = plan.get(i);
    if (planted) {
      applyPlanted(patron, planted, rng);
      t.push(planted);
    }
    if (nameTrait && planted !== 'anonymized' && planted !== 'all_nullable_null') t.push(nameTrait);
    if (t.length > 0) traits.set(id, t);
    patrons.push(patron);
  }
  const anonymousId = opts.anonymousPatronId === undefined ? SANDBOX_ANONYMOUS_PATRON_ID : opts.anonymousPatronId;
  const all = anonymousId === null ? patrons : [anonymousPatron(anonymousId, libraryIds[0]!, nowMs, tz), ...patrons];
  deriveTraits(all, traits, dateIn(nowMs, tz));
  // Built after the patrons, so the patrons' random draws do not depend on the loans.
  const circulation = buildCirculation(patrons, libraryIds, rng, nowMs, tz, anonymousId, opts.loanFactor ?? 1);
  return {
    patrons: all,
    anonymousPatronId: anonymousId,
    libraries: LIBRARIES.map((l) => ({ ...l })),
    categories: CATEGORIES.map((c) => ({ ...c })),
    ...circulation,
    traits,
  };
}
