/** Applies one planted hostile trait to a patron (see traits.ts for the list and rates). */
import { PATRON_FIELDS } from '../koha/fields.js';
import type { KohaPatron } from '../koha/types.js';
import { CIVICRM_LIMITS, LONG_CITY, addressOfLength, emailOfLength, nameOfLength, phoneOfLength } from './limits.js';
import type { Rng } from './prng.js';
import type { PlantedTrait } from './traits.js';

/** Invalid dates old Koha databases hold in date columns. */
const INVALID_DATES = ['0000-00-00', '2026-02-31', '1987-02-30', '1975-00-10'];

/** Fields the spec does not allow to be null (everything else may be). */
const NOT_NULLABLE = new Set([
  'patron_id', 'library_id', 'category_id', 'restricted', 'autorenew_checkouts', 'privacy',
  'privacy_guarantor_checkouts', 'privacy_guarantor_fines', 'check_previous_checkout', 'updated_on', 'lang',
  'anonymized', 'protected',
]);

/** Personal fields Koha keeps after anonymising a patron (everything else is blanked). */
const KEPT_WHEN_ANONYMIZED = new Set([
  'patron_id', 'library_id', 'category_id', 'date_enrolled', 'expiry_date', 'date_renewed', 'updated_on',
  'restricted', 'autorenew_checkouts', 'privacy', 'privacy_guarantor_checkouts', 'privacy_guarantor_fines',
  'check_previous_checkout', 'lang', 'protected', 'login_attempts',
]);

export function applyPlanted(p: KohaPatron, trait: PlantedTrait, rng: Rng): void {
  const over = (limit: number): number => limit + rng.int(1, 24);
  const L = CIVICRM_LIMITS;
  switch (trait) {
    case 'first_name_at_limit': p.firstname = nameOfLength(L.first_name, rng); break;
    case 'first_name_over_limit': p.firstname = nameOfLength(over(L.first_name), rng); break;
    case 'last_name_at_limit': p.surname = nameOfLength(L.last_name, rng, '-'); break;
    case 'last_name_over_limit': p.surname = nameOfLength(over(L.last_name), rng, '-'); break;
    case 'email_at_limit': p.email = emailOfLength(L.email, rng); break;
    case 'email_over_limit': p.email = emailOfLength(over(L.email), rng); break;
    case 'phone_at_limit': p.phone = phoneOfLength(L.phone, rng); break;
    case 'phone_over_limit': p.phone = phoneOfLength(over(L.phone), rng); break;
    case 'street_address_at_limit':
    case 'street_address_over_limit': {
      // Koha keeps the number apart; CiviCRM's street_address is number + address together.
      p.street_number = null;
      p.address = addressOfLength(trait === 'street_address_at_limit' ? L.street_address : over(L.street_address), rng);
      p.city ??= 'Lyon';
      break;
    }
    case 'city_over_limit':
      p.address ??= '1 Stryd Fawr';
      p.city = LONG_CITY;
      break;
    case 'invalid_date_of_birth': p.date_of_birth = rng.pick(INVALID_DATES); break;
    case 'anonymized': anonymize(p, rng); break;
    case 'all_nullable_null': nullEverything(p); break;
  }
}

/** Blanks a patron's personal fields as Koha's patron anonymisation does (also used by the sandbox's anonymisePatron). */
export function anonymize(p: KohaPatron, rng: Rng): void {
  const bag = p as unknown as Record<string, unknown>;
  const birthYear = p.date_of_birth?.slice(0, 4);
  for (const f of Object.keys(PATRON_FIELDS)) {
    if (!KEPT_WHEN_ANONYMIZED.has(f) && !NOT_NULLABLE.has(f)) bag[f] = null;
  }
  // Koha fills mandatory columns with a random string rather than leaving them empty.
  p.surname = Array.from({ length: 12 }, () => 'abcdefghijklmnopqrstuvwxyz0123456789'[rng.int(0, 35)]).join('');
  p.date_of_birth = birthYear && birthYear !== '0000' ? `${birthYear}-01-01` : null;
  p.anonymized = true;
  p.extended_attributes = [];
}

function nullEverything(p: KohaPatron): void {
  const bag = p as unknown as Record<string, unknown>;
  for (const f of Object.keys(PATRON_FIELDS)) if (!NOT_NULLABLE.has(f)) bag[f] = null;
  p.extended_attributes = [];
}
