/**
 * The hostile traits a generated patron may carry, and how the observable ones are derived from
 * the final values (so a trait is never recorded for a value a later step overwrote).
 */
import type { KohaPatron } from '../koha/types.js';
import { COUNTRY_CODES } from './pools.js';

/** Traits planted on chosen patrons, at most one per patron (they would clobber each other). */
export const PLANTED_TRAITS = [
  'first_name_at_limit', 'first_name_over_limit', 'last_name_at_limit', 'last_name_over_limit',
  'email_at_limit', 'email_over_limit', 'phone_at_limit', 'phone_over_limit',
  'street_address_at_limit', 'street_address_over_limit', 'city_over_limit',
  'invalid_date_of_birth', 'anonymized', 'all_nullable_null',
] as const;
export type PlantedTrait = (typeof PLANTED_TRAITS)[number];

/** Share of patrons per planted trait; over-limit ones add up to about 1%. */
export const PLANTED_RATES: Readonly<Record<PlantedTrait, number>> = {
  first_name_at_limit: 0.003, first_name_over_limit: 0.0015, last_name_at_limit: 0.003,
  last_name_over_limit: 0.0015, email_at_limit: 0.003, email_over_limit: 0.0015, phone_at_limit: 0.003,
  phone_over_limit: 0.0015, street_address_at_limit: 0.003, street_address_over_limit: 0.0015,
  city_over_limit: 0.0015, invalid_date_of_birth: 0.01, anonymized: 0.01, all_nullable_null: 0.005,
};

export const NAME_TRAITS = ['accented_name', 'apostrophe_name', 'cjk_name', 'rtl_name', 'emoji_name'] as const;

export const DERIVED_TRAITS = [
  'no_email', 'no_phone', 'no_address', 'shared_email', 'expired_card', 'country_name', 'country_code',
  'country_blank', 'shared_updated_on', 'mixed_case_email', 'email_whitespace',
] as const;

export const ALL_TRAITS: readonly string[] = [...PLANTED_TRAITS, ...NAME_TRAITS, ...DERIVED_TRAITS];

const blank = (v: string | null): boolean => v === null || v.trim() === '';

/** Adds the traits that can be read off the final patrons. `today` is `YYYY-MM-DD` in the server zone. */
export function deriveTraits(patrons: KohaPatron[], traits: Map<number, string[]>, today: string): void {
  const byEmail = new Map<string, number>();
  const byUpdatedOn = new Map<string, number>();
  for (const p of patrons) {
    if (!blank(p.email)) byEmail.set(p.email!.trim().toLowerCase(), (byEmail.get(p.email!.trim().toLowerCase()) ?? 0) + 1);
    byUpdatedOn.set(p.updated_on, (byUpdatedOn.get(p.updated_on) ?? 0) + 1);
  }
  for (const p of patrons) {
    const t = traits.get(p.patron_id) ?? [];
    if (blank(p.email)) t.push('no_email');
    else {
      const email = p.email!;
      if ((byEmail.get(email.trim().toLowerCase()) ?? 0) > 1) t.push('shared_email');
      if (email !== email.trim()) t.push('email_whitespace');
      if (/[A-Z]/.test(email) && email.trim() === email) t.push('mixed_case_email');
    }
    if (blank(p.phone) && blank(p.mobile)) t.push('no_phone');
    if (blank(p.address)) t.push('no_address');
    else if (blank(p.country)) t.push('country_blank');
    else t.push(COUNTRY_CODES.has(p.country!.trim()) ? 'country_code' : 'country_name');
    if (p.expiry_date !== null && p.expiry_date < today) t.push('expired_card');
    if ((byUpdatedOn.get(p.updated_on) ?? 0) > 1) t.push('shared_updated_on');
    if (t.length > 0) traits.set(p.patron_id, t);
  }
}
