/**
 * Contact.getMergedTo / getMergedFrom, read back from the activities a merge leaves (as
 * Civi/Api4/Action/Contact/GetMergedTo.php and GetMergedFrom.php do): the loser is the target of a
 * "Contact Deleted by Merge" activity whose parent, a "Contact Merged" activity, targets the survivor.
 * A later merge of the survivor moves that parent activity on, so one lookup follows a chain of merges.
 */
import { ApiError } from './api-error.js';
import type { CallContext, Row } from './context.js';
import { optionGroupValues } from './options.js';
import { asInt } from './query.js';
import { toBoolean } from './leniency.js';

const TARGETS = 3;

export const MERGED_ACTIVITY = 'Contact Merged';
export const DELETED_BY_MERGE_ACTIVITY = 'Contact Deleted by Merge';

interface Lookup {
  contactId: number;
  isTest: boolean;
}

function lookupParams(params: Row): Lookup {
  if (params['contactId'] === undefined || params['contactId'] === null) throw new ApiError('Parameter "contactId" is required.');
  return { contactId: asInt('contactId', params['contactId']), isTest: toBoolean(params['isTest'] ?? false) };
}

export function activityTypeId(ctx: CallContext, name: string): number | undefined {
  return optionGroupValues(ctx, 'activity_type', true).find((o) => o.name === name)?.id as number | undefined;
}

/** Live (not trashed) activities of a type, with the test flag asked for, newest first. */
function activities(ctx: CallContext, type: string, isTest: boolean, keep: (a: Row) => boolean): Row[] {
  const typeId = activityTypeId(ctx, type);
  return ctx.store.table('Activity').all()
    .filter((a) => a['activity_type_id'] === typeId && a['is_deleted'] !== true && (a['is_test'] === true) === isTest && keep(a))
    .sort((a, b) => String(b['activity_date_time']).localeCompare(String(a['activity_date_time'])) || Number(b['id']) - Number(a['id']));
}

/** Target contact ids of an activity, oldest link first. */
function targetsOf(ctx: CallContext, activityId: unknown): number[] {
  const t = ctx.store.table('ActivityContact');
  return t.lookup('activity_id', activityId).sort((a, b) => a - b).map((id) => t.get(id)!)
    .filter((r) => r['record_type_id'] === TARGETS).map((r) => r['contact_id'] as number);
}

const targets = (ctx: CallContext, contactId: number) => (a: Row): boolean => targetsOf(ctx, a['id']).includes(contactId);

/** [{id: survivor}], or [null] when the contact was never merged away (the action appends the empty id). */
export function runGetMergedTo(ctx: CallContext, params: Row): unknown[] {
  const { contactId, isTest } = lookupParams(params);
  const deletion = activities(ctx, DELETED_BY_MERGE_ACTIVITY, isTest, targets(ctx, contactId))[0];
  let survivor: number | undefined = deletion ? targetsOf(ctx, deletion['parent_id'])[0] : undefined;
  // without the deletion activity (its loser was deleted from the trash) the merge activity names the loser as source record
  survivor ??= targetsOf(ctx, activities(ctx, MERGED_ACTIVITY, isTest, (a) => a['source_record_id'] === contactId)[0]?.['id'])[0];
  return [survivor === undefined ? null : { id: survivor }];
}

/** [{id: loser}, …] for every contact merged into this one, or [[]] when none was. */
export function runGetMergedFrom(ctx: CallContext, params: Row): unknown[] {
  const { contactId, isTest } = lookupParams(params);
  const merges = new Set(activities(ctx, MERGED_ACTIVITY, isTest, targets(ctx, contactId)).map((a) => a['id']));
  if (!merges.size) return [[]];
  const deletions = ctx.store.table('Activity').all().filter((a) => merges.has(a['parent_id']));
  return deletions.flatMap((a) => targetsOf(ctx, a['id'])).map((id) => ({ id }));
}
