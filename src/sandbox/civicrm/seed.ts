/**
 * A fresh install as recorded: contacts 1-6 (default organization, standalone admin and the four API users),
 * two emails, the Administrators group, five tags, stock option values; next ids line up with the recording.
 */
import type { EntityDef } from './entity-def.js';
import { Store, Table } from './store.js';
import type { Row } from './store.js';
import { LOOKUPS } from './entities.js';
import { OPTION_GROUPS, OPTION_VALUE_NEXT_ID } from './seed-options.js';

const INSTALLED = '2026-01-01 00:00:00';

const individual = (first: string, last: string, hash: string): Row => ({
  contact_type: 'Individual', first_name: first, last_name: last, display_name: `${first} ${last}`, sort_name: `${last}, ${first}`,
  do_not_email: false, do_not_phone: false, do_not_mail: false, do_not_sms: false, do_not_trade: false, is_opt_out: false,
  preferred_language: 'en_US', hash, communication_style_id: 1, email_greeting_id: 1, email_greeting_display: `Dear ${first}`,
  postal_greeting_id: 1, postal_greeting_display: `Dear ${first}`, addressee_id: 1, addressee_display: `${first} ${last}`,
  is_deceased: false, is_deleted: false, created_date: INSTALLED, modified_date: INSTALLED, preferred_mail_format: 'Both',
});

/** Contact ids of the principals, as on the recorded install. */
export const PRINCIPAL_CONTACT_IDS = { admin: 2, sync: 3, nodebug: 4, synctrash: 5, noguard: 6 } as const;

function seedContacts(t: Table): void {
  t.insert(1, {
    contact_type: 'Organization', organization_name: 'Default Organization', legal_name: 'Default Organization',
    display_name: 'Default Organization', sort_name: 'Default Organization', do_not_email: false, do_not_phone: false,
    do_not_mail: false, do_not_sms: false, do_not_trade: false, is_opt_out: false, is_deceased: false, is_deleted: false,
    created_date: null, modified_date: INSTALLED, preferred_mail_format: 'Both',
  });
  const people: Array<[string, string]> = [['Standalone', 'Admin'], ['Library', 'Sync'], ['Library', 'NoDebug'], ['Library', 'SyncTrash'], ['Library', 'NoGuard']];
  people.forEach(([first, last], i) => t.insert(i + 2, individual(first, last, `${'0'.repeat(31)}${i + 2}`)));
}

export function createStore(defs: ReadonlyMap<string, EntityDef>): Store {
  const store = new Store();
  for (const def of defs.values()) store.add(new Table(def.name, def.schema.unique, LOOKUPS[def.name] ?? []));
  seedContacts(store.table('Contact'));
  const email = store.table('Email');
  email.insert(1, { contact_id: 2, location_type_id: 1, email: 'admin@example.org', is_primary: true, is_billing: false, on_hold: 0, is_bulkmail: false });
  email.insert(2, { contact_id: 1, location_type_id: 3, email: 'info@example.org', is_primary: true, is_billing: false, on_hold: 0, is_bulkmail: false });
  store.table('Group').insert(1, {
    name: 'Administrators', title: 'Administrators', frontend_title: 'Administrators', is_active: true, is_hidden: false,
    is_reserved: false, visibility: 'User and User Admin Only', group_type: ['1'],
  });
  const tags = store.table('Tag');
  ['Non-profit', 'Company', 'Government Entity', 'Major Donor', 'Volunteer'].forEach((name, i) =>
    tags.insert(i + 1, { name: name.replace(/ /g, '_'), label: name, is_selectable: true, is_reserved: false, is_tagset: false, used_for: ['civicrm_contact'] }));
  const groups = store.table('OptionGroup');
  const values = store.table('OptionValue');
  let valueId = 1;
  OPTION_GROUPS.forEach(([name, list], gi) => {
    groups.insert(gi + 1, { name, title: name, is_reserved: true, is_active: true, is_locked: false });
    list.forEach(([value, vname, label], i) =>
      values.insert(valueId++, { option_group_id: gi + 1, label: label ?? vname, value, name: vname, weight: i + 1, is_active: true, is_reserved: true, is_default: false, filter: 0 }));
  });
  values.nextId = OPTION_VALUE_NEXT_ID;
  return store;
}
