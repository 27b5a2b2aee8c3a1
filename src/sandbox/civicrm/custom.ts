/** Custom fields ("Group.Field"): defined by CustomGroup/CustomField rows, stored on the entity's row under that key. */
import type { CallContext, Row } from './context.js';
import type { CoercibleField } from './leniency.js';
import { coerceValue } from './leniency.js';
import { formatDate, parseLenientDate } from './dates.js';
import { optionGroupValues } from './options.js';

export interface CustomFieldInfo {
  key: string;
  groupName: string;
  group: Row;
  field: Row;
}

const EXTENDS: Record<string, string[]> = {
  Contact: ['Contact', 'Individual', 'Household', 'Organization'],
};

/** Custom fields that apply to an entity (active groups whose `extends` covers it), in group/field weight order. */
export function customFieldsOf(ctx: CallContext, entity: string): CustomFieldInfo[] {
  const covers = EXTENDS[entity] ?? [entity];
  const groups = ctx.store.table('CustomGroup').all()
    .filter((g) => covers.includes(String(g['extends'])) && g['is_active'] !== false && g['is_multiple'] !== true)
    .sort((a, b) => Number(a['weight']) - Number(b['weight']) || Number(a['id']) - Number(b['id']));
  const fields = ctx.store.table('CustomField').all();
  const out: CustomFieldInfo[] = [];
  for (const g of groups) {
    const own = fields
      .filter((f) => f['custom_group_id'] === g['id'] && f['is_active'] !== false)
      .sort((a, b) => Number(a['weight']) - Number(b['weight']) || Number(a['id']) - Number(b['id']));
    for (const f of own) out.push({ key: `${g['name']}.${f['name']}`, groupName: String(g['name']), group: g, field: f });
  }
  return out;
}

export function findCustomField(ctx: CallContext, entity: string, key: string): CustomFieldInfo | undefined {
  return customFieldsOf(ctx, entity).find((c) => c.key === key);
}

/** APIv4 data type of a custom field (Memo -> Text, Int -> Integer, ...). */
export function customDataType(info: CustomFieldInfo): string {
  const t = String(info.field['data_type']);
  return ({ Int: 'Integer', Memo: 'Text', ContactReference: 'Integer', EntityReference: 'Integer', StateProvince: 'Integer', Country: 'Integer' } as Record<string, string>)[t] ?? t;
}

/** Date custom fields with no time part keep only "YYYY-MM-DD" (recorded; of the site-zone wall clock for a value with an offset), anything unparseable -> 1970-01-01. */
export function coerceCustom(info: CustomFieldInfo, value: unknown, now: Date, timeZone = 'UTC'): unknown {
  if (value === null || value === undefined || value === '') return null;
  const t = customDataType(info);
  if (t === 'Date') {
    const p = parseLenientDate(value, now, timeZone);
    return p ? formatDate(p) : '1970-01-01';
  }
  const spec: CoercibleField = { n: info.key, t: t === 'Text' ? 'Text' : t, max: t === 'String' ? 255 : undefined };
  return coerceValue(spec, value, now, timeZone);
}

/** Options of a select-type custom field (its own option group), for `Group.Field:label`. */
export function customOptions(ctx: CallContext, info: CustomFieldInfo) {
  const og = info.field['option_group_id'];
  if (og === null || og === undefined) return [];
  const group = ctx.store.table('OptionGroup').get(Number(og));
  return group ? optionGroupValues(ctx, String(group['name']), customDataType(info) === 'Integer') : [];
}
