/** Builds one realistic patron (the hostile planted traits are applied afterwards, see planted.ts). */
import type { KohaExtendedAttribute, KohaPatron } from '../koha/types.js';
import { formatNaive, formatRfc3339 } from '../koha/zoned-time.js';
import { MAIL_DOMAINS, NAMES, localities, type Locality, type NameStyle } from './pools.js';
import type { Rng } from './prng.js';

export interface PatronContext {
  rng: Rng;
  nowMs: number;
  timeZone: string;
  libraryIds: readonly string[];
  /** Returns the next extended_attribute_id. */
  nextAttributeId(): number;
}

/** What family members share: surname, home address and one email. */
export interface Household {
  surname: string;
  email: string | null;
  locality: Locality;
  street: string;
  streetNumber: string;
  postalCode: string;
  country: string;
  libraryId: string;
}

const DAY = 86400000;
const YEAR = 365.25 * DAY;

const NAME_STYLE_WEIGHTS: ReadonlyArray<readonly [NameStyle, number]> = [
  ['plain', 70], ['accented', 12], ['apostrophe', 5], ['cjk', 5], ['rtl', 5], ['emoji', 1.5],
];

export const dateIn = (ms: number, tz: string): string => formatNaive(ms, tz).slice(0, 10);

export function slug(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^a-z0-9]+/g, '');
}

export function newHousehold(ctx: PatronContext, surname: string, first: string): Household {
  const { rng } = ctx;
  const locality = rng.pick(localities(rng.int));
  const local = [slug(first), slug(surname)].filter((x) => x !== '').join('.') || `patron${rng.int(100, 99999)}`;
  return {
    surname,
    // A number keeps unrelated namesakes apart; shared addresses come from households.
    email: `${local}${rng.chance(0.9) ? rng.int(1, 99999) : ''}@${rng.pick(MAIL_DOMAINS)}`,
    locality,
    street: rng.pick(locality.streets),
    streetNumber: String(rng.int(1, 240)),
    postalCode: rng.pick(locality.postalCodes),
    country: rng.pick(locality.countries),
    libraryId: rng.pick(ctx.libraryIds),
  };
}

function ageRange(category: string): [number, number] {
  return ({ CHILD: [4, 16], STUDENT: [18, 26], SENIOR: [65, 95], STAFF: [22, 64] } as Record<string, [number, number]>)[category] ?? [27, 64];
}

/** A patron; `household` set for a family member. Also returns the name-style trait and the home. */
export function buildPatron(
  patronId: number,
  ctx: PatronContext,
  category: string,
  household?: Household,
): { patron: KohaPatron; nameTrait: string | null; home: Household } {
  const { rng, nowMs, timeZone: tz } = ctx;
  const style = rng.weighted(NAME_STYLE_WEIGHTS);
  const pool = NAMES[style];
  const firstname = rng.pick(pool.first);
  const home = household ?? newHousehold(ctx, rng.pick(pool.last), firstname);
  const updatedMs = nowMs - rng.int(1, Math.floor((2 * YEAR) / 1000)) * 1000;
  const enrolledMs = updatedMs - rng.int(0, Math.floor(10 * YEAR / DAY)) * DAY;
  const expired = rng.chance(0.15);
  const expiryMs = expired ? nowMs - rng.int(1, 900) * DAY : nowMs + rng.int(1, 1000) * DAY;
  const [minAge, maxAge] = ageRange(category);
  const birthMs = nowMs - (rng.int(minAge, maxAge) * YEAR + rng.int(0, 364) * DAY);
  const hasPhone = rng.chance(0.85);
  const hasAddress = rng.chance(0.95);
  const attributes: KohaExtendedAttribute[] = [];
  if (category === 'STUDENT') attributes.push({ extended_attribute_id: ctx.nextAttributeId(), type: 'STUDENTID', value: `S${rng.int(100000, 999999)}` });
  if (rng.chance(0.3)) attributes.push({ extended_attribute_id: ctx.nextAttributeId(), type: 'NEWSLETTER', value: rng.pick(['1', '0']) });

  const patron: KohaPatron = {
    patron_id: patronId,
    cardnumber: `2${String(patronId).padStart(13, '0')}`,
    surname: home.surname,
    firstname,
    preferred_name: rng.chance(0.05) ? rng.pick(NAMES.plain.first) : null,
    middle_name: rng.chance(0.1) ? rng.pick(pool.first) : null,
    title: rng.chance(0.3) ? rng.pick(['Mr', 'Mrs', 'Ms', 'Dr', 'Mx']) : null,
    other_name: null,
    initials: null,
    pronouns: rng.chance(0.05) ? rng.pick(['she/her', 'he/him', 'they/them']) : null,
    street_number: hasAddress ? home.streetNumber : null,
    street_type: null,
    address: hasAddress ? home.street : null,
    address2: hasAddress && rng.chance(0.15) ? `Apt ${rng.int(1, 60)}` : null,
    city: hasAddress ? home.locality.city : null,
    state: null,
    postal_code: hasAddress ? home.postalCode : null,
    country: hasAddress ? home.country : null,
    email: household ? home.email : rng.chance(0.9) ? home.email : null,
    phone: hasPhone ? home.locality.phone() : null,
    mobile: rng.chance(0.4) ? home.locality.phone() : null,
    fax: null,
    secondary_email: rng.chance(0.05) ? `alt.${patronId}@${rng.pick(MAIL_DOMAINS)}` : null,
    secondary_phone: null,
    altaddress_street_number: null, altaddress_street_type: null, altaddress_address: null,
    altaddress_address2: null, altaddress_city: null, altaddress_state: null, altaddress_postal_code: null,
    altaddress_country: null, altaddress_email: null, altaddress_phone: null,
    date_of_birth: rng.chance(0.97) ? dateIn(birthMs, tz) : null,
    library_id: home.libraryId,
    category_id: category,
    date_enrolled: dateIn(enrolledMs, tz),
    expiry_date: dateIn(expiryMs, tz),
    date_renewed: rng.chance(0.5) ? dateIn(Math.min(updatedMs, enrolledMs + rng.int(1, 700) * DAY), tz) : null,
    incorrect_address: rng.chance(0.02) ? true : rng.chance(0.5) ? false : null,
    patron_card_lost: rng.chance(0.01) ? true : rng.chance(0.5) ? false : null,
    restricted: rng.chance(0.03),
    staff_notes: rng.chance(0.03) ? 'Prefers large print' : null,
    relationship_type: household && category === 'CHILD' ? rng.pick(['mother', 'father', 'guardian']) : null,
    gender: rng.chance(0.4) ? rng.pick(['F', 'M', 'O']) : null,
    userid: rng.chance(0.85) ? `${slug(firstname) || 'patron'}${patronId}` : null,
    opac_notes: null,
    altaddress_notes: null,
    statistics_1: null,
    statistics_2: null,
    autorenew_checkouts: rng.chance(0.8),
    altcontact_firstname: null, altcontact_surname: null, altcontact_address: null, altcontact_address2: null,
    altcontact_city: null, altcontact_state: null, altcontact_postal_code: null, altcontact_country: null,
    altcontact_phone: null,
    sms_number: null,
    sms_provider_id: null,
    privacy: rng.weighted([[1, 85], [0, 10], [2, 5]] as const),
    privacy_guarantor_checkouts: 0,
    privacy_guarantor_fines: false,
    check_previous_checkout: 'inherit',
    updated_on: formatRfc3339(updatedMs, tz),
    last_seen: rng.chance(0.6) ? formatRfc3339(updatedMs - rng.int(0, 30 * 86400) * 1000, tz) : null,
    lang: rng.weighted([['default', 80], ['fr-FR', 10], ['de-DE', 5], ['en', 5]] as const),
    login_attempts: rng.chance(0.9) ? 0 : null,
    overdrive_auth_token: null,
    anonymized: false,
    protected: rng.chance(0.01),
    extended_attributes: attributes,
  };
  const nameTrait = style === 'plain' ? null : `${style}_name`;
  return { patron, nameTrait, home };
}
