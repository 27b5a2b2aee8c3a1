/**
 * The mapping file's shape (zod). Structure only; cross-references (declared custom fields,
 * template placeholders, one value source per field) are checked in plan.ts.
 */
import { z } from 'zod';
import { KOHA_PATRON_FIELDS } from './patron-fields.js';
import { ATTRIBUTE_CODE } from './source-ref.js';
import { didYouMean } from '../core/suggest.js';
import { STRING_TRANSFORMS } from './text.js';

export const CONFLICT_POLICIES = ['source', 'crm', 'review'] as const;
export const VALUE_TYPES = ['string', 'date', 'email', 'country', 'integer', 'boolean'] as const;
export const CUSTOM_FIELD_TYPES = ['String', 'Date', 'Int', 'Boolean', 'Memo'] as const;
export const TOO_LONG_ACTIONS = ['truncate', 'omit', 'reject'] as const;
export const INVALID_ACTIONS = ['omit', 'reject'] as const;
/** CiviCRM machine names (CustomGroup.name, CustomField.name). */
export const MACHINE_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

const oneOf = (what: string, values: readonly string[]) => (iss: { input?: unknown }) =>
  typeof iss.input === 'string'
    ? `unknown ${what} ${JSON.stringify(iss.input)}; expected one of ${values.join(', ')}`
    : `expected a ${what}: one of ${values.join(', ')}`;

const patronField = z.enum(KOHA_PATRON_FIELDS, {
  error: (iss) =>
    typeof iss.input === 'string'
      ? `unknown Koha patron field ${JSON.stringify(iss.input)}${didYouMean(iss.input, KOHA_PATRON_FIELDS)}`
      : 'expected a Koha patron field name',
}).meta({ id: 'KohaPatronField', description: 'A field of the Koha patron object (REST API name).' });

const attributeRef = z
  .object({
    extended_attribute: z.string().regex(ATTRIBUTE_CODE, 'expected a Koha extended attribute type code (letters, digits, "_", "-", ".")'),
  })
  .strict()
  .meta({ description: 'A Koha extended patron attribute, by its type code (the first non-blank value when repeatable).' });

const sourceRef = z.union([patronField, attributeRef], {
  error: 'expected a Koha patron field name or { extended_attribute: CODE }',
}).meta({ id: 'SourceRef' });

export const fieldSpecSchema = z
  .object({
    from: z
      .union([sourceRef, z.array(sourceRef).min(1)], {
        error: 'expected a Koha patron field name, { extended_attribute: CODE }, or a list of these',
      })
      .optional()
      .meta({ description: 'Source field(s); with a list, the first non-blank one is used.' }),
    template: z.string().min(1).optional().meta({ description: 'Text with {patron_field} placeholders; blank parts are dropped.' }),
    value: z.union([z.string(), z.number(), z.boolean()]).optional().meta({ description: 'A constant.' }),
    transform: z
      .array(z.enum(STRING_TRANSFORMS, { error: oneOf('transform', STRING_TRANSFORMS) }))
      .optional()
      .meta({ description: 'Text clean-ups applied in order, before the type check.' }),
    type: z.enum(VALUE_TYPES, { error: oneOf('type', VALUE_TYPES) }).optional()
      .meta({ description: 'How the value is checked and normalised (default string).' }),
    required: z.boolean().optional().meta({ description: 'Reject the record when this field has no value.' }),
    clear_when_empty: z.boolean().optional()
      .meta({ description: 'Send an empty value (clearing the CRM field) when the source is blank; by default a blank is not sent.' }),
    on_invalid: z.enum(INVALID_ACTIONS, { error: oneOf('on_invalid action', INVALID_ACTIONS) }).optional()
      .meta({ description: 'When the value fails its type (the mapping\'s or the CRM field\'s): leave the field out with a warning (omit, the default) or reject the record. A required field is never left out.' }),
    max_length: z.number({ error: 'expected a whole number of characters' }).int('expected a whole number of characters')
      .min(1, 'expected at least 1 character').max(65535, 'expected at most 65535 characters').optional()
      .meta({ description: 'The mapping\'s own limit, in characters; the CRM field\'s length applies too (the smaller wins).' }),
    on_too_long: z.enum(TOO_LONG_ACTIONS, { error: oneOf('on_too_long action', TOO_LONG_ACTIONS) }).optional()
      .meta({ description: 'When the value is longer than max_length or the CRM field: truncate (cut at a character boundary) or omit (leave it out), each with a warning, or reject the record. Default: truncate for names, titles, source, street lines, city and custom Memo fields; omit for everything else.' }),
    on_conflict: z.enum(CONFLICT_POLICIES, { error: oneOf('on_conflict policy', CONFLICT_POLICIES) }).optional()
      .meta({ description: 'When a CRM user changed this field and the source changed it too: source (write the source value), crm (keep the CRM value) or review (hold it for a person); each is logged as a conflict. Default: crm for e-mail and phone, source for everything else.' }),
  })
  .strict()
  .meta({ id: 'Field', description: 'One CRM field: exactly one of from, template or value, plus options.' });

const customFieldSchema = z
  .object({
    label: z.string().min(1).max(255),
    type: z.enum(CUSTOM_FIELD_TYPES, { error: oneOf('custom field type', CUSTOM_FIELD_TYPES) }).default('String'),
    max_length: z.number().int().min(1).max(255).optional(),
  })
  .strict();

const customGroupSchema = z
  .object({
    title: z.string().min(1).max(64),
    extends: z.enum(['Individual', 'Contact'], { error: oneOf('entity', ['Individual', 'Contact']) }).default('Individual'),
    fields: z.record(z.string().regex(MACHINE_NAME, 'expected a machine name (letters, digits, "_")'), customFieldSchema),
  })
  .strict();

const matchSchema = z
  .object({
    fields: z.array(z.string().min(1)).min(2, 'expected at least two fields: a patron is never matched on one field (such as the e-mail) alone').optional()
      .meta({ description: 'CRM fields that must all be equal (e-mail case-insensitively, names after Unicode normalisation) for an existing contact to be linked to the patron. Default: those of email_primary.email, first_name, last_name that the mapping writes (no matching when that leaves fewer than two, or only the e-mail).' }),
    dedupe_rule: z.string().regex(/^[A-Za-z]+\.[A-Za-z0-9_]+$|^[A-Za-z0-9_]+$/, 'expected a CiviCRM dedupe rule group name such as Individual.Unsupervised').optional()
      .meta({ description: 'Search candidates with this CiviCRM dedupe rule (Contact.getDuplicates, once per patron; needs "administer CiviCRM") instead of by the first match field. Candidates must still agree on every match field.' }),
    on_trashed: z.enum(['conflict', 'restore'], { error: oneOf('on_trashed action', ['conflict', 'restore']) }).default('conflict')
      .meta({ description: 'The contact last written is in the trash: a conflict for a person (default), or restore it (the API user needs "access deleted contacts").' }),
    on_deleted: z.enum(['conflict', 'recreate'], { error: oneOf('on_deleted action', ['conflict', 'recreate']) }).default('conflict')
      .meta({ description: 'The contact last written was deleted for good: a conflict for a person (default), or create it again.' }),
  })
  .strict();

const groupSchema = z
  .object({
    name: z.string().min(1).meta({ description: 'Group.name template, e.g. "Koha_Category_{category_id}"; sanitised to [A-Za-z0-9_], at most 64.' }),
    title: z.string().min(1).meta({ description: 'Group.title template shown in CiviCRM.' }),
  })
  .strict();

export const LOAN_PLACEHOLDERS = ['checkout_id', 'library_id', 'item_id', 'title'] as const;
/** external_identifier of the "Library system" organisation activities come from by default (`crm bootstrap` creates it). */
export const DEFAULT_SOURCE_CONTACT = 'patron-bridge:library-system';

const loansSchema = z
  .object({
    activity_type: z.object({
      name: z.string().regex(MACHINE_NAME, 'expected a machine name (letters, digits, "_")'),
      label: z.string().min(1).max(255),
    }).strict().default({ name: 'Library_Loan', label: 'Library loan' })
      .meta({ description: 'The CiviCRM activity type each loan is (created by `crm bootstrap`).' }),
    subject: z.string().min(1).max(255).default('Library loan ({library_id})')
      .meta({ description: `Activity subject template; placeholders: ${LOAN_PLACEHOLDERS.join(', ')} (title only with titles: true).` }),
    titles: z.boolean().default(false)
      .meta({ description: 'Fetch item titles (GET /items with the biblio embed, in batches) for the {title} placeholder. Off by default: a title says what a patron reads.' }),
    source_contact: z.string().min(1).max(64).default(DEFAULT_SOURCE_CONTACT)
      .meta({ description: 'external_identifier of the contact loans are recorded as coming from (default: the "Library system" organisation that `crm bootstrap` creates).' }),
  })
  .strict()
  .meta({ description: 'Koha loans (checkouts) as CiviCRM activities on the patron\'s contact, one per loan, keyed by the checkout id.' });

export const LIFECYCLE_ACTIONS = ['nothing', 'flag', 'clear'] as const;

const privacySchema = z
  .object({
    exclude_categories: z.array(z.string().min(1)).default([])
      .meta({ description: 'Koha patron categories never synced (e.g. STAFF, institutional ones).' }),
    consent_attribute: z.string().regex(ATTRIBUTE_CODE, 'expected a Koha extended attribute type code').optional()
      .meta({ description: 'A patron attribute that must be set (not blank, 0, no or false) before the patron is synced at all.' }),
    minors: z.object({
      under_age: z.number().int().min(0).max(25).default(16).meta({ description: 'Patrons younger than this (from date_of_birth) are minors.' }),
      action: z.enum(['flag', 'exclude'], { error: oneOf('minors action', ['flag', 'exclude']) }).default('flag')
        .meta({ description: 'flag: synced without birth date, with do-not-email and do-not-mail set; exclude: not synced at all.' }),
    }).strict().default({ under_age: 16, action: 'flag' }),
    history_horizon_days: z.number().int().min(1).optional()
      .meta({ description: 'The library\'s anonymisation horizon: for patrons with privacy 1 (the default), no returned loan older than this is sent.' }),
    on_anonymised: z.enum(['erase', 'flag'], { error: oneOf('on_anonymised action', ['erase', 'flag']) }).default('erase')
      .meta({ description: 'A patron Koha anonymised who is already a contact: erase the fields patron-bridge wrote and delete their loans (default), or only put them in the lifecycle group for review.' }),
  })
  .strict()
  .meta({ description: 'Who is synced and what of their loans (protective defaults: privacy 2 patrons get no loan detail, anonymised patrons are erased).' });

const lifecycleSchema = z
  .object({
    on_gone: z.enum(LIFECYCLE_ACTIONS, { error: oneOf('on_gone action', LIFECYCLE_ACTIONS) }).default('flag')
      .meta({ description: 'A contact whose patron is gone from Koha (found by a full run), or who left the synced set (consent withdrawn, category excluded): nothing, flag (put in the group below) or clear (erase the library fields and loans). Never a delete.' }),
    on_expired: z.enum(LIFECYCLE_ACTIONS, { error: oneOf('on_expired action', LIFECYCLE_ACTIONS) }).default('nothing')
      .meta({ description: 'A patron whose card has expired (expiry_date before today): nothing, flag or clear.' }),
    group: groupSchema.default({ name: 'Former_Library_Patrons', title: 'Former library patrons' })
      .meta({ description: 'The group flagged contacts are put in.' }),
    max_gone_percent: z.number().min(0).max(100).default(20)
      .meta({ description: 'A full run that finds more than this share of contacts gone from Koha stops instead of acting (a wrong filter or an empty Koha must not flag everyone).' }),
  })
  .strict();

const engagementSchema = z
  .object({
    lapsed_after_months: z.number().int().min(1).max(120).default(12)
      .meta({ description: 'A patron with no loan for this many months is lapsed.' }),
    new_within_months: z.number().int().min(1).max(60).default(3)
      .meta({ description: 'A patron whose first loan is this recent is new.' }),
    groups: z.object({
      lapsed: groupSchema.optional(),
      new: groupSchema.optional(),
    }).strict().default({}).meta({ description: 'Optional static groups kept true as time passes ("Lapsed patrons", "New patrons").' }),
  })
  .strict()
  .meta({ description: 'Engagement fields computed from the loans: first and last loan date, loans in the last 12 months, lapsed.' });

export const mappingSchema = z
  .object({
    version: z.literal(1, { error: 'expected version: 1' }),
    source: z.literal('koha', { error: 'expected source: koha' }),
    contact_type: z.enum(['Individual', 'Household', 'Organization'], { error: oneOf('contact type', ['Individual', 'Household', 'Organization']) })
      .default('Individual'),
    external_id: z.object({ from: patronField }).strict()
      .meta({ description: 'Stable source key, written as "<source id>:<value>" to Contact.external_identifier (at most 64 characters).' }),
    fields: z.record(z.string(), fieldSpecSchema).meta({ description: 'CiviCRM APIv4 Contact field name → where its value comes from.' }),
    custom_fields: z.record(z.string().regex(MACHINE_NAME, 'expected a machine name (letters, digits, "_")'), customGroupSchema)
      .default({}).meta({ description: 'Custom field groups the mapping writes, so `crm bootstrap` can create them.' }),
    groups: z.array(groupSchema).default([]).meta({ description: 'Static groups each contact is put in (left when the values change).' }),
    groups_on_conflict: z.enum(CONFLICT_POLICIES, { error: oneOf('groups_on_conflict policy', CONFLICT_POLICIES) }).default('crm')
      .meta({ description: 'When a CRM user took a contact out of a group the source still puts it in: source (add it again), crm (leave it out, the default) or review (hold it); each is logged as a conflict.' }),
    match: matchSchema.default({ on_trashed: 'conflict', on_deleted: 'conflict' })
      .meta({ description: 'How a patron not yet linked is matched to a contact already in the CRM, and what happens when its contact is gone.' }),
    loans: loansSchema.optional(),
    privacy: privacySchema.default({ exclude_categories: [], minors: { under_age: 16, action: 'flag' }, on_anonymised: 'erase' }),
    lifecycle: lifecycleSchema.default({ on_gone: 'flag', on_expired: 'nothing', group: { name: 'Former_Library_Patrons', title: 'Former library patrons' }, max_gone_percent: 20 }),
    engagement: engagementSchema.optional(),
  })
  .strict()
  .meta({ title: 'patron-bridge mapping file' });

export type MappingDocument = z.infer<typeof mappingSchema>;
export type FieldSpec = z.infer<typeof fieldSpecSchema>;
export type LoansDocument = z.infer<typeof loansSchema>;
export type PrivacyDocument = z.infer<typeof privacySchema>;
export type LifecycleDocument = z.infer<typeof lifecycleSchema>;
export type EngagementDocument = z.infer<typeof engagementSchema>;

