/** What the configured mappings need in CiviCRM (for `crm bootstrap`, the demo and the test harnesses). */
import { SYNC_CONFLICT_TYPE, SYSTEM_CONTACT_KEY } from '../../connectors/civicrm/activities.js';
import type { CrmNeeds } from '../../connectors/civicrm/setup.js';
import type { CrmConfig } from '../config/schema.js';
import type { CompiledMapping } from '../mapping/types.js';

export function crmNeedsOf(mappings: readonly CompiledMapping[], crm: Pick<CrmConfig, 'conflict_activities'>): CrmNeeds {
  const groups = new Map(mappings.flatMap((m) => m.customGroups.map((g) => [g.name, g] as const)));
  const types = new Map<string, CrmNeeds['activityTypes'][number]>();
  const access = new Map<string, CrmNeeds['access'][number]>();
  const need = (entity: string, action: string, permission: string, why: string) => access.set(`${entity}.${action}`, { entity, action, permission, why });
  need('Contact', 'save', 'edit all contacts', 'to create and update the patrons\' contacts');
  need('GroupContact', 'save', 'edit all contacts', 'to keep group memberships');
  const contacts = new Map<string, CrmNeeds['systemContacts'][number]>();
  for (const m of mappings) {
    if (!m.loans) continue;
    types.set(m.loans.activityType.name, { ...m.loans.activityType, description: 'patron-bridge: a loan of the library (one per Koha checkout)' });
    contacts.set(m.loans.sourceContact, { key: m.loans.sourceContact, name: 'Library system' });
    need('Activity', 'save', 'edit all contacts', 'to write loans as activities');
    need('Activity', 'delete', 'delete activities', 'to delete loans Koha anonymised or a patron\'s erased history');
  }
  if (crm.conflict_activities) {
    types.set(SYNC_CONFLICT_TYPE, { name: SYNC_CONFLICT_TYPE, label: 'Sync conflict', description: 'patron-bridge: a disagreement between the library system and the CRM that waits for a person' });
    contacts.set(SYSTEM_CONTACT_KEY, { key: SYSTEM_CONTACT_KEY, name: 'Library system' });
  }
  return { customGroups: [...groups.values()], activityTypes: [...types.values()], systemContacts: [...contacts.values()], access: [...access.values()] };
}
