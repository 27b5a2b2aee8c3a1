/** Pseudoconstants: the option lists behind `:name` / `:label` suffixes and getFields loadOptions. */
import type { FieldSchema } from './schema-types.js';
import type { CallContext, Row } from './context.js';
import { COUNTRIES } from './countries.js';
import { sqlEquals } from './where.js';

export interface OptionItem {
  id: string | number;
  name: string;
  label: string;
  [k: string]: unknown;
}

export const SUFFIXES = new Set(['name', 'label', 'abbr', 'description', 'color', 'icon', 'value']);

const list = (names: string[]): OptionItem[] => names.map((n) => ({ id: n, name: n, label: n }));
const numbered = (pairs: Array<[number, string, string?]>): OptionItem[] =>
  pairs.map(([id, name, label]) => ({ id, name, label: label ?? name }));

export const LOCATION_TYPES = numbered([[1, 'Home'], [2, 'Work'], [3, 'Main'], [4, 'Other'], [5, 'Billing']]);

const CALLBACKS: Record<string, OptionItem[]> = {
  'CRM_Core_SelectValues::pmf': list(['Both', 'HTML', 'Text']),
  'CRM_Core_BAO_CustomField::dataType': list(['String', 'Int', 'Float', 'Money', 'Memo', 'Date', 'Boolean', 'StateProvince', 'Country', 'File', 'Link', 'ContactReference', 'EntityReference']),
  'CRM_Core_SelectValues::customHtmlType': list(['Text', 'TextArea', 'Select', 'Radio', 'CheckBox', 'Select Date', 'File', 'Link', 'RichTextEditor', 'Autocomplete-Select', 'EntityRef']),
  'CRM_Core_SelectValues::groupContactStatus': list(['Added', 'Removed', 'Pending']),
  'CRM_Core_SelectValues::customGroupStyle': list(['Tab', 'Inline', 'Tab with table']),
  'CRM_Core_BAO_CustomGroup::getCustomGroupExtendsOptions': list(['Activity', 'Address', 'Contact', 'Individual', 'Household', 'Organization', 'Group', 'Case', 'Event', 'Participant', 'Contribution', 'Membership', 'Relationship']),
  'CRM_Core_SelectValues::groupVisibility': list(['User and User Admin Only', 'Public Pages']),
  'CRM_Core_PseudoConstant::emailOnHoldOptions': numbered([[0, 'No'], [1, 'On Hold Bounce'], [2, 'On Hold Opt Out']]),
  'CRM_Core_SelectValues::fieldSerialization': numbered([[0, 'None'], [1, 'Separator']]),
  'CRM_Core_BAO_CustomField::getFkEntityOnDeleteOptions': list(['set_null', 'cascade']),
};

function tableOptions(ctx: CallContext, table: string): OptionItem[] {
  const rows = (entity: string, label: string): OptionItem[] =>
    ctx.store.table(entity).all().map((r) => ({ id: r['id'] as number, name: String(r['name'] ?? ''), label: String(r[label] ?? '') }));
  switch (table) {
    case 'civicrm_contact_type': return list(['Household', 'Individual', 'Organization']);
    case 'civicrm_location_type': return LOCATION_TYPES;
    case 'civicrm_country': return COUNTRIES.map((c) => ({ id: c.id, name: c.iso_code, label: c.name, abbr: c.iso_code }));
    case 'civicrm_custom_group': return rows('CustomGroup', 'title');
    case 'civicrm_group': return rows('Group', 'title');
    case 'civicrm_tag': return rows('Tag', 'label');
    case 'civicrm_option_group': return rows('OptionGroup', 'title');
    case 'civicrm_domain': return numbered([[1, 'Default Domain Name']]);
    default: return [];
  }
}

/** Options of one option group, typed like the field that uses them (Integer fields get numeric ids). */
export function optionGroupValues(ctx: CallContext, group: string, numeric: boolean): OptionItem[] {
  const og = ctx.store.table('OptionGroup').lookup('name', group)[0];
  if (og === undefined) return [];
  const ids = ctx.store.table('OptionValue').lookup('option_group_id', og);
  return ids
    .map((id) => ctx.store.table('OptionValue').get(id)!)
    .sort((a, b) => Number(a['weight']) - Number(b['weight']))
    .map((v) => ({
      id: numeric ? Number(v['value']) : String(v['value']),
      name: String(v['name'] ?? ''),
      label: String(v['label'] ?? ''),
      description: v['description'] ?? null,
      icon: v['icon'] ?? null,
      color: v['color'] ?? null,
      value: v['value'],
    }));
}

/** All options of a field; `row` gives context for dependent lists (CustomGroup.extends_entity_column_value). */
export function optionsFor(ctx: CallContext, field: Pick<FieldSchema, 't' | 'opt' | 'n'>, row?: Row): OptionItem[] {
  const src = field.opt;
  if (!src) return [];
  if ('og' in src) return optionGroupValues(ctx, src.og, field.t === 'Integer');
  if ('table' in src) return tableOptions(ctx, src.table);
  if (src.cb === 'CRM_Core_BAO_CustomGroup::getExtendsEntityColumnValueOptions') {
    return row?.['extends'] === 'Activity' ? optionGroupValues(ctx, 'activity_type', false) : [];
  }
  return CALLBACKS[src.cb] ?? [];
}

/** Write side: "Library_Loan" for activity_type_id:name -> its id; unknown names resolve to null. */
export function resolveOption(ctx: CallContext, field: FieldSchema, suffix: string, value: unknown, row?: Row): unknown {
  const opts = optionsFor(ctx, field, row);
  const one = (v: unknown): unknown => {
    if (v === null || v === undefined) return null;
    const hit = opts.find((o) => o[suffix] === v) ?? opts.find((o) => sqlEquals(o[suffix], v));
    return hit ? hit.id : null;
  };
  return Array.isArray(value) ? value.map(one).filter((v) => v !== null) : one(value);
}

/** Read side: stored id -> its name/label/...; arrays map element-wise. */
export function optionLabel(ctx: CallContext, field: FieldSchema, suffix: string, value: unknown, row?: Row): unknown {
  if (value === null || value === undefined) return null;
  const opts = optionsFor(ctx, field, row);
  const one = (v: unknown): unknown => opts.find((o) => sqlEquals(o.id, v))?.[suffix] ?? null;
  return Array.isArray(value) ? value.map(one) : one(value);
}
