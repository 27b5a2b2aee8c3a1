/**
 * The library's privacy rules for patrons (pure), each decided here and nowhere else: who is never
 * synced (Koha's anonymous patron, anonymised patrons, excluded categories, patrons without consent,
 * minors when so configured), and what a minor's contact may carry. Loan rules (privacy preference,
 * anonymisation horizon) are in pipeline/loan-writer.ts `loanWithheld`.
 */
import type { DesiredContact, SourceRecord } from '../core/types.js';
import type { PrivacyDocument } from './schema.js';
import { readText } from './source-ref.js';

export interface PrivacyRules {
  excludeCategories: ReadonlySet<string>;
  consentAttribute?: string;
  minorAge: number;
  minorAction: 'flag' | 'exclude';
  historyHorizonDays?: number;
  onAnonymised: 'erase' | 'flag';
  /** Koha's AnonymousPatron, as a record id. */
  anonymousPatronId?: string;
}

/** Why a patron is not synced: the kinds a contact already in the CRM reacts to. */
export type Withheld = 'anonymous patron' | 'anonymised' | 'category' | 'consent' | 'minor' | 'expired' | 'gone';

export function privacyRulesOf(doc: PrivacyDocument, anonymousPatronId: number | undefined): PrivacyRules {
  return {
    excludeCategories: new Set(doc.exclude_categories),
    ...(doc.consent_attribute !== undefined ? { consentAttribute: doc.consent_attribute } : {}),
    minorAge: doc.minors.under_age,
    minorAction: doc.minors.action,
    ...(doc.history_horizon_days !== undefined ? { historyHorizonDays: doc.history_horizon_days } : {}),
    onAnonymised: doc.on_anonymised,
    ...(anonymousPatronId !== undefined ? { anonymousPatronId: String(anonymousPatronId) } : {}),
  };
}

const NO = /^(0|no|false|n)$/i;

/** Whole years between a YYYY-MM-DD birth date and `today` (YYYY-MM-DD), or null when unreadable. */
export function ageOn(birthDate: unknown, today: string): number | null {
  if (typeof birthDate !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(birthDate)) return null;
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [ty, tm, td] = today.split('-').map(Number) as [number, number, number];
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
}

export const isMinor = (rules: PrivacyRules, record: SourceRecord, today: string): boolean => {
  const age = ageOn(record.data.date_of_birth, today);
  return age !== null && age < rules.minorAge;
};

/** Why this patron must not be synced, or null. */
export function withheldReason(rules: PrivacyRules, record: SourceRecord, today: string): Withheld | null {
  if (rules.anonymousPatronId !== undefined && record.id === rules.anonymousPatronId) return 'anonymous patron';
  if (record.anonymised || record.data.anonymized === true) return 'anonymised';
  const category = record.data.category_id;
  if (typeof category === 'string' && rules.excludeCategories.has(category)) return 'category';
  if (rules.consentAttribute !== undefined) {
    const consent = readText(record.data, { kind: 'attribute', code: rules.consentAttribute });
    if (consent === null || NO.test(consent.trim())) return 'consent';
  }
  if (rules.minorAction === 'exclude' && isMinor(rules, record, today)) return 'minor';
  return null;
}

/** A minor's contact: no birth date, and neither e-mails nor post (do_not_email, do_not_mail). */
export function protectMinor(contact: DesiredContact): DesiredContact {
  const { birth_date: _dropped, ...values } = contact.values;
  return { ...contact, values: { ...values, do_not_email: true, do_not_mail: true } };
}
