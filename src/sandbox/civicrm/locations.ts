/**
 * Email / Phone / Address behaviour, and the Contact write forms `email_primary.*`, `phone_primary.*`,
 * `address_primary.*` (and *_billing): the child row is saved with match [contact_id, is_primary], in place.
 */
import type { CallContext, Row } from './context.js';
import type { EntityHooks, WriteState } from './entity-def.js';
import { splitSuffix } from './paths.js';
import { writeRecord } from './write.js';

const PREFIXES: Record<string, { entity: string; flag: 'is_primary' | 'is_billing'; label: string | null }> = {
  email_primary: { entity: 'Email', flag: 'is_primary', label: 'email' },
  email_billing: { entity: 'Email', flag: 'is_billing', label: 'email' },
  phone_primary: { entity: 'Phone', flag: 'is_primary', label: 'phone' },
  phone_billing: { entity: 'Phone', flag: 'is_billing', label: 'phone' },
  address_primary: { entity: 'Address', flag: 'is_primary', label: null },
  address_billing: { entity: 'Address', flag: 'is_billing', label: null },
};

export const LOCATION_PREFIXES = Object.keys(PREFIXES);

export function childrenOf(ctx: CallContext, entity: string, contactId: unknown): Row[] {
  const t = ctx.store.table(entity);
  return t.lookup('contact_id', contactId).map((id) => t.get(id)!).sort((a, b) => Number(a['id']) - Number(b['id']));
}

/** The id of a contact's primary (or billing) Email/Phone/Address: the `email_primary` extra field. */
export function flaggedChildId(ctx: CallContext, entity: string, flag: string, contactId: unknown): number | null {
  const hit = childrenOf(ctx, entity, contactId).find((r) => r[flag] === true);
  return hit ? (hit['id'] as number) : null;
}

/** Save the location sub-records of one Contact write; fills `state.handled` with what the response shows. */
export function saveLocations(state: WriteState, contact: Row): void {
  const { ctx, raw } = state;
  const groups = new Map<string, Row>();
  for (const [key, value] of Object.entries(raw)) {
    const dot = key.indexOf('.');
    const prefix = dot > 0 ? key.slice(0, dot) : key;
    if (!PREFIXES[prefix]) continue;
    if (!groups.has(prefix)) groups.set(prefix, {});
    if (dot > 0) groups.get(prefix)![key.slice(dot + 1)] = value;
    else if (value === null) groups.get(prefix)!['id'] = null;
  }
  for (const [prefix, sub] of groups) {
    const { entity, flag, label } = PREFIXES[prefix]!;
    const def = ctx.defs.get(entity)!;
    const existingId = flaggedChildId(ctx, entity, flag, contact['id']);
    const existing = existingId === null ? undefined : ctx.store.table(entity).get(existingId);
    if ((label && label in sub && sub[label] === null) || ('id' in sub && sub['id'] === null)) {
      // setting the label field (or the id) to null deletes the primary row (recorded for email_primary.email)
      if (existing) removeLocation(ctx, entity, existing);
      for (const k of Object.keys(sub)) state.handled[`${prefix}.${k}`] = null;
      continue;
    }
    const record: Row = { ...sub };
    delete record['id'];
    const child = existing
      ? (writeRecord(ctx, def, 'update', { ...record, id: existing['id'] }, existing), ctx.store.table(entity).get(existing['id'] as number)!)
      : ctx.store.table(entity).get(writeRecord(ctx, def, 'create', { ...record, contact_id: contact['id'], [flag]: true })['id'] as number)!;
    for (const k of Object.keys(sub)) {
      const [base] = splitSuffix(k);
      state.handled[`${prefix}.${base}`] = child[base] ?? null;
    }
  }
}

/** Delete a location row; if it was primary, the oldest remaining row of the contact becomes primary. */
export function removeLocation(ctx: CallContext, entity: string, row: Row): void {
  const t = ctx.store.table(entity);
  t.remove(row['id'] as number);
  if (row['is_primary'] === true) {
    const next = childrenOf(ctx, entity, row['contact_id'])[0];
    if (next) t.update(next['id'] as number, { is_primary: true });
  }
}

/** Hooks shared by Email, Phone and Address: default location type, one primary per contact. */
export function locationHooks(entity: string): EntityHooks {
  return {
    prepare: (s: WriteState) => {
      if (!s.before) {
        if (s.values['location_type_id'] === null || s.values['location_type_id'] === undefined) s.values['location_type_id'] = 1;
        const hasPrimary = flaggedChildId(s.ctx, entity, 'is_primary', s.values['contact_id']) !== null;
        if (!hasPrimary && s.values['contact_id'] != null) s.values['is_primary'] = true;
      }
      if (entity === 'Phone' && typeof s.values['phone'] === 'string') s.values['phone_numeric'] = s.values['phone'].replace(/\D/g, '');
      // CRM_Core_BAO_Email's pre hook stores every address mb_strtolower'ed ("to optimize queries")
      if (entity === 'Email' && typeof s.values['email'] === 'string') s.values['email'] = s.values['email'].toLowerCase();
    },
    afterWrite: (s: WriteState, row: Row) => {
      if (row['is_primary'] !== true) return;
      const t = s.ctx.store.table(entity);
      for (const other of childrenOf(s.ctx, entity, row['contact_id'])) {
        if (other['id'] !== row['id'] && other['is_primary'] === true) t.update(other['id'] as number, { is_primary: false });
      }
    },
    remove: (ctx, row) => {
      removeLocation(ctx, entity, row);
      return true;
    },
  };
}
