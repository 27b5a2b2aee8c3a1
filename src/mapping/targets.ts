/** CRM field names a mapping may write, and which of them are custom fields (`Group.Field`). */

/** Location blocks written inline on Contact.save (APIv4 ≥ 5.53). */
const LOCATION_PREFIXES = [
  'email_primary', 'phone_primary', 'address_primary', 'im_primary', 'website_primary',
  'email_billing', 'phone_billing', 'address_billing',
];

const CORE = /^[a-z][a-z0-9_]*(:[a-z]+)?$/;
const DOTTED = /^([A-Za-z][A-Za-z0-9_]*)\.([A-Za-z][A-Za-z0-9_]*)(:[a-z]+)?$/;

/** Written by the mapping itself (match key and type), not by `fields`. */
export const RESERVED_TARGETS = ['id', 'external_identifier', 'contact_type'];

/** Core Contact date fields: they need `type: date`. */
export const CORE_DATE_TARGETS = ['birth_date', 'deceased_date'];

export type TargetKind =
  | { kind: 'core' }
  | { kind: 'location' }
  | { kind: 'custom'; group: string; field: string }
  | { kind: 'invalid' };

export function classifyTarget(name: string): TargetKind {
  if (CORE.test(name)) return { kind: 'core' };
  const m = DOTTED.exec(name);
  if (!m) return { kind: 'invalid' };
  const [, prefix = '', field = ''] = m;
  if (LOCATION_PREFIXES.includes(prefix)) return { kind: 'location' };
  // Custom fields are `Group.Field` machine names; `:label`-style suffixes do not apply to them here.
  return m[3] === undefined ? { kind: 'custom', group: prefix, field } : { kind: 'invalid' };
}

/** The CRM field a target writes: `gender_id:label` and `gender_id` both write `gender_id`. */
export function crmFieldOf(target: string): string {
  return target.replace(/:[a-z]+$/, '');
}
