/** Activity behaviour: source/target/assignee contacts kept as ActivityContact rows, status default, raw dates. */
import type { CallContext, Row } from './context.js';
import type { EntityHooks, ExtraField, WriteState } from './entity-def.js';
import { nowString, rawDateTime } from './dates.js';
import { activitySchema } from './schema-setup.js';

const RECORD = { assignee: 1, source: 2, target: 3 } as const;

function links(ctx: CallContext, activityId: unknown, recordType: number): Row[] {
  const t = ctx.store.table('ActivityContact');
  return t.lookup('activity_id', activityId).map((id) => t.get(id)!).filter((r) => r['record_type_id'] === recordType).sort((a, b) => Number(a['id']) - Number(b['id']));
}

const contactList = (ctx: CallContext, row: Row, type: number): number[] | null => {
  const ids = links(ctx, row['id'], type).map((r) => r['contact_id'] as number);
  return ids.length ? ids : null;
};

/** Activities linked to one of these contacts in any role (a superset for `=` / IN on the three fields). */
const activitiesOf = (ctx: CallContext, contactIds: readonly unknown[]): number[] => {
  const t = ctx.store.table('ActivityContact');
  return [...new Set(t.lookupAll('contact_id', contactIds).map((id) => t.get(id)!['activity_id'] as number))].sort((a, b) => a - b);
};

export const activityExtras: ExtraField[] = [
  { name: 'source_contact_id', dataType: 'Integer', type: 'Extra', fk: 'Contact', read: (ctx, r) => contactList(ctx, r, RECORD.source)?.[0] ?? null, rowsWith: activitiesOf },
  { name: 'target_contact_id', dataType: 'Array', type: 'Extra', read: (ctx, r) => contactList(ctx, r, RECORD.target), rowsWith: activitiesOf },
  { name: 'assignee_contact_id', dataType: 'Array', type: 'Extra', read: (ctx, r) => contactList(ctx, r, RECORD.assignee), rowsWith: activitiesOf },
];

const toIds = (v: unknown): number[] => (Array.isArray(v) ? v : v === null || v === undefined || v === '' ? [] : [v]).map(Number).filter((n) => Number.isInteger(n));

/** Replace the links of one record type: the source row is re-created on every write, targets kept when unchanged (recorded ids). */
function syncLinks(ctx: CallContext, activityId: number, type: number, wanted: number[], recreate: boolean): void {
  const t = ctx.store.table('ActivityContact');
  const current = links(ctx, activityId, type);
  for (const r of current) if (recreate || !wanted.includes(r['contact_id'] as number)) t.remove(r['id'] as number);
  const kept = recreate ? [] : current.map((r) => r['contact_id']);
  for (const cid of wanted) {
    if (kept.includes(cid)) continue;
    t.insert(t.allocateId(), { activity_id: activityId, contact_id: cid, record_type_id: type });
  }
}

function prepare(s: WriteState): void {
  const { ctx, raw, values, before } = s;
  const now = ctx.now();
  if (!before) {
    if (raw['source_contact_id'] === undefined || raw['source_contact_id'] === null) s.missing.push('source_contact_id');
    values['activity_date_time'] = values['activity_date_time'] ?? nowString(now);
    if (values['status_id'] === undefined || values['status_id'] === null) {
      // the BAO picks Completed for a past date, Scheduled otherwise
      values['status_id'] = String(values['activity_date_time']) < nowString(now) ? 2 : 1;
    }
    values['priority_id'] = values['priority_id'] ?? 2;
    values['created_date'] = nowString(now);
  }
  values['modified_date'] = nowString(now);
}

function afterWrite(s: WriteState, row: Row): void {
  const id = row['id'] as number;
  if ('source_contact_id' in s.raw) syncLinks(s.ctx, id, RECORD.source, toIds(s.raw['source_contact_id']), true);
  if ('target_contact_id' in s.raw) syncLinks(s.ctx, id, RECORD.target, toIds(s.raw['target_contact_id']), false);
  if ('assignee_contact_id' in s.raw) syncLinks(s.ctx, id, RECORD.assignee, toIds(s.raw['assignee_contact_id']), false);
}

/** Write responses show the written columns with datetimes in raw DB form ("20260301140500") (recorded). */
function responseBase(s: WriteState, row: Row): Row {
  const out: Row = { id: row['id'] };
  for (const f of activitySchema.fields) {
    if (f.n === 'id' || !(f.n in s.values)) continue;
    const v = f.n === 'created_date' || f.n === 'modified_date' ? null : row[f.n];
    if (v === null && s.before) continue;
    out[f.n] = f.t === 'Timestamp' && typeof v === 'string' ? rawDateTime(v) : v;
  }
  return out;
}

export const activityHooks: EntityHooks = { prepare, afterWrite, responseBase };
