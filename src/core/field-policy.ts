/**
 * What a mapping says to do with a value that does not fit (too long, or not of the field's type),
 * and the warnings a written record carries when a value was cut or left out. Warnings name the
 * field and the rule, never the value.
 */
import { truncateToLength } from './characters.js';

export type TooLongAction = 'truncate' | 'omit' | 'reject';
export type InvalidAction = 'omit' | 'reject';

export interface FieldPolicy {
  onTooLong: TooLongAction;
  onInvalid: InvalidAction;
  /** A required field is never left out: omitting it rejects the record instead. */
  required: boolean;
}

/** truncated: cut to fit; too_long: left out, too long; invalid: left out, not of the field's type. */
export type WarningRule = 'truncated' | 'too_long' | 'invalid';

export interface FieldWarning {
  field: string;
  rule: WarningRule;
}

/** A value that does not fit its field: not of its type, or longer than `limit` characters. */
export type Misfit = { kind: 'invalid' } | { kind: 'too_long'; value: string; limit: number };

export type Settled =
  | { kind: 'truncated'; value: string }
  | { kind: 'omitted'; rule: 'too_long' | 'invalid' }
  | { kind: 'rejected' };

/**
 * What a misfit becomes under its field's policy: cut to fit or left out (each with a warning), or
 * the record rejected. A cut that leaves nothing (one grapheme longer than the limit) counts as
 * leaving the field out; a required field is never left out.
 */
export function settleMisfit(policy: FieldPolicy, misfit: Misfit): Settled {
  const action = misfit.kind === 'too_long' ? policy.onTooLong : policy.onInvalid;
  if (action === 'truncate' && misfit.kind === 'too_long') {
    const cut = truncateToLength(misfit.value, misfit.limit);
    if (cut !== '') return { kind: 'truncated', value: cut };
  }
  return action === 'reject' || policy.required ? { kind: 'rejected' } : { kind: 'omitted', rule: misfit.kind };
}

/** Adds a warning unless the record already has the same one (two limits may cut one field). */
export function addWarning(warnings: FieldWarning[], field: string, rule: WarningRule): void {
  if (!warnings.some((w) => w.field === field && w.rule === rule)) warnings.push({ field, rule });
}
