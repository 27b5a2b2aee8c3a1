/**
 * Generated from CiviCRM's entity schemas (civicrm-core 6.14, commit e73ee5dcc79f):
 *   CiviCRM schema/Core/CustomGroup.entityType.php, CiviCRM schema/Core/CustomField.entityType.php,
 *   CiviCRM schema/Core/OptionValue.entityType.php, CiviCRM schema/Core/OptionGroup.entityType.php,
 *   CiviCRM schema/Activity/Activity.entityType.php,
 *   CiviCRM schema/Activity/ActivityContact.entityType.php
 * as the contracts folder holds them: civicrm/schema/<Entity>.json for the field metadata, the raw
 * civicrm/raw/schema/**.entityType.php for the contact type of Contact fields (`ctype`).
 * Field metadata of the sandbox CiviCRM; data only.
 * Regenerate with `npm run contracts:refresh` (test/contracts/refresh.mjs); do not edit by hand.
 */
import type { EntitySchema } from './schema-types.js';

export const customGroupSchema: EntitySchema = {
  entity: "CustomGroup", table: "civicrm_custom_group", unique: [["title", "extends"], ["name"]],
  fields: [
    { n: "id", t: "Integer", req: true, ro: true, input: "Number", title: "Custom Group ID" },
    { n: "name", t: "String", max: 64, req: true, input: "Text", title: "Custom Group Name" },
    { n: "title", t: "String", max: 64, req: true, roc: true, input: "Text", title: "Custom Group Title" },
    { n: "extends", t: "String", max: 255, req: true, def: "Contact", input: "Select", opt: { cb: "CRM_Core_BAO_CustomGroup::getCustomGroupExtendsOptions" }, title: "Custom Group Extends" },
    { n: "extends_entity_column_id", t: "Integer", input: "ChainSelect", opt: { cb: "CRM_Core_BAO_CustomGroup::getExtendsEntityColumnIdOptions" }, title: "Custom Group Subtype List" },
    { n: "extends_entity_column_value", t: "String", max: 255, input: "ChainSelect", opt: { cb: "CRM_Core_BAO_CustomGroup::getExtendsEntityColumnValueOptions" }, ser: "SEPARATOR_BOOKEND", title: "Custom Group Subtype" },
    { n: "style", t: "String", max: 15, req: true, def: "Inline", input: "Select", opt: { cb: "CRM_Core_SelectValues::customGroupStyle" }, title: "Custom Group Style" },
    { n: "collapse_display", t: "Boolean", req: true, def: false, input: "CheckBox", title: "Collapse Custom Group?" },
    { n: "help_pre", t: "Text", input: "TextArea", title: "Custom Group Pre Text" },
    { n: "help_post", t: "Text", input: "TextArea", title: "Custom Group Post Text" },
    { n: "weight", t: "Integer", req: true, def: 1, input: "Number", title: "Order" },
    { n: "is_active", t: "Boolean", req: true, def: true, input: "Toggle", title: "Custom Group Is Active?" },
    { n: "table_name", t: "String", max: 255, ro: true, title: "Table Name" },
    { n: "is_multiple", t: "Boolean", req: true, def: false, input: "Toggle", title: "Allow multiple records" },
    { n: "min_multiple", t: "Integer", input: "Number", title: "Minimum Multiple Records" },
    { n: "max_multiple", t: "Integer", input: "Number", title: "Maximum Multiple Records" },
    { n: "collapse_adv_display", t: "Boolean", req: true, def: false, input: "CheckBox", title: "Collapse Group Display" },
    { n: "created_id", t: "Integer", input: "EntityRef", fk: "Contact", title: "Created By Contact ID" },
    { n: "created_date", t: "Timestamp", ro: true, input: "Date", title: "Custom Group Created Date" },
    { n: "is_reserved", t: "Boolean", req: true, def: false, input: "Toggle", title: "Reserved Group?" },
    { n: "is_public", t: "Boolean", req: true, def: true, input: "Toggle", title: "Custom Group Is Public?" },
    { n: "icon", t: "String", max: 255, input: "Text", title: "Icon" },
  ],
};

export const customFieldSchema: EntitySchema = {
  entity: "CustomField", table: "civicrm_custom_field", unique: [["label", "custom_group_id"], ["name", "custom_group_id"]],
  fields: [
    { n: "id", t: "Integer", req: true, ro: true, input: "Number", title: "Custom Field ID" },
    { n: "custom_group_id", t: "Integer", req: true, roc: true, input: "Select", opt: { table: "civicrm_custom_group", key: "id", name: "name", label: "title" }, fk: "CustomGroup", title: "Custom Group ID" },
    { n: "name", t: "String", max: 64, req: true, input: "Text", title: "Custom Field Name" },
    { n: "label", t: "String", max: 255, req: true, roc: true, input: "Text", title: "Custom Field Label" },
    { n: "data_type", t: "String", max: 16, req: true, def: "String", input: "Select", opt: { cb: "CRM_Core_BAO_CustomField::dataType" }, title: "Data Type" },
    { n: "html_type", t: "String", max: 32, req: true, roc: true, input: "Select", opt: { cb: "CRM_Core_SelectValues::customHtmlType" }, title: "HTML Type" },
    { n: "default_value", t: "String", max: 255, input: "Text", title: "Custom Field Default" },
    { n: "is_required", t: "Boolean", req: true, def: false, input: "Toggle", title: "Required" },
    { n: "is_searchable", t: "Boolean", req: true, def: false, input: "Toggle", title: "Optimize for Search" },
    { n: "is_search_range", t: "Boolean", req: true, def: false, input: "Toggle", title: "Search by Range" },
    { n: "weight", t: "Integer", req: true, def: 1, input: "Number", title: "Order" },
    { n: "help_pre", t: "Text", input: "TextArea", title: "Custom Field Pre Text" },
    { n: "help_post", t: "Text", input: "TextArea", title: "Custom Field Post Text" },
    { n: "attributes", t: "String", max: 255, input: "Text", title: "Custom Field Attributes" },
    { n: "is_active", t: "Boolean", def: true, input: "Toggle", title: "Enabled" },
    { n: "is_view", t: "Boolean", req: true, def: false, input: "Toggle", title: "View Only" },
    { n: "file_is_public", t: "Boolean", req: true, def: false, input: "Toggle", title: "File Is Public" },
    { n: "options_per_line", t: "Integer", input: "Number", title: "Field Options Per Line" },
    { n: "text_length", t: "Integer", input: "Number", title: "Database field length" },
    { n: "start_date_years", t: "Integer", input: "Number", title: "Field Start Date" },
    { n: "end_date_years", t: "Integer", input: "Number", title: "Field End Date" },
    { n: "date_format", t: "String", max: 64, input: "Select", opt: { cb: "CRM_Core_SelectValues::getDatePluginInputFormats" }, title: "Field Data Format" },
    { n: "time_format", t: "Integer", input: "Select", opt: { cb: "CRM_Core_SelectValues::getTimeFormats" }, title: "Field Time Format" },
    { n: "note_columns", t: "Integer", input: "Number", title: "Field Note Columns" },
    { n: "note_rows", t: "Integer", input: "Number", title: "Field Note Rows" },
    { n: "column_name", t: "String", max: 255, ro: true, input: "Text", title: "Field Column Name" },
    { n: "option_group_id", t: "Integer", input: "EntityRef", opt: { table: "civicrm_option_group", key: "id", name: "name", label: "title" }, fk: "OptionGroup", title: "Field Option Group ID" },
    { n: "serialize", t: "Integer", req: true, def: 0, input: "Select", opt: { cb: "CRM_Core_SelectValues::fieldSerialization" }, title: "Serialize" },
    { n: "filter", t: "String", max: 255, input: "Text", title: "Field Filter" },
    { n: "in_selector", t: "Boolean", req: true, def: false, input: "CheckBox", title: "Field Display" },
    { n: "fk_entity", t: "String", max: 255, input: "Text", title: "Entity" },
    { n: "fk_entity_on_delete", t: "String", max: 255, req: true, def: "set_null", input: "Select", opt: { cb: "CRM_Core_BAO_CustomField::getFkEntityOnDeleteOptions" }, title: "On Referenced Entity Delete" },
  ],
};

export const optionValueSchema: EntitySchema = {
  entity: "OptionValue", table: "civicrm_option_value", unique: [],
  fields: [
    { n: "id", t: "Integer", req: true, ro: true, input: "Number", title: "Option Value ID" },
    { n: "option_group_id", t: "Integer", req: true, roc: true, input: "Select", opt: { table: "civicrm_option_group", key: "id", name: "name", label: "title" }, fk: "OptionGroup", title: "Option Group ID" },
    { n: "label", t: "String", max: 512, req: true, roc: true, input: "Text", title: "Option Label" },
    { n: "value", t: "String", max: 512, req: true, input: "Text", title: "Option Value" },
    { n: "name", t: "String", max: 255, input: "Text", title: "Option Name" },
    { n: "grouping", t: "String", max: 255, input: "Text", title: "Option Grouping Name" },
    { n: "filter", t: "Integer", def: 0, input: "Number", title: "Filter" },
    { n: "is_default", t: "Boolean", def: false, input: "CheckBox", title: "Option is Default?" },
    { n: "weight", t: "Integer", req: true, input: "Number", title: "Order" },
    { n: "description", t: "Text", input: "TextArea", title: "Option Description" },
    { n: "is_optgroup", t: "Boolean", def: false, input: "CheckBox", title: "Option is Header?" },
    { n: "is_reserved", t: "Boolean", def: false, input: "CheckBox", title: "Option Is Reserved?" },
    { n: "is_active", t: "Boolean", def: true, input: "CheckBox", title: "Option Is Active" },
    { n: "component_id", t: "Integer", input: "Select", opt: { table: "civicrm_component", key: "id", name: "name", label: "name" }, fk: "Component", title: "Component ID" },
    { n: "domain_id", t: "Integer", input: "EntityRef", opt: { table: "civicrm_domain", key: "id", name: "name", label: "name" }, fk: "Domain", title: "Domain ID" },
    { n: "visibility_id", t: "Integer", input: "Select", opt: { og: "visibility" }, title: "Option Visibility" },
    { n: "icon", t: "String", max: 255, input: "Text", title: "Icon" },
    { n: "color", t: "String", max: 255, input: "Text", title: "Color" },
  ],
};

export const optionGroupSchema: EntitySchema = {
  entity: "OptionGroup", table: "civicrm_option_group", unique: [["name"]],
  fields: [
    { n: "id", t: "Integer", req: true, ro: true, input: "Number", title: "Option Group ID" },
    { n: "name", t: "String", max: 64, req: true, roc: true, input: "Text", title: "Option Group Name" },
    { n: "title", t: "String", max: 255, input: "Text", title: "Option Group Title" },
    { n: "description", t: "Text", input: "Text", title: "Option Group Description" },
    { n: "data_type", t: "String", max: 128, input: "Select", opt: { cb: "CRM_Utils_Type::dataTypes" }, title: "Data Type" },
    { n: "is_reserved", t: "Boolean", req: true, def: true, input: "CheckBox", title: "Option Group Is Reserved" },
    { n: "is_active", t: "Boolean", req: true, def: true, input: "CheckBox", title: "Enabled" },
    { n: "is_locked", t: "Boolean", req: true, def: false, input: "CheckBox", title: "Option Group Is Locked" },
    { n: "option_value_fields", t: "String", max: 128, def: "name,label,description", input: "Select", opt: { cb: "CRM_Core_SelectValues::optionValueFields" }, ser: "COMMA", title: "Option Value Fields" },
  ],
};

export const activitySchema: EntitySchema = {
  entity: "Activity", table: "civicrm_activity", unique: [],
  fields: [
    { n: "id", t: "Integer", req: true, ro: true, input: "Number", title: "Activity ID" },
    { n: "source_record_id", t: "Integer", ro: true, title: "Source Record" },
    { n: "activity_type_id", t: "Integer", req: true, roc: true, input: "Select", opt: { og: "activity_type" }, title: "Activity Type ID" },
    { n: "subject", t: "String", max: 255, input: "Text", title: "Subject" },
    { n: "activity_date_time", t: "Timestamp", input: "Date", title: "Activity Date" },
    { n: "duration", t: "Integer", input: "Number", title: "Duration" },
    { n: "location", t: "String", max: 2048, input: "Text", title: "Location" },
    { n: "phone_id", t: "Integer", input: "EntityRef", fk: "Phone", title: "Phone ID (called)" },
    { n: "phone_number", t: "String", max: 64, input: "Text", title: "Phone (called) Number" },
    { n: "details", t: "Text", input: "RichTextEditor", title: "Details" },
    { n: "status_id", t: "Integer", input: "Select", opt: { og: "activity_status" }, title: "Activity Status" },
    { n: "priority_id", t: "Integer", input: "Select", opt: { og: "priority" }, title: "Priority" },
    { n: "parent_id", t: "Integer", ro: true, fk: "Activity", title: "Parent Activity ID" },
    { n: "is_test", t: "Boolean", req: true, def: false, input: "CheckBox", title: "Test" },
    { n: "medium_id", t: "Integer", input: "Select", opt: { og: "encounter_medium" }, title: "Activity Medium" },
    { n: "is_auto", t: "Boolean", req: true, def: false, input: "CheckBox", title: "Auto" },
    { n: "relationship_id", t: "Integer", input: "EntityRef", fk: "Relationship", title: "Relationship ID" },
    { n: "is_current_revision", t: "Boolean", req: true, def: true, input: "CheckBox", title: "Is current (unused)" },
    { n: "original_id", t: "Integer", ro: true, fk: "Activity", title: "Original ID (unused)" },
    { n: "result", t: "String", max: 255, input: "Text", title: "Result" },
    { n: "is_deleted", t: "Boolean", req: true, def: false, input: "CheckBox", title: "Activity is in the Trash" },
    { n: "campaign_id", t: "Integer", input: "EntityRef", opt: { table: "civicrm_campaign", key: "id", name: "name", label: "title" }, fk: "Campaign", title: "Campaign ID" },
    { n: "engagement_level", t: "Integer", input: "Select", opt: { og: "engagement_index" }, title: "Engagement Index" },
    { n: "weight", t: "Integer", input: "Number", title: "Order" },
    { n: "is_star", t: "Boolean", req: true, def: false, input: "CheckBox", title: "Is Starred" },
    { n: "created_date", t: "Timestamp", input: "Date", title: "Created Date" },
    { n: "modified_date", t: "Timestamp", ro: true, input: "Date", title: "Modified Date" },
  ],
};

export const activityContactSchema: EntitySchema = {
  entity: "ActivityContact", table: "civicrm_activity_contact", unique: [["contact_id", "activity_id", "record_type_id"]],
  fields: [
    { n: "id", t: "Integer", req: true, ro: true, input: "Number", title: "Activity Contact ID" },
    { n: "activity_id", t: "Integer", req: true, roc: true, input: "EntityRef", fk: "Activity", title: "Activity ID" },
    { n: "contact_id", t: "Integer", req: true, roc: true, input: "EntityRef", fk: "Contact", title: "Contact ID" },
    { n: "record_type_id", t: "Integer", input: "Select", opt: { og: "activity_contacts" }, title: "Activity Contact Type" },
  ],
};
