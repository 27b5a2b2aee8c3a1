/**
 * Pure checks of contact values against CiviCRM field specs, done before sending because CiviCRM
 * is lenient: it ignores unknown fields, cuts long strings, stores bad dates as 1970-01-01.
 * Problems name the field and the rule, never the value.
 */
import { isCalendarDay } from '../../src/core/calendar.js';
import { codePointLength } from '../../src/core/characters.js';
import type { FieldSpec } from './sink.js';

export type Rule = 'unknown_field' | 'max_length' | 'date' | 'timestamp' | 'integer' | 'number' | 'boolean' | 'email' | 'option' | 'type';

export interface Problem {
  field: string;
  rule: Rule;
  message: string;
}

type Value = string | number | boolean | null;

/** Characters as MySQL utf8mb4 counts them: code points, so an emoji is 1, not 2 UTF-16 units. */
export { codePointLength };

/** A real calendar date YYYY-MM-DD (rejects 2026-02-31 and 0000-00-00). */
export function isCalendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  return isCalendarDay(Number(m[1]), Number(m[2]), Number(m[3]));
}

export function isTimestamp(s: string): boolean {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(s);
  return !!m && isCalendarDate(m[1] ?? '') && Number(m[2]) < 24 && Number(m[3]) < 60 && Number(m[4]) < 60;
}

/** Loose on purpose: one @, something before it, a dotted domain, no spaces. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function checkType(spec: FieldSpec, v: Exclude<Value, null>): Rule | undefined {
  switch (spec.dataType) {
    case 'Integer':
    case 'Int':
      return (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^-?\d+$/.test(v)) ? undefined : 'integer';
    case 'Float':
    case 'Money':
      return (typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) ? undefined : 'number';
    case 'Boolean':
      return typeof v === 'boolean' || v === 0 || v === 1 || v === '0' || v === '1' ? undefined : 'boolean';
    case 'Date':
      return typeof v === 'string' && isCalendarDate(v) ? undefined : 'date';
    case 'Timestamp':
    case 'Datetime':
      return typeof v === 'string' && isTimestamp(v) ? undefined : 'timestamp';
    case 'Email':
      return typeof v === 'string' && EMAIL.test(v) ? undefined : 'email';
    default:
      // String, Text, Memo, Link…: numbers are fine (sent as text), booleans are not.
      return typeof v === 'boolean' ? 'type' : undefined;
  }
}

const RULE_TEXT: Record<Rule, (spec?: FieldSpec) => string> = {
  unknown_field: () => 'is not a writable CiviCRM Contact field (CiviCRM would silently ignore it)',
  max_length: (s) => `is longer than ${s?.maxLength ?? '?'} characters`,
  date: () => 'is not a valid calendar date YYYY-MM-DD',
  timestamp: () => 'is not a valid date-time YYYY-MM-DD HH:MM:SS',
  integer: () => 'is not an integer',
  number: () => 'is not a number',
  boolean: () => 'is not a boolean',
  email: () => 'is not an email address',
  option: () => 'is not one of the allowed options',
  type: (s) => `has the wrong type for a ${s?.dataType ?? 'String'} field`,
};

function problem(field: string, rule: Rule, spec?: FieldSpec): Problem {
  return { field, rule, message: `${field} ${RULE_TEXT[rule](spec)}` };
}

/** Check each value against its spec; null (= clear the field) always passes. */
export function validateContactValues(values: Readonly<Record<string, Value>>, specs: ReadonlyMap<string, FieldSpec>): Problem[] {
  const problems: Problem[] = [];
  for (const [field, v] of Object.entries(values)) {
    const spec = specs.get(field);
    if (!spec) {
      problems.push(problem(field, 'unknown_field'));
      continue;
    }
    if (v === null) continue;
    const typeRule = checkType(spec, v);
    if (typeRule) {
      problems.push(problem(field, typeRule, spec));
      continue;
    }
    if (spec.options && !spec.options.includes(String(v))) {
      problems.push(problem(field, 'option', spec));
      continue;
    }
    if (spec.maxLength !== undefined && codePointLength(String(v)) > spec.maxLength) problems.push(problem(field, 'max_length', spec));
  }
  return problems;
}
