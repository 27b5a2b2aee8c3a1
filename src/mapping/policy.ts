/**
 * Each field's policy for values that do not fit (see core/field-policy.ts), with the defaults:
 * free text a person reads is cut to fit (a cut name or street line is still useful, and better
 * than no contact); anything whose cut value would be wrong (e-mail, phone, postal code, codes and
 * identifiers, custom String fields) is left out; an invalid value is left out; a required field is
 * never left out, so it rejects the record instead.
 */
import type { ConflictPolicy } from '../core/conflicts.js';
import type { FieldPolicy, TooLongAction } from '../core/field-policy.js';
import { DEFAULT_MATCH_FIELDS, type SyncPolicy } from '../reconcile/index.js';
import type { FieldSpec, MappingDocument } from './schema.js';
import type { CustomFieldDecl } from './types.js';

/** Core Contact fields that hold names, titles and free text. */
const TRUNCATED_CORE_TARGETS = [
  'first_name', 'middle_name', 'last_name', 'nick_name', 'legal_name', 'formal_title', 'job_title',
  'organization_name', 'household_name', 'source',
];
/** Address lines and city of any location (address_primary, address_billing). */
const TRUNCATED_LOCATION = /^address_[a-z]+\.(street_address|supplemental_address_[123]|city)$/;

export function defaultOnTooLong(target: string, custom?: CustomFieldDecl): TooLongAction {
  if (custom !== undefined) return custom.dataType === 'Memo' ? 'truncate' : 'omit';
  return TRUNCATED_CORE_TARGETS.includes(target) || TRUNCATED_LOCATION.test(target) ? 'truncate' : 'omit';
}

export function policyOf(target: string, spec: FieldSpec, custom?: CustomFieldDecl): FieldPolicy {
  return {
    onTooLong: spec.on_too_long ?? defaultOnTooLong(target, custom),
    onInvalid: spec.on_invalid ?? 'omit',
    required: spec.required ?? false,
  };
}

/**
 * Who wins when a CRM user and the source both changed a field: by default the CRM for e-mail and
 * phone (people correct their own contact details in the CRM), the source (the library's record)
 * for names, card data and everything else.
 */
export function defaultOnConflict(target: string): ConflictPolicy {
  return /^(email|phone)_[a-z]+\./.test(target) ? 'crm' : 'source';
}

/** The default match fields the mapping writes; none (no matching) when that would be fewer than two, or the e-mail alone. */
export function defaultMatchFields(targets: readonly string[]): string[] {
  const fields = DEFAULT_MATCH_FIELDS.filter((f) => targets.includes(f));
  return fields.length >= 2 && fields.some((f) => !f.startsWith('email_')) ? fields : [];
}

export function syncPolicyOf(doc: MappingDocument): SyncPolicy {
  const perField = new Map(Object.entries(doc.fields).map(([target, spec]) => [target, spec.on_conflict ?? defaultOnConflict(target)]));
  return {
    fieldPolicy: (field) => perField.get(field) ?? defaultOnConflict(field),
    groupPolicy: doc.groups_on_conflict,
    matchFields: doc.match.fields ?? defaultMatchFields(Object.keys(doc.fields)),
    onTrashed: doc.match.on_trashed,
    onDeleted: doc.match.on_deleted,
    ...(doc.match.dedupe_rule ? { dedupeRule: doc.match.dedupe_rule } : {}),
  };
}
