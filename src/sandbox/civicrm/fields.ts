/** getFields: field metadata rows for core, virtual and custom fields, filtered like the recorded 6.17.2 answers. */
import type { CallContext, Row } from './context.js';
import type { EntityDef } from './entity-def.js';
import type { FieldSchema } from './schema-types.js';
import { customDataType, customFieldsOf, customOptions } from './custom.js';
import type { OptionItem } from './options.js';
import { optionsFor } from './options.js';
import { compileWhere } from './where.js';

const WRITE_ACTIONS = new Set(['create', 'update', 'save']);
const SUFFIX_LIST = ['name', 'label', 'description', 'abbr', 'color', 'icon'];

function renderOptions(items: OptionItem[], has: boolean, load: unknown): unknown {
  if (!load) return has;
  if (Array.isArray(load)) return items.map((o) => Object.fromEntries(load.map((k) => [k, o[String(k)] ?? null])));
  return Object.fromEntries(items.map((o) => [String(o.id), o.label]));
}

function coreRow(ctx: CallContext, def: EntityDef, f: FieldSchema, action: string, load: unknown): Row {
  return {
    name: f.n, title: f.title, label: f.title, description: null, type: 'Field',
    default_value: f.def ?? null, required: WRITE_ACTIONS.has(action) ? Boolean(f.roc) : false, nullable: !f.req,
    data_type: f.t, input_type: f.input ?? null, input_attrs: f.max ? { maxlength: f.max } : {},
    options: renderOptions(f.opt ? optionsFor(ctx, f) : [], Boolean(f.opt), load), suffixes: f.opt ? SUFFIX_LIST : null,
    operators: null, fk_entity: f.fk ?? null, serialize: f.ser ? 1 : null, readonly: Boolean(f.ro),
    entity: def.name, table_name: def.schema.table, column_name: f.n, custom_field_id: null, custom_group_id: null,
    max_length: f.max ?? null,
  };
}

export function runGetFields(ctx: CallContext, def: EntityDef, params: Row): Row[] {
  const action = typeof params['action'] === 'string' ? params['action'] : 'get';
  const load = params['loadOptions'];
  const ctxValues = (params['values'] ?? {}) as Row;
  const ctype = ctxValues['contact_type'];
  const rows: Row[] = [];
  for (const f of def.schema.fields) {
    if (def.hidden.has(f.n)) continue;
    if (def.name === 'Contact' && f.ctype && typeof ctype === 'string' && f.ctype !== ctype) continue;
    rows.push(coreRow(ctx, def, f, action, load));
  }
  for (const e of def.extras.values()) {
    if (e.getOnly && action !== 'get') continue;
    const opts = e.options ? optionsFor(ctx, { n: e.name, t: e.dataType, opt: e.options }) : [];
    rows.push({
      name: e.name, title: e.name, label: e.name, description: null, type: WRITE_ACTIONS.has(action) ? 'Extra' : e.type,
      default_value: null, required: false, nullable: true, data_type: e.dataType,
      input_type: e.type === 'Filter' ? 'Select' : e.getOnly ? 'Number' : null, input_attrs: {},
      options: renderOptions(opts, Boolean(e.options), load), suffixes: e.options ? SUFFIX_LIST : null, operators: null,
      fk_entity: e.fk ?? null, serialize: null, readonly: action === 'get' ? e.getOnly === true : false, entity: def.name,
      custom_field_id: null, custom_group_id: null,
    });
  }
  if (params['includeCustom'] !== false) {
    for (const c of customFieldsOf(ctx, def.name)) {
      const html = String(c.field['html_type']);
      const t = customDataType(c);
      rows.push({
        name: c.key, title: `${c.group['title']}: ${c.field['label']}`, label: `${c.group['title']}: ${c.field['label']}`,
        description: null, type: 'Custom', default_value: c.field['default_value'] ?? null, required: false, nullable: true,
        data_type: t, input_type: html === 'Select Date' ? 'Date' : html, input_attrs: t === 'String' ? { maxlength: 255 } : {},
        options: renderOptions(customOptions(ctx, c), c.field['option_group_id'] != null, load), suffixes: null, operators: null,
        fk_entity: null, serialize: c.field['serialize'] ? 1 : null, readonly: false, entity: def.name,
        table_name: c.group['table_name'], column_name: c.field['column_name'], custom_field_id: c.field['id'],
        custom_group_id: c.group['id'], max_length: t === 'String' ? 255 : null,
      });
    }
  }
  const pred = compileWhere<Row>(params['where'], (f) => (r) => r[f]);
  const select = Array.isArray(params['select']) && params['select'].length ? params['select'].map(String) : null;
  return rows.filter(pred).map((r) => (select ? Object.fromEntries(select.filter((k) => k in r).map((k) => [k, r[k]])) : r));
}
