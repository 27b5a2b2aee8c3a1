/**
 * One record through the DAO path: suffixes resolved, values coerced leniently, computed fields filled,
 * FK and unique checks (a failed INSERT still burns its id, like InnoDB), then the write response row.
 */
import { ApiError, dbAlreadyExists, dbConstraint } from './api-error.js';
import type { CallContext, Row } from './context.js';
import type { EntityDef, WriteState } from './entity-def.js';
import { coerceCustom, findCustomField } from './custom.js';
import { coerceValue } from './leniency.js';
import { resolveOption } from './options.js';
import { splitSuffix } from './paths.js';

export interface PreparedWrite {
  core: Row;
  custom: Row;
  rest: Row;
}

/** Split a record into core columns (suffixes resolved), custom fields and everything else. */
export function classify(ctx: CallContext, def: EntityDef, raw: Row, before?: Row): PreparedWrite {
  const out: PreparedWrite = { core: {}, custom: {}, rest: {} };
  const context = { ...before, ...raw };
  for (const [key, value] of Object.entries(raw)) {
    if (key === 'id') continue;
    const [base, suffix] = splitSuffix(key);
    const field = def.fields.get(base);
    if (field && !base.includes('.')) {
      if (def.computed.has(base)) continue;
      out.core[base] = suffix ? resolveOption(ctx, field, suffix, value, context) : value;
      continue;
    }
    const custom = base.includes('.') ? findCustomField(ctx, def.name, base) : undefined;
    if (custom) out.custom[custom.key] = value;
    else out.rest[key] = value;
  }
  return out;
}

const sqlLiteral = (v: unknown): string =>
  v === null || v === undefined ? ' NULL' : typeof v === 'number' ? ` ${v}` : typeof v === 'boolean' ? ` ${v ? 1 : 0}` : `'${String(v)}'`;

function duplicateDebug(def: EntityDef, values: Row, fields: string[], value: string): Record<string, unknown> {
  const cols = Object.keys(values).filter((k) => values[k] !== undefined);
  const info = `INSERT INTO \`${def.schema.table}\` (${cols.map((c) => `\`${c}\``).join(' , ')} ) VALUES (${cols.map((c) => sqlLiteral(values[c])).join(' , ')} )  [nativecode=1062 ** Duplicate entry '${value}' for key 'UI_${fields.join('_')}']`;
  return { info, db_error: 'already exists', sql: [info] };
}

function checkForeignKeys(ctx: CallContext, def: EntityDef, values: Row): void {
  for (const [name, v] of Object.entries(values)) {
    const fk = def.fields.get(name)?.fk;
    if (!fk || v === null || v === undefined || !ctx.store.has(fk)) continue;
    if (!ctx.store.table(fk).get(Number(v))) throw dbConstraint();
  }
}

/** Create (no `before`) or update one record; returns the write response row. */
export function writeRecord(ctx: CallContext, def: EntityDef, action: string, raw: Row, before?: Row): Row {
  const now = ctx.now();
  const tz = ctx.timezone ?? 'UTC';
  const table = ctx.store.table(def.name);
  const { core, custom, rest } = classify(ctx, def, raw, before);
  const values: Row = {};
  try {
    for (const [name, v] of Object.entries(core)) values[name] = coerceValue(def.fields.get(name)!, v, now, tz);
  } catch (err) {
    // a value MySQL rejects (e.g. "abc" into an FK column) fails at INSERT time, after the id was taken
    if (!before && err instanceof ApiError) table.allocateId();
    throw err;
  }
  const state: WriteState = { ctx, action, raw, values, before: before ? { ...before } : undefined, handled: {}, missing: [] };
  if (!before) {
    for (const f of def.schema.fields) if (f.def !== undefined && values[f.n] === undefined) values[f.n] = coerceValue(f, f.def, now, tz);
  }
  def.hooks.prepare?.(state);
  if (!before) {
    const missing = def.schema.fields.filter((f) => f.roc && (values[f.n] === null || values[f.n] === undefined)).map((f) => f.n);
    missing.push(...state.missing);
    if (missing.length) throw new ApiError(`Mandatory values missing from Api4 ${def.name}::${action}: ${missing.join(', ')}`);
  }
  const id = before ? (before['id'] as number) : table.allocateId();
  checkForeignKeys(ctx, def, values);
  const conflict = table.uniqueConflict({ ...before, ...values }, id);
  if (conflict) throw dbAlreadyExists(duplicateDebug(def, values, conflict.fields, conflict.value));
  const row = before ? table.update(id, values) : table.insert(id, values);
  const customValues = Object.fromEntries(Object.entries(custom).map(([key, v]) => [key, coerceCustom(findCustomField(ctx, def.name, key)!, v, now, tz)]));
  if (Object.keys(customValues).length) table.update(id, customValues);
  def.hooks.afterWrite?.(state, row);

  const response: Row = def.hooks.responseBase ? def.hooks.responseBase(state, row) : { id };
  if (!def.hooks.responseBase) {
    const shown = before && !def.fullUpdateResponse ? values : row;
    for (const f of def.schema.fields) if (f.n in shown && shown[f.n] !== null && shown[f.n] !== undefined) response[f.n] = row[f.n];
  }
  for (const key of Object.keys(custom)) response[key] = null; // write responses never carry custom values (recorded)
  for (const key of Object.keys(rest)) if (!(key in state.handled)) response[key] = null;
  Object.assign(response, state.handled);
  Object.assign(response, { custom: null, check_permissions: null }, def.hooks.responseTail?.(state));
  return response;
}
