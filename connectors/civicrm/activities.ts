/**
 * Conflicts as "Sync conflict" activities on the contact, so CRM users see in CiviCRM what waits for
 * a person (configured: crm.conflict_activities). One activity per conflict, keyed by a subject that
 * carries the conflict id (save + match, so a retried page writes it once); closed when settled.
 * Activities need a source contact: the "Library system" organisation that `crm bootstrap` creates.
 */
import { BridgeError } from '../../src/core/errors.js';
import type { CiviClient } from './client.js';

export const SYNC_CONFLICT_TYPE = 'Sync_Conflict';
/** external_identifier of the organisation activities are recorded as coming from. */
export const SYSTEM_CONTACT_KEY = 'patron-bridge:library-system';

export interface ConflictNote {
  conflictId: string;
  contactId: number;
  /** The field or group, or the kind of conflict: never a value. */
  about: string;
  reason: string;
}

const subjectOf = (conflictId: string, about: string) => `Sync conflict ${conflictId}: ${about}`;

/** The id of the "Library system" contact, looked up once. */
export function createSystemContact(client: CiviClient): () => Promise<number> {
  let id: Promise<number> | undefined;
  return () => {
    id ??= client
      .call<{ id: number }>('Contact', 'get', { select: ['id'], where: [['external_identifier', '=', SYSTEM_CONTACT_KEY]], limit: 1 })
      .then((r) => {
        const found = r.values[0]?.id;
        if (found === undefined) {
          throw new BridgeError('CONFIG_INVALID', `CiviCRM has no "Library system" contact (external identifier ${SYSTEM_CONTACT_KEY}) to record activities from; run \`patron-bridge crm bootstrap\``, { context: { system: 'civicrm' } });
        }
        return found;
      })
      .catch((err: unknown) => {
        id = undefined;
        throw err;
      });
    return id;
  };
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

/** For `crm bootstrap`: the activity type and the "Library system" organisation (save + match: repeatable). */
export async function bootstrapConflictActivities(client: CiviClient): Promise<void> {
  await client.call('OptionValue', 'save', {
    records: [{ 'option_group_id:name': 'activity_type', name: SYNC_CONFLICT_TYPE, label: 'Sync conflict', description: 'patron-bridge: a disagreement between the library system and the CRM that waits for a person', is_active: true }],
    match: ['option_group_id', 'name'],
  });
  await client.call('Contact', 'save', {
    records: [{ contact_type: 'Organization', organization_name: 'Library system', external_identifier: SYSTEM_CONTACT_KEY }],
    match: ['external_identifier'],
  });
}
