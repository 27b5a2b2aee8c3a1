/**
 * Each field's policy for values that do not fit (see core/field-policy.ts), with the defaults:
 * free text a person reads is cut to fit (a cut name or street line is still useful, and better
 * than no contact); anything whose cut value would be wrong (e-mail, phone, postal code, codes and
 * identifiers, custom String fields) is left out; an invalid value is left out; a required field is
 * never left out, so it rejects the record instead.
 */
import type { FieldPolicy, TooLongAction } from '../core/field-policy.js';
import type { FieldSpec } from './schema.js';
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
