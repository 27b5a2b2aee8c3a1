/**
 * `crm bootstrap`: everything the mappings need in CiviCRM, created only where missing, so a
 * second run creates nothing and says so. Custom groups and fields (on contacts and on
 * activities), activity types, and the "Library system" contact activities are recorded from.
 * Needs an administrator's key.
 */
import { classifyError, BridgeError } from '../../src/core/errors.js';
import type { CustomGroupDecl } from '../../src/mapping/types.js';
import { bootstrapCustomFields } from './bootstrap.js';
import type { CiviClient } from './client.js';

export interface CrmNeeds {
  customGroups: readonly CustomGroupDecl[];
  activityTypes: ReadonlyArray<{ name: string; label: string; description: string }>;
  /** Organisations activities are recorded from, by external identifier. */
  systemContacts: ReadonlyArray<{ key: string; name: string }>;
  /** What the sync key (crm.api_key) must be allowed to do. */
  access: readonly AccessNeed[];
}

/** A write the sync key must be allowed, and the permission it usually takes in CiviCRM. */
export interface AccessNeed {
  entity: string;
  action: string;
  permission: string;
  why: string;
}

export interface SetupItem {
  kind: 'custom group' | 'custom field' | 'activity type' | 'contact';
  name: string;
  created: boolean;
}

export async function bootstrapCrm(client: CiviClient, needs: CrmNeeds): Promise<SetupItem[]> {
  try {
    return await setUp(client, needs);
  } catch (err) {
    const e = classifyError(err);
    if (e.code !== 'CRM_FORBIDDEN') throw e;
    throw new BridgeError('CRM_FORBIDDEN', `${e.message}; bootstrap needs an administrator's API key (permission 'administer CiviCRM'): run it with that key, not the sync key`, { context: e.context, cause: e });
  }
}

async function setUp(client: CiviClient, needs: CrmNeeds): Promise<SetupItem[]> {
  const items: SetupItem[] = [];
  const groupNames = needs.customGroups.map((g) => g.name);
  const [groups, fields, types, contacts] = await Promise.all([
    groupNames.length ? client.call<{ name: string }>('CustomGroup', 'get', { select: ['name'], where: [['name', 'IN', groupNames]] }) : { values: [] },
    groupNames.length ? client.call<{ name: string; 'custom_group_id:name': string }>('CustomField', 'get', { select: ['name', 'custom_group_id:name'], where: [['custom_group_id:name', 'IN', groupNames]] }) : { values: [] },
    needs.activityTypes.length
      ? client.call<{ name: string }>('OptionValue', 'get', { select: ['name'], where: [['option_group_id:name', '=', 'activity_type'], ['name', 'IN', needs.activityTypes.map((t) => t.name)]] })
      : { values: [] },
    needs.systemContacts.length
      ? client.call<{ external_identifier: string }>('Contact', 'get', { select: ['external_identifier'], where: [['external_identifier', 'IN', needs.systemContacts.map((c) => c.key)]] })
      : { values: [] },
  ]);
  const haveGroup = new Set(groups.values.map((g) => g.name));
  const haveField = new Set(fields.values.map((f) => `${f['custom_group_id:name']}.${f.name}`));
  const missingGroups = needs.customGroups.flatMap((g) => {
    const missing = g.fields.filter((f) => !haveField.has(`${g.name}.${f.name}`));
    items.push({ kind: 'custom group', name: g.name, created: !haveGroup.has(g.name) });
    for (const f of g.fields) items.push({ kind: 'custom field', name: `${g.name}.${f.name}`, created: missing.includes(f) });
    return !haveGroup.has(g.name) || missing.length ? [{ ...g, fields: missing }] : [];
  });
  if (missingGroups.length) await bootstrapCustomFields(client, missingGroups);

  const haveType = new Set(types.values.map((t) => t.name));
  const newTypes = needs.activityTypes.filter((t) => !haveType.has(t.name));
  for (const t of needs.activityTypes) items.push({ kind: 'activity type', name: t.name, created: !haveType.has(t.name) });
  if (newTypes.length) {
    await client.call('OptionValue', 'save', {
      records: newTypes.map((t) => ({ 'option_group_id:name': 'activity_type', name: t.name, label: t.label, description: t.description, is_active: true })),
      match: ['option_group_id', 'name'],
    });
  }

  const haveContact = new Set(contacts.values.map((c) => c.external_identifier));
  const newContacts = needs.systemContacts.filter((c) => !haveContact.has(c.key));
  for (const c of needs.systemContacts) items.push({ kind: 'contact', name: c.key, created: !haveContact.has(c.key) });
  if (newContacts.length) {
    await client.call('Contact', 'save', {
      records: newContacts.map((c) => ({ contact_type: 'Organization', organization_name: c.name, external_identifier: c.key })),
      match: ['external_identifier'],
    });
  }
  return items;
}

/** The needs the sync key is refused (APIv4 checkAccess, asked with the sync key itself). */
export async function missingAccess(syncClient: CiviClient, needs: readonly AccessNeed[]): Promise<AccessNeed[]> {
  const missing: AccessNeed[] = [];
  for (const n of needs) {
    const r = await syncClient.call<{ access?: boolean }>(n.entity, 'checkAccess', { action: n.action, values: {} });
    if (r.values[0]?.access !== true) missing.push(n);
  }
  return missing;
}
