/**
 * zod schema of a Koha patron as returned by GET /api/v1/patrons (definitions/patron.yaml).
 * Unknown keys are kept (new Koha versions add fields); every key except the keyset pair
 * may be absent, because older servers lack some of them.
 */
import { z } from 'zod';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** RFC 3339 with offset, or the naive form some servers/proxies return. */
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?$/;

const str = () => z.string().nullable().optional();
const int = () => z.int().nullable().optional();
const bool = () => z.boolean().nullable().optional();
const date = () => z.string().regex(DATE, { error: 'expected a date YYYY-MM-DD' }).nullable().optional();
const dateTime = () =>
  z.string({ error: 'expected an RFC 3339 date-time string' }).regex(DATE_TIME, { error: 'expected an RFC 3339 date-time' });

const nullableStrings = [
  'cardnumber', 'surname', 'firstname', 'preferred_name', 'middle_name', 'title', 'other_name', 'initials',
  'pronouns', 'street_number', 'street_type', 'address', 'address2', 'city', 'state', 'postal_code', 'country',
  'email', 'phone', 'mobile', 'fax', 'secondary_email', 'secondary_phone',
  'altaddress_street_number', 'altaddress_street_type', 'altaddress_address', 'altaddress_address2',
  'altaddress_city', 'altaddress_state', 'altaddress_postal_code', 'altaddress_country', 'altaddress_email',
  'altaddress_phone', 'altaddress_notes', 'staff_notes', 'relationship_type', 'gender', 'userid', 'opac_notes',
  'statistics_1', 'statistics_2', 'altcontact_firstname', 'altcontact_surname', 'altcontact_address',
  'altcontact_address2', 'altcontact_city', 'altcontact_state', 'altcontact_postal_code', 'altcontact_country',
  'altcontact_phone', 'sms_number', 'overdrive_auth_token',
] as const;

const stringFields = Object.fromEntries(nullableStrings.map((k) => [k, str()])) as Record<
  (typeof nullableStrings)[number],
  ReturnType<typeof str>
>;

export const extendedAttributeSchema = z
  .object({
    extended_attribute_id: z.int().optional(),
    type: z.string(),
    value: z.string(),
  })
  .loose();

export const patronSchema = z
  .object({
    ...stringFields,
    patron_id: z.int({ error: 'expected an integer' }),
    updated_on: dateTime(),
    library_id: z.string().optional(),
    category_id: z.string().optional(),
    date_of_birth: date(),
    date_enrolled: date(),
    expiry_date: date(),
    date_renewed: date(),
    incorrect_address: bool(),
    patron_card_lost: bool(),
    restricted: z.boolean().optional(),
    autorenew_checkouts: z.boolean().optional(),
    sms_provider_id: int(),
    privacy: z.int().optional(),
    privacy_guarantor_checkouts: z.int().optional(),
    privacy_guarantor_fines: z.boolean().optional(),
    check_previous_checkout: z.string().optional(),
    last_seen: dateTime().nullable().optional(),
    lang: z.string().optional(),
    login_attempts: int(),
    anonymized: z.boolean().optional(),
    protected: z.boolean().optional(),
    extended_attributes: z.array(extendedAttributeSchema).optional(),
    checkouts_count: int(),
    overdues_count: int(),
    account_balance: z.number().nullable().optional(),
    library: z.record(z.string(), z.unknown()).nullable().optional(),
    _strings: z.record(z.string(), z.unknown()).nullable().optional(),
  })
  .loose();

export type KohaPatron = z.infer<typeof patronSchema>;

/** Name the type of an input without revealing it. */
function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function pathOf(path: readonly PropertyKey[]): string {
  return path.length ? path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p))).join('.').replace(/\.\[/g, '[') : '(record)';
}

/**
 * Validation issues as "field: expected …, got <type>" lines. Built from issue codes rather
 * than zod's text so a value can never leak into a reason.
 */
export function describeIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string {
  return issues
    .map((issue) => {
      const where = pathOf(issue.path);
      if (issue.code === 'invalid_type') {
        const got = kindOf(valueAt(input, issue.path));
        // Our own messages ("expected an integer") are safe; zod's default ones are rebuilt here.
        const expected = issue.message.startsWith('expected ') ? issue.message : `expected ${issue.expected === 'int' ? 'an integer' : issue.expected}`;
        return `${where}: ${expected}, got ${got === 'undefined' ? 'nothing (missing)' : got}`;
      }
      if (issue.code === 'invalid_format' || issue.code === 'custom') return `${where}: ${issue.message}`;
      return `${where}: invalid (${issue.code})`;
    })
    .join('; ');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}
