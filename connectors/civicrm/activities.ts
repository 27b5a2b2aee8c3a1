/**
 * Conflicts as "Sync conflict" activities on the contact, so CRM users see in CiviCRM what waits for
 * a person (configured: crm.conflict_activities). One activity per conflict, keyed by a subject that
 * carries the conflict id (save + match, so a retried page writes it once); closed when settled.
 * Activities need a source contact: the "Library system" organisation that `crm bootstrap` creates.
 */
import { BridgeError } from '../../src/core/errors.js';
import { DEFAULT_SOURCE_CONTACT } from '../../src/mapping/schema.js';
import type { CiviClient } from './client.js';

export const SYNC_CONFLICT_TYPE = 'Sync_Conflict';
/** external_identifier of the organisation activities are recorded as coming from (`crm bootstrap` creates it). */
export const SYSTEM_CONTACT_KEY = DEFAULT_SOURCE_CONTACT;

export interface ConflictNote {
  conflictId: string;
  contactId: number;
  /** The field or group, or the kind of conflict: never a value. */
  about: string;
  reason: string;
}

const subjectOf = (conflictId: string, about: string) => `Sync conflict ${conflictId}: ${about}`;

/** Contact ids by external identifier (the contacts activities come from), each looked up until found, then kept. */
export function createContactByKey(client: CiviClient): (key: string) => Promise<number | null> {
  const cache = new Map<string, number>();
  return async (key) => {
    const known = cache.get(key);
    if (known !== undefined) return known;
    const r = await client.call<{ id: number }>('Contact', 'get', { select: ['id'], where: [['external_identifier', '=', key]], limit: 1 });
    const id = r.values[0]?.id;
    if (id !== undefined) cache.set(key, id);
    return id ?? null;
  };
}

export function assertContactId(id: number | null, key: string): number {
  if (id === null) throw new BridgeError('CONFIG_INVALID', `CiviCRM has no contact with external identifier "${key}" to record activities from; run \`patron-bridge crm bootstrap\``, { context: { system: 'civicrm' } });
  return id;
}

export async function saveConflictActivities(client: CiviClient, systemContactId: number, notes: readonly ConflictNote[]): Promise<void> {
  if (notes.length === 0) return;
  await client.call('Activity', 'save', {
    records: notes.map((n) => ({
      'activity_type_id:name': SYNC_CONFLICT_TYPE,
      subject: subjectOf(n.conflictId, n.about),
      details: `${n.reason}. Answer it with: patron-bridge conflicts resolve ${n.conflictId} (see patron-bridge conflicts show ${n.conflictId}).`,
      'status_id:name': 'Scheduled',
      source_contact_id: systemContactId,
      target_contact_id: [n.contactId],
    })),
    match: ['activity_type_id', 'subject'],
  });
}

/** Marks the activities of settled conflicts Completed (none is created for a conflict that had none). */
export async function completeConflictActivities(client: CiviClient, conflictIds: readonly string[]): Promise<void> {
  for (const id of conflictIds) {
    await client.call('Activity', 'update', {
      where: [['activity_type_id:name', '=', SYNC_CONFLICT_TYPE], ['subject', 'LIKE', `Sync conflict ${id}:%`]],
      values: { 'status_id:name': 'Completed' },
    });
  }
}
