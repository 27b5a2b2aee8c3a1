/**
 * What CRM staff do in the CiviCRM screens, for tests to set the scene: enter and edit contacts, trash,
 * restore, delete and merge them, add or take them out of groups. Writes go through the same write path
 * as the API (names, lower-cased emails, timestamps), as the standalone admin (contact 2).
 */
import type { CallContext, Row } from './context.js';
import { contactHooks } from './contact.js';
import { nowString } from './dates.js';
import { mergeContacts, type MergeOptions, type MergeResult } from './merge.js';
import { PRINCIPAL_CONTACT_IDS } from './seed.js';
import type { Store } from './store.js';
import type { EntityDef } from './entity-def.js';
import { writeRecord } from './write.js';

export interface CrmUser {
  /** create contacts as a user entering them (Contact.create values, e.g. `email_primary.email`); returns their ids */
  addContacts(records: Row[]): number[];
  /** change a contact as a user editing it (Contact.update values) */
  editContact(id: number, values: Row): void;
  /** move a contact to the trash (is_deleted = 1) */
  trashContact(id: number): void;
  /** take a contact out of the trash */
  restoreContact(id: number): void;
  /** delete a contact for good, with its emails, phones, addresses, groups, tags and activity links (Contact.delete useTrash:false) */
  deleteContact(id: number): void;
  /** merge `loserId` into `survivorId` (see merge.ts) */
  mergeContacts(loserId: number, survivorId: number, opts?: MergeOptions): MergeResult;
  /** put a contact in a group (by id or name): a GroupContact row with status Added */
  addToGroup(contactId: number, group: number | string): void;
  /** take a contact out of a group it is in: its GroupContact row stays, with status Removed */
  removeFromGroup(contactId: number, group: number | string): void;
}

export function crmUser(deps: { store: Store; defs: ReadonlyMap<string, EntityDef>; now: () => Date; random: () => number; timezone?: string }): CrmUser {
  const ctx: CallContext = {
    ...deps,
    principal: { name: 'admin', contactId: PRINCIPAL_CONTACT_IDS.admin, perms: new Set(['*']) },
  };
  const contacts = deps.store.table('Contact');
  const def = (entity: string): EntityDef => deps.defs.get(entity)!;
  const contact = (id: number): Row => {
    const row = contacts.get(id);
    if (!row) throw new Error(`no contact ${id}`);
    return row;
  };
  const groupId = (group: number | string): number => {
    const id = typeof group === 'number' ? group : deps.store.table('Group').lookup('name', group)[0];
    if (id === undefined || !deps.store.table('Group').get(id)) throw new Error(`no group ${group}`);
    return id;
  };
  const membership = (contactId: number, group: number | string): Row | undefined => {
    const gid = groupId(group);
    contact(contactId);
    return deps.store.table('GroupContact').all().find((g) => g['contact_id'] === contactId && g['group_id'] === gid);
  };
  const setMembership = (contactId: number, group: number | string, status: string, row = membership(contactId, group)): void => {
    if (row) writeRecord(ctx, def('GroupContact'), 'update', { id: row['id'], status }, row);
    else writeRecord(ctx, def('GroupContact'), 'create', { contact_id: contactId, group_id: groupId(group), status });
  };
  return {
    addContacts: (records) => records.map((r) => writeRecord(ctx, def('Contact'), 'create', r)['id'] as number),
    editContact: (id, values) => {
      writeRecord(ctx, def('Contact'), 'update', { ...values, id }, contact(id));
    },
    trashContact: (id) => {
      contactHooks.remove!(ctx, contact(id), {});
    },
    restoreContact: (id) => {
      contacts.update(contact(id)['id'] as number, { is_deleted: false, modified_date: nowString(deps.now()) });
    },
    deleteContact: (id) => {
      contactHooks.remove!(ctx, contact(id), { useTrash: false });
    },
    mergeContacts: (loserId, survivorId, opts) => mergeContacts(ctx, loserId, survivorId, opts),
    addToGroup: (contactId, group) => setMembership(contactId, group, 'Added'),
    removeFromGroup: (contactId, group) => {
      const row = membership(contactId, group);
      if (!row || row['status'] !== 'Added') throw new Error(`contact ${contactId} is not in group ${group}`);
      setMembership(contactId, group, 'Removed', row);
    },
  };
}
