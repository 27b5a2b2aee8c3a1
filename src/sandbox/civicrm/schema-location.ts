/**
 * Generated from CiviCRM's entity schemas (civicrm-core 6.14, commit e73ee5dcc79f):
 *   CiviCRM schema/Core/Email.entityType.php, CiviCRM schema/Core/Phone.entityType.php,
 *   CiviCRM schema/Core/Address.entityType.php, CiviCRM schema/Contact/Group.entityType.php,
 *   CiviCRM schema/Contact/GroupContact.entityType.php, CiviCRM schema/Core/Tag.entityType.php,
 *   CiviCRM schema/Core/EntityTag.entityType.php
 * as the contracts folder holds them: civicrm/schema/<Entity>.json for the field metadata, the raw
 * civicrm/raw/schema/**.entityType.php for the contact type of Contact fields (`ctype`).
 * Field metadata of the sandbox CiviCRM; data only.
 * Regenerate with `npm run contracts:refresh` (test/contracts/refresh.mjs); do not edit by hand.
 */
import type { EntitySchema } from './schema-types.js';

export const emailSchema: EntitySchema = {
  entity: "Email", table: "civicrm_email", unique: [],
  fields: [
    { n: "id", t: "Integer", req: true, ro: true, input: "Number", title: "Email ID" },
    { n: "contact_id", t: "Integer", input: "EntityRef", fk: "Contact", title: "Contact ID" },
    { n: "location_type_id", t: "Integer", input: "Select", opt: { table: "civicrm_location_type", key: "id", name: "name", label: "display_name" }, title: "Email Location Type" },
    { n: "email", t: "String", max: 254, roc: true, input: "Email", title: "Email" },
    { n: "is_primary", t: "Boolean", req: true, def: false, input: "Radio", title: "Is Primary" },
    { n: "is_billing", t: "Boolean", req: true, def: false, input: "CheckBox", title: "Is Billing Email?" },
    { n: "on_hold", t: "Integer", req: true, def: 0, input: "Select", opt: { cb: "CRM_Core_PseudoConstant::emailOnHoldOptions" }, title: "On Hold" },
    { n: "is_bulkmail", t: "Boolean", req: true, def: false, input: "CheckBox", title: "Use for Bulk Mail" },
    { n: "hold_date", t: "Timestamp", ro: true, input: "Date", title: "Hold Date" },
    { n: "reset_date", t: "Timestamp", input: "Date", title: "Reset Date" },
    { n: "signature_text", t: "Text", input: "TextArea", title: "Signature Text" },
    { n: "signature_html", t: "Text", input: "TextArea", title: "Signature Html" },
  ],
};

export const phoneSchema: EntitySchema = {
  entity: "Phone", table: "civicrm_phone", unique: [],
  fields: [
    { n: "id", t: "Integer", req: true, ro: true, input: "Number", title: "Phone ID" },
    { n: "contact_id", t: "Integer", input: "EntityRef", fk: "Contact", title: "Contact ID" },
    { n: "location_type_id", t: "Integer", input: "Select", opt: { table: "civicrm_location_type", key: "id", name: "name", label: "display_name" }, title: "Location Type ID" },
    { n: "is_primary", t: "Boolean", req: true, def: false, input: "Radio", title: "Is Primary" },
    { n: "is_billing", t: "Boolean", req: true, def: false, input: "CheckBox", title: "Is Billing Phone" },
    { n: "mobile_provider_id", t: "Integer", input: "Number", title: "Mobile Provider" },
    { n: "phone", t: "String", max: 32, roc: true, input: "Text", title: "Phone" },
    { n: "phone_ext", t: "String", max: 16, input: "Text", title: "Phone Extension" },
    { n: "phone_numeric", t: "String", max: 32, ro: true, title: "Phone Numeric" },
    { n: "phone_type_id", t: "Integer", input: "Select", opt: { og: "phone_type" }, title: "Phone Type ID" },
  ],
};

export const addressSchema: EntitySchema = {
  entity: "Address", table: "civicrm_address", unique: [],
  fields: [
    { n: "id", t: "Integer", req: true, ro: true, input: "Number", title: "Address ID" },
    { n: "contact_id", t: "Integer", input: "EntityRef", fk: "Contact", title: "Contact ID" },
    { n: "location_type_id", t: "Integer", input: "Select", opt: { table: "civicrm_location_type", key: "id", name: "name", label: "display_name" }, title: "Address Location Type" },
    { n: "is_primary", t: "Boolean", req: true, def: false, input: "Radio", title: "Is Primary" },
    { n: "is_billing", t: "Boolean", req: true, def: false, input: "CheckBox", title: "Is Billing Address" },
    { n: "street_address", t: "String", max: 96, input: "Text", title: "Street Address" },
    { n: "street_number", t: "Integer", input: "Text", title: "Street Number" },
    { n: "street_number_suffix", t: "String", max: 8, input: "Text", title: "Street Number Suffix" },
    { n: "street_number_predirectional", t: "String", max: 8, input: "Text", title: "Street Direction Prefix" },
    { n: "street_name", t: "String", max: 64, input: "Text", title: "Street Name" },
    { n: "street_type", t: "String", max: 8, input: "Text", title: "Street Type" },
    { n: "street_number_postdirectional", t: "String", max: 8, input: "Text", title: "Street Direction Suffix" },
    { n: "street_unit", t: "String", max: 16, input: "Text", title: "Street Unit" },
    { n: "supplemental_address_1", t: "String", max: 96, input: "Text", title: "Supplemental Address 1" },
    { n: "supplemental_address_2", t: "String", max: 96, input: "Text", title: "Supplemental Address 2" },
    { n: "supplemental_address_3", t: "String", max: 96, input: "Text", title: "Supplemental Address 3" },
    { n: "city", t: "String", max: 64, input: "Text", title: "City" },
    { n: "county_id", t: "Integer", input: "ChainSelect", opt: { table: "civicrm_county", key: "id", name: "name", label: "name" }, fk: "County", title: "County ID" },
    { n: "state_province_id", t: "Integer", input: "ChainSelect", opt: { table: "civicrm_state_province", key: "id", name: "name", label: "name" }, fk: "StateProvince", title: "State/Province ID" },
    { n: "postal_code_suffix", t: "String", max: 12, input: "Text", title: "Postal Code Suffix" },
    { n: "postal_code", t: "String", max: 64, input: "Text", title: "Postal Code" },
    { n: "usps_adc", t: "String", max: 32, input: "Text", title: "USPS Code" },
    { n: "country_id", t: "Integer", input: "Select", opt: { table: "civicrm_country", key: "id", name: "iso_code", label: "name" }, fk: "Country", title: "Country ID" },
    { n: "geo_code_1", t: "Float", input: "Text", title: "Latitude" },
    { n: "geo_code_2", t: "Float", input: "Text", title: "Longitude" },
    { n: "manual_geo_code", t: "Boolean", req: true, def: false, input: "CheckBox", title: "Is Manually Geocoded" },
    { n: "timezone", t: "String", max: 8, input: "Text", title: "Timezone" },
    { n: "name", t: "String", max: 255, input: "Text", title: "Address Name" },
    { n: "master_id", t: "Integer", input: "EntityRef", fk: "Address", title: "Master Address ID" },
  ],
};

export const groupSchema: EntitySchema = {
  entity: "Group", table: "civicrm_group", unique: [["title"], ["name"]],
  fields: [
    { n: "id", t: "Integer", req: true, ro: true, input: "Number", title: "Group ID" },
    { n: "name", t: "String", max: 64, req: true, input: "Text", title: "Group Name" },
    { n: "title", t: "String", max: 255, req: true, input: "Text", title: "Group Title" },
    { n: "description", t: "Text", input: "TextArea", title: "Group Description" },
    { n: "source", t: "String", max: 64, input: "Text", title: "Group Source" },
    { n: "saved_search_id", t: "Integer", input: "EntityRef", fk: "SavedSearch", title: "Saved Search ID" },
    { n: "is_active", t: "Boolean", req: true, def: true, input: "CheckBox", title: "Group Enabled" },
    { n: "visibility", t: "String", max: 24, def: "User and User Admin Only", input: "Select", opt: { cb: "CRM_Core_SelectValues::groupVisibility" }, title: "Group Visibility Setting" },
    { n: "where_clause", t: "Text", ro: true, title: "Group Where Clause" },
    { n: "select_tables", t: "Text", ro: true, ser: "PHP", title: "Tables For Select Clause" },
    { n: "where_tables", t: "Text", ro: true, ser: "PHP", title: "Tables For Where Clause" },
    { n: "group_type", t: "String", max: 128, input: "Select", opt: { og: "group_type" }, ser: "SEPARATOR_BOOKEND", title: "Group Type" },
    { n: "cache_date", t: "Timestamp", ro: true, title: "Group Cache Date" },
    { n: "cache_fill_took", t: "Float", ro: true, title: "Seconds taken by last cache fill" },
    { n: "refresh_date", t: "Timestamp", ro: true, title: "Next Group Refresh Time" },
    { n: "parents", t: "Text", input: "EntityRef", opt: { table: "civicrm_group", key: "id", name: "name", label: "title" }, ser: "COMMA", title: "Group Parents" },
    { n: "children", t: "Text", ro: true, input: "EntityRef", opt: { table: "civicrm_group", key: "id", name: "name", label: "title" }, ser: "COMMA", title: "Group Children" },
    { n: "is_hidden", t: "Boolean", req: true, def: false, input: "CheckBox", title: "Group is Hidden" },
    { n: "is_reserved", t: "Boolean", req: true, def: false, input: "CheckBox", title: "Group is Reserved" },
    { n: "created_id", t: "Integer", input: "EntityRef", fk: "Contact", title: "Created By Contact ID" },
    { n: "modified_id", t: "Integer", ro: true, fk: "Contact", title: "Modified By Contact ID" },
    { n: "frontend_title", t: "String", max: 255, req: true, input: "Text", title: "Public Group Title" },
    { n: "frontend_description", t: "Text", input: "TextArea", title: "Public Group Description" },
  ],
};

export const groupContactSchema: EntitySchema = {
  entity: "GroupContact", table: "civicrm_group_contact", unique: [["contact_id", "group_id"]],
  fields: [
    { n: "id", t: "Integer", req: true, ro: true, input: "Number", title: "Group Contact ID" },
    { n: "group_id", t: "Integer", req: true, roc: true, input: "Select", opt: { table: "civicrm_group", key: "id", name: "name", label: "title" }, fk: "Group", title: "Group ID" },
    { n: "contact_id", t: "Integer", req: true, roc: true, input: "EntityRef", fk: "Contact", title: "Contact ID" },
    { n: "status", t: "String", max: 8, def: "Added", input: "Select", opt: { cb: "CRM_Core_SelectValues::groupContactStatus" }, title: "Group Contact Status" },
    { n: "location_id", t: "Integer", input: "EntityRef", fk: "LocBlock", title: "Location ID" },
    { n: "email_id", t: "Integer", input: "EntityRef", fk: "Email", title: "Email ID" },
  ],
};

export const tagSchema: EntitySchema = {
  entity: "Tag", table: "civicrm_tag", unique: [["name"]],
  fields: [
    { n: "id", t: "Integer", req: true, ro: true, input: "Number", title: "Tag ID" },
    { n: "name", t: "String", max: 64, req: true, input: "Text", title: "Tag Name" },
    { n: "label", t: "String", max: 64, req: true, input: "Text", title: "Tag Label" },
    { n: "description", t: "String", max: 255, input: "Text", title: "Description" },
    { n: "parent_id", t: "Integer", input: "EntityRef", opt: { table: "civicrm_tag", key: "id", name: "name", label: "label" }, fk: "Tag", title: "Parent Tag ID" },
    { n: "is_selectable", t: "Boolean", req: true, def: true, input: "CheckBox", title: "Display Tag?" },
    { n: "is_reserved", t: "Boolean", req: true, def: false, input: "CheckBox", title: "Reserved" },
    { n: "is_tagset", t: "Boolean", req: true, def: false, input: "CheckBox", title: "Tagset" },
    { n: "used_for", t: "String", max: 64, def: "civicrm_contact", input: "Select", opt: { og: "tag_used_for" }, ser: "COMMA", title: "Used For" },
    { n: "created_id", t: "Integer", input: "EntityRef", fk: "Contact", title: "Created By Contact ID" },
    { n: "color", t: "String", max: 255, input: "Text", title: "Color" },
    { n: "created_date", t: "Timestamp", ro: true, input: "Date", title: "Tag Created Date" },
  ],
};

export const entityTagSchema: EntitySchema = {
  entity: "EntityTag", table: "civicrm_entity_tag", unique: [["entity_id", "entity_table", "tag_id"]],
  fields: [
    { n: "id", t: "Integer", req: true, ro: true, input: "Number", title: "Entity Tag ID" },
    { n: "entity_table", t: "String", max: 64, def: "civicrm_contact", input: "Select", opt: { og: "tag_used_for" }, title: "Entity Table" },
    { n: "entity_id", t: "Integer", req: true, roc: true, input: "EntityRef", title: "Entity ID" },
    { n: "tag_id", t: "Integer", req: true, roc: true, input: "Select", opt: { table: "civicrm_tag", key: "id", name: "name", label: "label" }, fk: "Tag", title: "Tag ID" },
  ],
};
