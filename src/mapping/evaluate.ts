/** One mapped field on one record: pick the source value, clean it, check its type and the mapping's length. */
import { codePointLength } from '../core/characters.js';
import { toCountryCode } from './countries.js';
import { parseCalendarDate } from './dates.js';
import { isPlausibleEmail } from './email.js';
import type { FieldPlan, ValueType } from './plan.js';
import { describeRef, readText } from './source-ref.js';
import { renderTemplate } from './template.js';
import { applyStringTransforms, isBlank } from './text.js';

export type Evaluated =
  | { kind: 'value'; value: string | number | boolean }
  | { kind: 'blank' }
  /** `reason` names the source and the rule, never the value. */
  | { kind: 'invalid'; reason: string }
  /** Longer than the mapping's max_length (in characters); the field's policy decides. */
  | { kind: 'too_long'; value: string; limit: number; reason: string };

const EXPECTED: Record<ValueType, string> = {
  string: 'text',
  date: 'a calendar date (YYYY-MM-DD or an RFC 3339 date-time)',
  email: 'an e-mail address',
  country: 'a country (ISO 3166 code or name)',
  integer: 'a whole number',
  boolean: 'yes/no (true, false, 1, 0)',
};

const BOOLEAN_TEXT: Record<string, boolean> = { true: true, false: false, '1': true, '0': false, yes: true, no: false };

function convert(text: string, type: ValueType): string | number | boolean | null {
  switch (type) {
    case 'string': return text;
    case 'date': return parseCalendarDate(text);
    case 'email': return isPlausibleEmail(text) ? text : null;
    case 'country': return toCountryCode(text);
    case 'integer': {
      const n = /^[+-]?\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
      return Number.isSafeInteger(n) ? n : null;
    }
    case 'boolean': return BOOLEAN_TEXT[text.trim().toLowerCase()] ?? null;
  }
}

/** Raw text for the field and a label of where it came from (for reasons). */
function pick(plan: FieldPlan, data: Record<string, unknown>): { text: string | null; label: string } {
  const src = plan.source;
  if (src.kind === 'constant') return { text: String(src.value), label: 'constant value' };
  if (src.kind === 'template') {
    const label = `template (${src.template.refs.map(describeRef).join(', ')})`;
    return { text: renderTemplate(src.template, (ref) => readText(data, ref)), label };
  }
  for (const ref of src.refs) {
    const text = readText(data, ref);
    if (text !== null) return { text, label: describeRef(ref) };
  }
  return { text: null, label: src.refs.map(describeRef).join(', ') };
}

export function evaluateField(plan: FieldPlan, data: Record<string, unknown>): Evaluated {
  const constant = plan.source.kind === 'constant' ? plan.source.value : undefined;
  if ((typeof constant === 'boolean' && plan.type === 'boolean') || (Number.isSafeInteger(constant) && plan.type === 'integer')) {
    return { kind: 'value', value: constant as boolean | number }; // a typed YAML constant is used as written
  }
  const { text: raw, label } = pick(plan, data);
  if (raw === null) return { kind: 'blank' };
  const text = applyStringTransforms(raw, plan.transforms);
  if (isBlank(text)) return { kind: 'blank' };
  const value = convert(text, plan.type);
  if (value === null) return { kind: 'invalid', reason: `${plan.target}: ${label} is not ${EXPECTED[plan.type]}` };
  if (typeof value === 'string' && plan.maxLength !== undefined && codePointLength(value) > plan.maxLength) {
    return { kind: 'too_long', value, limit: plan.maxLength, reason: `${plan.target}: ${label} is longer than ${plan.maxLength} characters` };
  }
  return { kind: 'value', value };
}
