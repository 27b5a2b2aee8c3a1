/**
 * How CiviCRM 6.17.2 coerces written values instead of rejecting them (recorded): strings are trimmed
 * and cut to the column length with "...", bad booleans become false, bad dates 1970-01-01.
 * The client must validate before it sends; this server must not do it for them.
 */
import { FatalError, dbConstraint } from './api-error.js';
import { toDateTimeValue, toDateValue } from './dates.js';

export interface CoercibleField {
  n: string;
  t: string;
  max?: number;
  fk?: string;
  ser?: string;
}

/** CRM_Utils_String::ellipsify as observed: 70 chars into varchar(64) -> first 61 + "...". */
export function ellipsify(value: string, max: number): string {
  const chars = Array.from(value);
  if (chars.length <= max) return value;
  return chars.slice(0, Math.max(0, max - 3)).join('') + '...';
}

const typeName = (v: unknown): string => (Array.isArray(v) ? 'array' : typeof v === 'object' ? 'array' : typeof v);

function toText(field: CoercibleField, value: unknown): string {
  if (typeof value === 'object' && value !== null) {
    // PHP trim() on an array is a TypeError: the real server answers with its HTML fatal page.
    throw new FatalError(`trim(): Argument #1 ($string) must be of type string, ${typeName(value)} given`);
  }
  const s = typeof value === 'boolean' ? (value ? '1' : '') : String(value).trim();
  return field.max ? ellipsify(s, field.max) : s;
}

export function toBoolean(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return /^(1|true|yes|on)$/i.test(value.trim());
  return false;
}

function toInteger(field: CoercibleField, value: unknown): number | null {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Math.trunc(Number(value));
  if (value === '') return null;
  // MySQL casts "abc" to 0; on a foreign key that is a constraint violation (recorded for employer_id).
  if (field.fk) throw dbConstraint();
  return null;
}

/** Coerce one written value to what the DB would store and APIv4 would read back. */
export function coerceValue(field: CoercibleField, value: unknown, now: Date, timeZone = 'UTC'): unknown {
  if (value === null || value === undefined) return null;
  if (field.ser) {
    const list = Array.isArray(value) ? value : value === '' ? [] : [value];
    return list.map((v) => (field.t === 'Integer' ? toInteger(field, v) : String(v)));
  }
  switch (field.t) {
    case 'Integer':
      return toInteger(field, value);
    case 'Boolean':
      return toBoolean(value);
    case 'Float':
    case 'Money': {
      const n = Number(value);
      return value === '' || Number.isNaN(n) ? null : n;
    }
    case 'Date':
      return value === '' ? null : toDateValue(value, now, timeZone);
    case 'Timestamp':
    case 'DateTime':
      return value === '' ? null : toDateTimeValue(value, now, timeZone);
    default:
      return toText(field, value);
  }
}
