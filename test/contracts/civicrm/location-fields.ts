/**
 * Generated from CiviCRM's entity schemas (civicrm-core 6.14), as the contracts folder holds them:
 *   civicrm/schema/Email.json, civicrm/schema/Phone.json, civicrm/schema/Address.json
 * Per field: name, data_type, input_type, readonly, and whether it has an option source; the columns
 * a CiviCRM 6.17.2 getFields answer carries (the recording only holds Contact.getFields).
 * Regenerate with `npm run contracts:refresh` (test/contracts/refresh.mjs); do not edit by hand.
 */

export interface LocationField {
  name: string;
  data_type: string;
  input_type: string | null;
  readonly: boolean;
  options: boolean;
}

export const LOCATION_FIELDS: Readonly<Record<'Email' | 'Phone' | 'Address', readonly LocationField[]>> = {
  Email: [
    { name: "id", data_type: "Integer", input_type: "Number", readonly: false, options: false },
    { name: "contact_id", data_type: "Integer", input_type: "EntityRef", readonly: false, options: false },
    { name: "location_type_id", data_type: "Integer", input_type: "Select", readonly: false, options: true },
    { name: "email", data_type: "String", input_type: "Email", readonly: false, options: false },
    { name: "is_primary", data_type: "Boolean", input_type: "Radio", readonly: false, options: false },
    { name: "is_billing", data_type: "Boolean", input_type: "CheckBox", readonly: false, options: false },
    { name: "on_hold", data_type: "Integer", input_type: "Select", readonly: false, options: true },
    { name: "is_bulkmail", data_type: "Boolean", input_type: "CheckBox", readonly: false, options: false },
    { name: "hold_date", data_type: "Timestamp", input_type: "Select Date", readonly: true, options: false },
    { name: "reset_date", data_type: "Timestamp", input_type: "Select Date", readonly: false, options: false },
    { name: "signature_text", data_type: "Text", input_type: "TextArea", readonly: false, options: false },
    { name: "signature_html", data_type: "Text", input_type: "TextArea", readonly: false, options: false },
  ],
  Phone: [
    { name: "id", data_type: "Integer", input_type: "Number", readonly: false, options: false },
    { name: "contact_id", data_type: "Integer", input_type: "EntityRef", readonly: false, options: false },
    { name: "location_type_id", data_type: "Integer", input_type: "Select", readonly: false, options: true },
    { name: "is_primary", data_type: "Boolean", input_type: "Radio", readonly: false, options: false },
    { name: "is_billing", data_type: "Boolean", input_type: "CheckBox", readonly: false, options: false },
    { name: "mobile_provider_id", data_type: "Integer", input_type: "Number", readonly: false, options: false },
    { name: "phone", data_type: "String", input_type: "Text", readonly: false, options: false },
    { name: "phone_ext", data_type: "String", input_type: "Text", readonly: false, options: false },
    { name: "phone_numeric", data_type: "String", input_type: null, readonly: true, options: false },
    { name: "phone_type_id", data_type: "Integer", input_type: "Select", readonly: false, options: true },
  ],
  Address: [
    { name: "id", data_type: "Integer", input_type: "Number", readonly: false, options: false },
    { name: "contact_id", data_type: "Integer", input_type: "EntityRef", readonly: false, options: false },
    { name: "location_type_id", data_type: "Integer", input_type: "Select", readonly: false, options: true },
    { name: "is_primary", data_type: "Boolean", input_type: "Radio", readonly: false, options: false },
    { name: "is_billing", data_type: "Boolean", input_type: "CheckBox", readonly: false, options: false },
    { name: "street_address", data_type: "String", input_type: "Text", readonly: false, options: false },
    { name: "street_number", data_type: "Integer", input_type: "Text", readonly: false, options: false },
    { name: "street_number_suffix", data_type: "String", input_type: "Text", readonly: false, options: false },
    { name: "street_number_predirectional", data_type: "String", input_type: "Text", readonly: false, options: false },
    { name: "street_name", data_type: "String", input_type: "Text", readonly: false, options: false },
    { name: "street_type", data_type: "String", input_type: "Text", readonly: false, options: false },
    { name: "street_number_postdirectional", data_type: "String", input_type: "Text", readonly: false, options: false },
    { name: "street_unit", data_type: "String", input_type: "Text", readonly: false, options: false },
    { name: "supplemental_address_1", data_type: "String", input_type: "Text", readonly: false, options: false },
    { name: "supplemental_address_2", data_type: "String", input_type: "Text", readonly: false, options: false },
    { name: "supplemental_address_3", data_type: "String", input_type: "Text", readonly: false, options: false },
    { name: "city", data_type: "String", input_type: "Text", readonly: false, options: false },
    { name: "county_id", data_type: "Integer", input_type: "ChainSelect", readonly: false, options: true },
    { name: "state_province_id", data_type: "Integer", input_type: "ChainSelect", readonly: false, options: true },
    { name: "postal_code_suffix", data_type: "String", input_type: "Text", readonly: false, options: false },
    { name: "postal_code", data_type: "String", input_type: "Text", readonly: false, options: false },
    { name: "usps_adc", data_type: "String", input_type: "Text", readonly: false, options: false },
    { name: "country_id", data_type: "Integer", input_type: "Select", readonly: false, options: true },
    { name: "geo_code_1", data_type: "Float", input_type: "Text", readonly: false, options: false },
    { name: "geo_code_2", data_type: "Float", input_type: "Text", readonly: false, options: false },
    { name: "manual_geo_code", data_type: "Boolean", input_type: "CheckBox", readonly: false, options: false },
    { name: "timezone", data_type: "String", input_type: "Text", readonly: false, options: false },
    { name: "name", data_type: "String", input_type: "Text", readonly: false, options: false },
    { name: "master_id", data_type: "Integer", input_type: "EntityRef", readonly: false, options: false },
  ],
};
