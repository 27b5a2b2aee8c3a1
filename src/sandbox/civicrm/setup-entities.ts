/** Computed columns of the setup and membership entities: CustomGroup/Field, OptionValue, Group, Tag, GroupContact. */
import type { EntityHooks, WriteState } from './entity-def.js';
import type { Row } from './context.js';
import { nowString } from './dates.js';

/** CRM_Utils_String::munge-like machine name from a label. */
const munge = (s: unknown): string => String(s ?? '').trim().replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '').slice(0, 64);

const maxOf = (rows: Row[], f: string): number => rows.reduce((m, r) => Math.max(m, Number(r[f]) || 0), 0);

export const customGroupHooks: EntityHooks = {
  prepare: (s) => {
    if (s.before) return;
    if (!s.values['name']) s.values['name'] = munge(s.values['title']);
    s.values['weight'] = maxOf(s.ctx.store.table('CustomGroup').all(), 'weight') + 1;
    s.values['created_id'] = s.ctx.principal.contactId;
    s.values['created_date'] = nowString(s.ctx.now());
  },
  afterWrite: (s, row) => {
    if (s.before) return;
    const table = `civicrm_value_${String(row['name']).toLowerCase().slice(0, 13)}_${row['id']}`;
    s.ctx.store.table('CustomGroup').update(row['id'] as number, { table_name: table });
  },
};

export const customFieldHooks: EntityHooks = {
  prepare: (s) => {
    if (s.before) return;
    if (!s.values['name']) s.values['name'] = munge(s.values['label']);
    const siblings = s.ctx.store.table('CustomField').all().filter((f) => f['custom_group_id'] === s.values['custom_group_id']);
    s.values['weight'] = maxOf(siblings, 'weight') + 1;
    if (s.values['data_type'] === 'Date' && !s.values['date_format']) s.values['date_format'] = 'mm/dd/yy';
  },
  afterWrite: (s, row) => {
    if (s.before) return;
    s.ctx.store.table('CustomField').update(row['id'] as number, { column_name: `${String(row['name']).toLowerCase()}_${row['id']}` });
  },
  responseTail: (s) => (s.before ? {} : { option_type: null }),
};

export const optionValueHooks: EntityHooks = {
  prepare: (s) => {
    if (s.before) return;
    const t = s.ctx.store.table('OptionValue');
    const siblings = t.lookup('option_group_id', s.values['option_group_id']).map((id) => t.get(id)!);
    if (s.values['value'] === undefined || s.values['value'] === null) s.values['value'] = String(maxOf(siblings, 'value') + 1);
    if (s.values['weight'] === undefined || s.values['weight'] === null) s.values['weight'] = maxOf(siblings, 'weight') + 1;
    if (!s.values['name']) s.values['name'] = munge(s.values['label']);
  },
};

function titleAndName(s: WriteState, titleField: string): void {
  if (s.before) return;
  if (!s.values['name'] && s.values[titleField]) s.values['name'] = munge(s.values[titleField]);
  if (!s.values[titleField] && s.values['name']) s.values[titleField] = s.values['name'];
}

export const groupHooks: EntityHooks = {
  prepare: (s) => {
    titleAndName(s, 'title');
    if (!s.before) {
      s.values['created_id'] = s.ctx.principal.contactId;
      if (!s.values['frontend_title']) s.values['frontend_title'] = s.values['title'];
    }
    s.values['modified_id'] = s.ctx.principal.contactId;
  },
};

export const tagHooks: EntityHooks = {
  prepare: (s) => {
    titleAndName(s, 'label');
    if (!s.before) {
      s.values['created_id'] = s.ctx.principal.contactId;
      s.values['created_date'] = nowString(s.ctx.now());
    }
  },
};

export const groupContactHooks: EntityHooks = {
  responseTail: () => ({ method: null, tracking: null }),
};
