/**
 * What a merge moves from the loser to the survivor besides contact fields (CRM_Dedupe_Merger::moveAllBelongings,
 * aggressive mode): emails, phones and addresses without a conflicting one of the same type, group memberships
 * (CRM_Contact_BAO_GroupContact::mergeGroupContact), activity links and tags (UPDATE IGNORE, then DELETE the rest).
 */
import type { CallContext, Row } from './context.js';
import { childrenOf } from './locations.js';
import { sqlEquals } from './where.js';

/** Metadata a location comparison skips (CRM_Dedupe_Merger::ignoredFields('location') + the type itself). */
const LOCATION_METADATA = new Set(['id', 'is_primary', 'is_billing', 'manual_geo_code', 'contact_id', 'reset_date', 'hold_date', 'location_type_id']);

const hasValue = (v: unknown): boolean => v !== null && v !== undefined && v !== '' && v !== false && v !== 0;

/** CRM_Dedupe_Merger::locationIsSame: every filled-in field of `other` equals the one in `main`. */
function sameLocation(main: Row, other: Row): boolean {
  return Object.entries(other).every(([f, v]) => LOCATION_METADATA.has(f) || !hasValue(v) || !hasValue(main[f]) || sqlEquals(main[f], v));
}

function moveLocations(ctx: CallContext, entity: string, loserId: number, survivorId: number): void {
  const table = ctx.store.table(entity);
  const kept = childrenOf(ctx, entity, survivorId);
  const sameType = (a: Row, b: Row): boolean => a['location_type_id'] === b['location_type_id'] && (entity !== 'Phone' || a['phone_type_id'] === b['phone_type_id']);
  for (const row of childrenOf(ctx, entity, loserId)) {
    // the same location type with other data is a conflict: the survivor's is kept, the loser's stays in the trash
    if (kept.some((k) => sameType(k, row) || sameLocation(k, row))) continue;
    const primary = row['is_primary'] === true && !childrenOf(ctx, entity, survivorId).some((k) => k['is_primary'] === true);
    table.update(row['id'] as number, { contact_id: survivorId, is_primary: primary });
  }
  const moved = childrenOf(ctx, entity, survivorId);
  if (moved.length && !moved.some((k) => k['is_primary'] === true)) table.update(moved[0]!['id'] as number, { is_primary: true });
}

/** Groups only the loser was in move over; an "Added" loser row turns the survivor's row to "Added"; the rest is deleted. */
function mergeGroups(ctx: CallContext, loserId: number, survivorId: number): void {
  const table = ctx.store.table('GroupContact');
  const mine = childrenOf(ctx, 'GroupContact', survivorId);
  for (const row of childrenOf(ctx, 'GroupContact', loserId)) {
    const main = mine.find((m) => m['group_id'] === row['group_id']);
    if (!main) table.update(row['id'] as number, { contact_id: survivorId });
    else {
      if (row['status'] === 'Added') table.update(main['id'] as number, { status: 'Added' });
      table.remove(row['id'] as number);
    }
  }
}

/** UPDATE IGNORE … SET contact = survivor, then DELETE what a unique key kept back. */
function repoint(ctx: CallContext, entity: string, field: string, rows: Row[], survivorId: number, clash: (row: Row) => boolean): void {
  const table = ctx.store.table(entity);
  for (const row of rows) {
    if (clash(row)) table.remove(row['id'] as number);
    else table.update(row['id'] as number, { [field]: survivorId });
  }
}

export function moveBelongings(ctx: CallContext, loserId: number, survivorId: number): void {
  for (const entity of ['Email', 'Phone', 'Address']) moveLocations(ctx, entity, loserId, survivorId);
  mergeGroups(ctx, loserId, survivorId);
  const links = childrenOf(ctx, 'ActivityContact', survivorId);
  repoint(ctx, 'ActivityContact', 'contact_id', childrenOf(ctx, 'ActivityContact', loserId), survivorId, (r) =>
    links.some((l) => l['activity_id'] === r['activity_id'] && l['record_type_id'] === r['record_type_id']));
  const tags = ctx.store.table('EntityTag');
  const tagsOf = (id: number): Row[] => tags.lookup('entity_id', id).map((t) => tags.get(t)!).filter((t) => t['entity_table'] === 'civicrm_contact');
  const survivorTags = tagsOf(survivorId).map((t) => t['tag_id']);
  repoint(ctx, 'EntityTag', 'entity_id', tagsOf(loserId), survivorId, (t) => survivorTags.includes(t['tag_id']));
}
