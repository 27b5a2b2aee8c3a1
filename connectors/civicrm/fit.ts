/**
 * Fit a mapped contact to CiviCRM's own fields (getFields) before it is compared with what was last
 * sent and written. Pure. A value longer than its column, or not of its type (a bad date, an option
 * CiviCRM does not know), is truncated or left out with a warning, or rejects the record, as the
 * mapping's field policy says. Real CiviCRM would instead cut it with "..." or store 1970-01-01.
 * A field CiviCRM does not know, or one the mapping does not own (contact_type, external_identifier),
 * rejects the record: leaving those out would write the wrong contact.
 */
import { addWarning, settleMisfit, type FieldPolicy, type FieldWarning } from '../../src/core/field-policy.js';
import type { DesiredContact } from '../../src/core/types.js';
import type { ContactFit, FieldSpec } from './sink.js';
import { validateContactValues } from './validate.js';

export function fitContact(contact: DesiredContact, specs: ReadonlyMap<string, FieldSpec>, policies: ReadonlyMap<string, FieldPolicy>): ContactFit {
  const { values } = contact;
  const out: DesiredContact['values'] = { ...values };
  const warnings: FieldWarning[] = [];
  const reasons: string[] = [];
  for (const p of validateContactValues(values, specs)) {
    const policy = policies.get(p.field);
    if (policy === undefined || p.rule === 'unknown_field') {
      reasons.push(p.message);
      continue;
    }
    const limit = specs.get(p.field)?.maxLength;
    const settled = settleMisfit(policy, p.rule === 'max_length' && limit !== undefined
      ? { kind: 'too_long', value: String(values[p.field]), limit }
      : { kind: 'invalid' });
    if (settled.kind === 'truncated') {
      out[p.field] = settled.value;
      addWarning(warnings, p.field, 'truncated');
    } else if (settled.kind === 'omitted') {
      delete out[p.field];
      addWarning(warnings, p.field, settled.rule);
    } else {
      reasons.push(p.message);
    }
  }
  if (reasons.length > 0) return { kind: 'reject', code: 'VALUE_INVALID', reason: reasons.join('; ') };
  return { kind: 'fit', contact: { ...contact, values: out }, warnings };
}
