/** Generic APIv4 actions over an EntityDef: get, create, update, save (match), delete, with reload. */
import { ApiError } from './api-error.js';
import type { CallContext, Row } from './context.js';
import type { EntityDef } from './entity-def.js';
import { findCustomField } from './custom.js';
import { resolveOption } from './options.js';
import { findRows, runGet } from './query.js';
import type { GetResult } from './query.js';
import { writeRecord } from './write.js';

const asObject = (v: unknown, name: string): Row => {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) {
    if (Array.isArray(v) && v.length === 0) return {};
    throw new ApiError(`Parameter "${name}" is not of the correct type. Expecting array.`);
  }
  return v as Row;
};

function reload(ctx: CallContext, def: EntityDef, values: Row[], param: unknown): Row[] {
  if (!param || !values.length) return values;
  const ids = values.map((v) => v['id']);
  const select = Array.isArray(param) ? param : ['*'];
  const got = runGet(ctx, def, { select: [...new Set(['id', ...select])], where: [['id', 'IN', ids]] }, { trashAcl: false }).values;
  const byId = new Map(got.map((r) => [r['id'], r]));
  return ids.map((id) => {
    const r = byId.get(id) ?? { id };
    if (Array.isArray(param) && !param.includes('id')) delete r['id'];
    return r;
  });
}

export function actionCreate(ctx: CallContext, def: EntityDef, params: Row): GetResult {
  const values = asObject(params['values'], 'values');
  if (values['id'] !== undefined && values['id'] !== null) throw new ApiError('Cannot pass id to Create action. Use Update action instead.');
  const row = writeRecord(ctx, def, 'create', values);
  return { values: reload(ctx, def, [row], params['reload']) };
}

export function actionUpdate(ctx: CallContext, def: EntityDef, params: Row): GetResult {
  const values = asObject(params['values'], 'values');
  const hasId = values['id'] !== undefined && values['id'] !== null;
  if (!hasId && !Array.isArray(params['where'])) {
    throw new ApiError('Parameter "where" is required unless primary keys are supplied in values.');
  }
  const where = hasId ? [['id', '=', values['id']]] : params['where'];
  // update finds rows by its where alone: the trash ACL of get does not apply (recorded: sync restores a trashed id)
  const rows = findRows(ctx, def, where, { trashAcl: false });
  if (!rows.length && def.name === 'Contact') throw new ApiError(`Expected one ${def.name} but found 0`);
  const out = rows.map((r) => writeRecord(ctx, def, 'update', { ...values, id: r['id'] }, r));
  return { values: reload(ctx, def, out, params['reload']) };
}

/** The value a record gives for a match field, resolving `field:name` forms first; undefined = not present. */
function matchValue(ctx: CallContext, def: EntityDef, record: Row, field: string): unknown {
  if (field in record) return record[field];
  const spec = def.fields.get(field);
  for (const suffix of ['name', 'label']) {
    const key = `${field}:${suffix}`;
    if (key in record && spec) return resolveOption(ctx, spec, suffix, record[key], record);
  }
  if (findCustomField(ctx, def.name, field) && field in record) return record[field];
  return undefined;
}

export function actionSave(ctx: CallContext, def: EntityDef, params: Row): GetResult {
  const records = params['records'];
  if (!Array.isArray(records)) throw new ApiError('Parameter "records" is required.');
  const defaults = asObject(params['defaults'], 'defaults');
  const match = Array.isArray(params['match']) ? params['match'].map(String) : [];
  const table = ctx.store.table(def.name);
  let matched = 0;
  const out: Row[] = [];
  // Record by record, no transaction: a failure at record k leaves records before k written (as CiviCRM does).
  for (const rec of records as Row[]) {
    const record: Row = { ...defaults, ...rec };
    let before: Row | undefined;
    if (record['id'] !== undefined && record['id'] !== null) {
      before = table.get(Number(record['id']));
      if (!before) throw new ApiError(`Expected one ${def.name} but found 0`);
    } else if (match.length) {
      const values = match.map((f) => matchValue(ctx, def, record, f));
      if (values.every((v) => v !== undefined)) {
        const where = match.map((f, i) => (values[i] === null || values[i] === '' ? [f, 'IS EMPTY'] : [f, '=', values[i]]));
        const found = findRows(ctx, def, where, { trashAcl: true });
        // exactly one match updates; none or several create (recorded: two twins -> a third contact)
        if (found.length === 1) {
          before = found[0];
          matched++;
        }
      }
    }
    out.push(writeRecord(ctx, def, 'save', before ? { ...record, id: before['id'] } : record, before));
  }
  return { values: reload(ctx, def, out, params['reload']), countMatched: matched };
}

export function actionDelete(ctx: CallContext, def: EntityDef, params: Row): GetResult {
  if (!Array.isArray(params['where'])) throw new ApiError('Parameter "where" is required.');
  const rows = findRows(ctx, def, params['where'], { trashAcl: true });
  const table = ctx.store.table(def.name);
  return {
    values: rows.map((row) => {
      const id = row['id'] as number;
      if (!def.hooks.remove?.(ctx, row, params)) table.remove(id);
      return { id: def.deleteIdAsString ? String(id) : id };
    }),
  };
}

export function actionGet(ctx: CallContext, def: EntityDef, params: Row): GetResult {
  return runGet(ctx, def, params);
}
