/**
 * Loans as activities: Activity.save in batches with `match` on the loan's key (a custom field), so a
 * retried page writes each loan once; `reload` gives the ids (real write responses carry custom fields
 * and contact ids as null). Deletions by key, so they hold even when the last-synced state is lost.
 */
import type { Logger } from '../../src/core/logger.js';
import type { Value } from '../../src/core/types.js';
import type { CiviClient } from './client.js';
import { inParallel } from '../../src/core/parallel.js';
import { chunked, saveChunk } from './batches.js';

/** One loan to write. */
export interface ActivityOp {
  /** The loan's key, also the value of `keyField`. */
  key: string;
  sourceRecordId: string;
  values: Record<string, Value>;
  targetContactId: number;
}

export type ActivityResult =
  | { key: string; outcome: 'written'; activityId: number }
  | { key: string; outcome: 'rejected'; code: string; reason: string };

type Saved = { id: number } & Record<string, unknown>;

export async function saveActivities(
  client: CiviClient, ops: readonly ActivityOp[], opts: { keyField: string; sourceContactId: number; batchSize: number; width: number; logger: Logger },
): Promise<ActivityResult[]> {
  const results = new Map<string, ActivityResult>();
  const recordOf = (op: ActivityOp) => ({ ...op.values, [opts.keyField]: op.key, source_contact_id: opts.sourceContactId, target_contact_id: [op.targetContactId] });
  const save = async (chunk: readonly ActivityOp[]) => {
    const r = await client.call<Saved>('Activity', 'save', { records: chunk.map(recordOf), match: [opts.keyField], reload: ['id', opts.keyField] });
    const byKey = new Map(r.values.map((v) => [v[opts.keyField], v.id]));
    chunk.forEach((op, i) => {
      const id = byKey.get(op.key) ?? (r.values.length === chunk.length ? r.values[i]?.id : undefined);
      results.set(op.key, id === undefined ? { key: op.key, outcome: 'rejected', code: 'CRM_API', reason: 'Activity.save did not return this loan' } : { key: op.key, outcome: 'written', activityId: id });
    });
  };
  await inParallel(chunked(ops, opts.batchSize).map((chunk) => () => saveChunk(chunk, save, {
    onFallback: (e) => opts.logger.warn('Activity.save failed for a chunk; writing its loans one by one', { code: e.code, records: chunk.length }),
    refused: (op, e) => results.set(op.key, { key: op.key, outcome: 'rejected', code: e.code, reason: e.message }),
  })), opts.width);
  return ops.map((op) => results.get(op.key)!);
}

/** Deletes the activities of these keys (none there is fine). */
export async function deleteActivities(client: CiviClient, keys: readonly string[], opts: { keyField: string; batchSize: number }): Promise<void> {
  for (const chunk of chunked(keys, opts.batchSize)) {
    await client.call('Activity', 'delete', { where: [[opts.keyField, 'IN', chunk]] });
  }
}

/** Activity ids and keys of the activities of one type on these contacts (their loans), for erasing a patron's history. */
export async function activitiesOfContacts(client: CiviClient, contactIds: readonly number[], opts: { keyField: string; activityType: string }): Promise<string[]> {
  if (contactIds.length === 0) return [];
  const r = await client.call<Record<string, unknown>>('Activity', 'get', {
    select: ['id', opts.keyField],
    where: [['activity_type_id:name', '=', opts.activityType], ['target_contact_id', 'IN', contactIds]],
  });
  return r.values.map((v) => v[opts.keyField]).filter((k): k is string => typeof k === 'string');
}

/** Why loans cannot be written (activity type, fields or source contact missing), or null. */
export async function loanSetupProblem(
  client: CiviClient, opts: { activityType: string; fields: readonly string[]; sourceContact: string; contactByKey: (key: string) => Promise<number | null> },
): Promise<string | null> {
  // Three independent reads, side by side (a run's start waits for them).
  const [types, fields, source] = await Promise.all([
    client.call<{ name: string }>('OptionValue', 'get', {
      select: ['name'], where: [['option_group_id:name', '=', 'activity_type'], ['name', '=', opts.activityType], ['is_active', '=', true]],
    }),
    client.call<{ name: string }>('Activity', 'getFields', { action: 'create', select: ['name'], loadOptions: false }),
    opts.contactByKey(opts.sourceContact),
  ]);
  const problems: string[] = [];
  if (types.values.length === 0) problems.push(`no activity type "${opts.activityType}"`);
  const have = new Set(fields.values.map((f) => f.name));
  const missing = opts.fields.map((f) => f.replace(/:name$/, '')).filter((f) => !have.has(f));
  if (missing.length) problems.push(`no Activity field ${missing.map((f) => `"${f}"`).join(', ')}`);
  if (source === null) problems.push(`no contact with external identifier "${opts.sourceContact}" to record loans from`);
  return problems.length ? problems.join('; ') : null;
}
