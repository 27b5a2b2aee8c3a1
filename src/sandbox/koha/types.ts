/**
 * Koha REST API object shapes as the sandbox stores and serves them (definitions/*.yaml).
 * Date-time fields are RFC 3339 strings on the way in (any offset); the store keeps instants
 * and renders them in the server zone on the way out.
 */

type Str = string | null;

export interface KohaExtendedAttribute {
  extended_attribute_id: number;
  type: string;
  value: string;
}

/** Every property of definitions/patron.yaml except the embed-only ones. */
export interface KohaPatron {
  patron_id: number;
  cardnumber: Str;
  surname: Str;
  firstname: Str;
  preferred_name: Str;
  middle_name: Str;
  title: Str;
  other_name: Str;
  initials: Str;
  pronouns: Str;
  street_number: Str;
  street_type: Str;
  address: Str;
  address2: Str;
  city: Str;
  state: Str;
  postal_code: Str;
  country: Str;
  email: Str;
  phone: Str;
  mobile: Str;
  fax: Str;
  secondary_email: Str;
  secondary_phone: Str;
  altaddress_street_number: Str;
  altaddress_street_type: Str;
  altaddress_address: Str;
  altaddress_address2: Str;
  altaddress_city: Str;
  altaddress_state: Str;
  altaddress_postal_code: Str;
  altaddress_country: Str;
  altaddress_email: Str;
  altaddress_phone: Str;
  date_of_birth: Str;
  library_id: string;
  category_id: string;
  date_enrolled: Str;
  expiry_date: Str;
  date_renewed: Str;
  incorrect_address: boolean | null;
  patron_card_lost: boolean | null;
  restricted: boolean;
  staff_notes: Str;
  relationship_type: Str;
  gender: Str;
  userid: Str;
  opac_notes: Str;
  altaddress_notes: Str;
  statistics_1: Str;
  statistics_2: Str;
  autorenew_checkouts: boolean;
  altcontact_firstname: Str;
  altcontact_surname: Str;
  altcontact_address: Str;
  altcontact_address2: Str;
  altcontact_city: Str;
  altcontact_state: Str;
  altcontact_postal_code: Str;
  altcontact_country: Str;
  altcontact_phone: Str;
  sms_number: Str;
  sms_provider_id: number | null;
  privacy: number;
  privacy_guarantor_checkouts: number;
  privacy_guarantor_fines: boolean;
  check_previous_checkout: string;
  updated_on: string;
  last_seen: Str;
  lang: string;
  login_attempts: number | null;
  overdrive_auth_token: Str;
  anonymized: boolean;
  protected: boolean;
  /** Stored with the patron; served only with `x-koha-embed: extended_attributes`. */
  extended_attributes?: KohaExtendedAttribute[];
}

/** definitions/library.yaml (the fields a sync uses; all others are optional there). */
export interface KohaLibrary {
  library_id: string;
  name: string;
  address1: Str;
  address2: Str;
  address3: Str;
  postal_code: Str;
  city: Str;
  state: Str;
  country: Str;
  phone: Str;
  fax: Str;
  email: Str;
  url: Str;
  notes: Str;
  pickup_location: boolean;
  public: boolean;
}

/** definitions/patron_category.yaml (subset; the definition requires only the id). */
export interface KohaCategory {
  patron_category_id: string;
  name: Str;
  category_type: string;
  enrolment_period: number | null;
  upper_age_limit: number | null;
  default_privacy: 'default' | 'never' | 'forever';
  can_be_guarantee: boolean;
}

/** Minimal bibliographic record, served embedded in items (`x-koha-embed: biblio`). */
export interface KohaBiblio {
  biblio_id: number;
  title: string;
  subtitle: Str;
  author: Str;
  isbn: Str;
  publication_year: number | null;
}

/** definitions/item.yaml (subset). */
export interface KohaItem {
  item_id: number;
  biblio_id: number;
  external_id: Str;
  home_library_id: Str;
  holding_library_id: Str;
  callnumber: Str;
  item_type_id: Str;
  effective_item_type_id: Str;
  location: Str;
  not_for_loan_status: number;
  damaged_status: number;
  lost_status: number;
  withdrawn: number;
  checked_out_date: Str;
  timestamp: string;
}

/** definitions/checkout.yaml (GET shape: no external_id). `checkin_date` null = current loan. */
export interface KohaCheckout {
  checkout_id: number;
  /** null: the patron was deleted (Koha's FK sets NULL), though the spec declares it non-nullable. */
  patron_id: number | null;
  item_id: number | null;
  booking_id: number | null;
  library_id: Str;
  issuer_id: number | null;
  checkout_date: string;
  due_date: string;
  checkin_date: Str;
  checkin_library_id: Str;
  last_renewed_date: Str;
  renewals_count: number | null;
  unseen_renewals: number | null;
  auto_renew: boolean;
  auto_renew_error: Str;
  timestamp: string;
  onsite_checkout: boolean;
  note: Str;
  note_date: Str;
  note_seen: boolean | null;
}
