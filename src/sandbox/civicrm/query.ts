/** The generic `get`: default filters, trash visibility, where, order, paging, select projection. */
import { ApiError } from './api-error.js';
import { hasPerm } from './context.js';
import type { CallContext, Row } from './context.js';
import type { EntityDef } from './entity-def.js';
import { customFieldsOf } from './custom.js';
import { resolvePath } from './paths.js';
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

function candidates(ctx: CallContext, def: EntityDef, where: unknown): Row[] {
  const table = ctx.store.table(def.name);
  const ids = topLevelEquals(where, 'id', true);
  if (ids.length) return ids.map((id) => table.get(Number(id))).filter((r): r is Row => r !== undefined);
  for (const f of def.fields.keys()) {
    if (!table.hasLookup(f)) continue;
    const values = topLevelEquals(where, f, true);
    if (!values.length) continue;
    const found = new Set<number>();
    for (const v of values) for (const id of table.lookup(f, v) ?? []) found.add(id);
    return [...found].sort((a, b) => a - b).map((id) => table.get(id)!);
  }
  return table.all();
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
