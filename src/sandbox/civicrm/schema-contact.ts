/**
 * Generated from CiviCRM's entity schemas (civicrm-core 6.14, commit e73ee5dcc79f):
 *   CiviCRM schema/Contact/Contact.entityType.php
 * as the contracts folder holds them: civicrm/schema/<Entity>.json for the field metadata, the raw
 * civicrm/raw/schema/**.entityType.php for the contact type of Contact fields (`ctype`).
 * Field metadata of the sandbox CiviCRM; data only.
 * Regenerate with `npm run contracts:refresh` (test/contracts/refresh.mjs); do not edit by hand.
 */
import type { EntitySchema } from './schema-types.js';

export const contactSchema: EntitySchema = {
  entity: "Contact", table: "civicrm_contact", unique: [["external_identifier"]],
  fields: [
    { n: "id", t: "Integer", req: true, ro: true, input: "Number", title: "Contact ID" },
    { n: "contact_type", t: "String", max: 64, ro: true, input: "Select", opt: { table: "civicrm_contact_type", key: "name", name: "name", label: "label" }, title: "Contact Type" },
    { n: "external_identifier", t: "String", max: 64, input: "Text", title: "External Identifier" },
    { n: "display_name", t: "String", max: 128, ro: true, input: "Text", title: "Display Name" },
    { n: "organization_name", t: "String", max: 128, input: "Text", ctype: "Organization", title: "Organization Name" },
    { n: "contact_sub_type", t: "String", max: 255, input: "Select", opt: { table: "civicrm_contact_type", key: "name", name: "name", label: "label" }, ser: "SEPARATOR_BOOKEND", title: "Contact Subtype" },
    { n: "first_name", t: "String", max: 64, input: "Text", ctype: "Individual", title: "First Name" },
    { n: "middle_name", t: "String", max: 64, input: "Text", ctype: "Individual", title: "Middle Name" },
    { n: "last_name", t: "String", max: 64, input: "Text", ctype: "Individual", title: "Last Name" },
    { n: "do_not_email", t: "Boolean", req: true, def: false, input: "CheckBox", title: "Do Not Email" },
    { n: "do_not_phone", t: "Boolean", req: true, def: false, input: "CheckBox", title: "Do Not Phone" },
    { n: "do_not_mail", t: "Boolean", req: true, def: false, input: "CheckBox", title: "Do Not Mail" },
    { n: "do_not_sms", t: "Boolean", req: true, def: false, input: "CheckBox", title: "Do Not Sms" },
    { n: "do_not_trade", t: "Boolean", req: true, def: false, input: "CheckBox", title: "Do Not Trade" },
    { n: "is_opt_out", t: "Boolean", req: true, def: false, input: "CheckBox", title: "No Bulk Emails (User Opt Out)" },
    { n: "legal_identifier", t: "String", max: 32, input: "Text", title: "Legal Identifier" },
    { n: "sort_name", t: "String", max: 128, ro: true, input: "Text", title: "Sort Name" },
    { n: "nick_name", t: "String", max: 128, input: "Text", title: "Nickname" },
    { n: "legal_name", t: "String", max: 128, input: "Text", ctype: "Organization", title: "Legal Name" },
    { n: "image_URL", t: "Text", input: "File", title: "Image Url" },
    { n: "preferred_communication_method", t: "String", max: 255, input: "Select", opt: { og: "preferred_communication_method" }, ser: "SEPARATOR_BOOKEND", title: "Preferred Communication Method" },
    { n: "preferred_language", t: "String", max: 5, input: "Select", opt: { og: "languages" }, title: "Preferred Language" },
    { n: "hash", t: "String", max: 32, ro: true, title: "Contact Hash" },
    { n: "api_key", t: "String", max: 32, ro: true, title: "Api Key" },
    { n: "source", t: "String", max: 255, input: "Text", title: "Contact Source" },
    { n: "prefix_id", t: "Integer", input: "Select", opt: { og: "individual_prefix" }, ctype: "Individual", title: "Individual Prefix" },
    { n: "suffix_id", t: "Integer", input: "Select", opt: { og: "individual_suffix" }, ctype: "Individual", title: "Individual Suffix" },
    { n: "formal_title", t: "String", max: 64, input: "Text", ctype: "Individual", title: "Formal Title" },
    { n: "communication_style_id", t: "Integer", input: "Select", opt: { og: "communication_style" }, title: "Communication Style" },
    { n: "email_greeting_id", t: "Integer", input: "Select", opt: { og: "email_greeting" }, title: "Email Greeting ID" },
    { n: "email_greeting_custom", t: "String", max: 128, input: "Text", title: "Email Greeting Custom" },
    { n: "email_greeting_display", t: "String", max: 255, ro: true, title: "Email Greeting" },
    { n: "postal_greeting_id", t: "Integer", input: "Select", opt: { og: "postal_greeting" }, title: "Postal Greeting ID" },
    { n: "postal_greeting_custom", t: "String", max: 128, input: "Text", title: "Postal Greeting Custom" },
    { n: "postal_greeting_display", t: "String", max: 255, ro: true, title: "Postal Greeting" },
    { n: "addressee_id", t: "Integer", input: "Select", opt: { og: "addressee" }, title: "Addressee ID" },
    { n: "addressee_custom", t: "String", max: 128, input: "Text", title: "Addressee Custom" },
    { n: "addressee_display", t: "String", max: 255, ro: true, title: "Addressee" },
    { n: "job_title", t: "String", max: 255, input: "Text", ctype: "Individual", title: "Job Title" },
    { n: "gender_id", t: "Integer", input: "Select", opt: { og: "gender" }, ctype: "Individual", title: "Gender ID" },
    { n: "birth_date", t: "Date", input: "Date", ctype: "Individual", title: "Birth Date" },
    { n: "is_deceased", t: "Boolean", req: true, def: false, input: "CheckBox", title: "Deceased / Closed" },
    { n: "deceased_date", t: "Date", input: "Date", title: "Deceased / Closed Date" },
    { n: "household_name", t: "String", max: 128, input: "Text", ctype: "Household", title: "Household Name" },
    { n: "primary_contact_id", t: "Integer", ro: true, fk: "Contact", ctype: "Household", title: "Household Primary Contact ID" },
    { n: "sic_code", t: "String", max: 8, input: "Text", ctype: "Organization", title: "Sic Code" },
    { n: "user_unique_id", t: "String", max: 255, input: "Text", title: "Unique ID (OpenID)" },
    { n: "employer_id", t: "Integer", input: "EntityRef", fk: "Contact", ctype: "Individual", title: "Current Employer ID" },
    { n: "is_deleted", t: "Boolean", req: true, def: false, input: "CheckBox", title: "Contact is in Trash" },
    { n: "created_date", t: "Timestamp", ro: true, input: "Date", title: "Created Date" },
    { n: "modified_date", t: "Timestamp", ro: true, input: "Date", title: "Modified Date" },
    { n: "preferred_mail_format", t: "String", max: 8, def: "Both", input: "Select", opt: { cb: "CRM_Core_SelectValues::pmf" }, title: "Preferred Mail Format" },
  ],
};
