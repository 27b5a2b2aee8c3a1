/** One APIv4 call: entity/action lookup, REST param rules, permissions, the action, chaining and `index`. */
import { ApiError } from './api-error.js';
import { hasPerm } from './context.js';
import type { CallContext, Row } from './context.js';
import { actionCreate, actionDelete, actionGet, actionSave, actionUpdate } from './actions.js';
import type { GetResult } from './query.js';
import { runGetFields } from './fields.js';
import { successEnvelope } from './envelope.js';
import { runGetDuplicates } from './dedupe.js';
import { runGetMergedFrom, runGetMergedTo } from './merged-to.js';

const COMMON = ['version', 'debug', 'chain', 'language', 'checkPermissions'];
const PARAMS: Record<string, string[]> = {
  get: ['select', 'where', 'join', 'groupBy', 'having', 'orderBy', 'limit', 'offset', 'translationMode'],
  create: ['values', 'reload'],
  update: ['values', 'where', 'reload', 'orderBy', 'limit'],
  save: ['records', 'defaults', 'match', 'reload'],
  delete: ['where', 'useTrash', 'orderBy', 'limit'],
  getFields: ['action', 'loadOptions', 'values', 'select', 'where', 'orderBy', 'limit', 'offset', 'includeCustom'],
  getActions: ['select', 'where'],
  checkAccess: ['action', 'values'],
  getDuplicates: ['dedupeRule', 'values'],
  getMergedTo: ['contactId', 'isTest'],
  getMergedFrom: ['contactId', 'isTest'],
};

/** Contact actions no entry of Contact::permissions() names fall to the catch-all "administer CiviCRM" (recorded for getDuplicates). */
const ADMIN_ACTIONS = new Set(['getDuplicates', 'getMergedTo', 'getMergedFrom']);

function requiredPermissions(ctx: CallContext, entity: string, action: string): readonly string[] | null {
  const def = ctx.defs.get(entity)!;
  if (ADMIN_ACTIONS.has(action)) return ['administer CiviCRM'];
  if (action === 'delete') return def.deletePermission;
  if (['create', 'update', 'save'].includes(action)) return def.writePermission;
  return null; // reads: rows are filtered by ACL instead (anonymous sees none)
}

function run(ctx: CallContext, entity: string, action: string, params: Row): GetResult {
  const def = ctx.defs.get(entity)!;
  switch (action) {
    case 'get': return actionGet(ctx, def, params);
    case 'create': return actionCreate(ctx, def, params);
    case 'update': return actionUpdate(ctx, def, params);
    case 'save': return actionSave(ctx, def, params);
    case 'delete': return actionDelete(ctx, def, params);
    case 'getFields': return { values: runGetFields(ctx, def, params) };
    // Whether the API user may run `action` (the permissions the action needs; reads are always allowed and filtered by ACL).
    case 'checkAccess': {
      const perms = requiredPermissions(ctx, entity, String(params['action'] ?? ''));
      return { values: [{ access: !perms || perms.some((p) => hasPerm(ctx.principal, p)) }] };
    }
    case 'getDuplicates': return { values: runGetDuplicates(ctx, def, params) };
    // these answer [null] / [[]] when there is nothing, as the real actions append an empty result
    case 'getMergedTo': return { values: runGetMergedTo(ctx, params) as Row[] };
    case 'getMergedFrom': return { values: runGetMergedFrom(ctx, params) as Row[] };
    default: return { values: [...def.actions].map((name) => ({ name })) };
  }
}

/** "$id" / "$a.b" strings in chained params become values of the parent row. */
function substitute(value: unknown, row: Row): unknown {
  if (typeof value === 'string' && value.startsWith('$')) {
    const path = value.slice(1);
    return path in row ? row[path] : path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Row)[k] : undefined), row);
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, row));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value as Row).map(([k, v]) => [k, substitute(v, row)]));
  return value;
}

/** The `index` form field / 4th call element: an int picks one row, a field name keys the rows. */
function applyIndex(values: Row[], index: unknown): unknown {
  if (index === undefined || index === null || index === '') return values;
  if (typeof index === 'number' || /^\d+$/.test(String(index))) return values[Number(index)] ?? null;
  const key = String(index);
  if (!/^[A-Za-z_][\w.:]*$/.test(key)) throw new ApiError('Cannot use existing field name as alias');
  return Object.fromEntries(values.map((r) => [String(r[key]), r]));
}

export function executeCall(ctx: CallContext, entity: string, action: string, rawParams: unknown, index?: unknown): Record<string, unknown> {
  const def = ctx.defs.get(entity);
  if (!def) throw new ApiError(`API (${entity}, ${action}) does not exist (or the extension it belongs to is not enabled).`);
  if (!def.actions.has(action)) throw new ApiError(`Api ${entity} ${action} version 4 does not exist.`);
  const params: Row = rawParams && typeof rawParams === 'object' && !Array.isArray(rawParams) ? { ...(rawParams as Row) } : {};
  delete params['checkPermissions']; // REST forces permission checks on
  const allowed = new Set([...COMMON, ...(PARAMS[action] ?? [])]);
  for (const k of Object.keys(params)) if (!allowed.has(k)) throw new ApiError(`Unknown api parameter: ${k}`);
  const perms = requiredPermissions(ctx, entity, action);
  if (perms && !perms.some((p) => hasPerm(ctx.principal, p))) {
    throw new ApiError(`Authorization failed: CiviCRM APIv4 (${entity}::${action})`, 403);
  }
  const result = run(ctx, entity, action, params);
  const chain = params['chain'] && typeof params['chain'] === 'object' ? Object.entries(params['chain'] as Row) : [];
  for (const row of result.values) {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) continue;
    for (const [key, call] of chain) {
      if (!Array.isArray(call)) continue;
      const [e, a, p, i] = call as [string, string, unknown, unknown];
      row[key] = executeCall(ctx, e, a, substitute(p ?? {}, row), i)['values'];
    }
  }
  const fetched = result.values.length;
  return successEnvelope({
    entity, action, values: applyIndex(result.values, index),
    count: action === 'get' && result.countMatched !== undefined ? result.countMatched : fetched,
    countFetched: fetched, countMatched: result.countMatched,
  });
}
