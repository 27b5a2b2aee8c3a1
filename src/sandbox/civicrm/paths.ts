/** Resolve a field path as used in select/where/orderBy: "first_name", "status_id:name", "email_primary.email", "Group.Field". */
import { invalidField } from './api-error.js';
import type { CallContext, Row } from './context.js';
import type { EntityDef } from './entity-def.js';
import type { FieldSchema } from './schema-types.js';
import { customOptions, findCustomField } from './custom.js';
import { SUFFIXES, optionLabel } from './options.js';
import { sqlEquals } from './where.js';

export type RowAccessor = (row: Row) => unknown;

export interface ResolvedPath {
  get: RowAccessor;
  /** the core field the path starts with, if any (for contact-type visibility and serialize quirks) */
  base?: FieldSchema;
  suffix?: string;
}

export function splitSuffix(path: string): [string, string | undefined] {
  const i = path.lastIndexOf(':');
  if (i > 0 && SUFFIXES.has(path.slice(i + 1))) return [path.slice(0, i), path.slice(i + 1)];
  return [path, undefined];
}

export function resolvePath(ctx: CallContext, def: EntityDef, path: string): ResolvedPath {
  const [base, suffix] = splitSuffix(path);
  const parts = base.split('.');
  if (parts.length === 2) {
    const custom = findCustomField(ctx, def.name, base);
    if (custom) {
      if (!suffix) return { get: (r) => r[custom.key] ?? null };
      const opts = customOptions(ctx, custom);
      return { get: (r) => opts.find((o) => sqlEquals(o.id, r[custom.key]))?.[suffix] ?? null, suffix };
    }
  }
  const head = parts[0]!;
  const field = def.fields.get(head);
  const extra = def.extras.get(head);
  if (!field && !extra) throw invalidField(path);
  const own: RowAccessor = field ? (r) => r[head] ?? null : (r) => extra!.read(ctx, r);
  if (parts.length === 1) {
    if (!suffix) return { get: own, base: field };
    const spec: FieldSchema | undefined = field ?? (extra?.options ? { n: head, t: extra.dataType, opt: extra.options, title: head } : undefined);
    if (!spec?.opt) throw invalidField(path);
    return { get: (r) => optionLabel(ctx, spec, suffix, own(r), r), base: field, suffix };
  }
  const target = field?.fk ?? extra?.fk;
  const targetDef = target ? ctx.defs.get(target) : undefined;
  if (!targetDef) throw invalidField(path);
  const rest = resolvePath(ctx, targetDef, parts.slice(1).join('.') + (suffix ? `:${suffix}` : ''));
  const table = ctx.store.table(targetDef.name);
  return {
    get: (r) => {
      const id = own(r);
      if (id === null || id === undefined) return null;
      const joined = table.get(Number(id));
      return joined ? rest.get(joined) : null;
    },
    base: field,
  };
}
