/** Contact behaviour: type guessing, names, defaults of a new contact, the write-response shape, trash. */
import type { CallContext, Row } from './context.js';
import type { EntityHooks, WriteState } from './entity-def.js';
import { CONTACT_TYPES, contactNames, greetings, guessContactType } from './contact-names.js';
import { nowString, rawDateTime } from './dates.js';
import { childrenOf, saveLocations } from './locations.js';
import { contactSchema } from './schema-contact.js';

const GREETING_DISPLAYS = ['email_greeting_display', 'postal_greeting_display', 'addressee_display'];

const hex32 = (random: () => number): string =>
  Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16)).join('');

function prepare(s: WriteState): void {
  const { ctx, raw, values, before } = s;
  const now = nowString(ctx.now());
  if (!before) {
    if (values['contact_type'] === undefined || values['contact_type'] === null) values['contact_type'] = guessContactType(values);
    Object.assign(values, {
      preferred_language: values['preferred_language'] ?? 'en_US',
      hash: hex32(ctx.random),
      communication_style_id: values['communication_style_id'] ?? 1,
      created_date: now,
    });
    if (values['contact_type'] === 'Individual') {
      for (const f of ['email_greeting_id', 'postal_greeting_id', 'addressee_id']) values[f] = values[f] ?? 1;
    }
  }
  values['modified_date'] = now;
  const type = String(values['contact_type'] ?? before?.['contact_type']);
  // names from the values as sent, so truncation of first_name does not reach display_name (recorded)
  const source: Row = { ...before };
  for (const k of ['first_name', 'middle_name', 'last_name', 'organization_name', 'household_name']) {
    if (k in raw) source[k] = raw[k];
  }
  const email = typeof raw['email_primary.email'] === 'string' ? raw['email_primary.email'] : null;
  Object.assign(values, contactNames(type, source, email));
}

/** An unknown contact_type ("Nonsense") goes down a different BAO path: a sparse response with raw dates. */
function strangeTypeResponse(row: Row): Row {
  return {
    id: row['id'], contact_type: row['contact_type'], preferred_language: row['preferred_language'], hash: row['hash'],
    communication_style_id: row['communication_style_id'], email_greeting_custom: 'null', postal_greeting_custom: 'null',
    addressee_custom: 'null', modified_date: rawDateTime(String(row['modified_date'])),
  };
}

function responseBase(s: WriteState, row: Row): Row {
  if (!s.before && !CONTACT_TYPES.includes(String(row['contact_type']))) return strangeTypeResponse(row);
  const out: Row = {};
  for (const f of contactSchema.fields) {
    if (f.n === 'api_key') continue;
    // greetings are recomputed after the write: a create shows none, an update shows the old ones (recorded)
    const v = GREETING_DISPLAYS.includes(f.n) ? (s.before ? s.before[f.n] : null) : row[f.n];
    if (v !== null && v !== undefined) out[f.n] = v;
  }
  return out;
}

function afterWrite(s: WriteState, row: Row): void {
  saveLocations(s, row);
  s.ctx.store.table('Contact').update(row['id'] as number, greetings(row));
}

/** Rows whose contact_id FK is ON DELETE CASCADE (the entity schemas). */
const CHILD_TABLES = ['Email', 'Phone', 'Address', 'GroupContact', 'ActivityContact'];

/** delete: to the trash by default (is_deleted = 1), permanently with useTrash:false. */
function remove(ctx: CallContext, row: Row, params: Row): boolean {
  const table = ctx.store.table('Contact');
  const id = row['id'] as number;
  if (params['useTrash'] !== false) {
    table.update(id, { is_deleted: true, modified_date: nowString(ctx.now()) });
    return true;
  }
  for (const entity of CHILD_TABLES) for (const child of childrenOf(ctx, entity, id)) ctx.store.table(entity).remove(child['id'] as number);
  const tags = ctx.store.table('EntityTag');
  for (const tagId of tags.lookup('entity_id', id)) if (tags.get(tagId)?.['entity_table'] === 'civicrm_contact') tags.remove(tagId);
  table.remove(id);
  return true;
}

export const contactHooks: EntityHooks = {
  prepare,
  afterWrite,
  responseBase,
  responseTail: (s) => (s.before ? { contact_id: null } : {}),
  remove,
};

/** MariaDB's (is_deleted, sort_name, id) index order: what a get without orderBy returns (recorded). */
export function contactIndexOrder(a: Row, b: Row): number {
  const d = Number(a['is_deleted'] === true) - Number(b['is_deleted'] === true);
  if (d) return d;
  const sa = String(a['sort_name'] ?? '');
  const sb = String(b['sort_name'] ?? '');
  const c = sa.localeCompare(sb, 'en', { sensitivity: 'base' });
  return c || Number(a['id']) - Number(b['id']);
}
