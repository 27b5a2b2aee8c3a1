/**
 * A merge of two contacts as a CRM user does it (CRM_Dedupe_Merger::moveAllBelongings): the survivor takes the
 * loser's values where it has none, the loser's emails, groups, activities and tags, and the earlier created_date;
 * the loser goes to the trash; a "Contact Merged" activity on the survivor and its child "Contact Deleted by
 * Merge" on the loser record it (createMergeActivities), which is what Contact.getMergedTo reads.
 */
import type { CallContext, Row } from './context.js';
import { contactNames, greetings } from './contact-names.js';
import { nowString } from './dates.js';
import { moveBelongings } from './merge-belongings.js';
import { DELETED_BY_MERGE_ACTIVITY, MERGED_ACTIVITY, activityTypeId } from './merged-to.js';
import { writeRecord } from './write.js';

export interface MergeOptions {
  /**
   * Move the loser's external_identifier to the survivor. Default: when the survivor has none. Merger.php
   * puts every loser field the survivor lacks into the merge ("move_external_identifier" is pre-ticked in the
   * form, and an API/batch merge moves it), clearing it on the loser first for the unique index; a survivor
   * that has one keeps its own (a conflict: "aggressive" mode keeps the survivor's value). `false` leaves it
   * on the trashed loser, as when the user unticks it.
   */
  moveExternalIdentifier?: boolean;
  /** Contact fields the user took from the loser although the survivor had a value. */
  takeFromLoser?: string[];
}

export interface MergeResult {
  mergedActivityId: number;
  deletedActivityId: number;
}

/** CRM_Dedupe_Merger::ignoredFields('contact'), plus what a merge never changes. */
const NOT_MERGED = new Set([
  'id', 'api_key', 'created_date', 'display_name', 'hash', 'modified_date', 'primary_contact_id', 'user_unique_id', 'sort_name',
  'email_greeting_display', 'postal_greeting_display', 'addressee_display', 'contact_type', 'contact_sub_type', 'is_deleted',
]);

const isBlank = (v: unknown): boolean => v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0);

function liveContact(ctx: CallContext, id: number): Row {
  const row = ctx.store.table('Contact').get(id);
  if (!row) throw new Error(`no contact ${id}`);
  // CRM-18480, as getMergeContactDetails refuses it
  if (row['is_deleted'] === true) throw new Error(`Cannot merge because one contact (ID ${id}) has been deleted.`);
  return row;
}

/** The survivor's new values: the loser's where the survivor has none (or the user chose the loser's). */
function takenValues(loser: Row, survivor: Row, opts: MergeOptions): Row {
  const out: Row = {};
  for (const [field, value] of Object.entries(loser)) {
    if (NOT_MERGED.has(field) || isBlank(value) || value === false) continue;
    const wanted = isBlank(survivor[field]) || opts.takeFromLoser?.includes(field) === true;
    const move = field === 'external_identifier' ? (opts.moveExternalIdentifier ?? isBlank(survivor[field])) : wanted;
    if (move) out[field] = value;
  }
  const created = [loser['created_date'], survivor['created_date']].filter((d): d is string => typeof d === 'string').sort()[0];
  if (created !== undefined) out['created_date'] = created;
  return out;
}

function mergeActivity(ctx: CallContext, type: string, values: Row): number {
  const def = ctx.defs.get('Activity')!;
  return writeRecord(ctx, def, 'create', { activity_type_id: activityTypeId(ctx, type), status_id: 2, ...values })['id'] as number;
}

export function mergeContacts(ctx: CallContext, loserId: number, survivorId: number, opts: MergeOptions = {}): MergeResult {
  if (loserId === survivorId) throw new Error(`cannot merge contact ${loserId} into itself`);
  const loser = liveContact(ctx, loserId);
  const survivor = liveContact(ctx, survivorId);
  const taken = takenValues(loser, survivor, opts);
  const contacts = ctx.store.table('Contact');
  const now = nowString(ctx.now());
  moveBelongings(ctx, loserId, survivorId);
  // "if ext id is submitted then set it null for contact to be deleted", then the loser goes to the trash
  contacts.update(loserId, { ...('external_identifier' in taken ? { external_identifier: null } : {}), is_deleted: true, modified_date: now });
  const merged = contacts.update(survivorId, { ...taken, modified_date: now });
  contacts.update(survivorId, { ...contactNames(String(merged['contact_type']), merged), ...greetings(merged) });

  const user = ctx.principal.contactId;
  const mergedActivityId = mergeActivity(ctx, MERGED_ACTIVITY, {
    subject: `Contact ID ${loserId} has been merged and deleted.`,
    source_contact_id: user ?? survivorId, target_contact_id: [survivorId],
    // the newest GetMergedTo falls back to this when the loser was deleted from the trash
    source_record_id: loserId,
  });
  const deletedActivityId = mergeActivity(ctx, DELETED_BY_MERGE_ACTIVITY, {
    subject: `Contact ID ${loserId} has been merged into Contact ID ${survivorId} and deleted.`,
    source_contact_id: user ?? loserId, target_contact_id: [loserId], parent_id: mergedActivityId,
  });
  return { mergedActivityId, deletedActivityId };
}
