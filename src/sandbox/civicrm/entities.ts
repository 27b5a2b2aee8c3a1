/** The entity registry: schema + virtual fields + behaviour + permissions for every entity the sandbox serves. */
import type { CallContext, Row } from './context.js';
import type { EntityDef, EntityHooks, ExtraField } from './entity-def.js';
import type { EntitySchema } from './schema-types.js';
import { activityExtras, activityHooks } from './activity.js';
import { contactHooks, contactIndexOrder } from './contact.js';
import { flaggedChildId, locationHooks } from './locations.js';
import { contactSchema } from './schema-contact.js';
import { addressSchema, emailSchema, entityTagSchema, groupContactSchema, groupSchema, phoneSchema, tagSchema } from './schema-location.js';
import { activityContactSchema, activitySchema, customFieldSchema, customGroupSchema, optionGroupSchema, optionValueSchema } from './schema-setup.js';
import { customFieldHooks, customGroupHooks, groupContactHooks, groupHooks, optionValueHooks, tagHooks } from './setup-entities.js';

const CRUD = ['get', 'create', 'update', 'save', 'delete', 'getFields', 'getActions', 'checkAccess'];

interface Spec {
  schema: EntitySchema;
  hooks?: EntityHooks;
  extras?: ExtraField[];
  defaultFilters?: Array<[string, unknown]>;
  computed?: string[];
  hidden?: string[];
  write: string[];
  del?: string[];
  actions?: string[];
  deleteIdAsString?: boolean;
  fullUpdateResponse?: boolean;
  naturalOrder?: (a: Row, b: Row) => number;
  trashAclField?: string;
}

const location = (entity: string, flag: string): ExtraField => ({
  name: `${entity.toLowerCase()}_${flag}`, dataType: 'Integer', type: 'Extra', fk: entity,
  read: (ctx: CallContext, r: Row) => flaggedChildId(ctx, entity, flag === 'primary' ? 'is_primary' : 'is_billing', r['id']),
  rowsWith: (ctx, ids) => ownersOf(ctx, entity, 'id', ids, 'contact_id'),
});

/** Distinct, ascending values of `owner` on the rows of `entity` whose `field` equals one of `values`. */
function ownersOf(ctx: CallContext, entity: string, field: string, values: readonly unknown[], owner: string): number[] {
  const t = ctx.store.table(entity);
  const ids = field === 'id' ? values.map(Number).filter((id) => t.get(id) !== undefined) : t.lookupAll(field, values);
  return [...new Set(ids.map((id) => t.get(id)![owner]).filter((v): v is number => typeof v === 'number'))].sort((a, b) => a - b);
}

const memberOf = (ctx: CallContext, r: Row): number[] => {
  const t = ctx.store.table('GroupContact');
  return t.lookup('contact_id', r['id']).map((id) => t.get(id)!).filter((g) => g['status'] === 'Added').map((g) => g['group_id'] as number);
};
const taggedWith = (ctx: CallContext, r: Row): number[] => {
  const t = ctx.store.table('EntityTag');
  return t.lookup('entity_id', r['id']).map((id) => t.get(id)!).filter((e) => e['entity_table'] === 'civicrm_contact').map((e) => e['tag_id'] as number);
};

const contactExtras: ExtraField[] = [
  location('Address', 'primary'), location('Address', 'billing'), location('Email', 'primary'), location('Email', 'billing'),
  location('Phone', 'primary'), location('Phone', 'billing'),
  { name: 'im_primary', dataType: 'Integer', type: 'Extra', read: () => null },
  { name: 'im_billing', dataType: 'Integer', type: 'Extra', read: () => null },
  { name: 'groups', dataType: 'Array', type: 'Filter', getOnly: true, options: { table: 'civicrm_group', key: 'id', name: 'name', label: 'title' }, read: memberOf, rowsWith: (ctx, ids) => ownersOf(ctx, 'GroupContact', 'group_id', ids, 'contact_id') },
  { name: 'age_years', dataType: 'Integer', type: 'Extra', getOnly: true, read: () => null },
  { name: 'next_birthday', dataType: 'Integer', type: 'Extra', getOnly: true, read: () => null },
  { name: 'tags', dataType: 'Array', type: 'Filter', getOnly: true, options: { table: 'civicrm_tag', key: 'id', name: 'name', label: 'label' }, read: taggedWith },
];

const ADMIN_DATA = ['administer CiviCRM data', 'administer CiviCRM'];

const SPECS: Spec[] = [
  {
    schema: contactSchema, hooks: contactHooks, extras: contactExtras, defaultFilters: [['is_deleted', false]],
    computed: ['display_name', 'sort_name', 'hash', 'api_key', 'email_greeting_display', 'postal_greeting_display', 'addressee_display', 'created_date', 'modified_date', 'primary_contact_id'],
    hidden: ['api_key'], write: ['add contacts', 'edit all contacts'], del: ['delete contacts'],
    actions: [...CRUD, 'getDuplicates', 'getMergedTo', 'getMergedFrom'], naturalOrder: contactIndexOrder, trashAclField: 'id',
  },
  // the contact's ACL clause (is_deleted != 1 without "access deleted contacts") reaches every entity with a contact_id FK
  { schema: emailSchema, hooks: locationHooks('Email'), write: ['edit all contacts'], computed: ['hold_date'], trashAclField: 'contact_id' },
  { schema: phoneSchema, hooks: locationHooks('Phone'), write: ['edit all contacts'], computed: ['phone_numeric'], trashAclField: 'contact_id' },
  { schema: addressSchema, hooks: locationHooks('Address'), write: ['edit all contacts'], trashAclField: 'contact_id' },
  { schema: groupSchema, hooks: groupHooks, write: ['edit groups'], computed: ['where_clause', 'select_tables', 'where_tables', 'cache_date', 'cache_fill_took', 'refresh_date', 'children', 'modified_id'] },
  { schema: groupContactSchema, hooks: groupContactHooks, write: ['edit all contacts'], trashAclField: 'contact_id' },
  { schema: tagSchema, hooks: tagHooks, write: ['edit all contacts'], computed: ['created_date'], fullUpdateResponse: true },
  { schema: entityTagSchema, write: ['edit all contacts'], deleteIdAsString: true },
  { schema: customGroupSchema, hooks: customGroupHooks, write: ADMIN_DATA, computed: ['table_name', 'created_date'] },
  { schema: customFieldSchema, hooks: customFieldHooks, write: ADMIN_DATA, computed: ['column_name'], fullUpdateResponse: true },
  { schema: optionGroupSchema, write: ['administer CiviCRM'] },
  { schema: optionValueSchema, write: ['administer CiviCRM'] , hooks: optionValueHooks },
  {
    schema: activitySchema, hooks: activityHooks, extras: activityExtras, write: ['edit all contacts'], del: ['delete activities'],
    defaultFilters: [['is_deleted', false], ['is_test', false]], computed: ['modified_date', 'created_date'],
  },
  { schema: activityContactSchema, write: ['edit all contacts'], del: ['delete activities'] },
];

export function buildEntityDefs(): Map<string, EntityDef> {
  const defs = new Map<string, EntityDef>();
  for (const s of SPECS) {
    defs.set(s.schema.entity, {
      name: s.schema.entity,
      schema: s.schema,
      fields: new Map(s.schema.fields.map((f) => [f.n, f])),
      extras: new Map((s.extras ?? []).map((e) => [e.name, e])),
      actions: new Set(s.actions ?? CRUD),
      defaultFilters: s.defaultFilters ?? [],
      computed: new Set(s.computed ?? []),
      hidden: new Set(s.hidden ?? []),
      writePermission: s.write,
      deletePermission: s.del ?? s.write,
      deleteIdAsString: s.deleteIdAsString,
      fullUpdateResponse: s.fullUpdateResponse,
      hooks: s.hooks ?? {},
      naturalOrder: s.naturalOrder,
      trashAclField: s.trashAclField,
    });
  }
  return defs;
}

/** Lookup indexes per table (beyond unique ones) so 2,000-contact batches stay linear. */
export const LOOKUPS: Record<string, string[]> = {
  Email: ['contact_id'], Phone: ['contact_id'], Address: ['contact_id'], GroupContact: ['contact_id', 'group_id'],
  EntityTag: ['entity_id'], OptionValue: ['option_group_id'], ActivityContact: ['activity_id', 'contact_id'],
};
