/**
 * Column lengths (varchar(N)) of writable string fields, copied from the CiviCRM schema
 * (shared/contracts/civicrm/schema/{Contact,Email,Phone,Address}.json, civicrm-core 6.14 `*.entityType.php`).
 * Used when getFields gives no `input_attrs.maxlength`: CiviCRM silently truncates too-long values.
 */

export type LimitEntity = 'Contact' | 'Email' | 'Phone' | 'Address';

export const SCHEMA_MAXLENGTH: Readonly<Record<LimitEntity, Readonly<Record<string, number>>>> = {
  Contact: {
    external_identifier: 64,
    contact_type: 64,
    organization_name: 128,
    contact_sub_type: 255,
    first_name: 64,
    middle_name: 64,
    last_name: 64,
    legal_identifier: 32,
    nick_name: 128,
    legal_name: 128,
    preferred_communication_method: 255,
    preferred_language: 5,
    source: 255,
    formal_title: 64,
    email_greeting_custom: 128,
    postal_greeting_custom: 128,
    addressee_custom: 128,
    job_title: 255,
    household_name: 128,
    sic_code: 8,
    user_unique_id: 255,
    preferred_mail_format: 8,
  },
  Email: { email: 254 },
  Phone: { phone: 32, phone_ext: 16 },
  Address: {
    street_address: 96,
    street_number_suffix: 8,
    street_number_predirectional: 8,
    street_name: 64,
    street_type: 8,
    street_number_postdirectional: 8,
    street_unit: 16,
    supplemental_address_1: 96,
    supplemental_address_2: 96,
    supplemental_address_3: 96,
    city: 64,
    postal_code_suffix: 12,
    postal_code: 64,
    usps_adc: 32,
    timezone: 8,
    name: 255,
  },
};

/** CustomField.text_length default for String custom fields (CRM_Core_BAO_CustomField: varchar(255)). */
export const CUSTOM_STRING_DEFAULT_MAXLENGTH = 255;
