/**
 * Field kinds of each resource, as the query engine needs them: how a `q` literal is compared and
 * which names exist at all (an unknown name is a 400 `invalid_query`, as Koha 24.x answers).
 */

export type FieldKind = 'int' | 'number' | 'string' | 'bool' | 'date' | 'datetime';

export type FieldMap = Readonly<Record<string, FieldKind>>;

const s = 'string' as const;

export const PATRON_FIELDS: FieldMap = {
  patron_id: 'int', cardnumber: s, surname: s, firstname: s, preferred_name: s, middle_name: s, title: s,
  other_name: s, initials: s, pronouns: s, street_number: s, street_type: s, address: s, address2: s,
  city: s, state: s, postal_code: s, country: s, email: s, phone: s, mobile: s, fax: s,
  secondary_email: s, secondary_phone: s, altaddress_street_number: s, altaddress_street_type: s,
  altaddress_address: s, altaddress_address2: s, altaddress_city: s, altaddress_state: s,
  altaddress_postal_code: s, altaddress_country: s, altaddress_email: s, altaddress_phone: s,
  date_of_birth: 'date', library_id: s, category_id: s, date_enrolled: 'date', expiry_date: 'date',
  date_renewed: 'date', incorrect_address: 'bool', patron_card_lost: 'bool', restricted: 'bool',
  staff_notes: s, relationship_type: s, gender: s, userid: s, opac_notes: s, altaddress_notes: s,
  statistics_1: s, statistics_2: s, autorenew_checkouts: 'bool', altcontact_firstname: s,
  altcontact_surname: s, altcontact_address: s, altcontact_address2: s, altcontact_city: s,
  altcontact_state: s, altcontact_postal_code: s, altcontact_country: s, altcontact_phone: s,
  sms_number: s, sms_provider_id: 'int', privacy: 'int', privacy_guarantor_checkouts: 'int',
  privacy_guarantor_fines: 'bool', check_previous_checkout: s, updated_on: 'datetime',
  last_seen: 'datetime', lang: s, login_attempts: 'int', overdrive_auth_token: s, anonymized: 'bool',
  protected: 'bool',
};

/** Fields of an embedded relation, queryable with dot notation once that relation is embedded. */
export const EXTENDED_ATTRIBUTE_FIELDS: FieldMap = { extended_attribute_id: 'int', type: s, value: s };

export const CHECKOUT_FIELDS: FieldMap = {
  checkout_id: 'int', patron_id: 'int', item_id: 'int', booking_id: 'int', library_id: s, issuer_id: 'int',
  checkout_date: 'datetime', due_date: 'datetime', checkin_date: 'datetime', checkin_library_id: s,
  last_renewed_date: 'datetime', renewals_count: 'int', unseen_renewals: 'int', auto_renew: 'bool',
  auto_renew_error: s, timestamp: 'datetime', onsite_checkout: 'bool', note: s, note_date: 'date',
  note_seen: 'bool',
};

export const ITEM_FIELDS: FieldMap = {
  item_id: 'int', biblio_id: 'int', external_id: s, home_library_id: s, holding_library_id: s,
  callnumber: s, item_type_id: s, effective_item_type_id: s, location: s, not_for_loan_status: 'int',
  damaged_status: 'int', lost_status: 'int', withdrawn: 'int', checked_out_date: 'date', timestamp: 'datetime',
};

export const BIBLIO_FIELDS: FieldMap = {
  biblio_id: 'int', title: s, subtitle: s, author: s, isbn: s, publication_year: 'int',
};

export const LIBRARY_FIELDS: FieldMap = {
  library_id: s, name: s, address1: s, address2: s, address3: s, postal_code: s, city: s, state: s,
  country: s, phone: s, fax: s, email: s, url: s, notes: s, pickup_location: 'bool', public: 'bool',
};

export const CATEGORY_FIELDS: FieldMap = {
  patron_category_id: s, name: s, category_type: s, enrolment_period: 'number', upper_age_limit: 'number',
  default_privacy: s, can_be_guarantee: 'bool',
};

/** Date-time fields of a field map (stored as instants, rendered in the server zone). */
export function datetimeFields(fields: FieldMap): string[] {
  return Object.entries(fields).filter(([, k]) => k === 'datetime').map(([n]) => n);
}
