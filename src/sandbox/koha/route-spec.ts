/**
 * What each served route accepts, transcribed from paths/*.yaml: query parameters with their
 * declared types and the `x-koha-embed` enum. Koha rejects anything else with a 400, so must we
 * (a test checks this table against the spec files).
 */

export type ParamType = 'string' | 'integer' | 'boolean' | 'array';

export interface RouteSpec {
  /** Route template as in swagger.yaml, used as the stats key. */
  route: string;
  query: Readonly<Record<string, ParamType>>;
  embeds: readonly string[];
}

const LIST: Record<string, ParamType> = {
  _match: 'string', _order_by: 'array', _page: 'integer', _per_page: 'integer', q: 'array',
};

const PATRON_SEARCH_STRINGS = [
  'patron_id', 'cardnumber', 'surname', 'firstname', 'title', 'other_name', 'initials', 'street_number',
  'street_type', 'address', 'address2', 'city', 'state', 'postal_code', 'country', 'email', 'phone',
  'mobile', 'fax', 'secondary_email', 'secondary_phone', 'altaddress_street_number',
  'altaddress_street_type', 'altaddress_address', 'altaddress_address2', 'altaddress_city',
  'altaddress_state', 'altaddress_postal_code', 'altaddress_country', 'altaddress_email',
  'altaddress_phone', 'date_of_birth', 'library_id', 'category_id', 'date_enrolled', 'expiry_date',
  'staff_notes', 'relationship_type', 'gender', 'userid', 'opac_notes', 'altaddress_notes',
  'statistics_1', 'statistics_2', 'altcontact_firstname', 'altcontact_surname', 'altcontact_address',
  'altcontact_address2', 'altcontact_city', 'altcontact_state', 'altcontact_postal_code',
  'altcontact_country', 'altcontact_phone', 'sms_number', 'sms_provider_id', 'privacy',
  'privacy_guarantor_checkouts', 'check_previous_checkout', 'updated_on', 'last_seen', 'lang',
  'login_attempts',
];
const PATRON_SEARCH_BOOLEANS = [
  'incorrect_address', 'patron_card_lost', 'restricted', 'autorenew_checkouts', 'protected',
];

const LIBRARY_SEARCH_STRINGS = [
  'name', 'address1', 'address2', 'address3', 'postal_code', 'city', 'state', 'country', 'phone', 'fax',
  'email', 'reply_to_email', 'return_path_email', 'url', 'ip', 'notes',
];

function typed(names: string[], type: ParamType): Record<string, ParamType> {
  return Object.fromEntries(names.map((n) => [n, type]));
}

export const LIST_PATRONS: RouteSpec = {
  route: 'GET /patrons',
  query: { ...typed(PATRON_SEARCH_STRINGS, 'string'), ...typed(PATRON_SEARCH_BOOLEANS, 'boolean'), ...LIST },
  embeds: ['extended_attributes', 'checkouts+count', 'overdues+count', 'account_balance', 'library'],
};

export const GET_PATRON: RouteSpec = {
  route: 'GET /patrons/{patron_id}',
  query: {},
  embeds: ['+strings', 'extended_attributes'],
};

export const LIST_CHECKOUTS: RouteSpec = {
  route: 'GET /checkouts',
  query: { patron_id: 'integer', checked_in: 'boolean', ...LIST },
  embeds: ['issuer', 'renewals'],
};

export const LIST_PATRON_CHECKOUTS: RouteSpec = {
  route: 'GET /patrons/{patron_id}/checkouts',
  query: { ...LIST },
  embeds: ['booking', 'issuer', 'item', 'item.biblio', 'library', 'patron', 'renewals'],
};

export const LIST_ITEMS: RouteSpec = {
  route: 'GET /items',
  query: { external_id: 'string', ...LIST },
  embeds: ['+strings', 'biblio'],
};

export const LIST_LIBRARIES: RouteSpec = {
  route: 'GET /libraries',
  query: { ...typed(LIBRARY_SEARCH_STRINGS, 'string'), ...LIST },
  embeds: ['cash_registers', 'desks', 'smtp_server'],
};

export const LIST_CATEGORIES: RouteSpec = {
  route: 'GET /patron_categories',
  query: { ...LIST },
  embeds: [],
};

export const ROUTE_SPECS: readonly RouteSpec[] = [
  LIST_PATRONS, GET_PATRON, LIST_CHECKOUTS, LIST_PATRON_CHECKOUTS, LIST_ITEMS, LIST_LIBRARIES, LIST_CATEGORIES,
];
