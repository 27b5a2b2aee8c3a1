/** Contact display/sort names and greetings, computed the way CiviCRM does for the default formats. */
import type { Row } from './store.js';

export const CONTACT_TYPES = ['Individual', 'Organization', 'Household'];

const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v).trim());

/** contact_type when the record has none: organization_name -> Organization, household_name -> Household. */
export function guessContactType(values: Row): string {
  if (str(values['organization_name'])) return 'Organization';
  if (str(values['household_name'])) return 'Household';
  return 'Individual';
}

/**
 * Names come from the values as sent (before any truncation): a 70-char first_name is cut to 64
 * in its column but the display_name keeps all 70 (recorded).
 */
export function contactNames(type: string, v: Row, email?: string | null): { display_name: string | null; sort_name: string | null } {
  if (type === 'Organization') return { display_name: str(v['organization_name']) || null, sort_name: str(v['organization_name']) || null };
  if (type === 'Household') return { display_name: str(v['household_name']) || null, sort_name: str(v['household_name']) || null };
  if (type !== 'Individual') return { display_name: null, sort_name: null };
  const first = str(v['first_name']);
  const middle = str(v['middle_name']);
  const last = str(v['last_name']);
  const display = [first, middle, last].filter(Boolean).join(' ');
  if (!display) return { display_name: email || null, sort_name: email || null };
  const sort = last && first ? `${last}, ${first}` : last || first;
  return { display_name: display, sort_name: sort };
}

/** The default greeting formats of a fresh install ("Dear {first_name}", addressee = full name). */
export function greetings(row: Row): Row {
  if (row['contact_type'] !== 'Individual') return {};
  const first = str(row['first_name']);
  const full = [row['first_name'], row['middle_name'], row['last_name']].map(str).filter(Boolean).join(' ');
  return {
    email_greeting_display: row['email_greeting_id'] === 1 ? `Dear ${first}`.trim() : null,
    postal_greeting_display: row['postal_greeting_id'] === 1 ? `Dear ${first}`.trim() : null,
    addressee_display: row['addressee_id'] === 1 ? full || null : null,
  };
}
