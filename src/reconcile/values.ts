/**
 * Comparing a field's values as CiviCRM holds them: the CRM lower-cases e-mails, returns dates with
 * a time part and booleans as true/false, so a plain === would see edits nobody made. Pure.
 */
import { createHash } from 'node:crypto';

import type { Value } from '../core/types.js';

export type { Value };

/** How a field's values compare: from the CRM's data type of the field (getFields). */
export type Comparison = 'text' | 'email' | 'date' | 'number' | 'boolean';

export function comparisonOf(dataType: string | undefined, field: string): Comparison {
  if (dataType === 'Email' || field.startsWith('email_')) return 'email';
  switch (dataType) {
    case 'Date':
    case 'Timestamp':
    case 'Datetime':
      return 'date';
    case 'Int':
    case 'Integer':
    case 'Float':
    case 'Money':
      return 'number';
    case 'Boolean':
      return 'boolean';
    default:
      return 'text';
  }
}

/** A value's canonical text; blank (null, undefined, '', spaces) is ''. */
export function canonical(v: Value | undefined, how: Comparison): string {
  if (v === null || v === undefined) return '';
  const s = String(v).normalize('NFC').trim();
  if (s === '') return '';
  switch (how) {
    case 'email':
      return s.toLowerCase();
    case 'date':
      return s.slice(0, 10);
    case 'number':
      return Number.isFinite(Number(s)) ? String(Number(s)) : s;
    case 'boolean':
      return ['1', 'true', 'yes'].includes(s.toLowerCase()) ? '1' : '0';
    default:
      return s;
  }
}

export const sameValue = (a: Value | undefined, b: Value | undefined, how: Comparison): boolean => canonical(a, how) === canonical(b, how);
export const isBlank = (v: Value | undefined): boolean => canonical(v, 'text') === '';

/** A short hash of a canonical value, so the state keeps what it needs to compare, not the value. */
export function valueHash(v: Value | undefined, how: Comparison): string {
  return createHash('sha256').update(canonical(v, how)).digest('base64url').slice(0, 16);
}

/**
 * Person fields compared for matching: Unicode-normalised (NFKC, so composed and decomposed accents
 * are one), case-folded, inner spaces collapsed.
 */
export function personKey(v: Value | undefined): string {
  if (v === null || v === undefined) return '';
  return String(v).normalize('NFKC').toLocaleLowerCase('und').replace(/\s+/g, ' ').trim();
}
