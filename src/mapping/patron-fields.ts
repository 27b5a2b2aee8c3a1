/**
 * Field names of the Koha patron object (api/v1/swagger/definitions/patron.yaml), so a typo in
 * a mapping's `from` fails at boot instead of silently mapping nothing.
 */

/** Scalar patron fields a mapping may read (objects, arrays and the OverDrive token, a secret, are left out). */
export const KOHA_PATRON_FIELDS = [
  'patron_id', 'cardnumber', 'surname', 'firstname', 'preferred_name', 'middle_name', 'title',
  'other_name', 'initials', 'pronouns',
  'street_number', 'street_type', 'address', 'address2', 'city', 'state', 'postal_code', 'country',
  'email', 'phone', 'mobile', 'fax', 'secondary_email', 'secondary_phone',
  'altaddress_street_number', 'altaddress_street_type', 'altaddress_address', 'altaddress_address2',
  'altaddress_city', 'altaddress_state', 'altaddress_postal_code', 'altaddress_country',
  'altaddress_email', 'altaddress_phone', 'altaddress_notes',
  'altcontact_firstname', 'altcontact_surname', 'altcontact_address', 'altcontact_address2',
  'altcontact_city', 'altcontact_state', 'altcontact_postal_code', 'altcontact_country', 'altcontact_phone',
  'date_of_birth', 'library_id', 'category_id', 'date_enrolled', 'expiry_date', 'date_renewed',
  'incorrect_address', 'patron_card_lost', 'restricted', 'protected', 'gender', 'userid', 'lang',
  'staff_notes', 'opac_notes', 'relationship_type', 'statistics_1', 'statistics_2',
  'autorenew_checkouts', 'sms_number', 'sms_provider_id',
  'privacy', 'privacy_guarantor_checkouts', 'privacy_guarantor_fines', 'check_previous_checkout',
  'updated_on', 'last_seen', 'login_attempts', 'anonymized',
  'checkouts_count', 'overdues_count', 'account_balance',
] as const;

export type KohaPatronField = (typeof KOHA_PATRON_FIELDS)[number];

const FIELD_SET: ReadonlySet<string> = new Set(KOHA_PATRON_FIELDS);

export function isKohaPatronField(name: string): name is KohaPatronField {
  return FIELD_SET.has(name);
}
