/** The generic `get`: default filters, trash visibility, where, order, paging, select projection. */
import { ApiError } from './api-error.js';
import { hasPerm } from './context.js';
import type { CallContext, Row } from './context.js';
import type { EntityDef } from './entity-def.js';
import { customFieldsOf, findCustomField } from './custom.js';
import { resolvePath, splitSuffix } from './paths.js';
import type { ResolvedPath } from './paths.js';
import { compileWhere, sqlCompare, topLevelEquals, whereMentions } from './where.js';

export interface GetParams {
  select?: unknown;
  where?: unknown;
  orderBy?: unknown;
  limit?: unknown;
  offset?: unknown;
}

export interface FindOptions {
  /** hide trashed contacts (and their emails, phones, ...) from users without "access deleted contacts" (get and match do; update does not) */
  trashAcl: boolean;
}

/** Ids of rows that may have `path` equal to one of `values`: a superset the where then narrows; null when no index serves the path. */
function indexed(ctx: CallContext, def: EntityDef, path: string, values: readonly unknown[]): { size: number; ids: () => number[] } | null {
  const [base, suffix] = splitSuffix(path);
  if (suffix) return null;
  const table = ctx.store.table(def.name);
  const exact = (ids: number[]) => ({ size: ids.length, ids: () => ids });
  const byField = (field: string, vs: readonly unknown[]) =>
    field === 'id'
      ? exact([...new Set(vs.map(Number))].filter((id) => table.get(id) !== undefined).sort((a, b) => a - b))
      : { size: table.count(field, vs), ids: () => table.lookupAll(field, vs) };
  const parts = base.split('.');
  if (parts.length === 2) {
    const custom = findCustomField(ctx, def.name, base);
    if (custom) return byField(custom.key, values);
  }
  const head = parts[0]!;
  const field = def.fields.get(head);
  const extra = def.extras.get(head);
  if (parts.length === 1) return field ? byField(head, values) : extra?.rowsWith ? exact(extra.rowsWith(ctx, values)) : null;
  const targetDef = ctx.defs.get(field?.fk ?? extra?.fk ?? '');
  const targets = targetDef ? indexed(ctx, targetDef, parts.slice(1).join('.'), values) : null;
  if (!targets) return null;
  return field ? byField(head, targets.ids()) : extra?.rowsWith ? exact(extra.rowsWith(ctx, targets.ids())) : null;
}

/**
 * The rows a where can match: by id, else through the most selective index a top-level `=` / IN
 * clause can use (folded keys, as the collation compares), else the whole table.
 */
function candidates(ctx: CallContext, def: EntityDef, where: unknown): Row[] {
  const table = ctx.store.table(def.name);
  const ids = topLevelEquals(where, 'id', true);
  if (ids.length) return ids.map((id) => table.get(Number(id))).filter((r): r is Row => r !== undefined);
  let best: { size: number; ids: () => number[] } | null = null;
  for (const c of Array.isArray(where) ? where : []) {
    if (!Array.isArray(c) || typeof c[0] !== 'string' || typeof c[1] !== 'string') continue;
    const op = c[1].toUpperCase();
    if (op !== '=' && op !== 'IN') continue;
    // "=" with a list compares the list's text, or its items for a multi-valued field: both are looked up
    const values: unknown[] = Array.isArray(c[2]) ? (op === 'IN' ? c[2] : [c[2], ...c[2]]) : [c[2]];
    const hit = indexed(ctx, def, c[0], values);
    if (hit && (!best || hit.size < best.size)) best = hit;
  }
  return best ? best.ids().map((id) => table.get(id)!) : table.all();
}

/** "Fetching by a unique key" switches the default filters off (id, or all fields of a unique index). */
function byUniqueKey(def: EntityDef, where: unknown): boolean {
  if (topLevelEquals(where, 'id').length) return true;
  return def.schema.unique.some((fields) => fields.every((f) => topLevelEquals(where, f).length > 0));
}

/** Stored rows matching `where` after default filters and visibility rules. */
export function findRows(ctx: CallContext, def: EntityDef, where: unknown, opts: FindOptions): Row[] {
  const pred = compileWhere<Row>(where, (f) => resolvePath(ctx, def, f).get);
  if (ctx.principal.contactId === null) return []; // anonymous: every row is hidden by ACLs
  const filters = byUniqueKey(def, where) ? [] : def.defaultFilters.filter(([f]) => !whereMentions(where, f));
  const aclField = opts.trashAcl && !hasPerm(ctx.principal, 'access deleted contacts') ? def.trashAclField : undefined;
  const contacts = ctx.store.table('Contact');
  const trashed = (r: Row): boolean => aclField !== undefined && contacts.get(Number(r[aclField]))?.['is_deleted'] === true;
  // The where first: it rules out most rows of a scan, and the trash check looks up each row's contact.
  return candidates(ctx, def, where).filter((r) => filters.every(([f, v]) => r[f] === v) && pred(r) && !trashed(r));
}

/** An int parameter as APIv4 takes it (digits in a string are fine); absent = 0. */
export const asInt = (name: string, v: unknown): number => {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  throw new ApiError(`Parameter "${name}" is not of the correct type. Expecting int.`);
};

function order(ctx: CallContext, def: EntityDef, rows: Row[], orderBy: unknown, select: string[]): Row[] {
  const entries = orderBy && typeof orderBy === 'object' && !Array.isArray(orderBy) ? Object.entries(orderBy as Row) : [];
  if (!entries.length) {
    // No ORDER BY at all, like 6.17.2: a narrow select is served from the (is_deleted, sort_name) index.
    return def.naturalOrder && !select.includes('*') ? [...rows].sort(def.naturalOrder) : rows;
  }
  const keys = entries.map(([f, dir]) => ({ get: resolvePath(ctx, def, f).get, desc: String(dir).toUpperCase() === 'DESC' }));
  return [...rows].sort((a, b) => {
    for (const k of keys) {
      const va = k.get(a);
      const vb = k.get(b);
      const c = va === null || va === undefined ? (vb === null || vb === undefined ? 0 : -1) : vb === null || vb === undefined ? 1 : sqlCompare(va, vb) ?? 0;
      if (c !== 0) return k.desc ? -c : c;
    }
    return 0;
  });
}

type Projector = (row: Row, out: Row) => void;

function projector(ctx: CallContext, def: EntityDef, item: string): Projector | null {
  if (item === 'row_count') return null;
  if (item === '*') {
    const fields = def.schema.fields.filter((f) => !def.hidden.has(f.n));
    return (row, out) => {
      for (const f of fields) if (!f.ctype || f.ctype === row['contact_type']) out[f.n] = row[f.n] ?? null;
    };
  }
  if (item.endsWith('.*')) {
    const group = item.slice(0, -2);
    const list = customFieldsOf(ctx, def.name).filter((c) => group === 'custom' || c.groupName === group);
    return (row, out) => {
      for (const c of list) out[c.key] = row[c.key] ?? null;
    };
  }
  let path: ResolvedPath;
  try {
    if (def.extras.get(item.split(/[.:]/)[0]!)?.type === 'Filter') return null;
    path = resolvePath(ctx, def, item);
  } catch {
    return null; // unknown fields in select are silently ignored (recorded)
  }
  const { get, base, suffix } = path;
  return (row, out) => {
    if (base?.ctype && base.ctype !== row['contact_type']) return;
    const v = get(row);
    if (v === null && suffix && base?.ser) return;
    out[item] = v;
  };
}

export interface GetResult {
  values: Row[];
  countMatched?: number;
}

export function runGet(ctx: CallContext, def: EntityDef, params: GetParams, opts: FindOptions = { trashAcl: true }): GetResult {
  const select = Array.isArray(params.select) && params.select.length ? params.select.map(String) : ['*'];
  const limit = asInt('limit', params.limit);
  const offset = asInt('offset', params.offset);
  const matched = order(ctx, def, findRows(ctx, def, params.where, opts), params.orderBy, select);
  const page = limit > 0 ? matched.slice(offset, offset + limit) : matched.slice(offset);
  const wantsRows = select.some((s) => s !== 'row_count');
  const projectors = select.map((s) => projector(ctx, def, s)).filter((p): p is Projector => p !== null);
  const values = wantsRows
    ? page.map((row) => {
        const out: Row = {};
        projectors.forEach((p) => p(row, out));
        return out;
      })
    : [];
  return select.includes('row_count') ? { values, countMatched: matched.length } : { values };
}
