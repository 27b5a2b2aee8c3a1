/**
 * Engagement (pure): from a patron's loan days (local checkout dates) and today, the contact's
 * engagement fields and groups, and the next day on which they change with no new loan (a loan
 * leaving the 12-month window, the day the patron lapses, the end of "new"), so the values stay
 * true as time passes with work only for the patrons whose day has come.
 */
import { DateTime } from 'luxon';
import type { Value } from '../core/types.js';
import type { CustomGroupDecl, EngagementPlan } from './types.js';

export const ENGAGEMENT_GROUP = 'Library_Engagement';
export const ENGAGEMENT_FIELDS = {
  first: `${ENGAGEMENT_GROUP}.First_Loan`,
  last: `${ENGAGEMENT_GROUP}.Last_Loan`,
  recent: `${ENGAGEMENT_GROUP}.Loans_12_Months`,
  lapsed: `${ENGAGEMENT_GROUP}.Lapsed`,
} as const;
export const ENGAGEMENT_TARGETS: readonly string[] = Object.values(ENGAGEMENT_FIELDS);

export const ENGAGEMENT_CUSTOM_GROUP: CustomGroupDecl = {
  name: ENGAGEMENT_GROUP,
  title: 'Library engagement',
  extends: 'Individual',
  fields: [
    { group: ENGAGEMENT_GROUP, name: 'First_Loan', label: 'First loan', dataType: 'Date', htmlType: 'Select Date' },
    { group: ENGAGEMENT_GROUP, name: 'Last_Loan', label: 'Last loan', dataType: 'Date', htmlType: 'Select Date' },
    { group: ENGAGEMENT_GROUP, name: 'Loans_12_Months', label: 'Loans in the last 12 months', dataType: 'Int', htmlType: 'Text' },
    { group: ENGAGEMENT_GROUP, name: 'Lapsed', label: 'Lapsed (no recent loan)', dataType: 'Boolean', htmlType: 'Radio' },
  ],
};

export interface Engagement {
  values: Record<string, Value>;
  lapsed: boolean;
  isNew: boolean;
  /** The next day (YYYY-MM-DD) on which these values change without a new loan, or null. */
  nextChange: string | null;
}

const plusMonths = (day: string, months: number): string => DateTime.fromISO(day, { zone: 'UTC' }).plus({ months }).toISODate()!;

/**
 * "In the last 12 months": a loan on day d counts while today < d + 12 months. Lapsed: the last loan
 * is at least `lapsedAfterMonths` old (a patron with no loan at all is not lapsed, never having borrowed).
 * New: the first loan is less than `newWithinMonths` old.
 */
export function engagementOf(days: readonly string[], today: string, plan: EngagementPlan): Engagement {
  if (days.length === 0) {
    return { values: { [ENGAGEMENT_FIELDS.first]: null, [ENGAGEMENT_FIELDS.last]: null, [ENGAGEMENT_FIELDS.recent]: 0, [ENGAGEMENT_FIELDS.lapsed]: false }, lapsed: false, isNew: false, nextChange: null };
  }
  const sorted = [...days].sort();
  const first = sorted[0]!;
  const last = sorted[sorted.length - 1]!;
  const changes: string[] = [];
  let recent = 0;
  for (const d of sorted) {
    const out = plusMonths(d, 12);
    if (today < out) {
      recent += 1;
      changes.push(out);
    }
  }
  const lapsesOn = plusMonths(last, plan.lapsedAfterMonths);
  const lapsed = today >= lapsesOn;
  if (!lapsed) changes.push(lapsesOn);
  const oldOn = plusMonths(first, plan.newWithinMonths);
  const isNew = today < oldOn;
  if (isNew) changes.push(oldOn);
  const future = changes.filter((c) => c > today).sort();
  return {
    values: { [ENGAGEMENT_FIELDS.first]: first, [ENGAGEMENT_FIELDS.last]: last, [ENGAGEMENT_FIELDS.recent]: recent, [ENGAGEMENT_FIELDS.lapsed]: lapsed },
    lapsed,
    isNew,
    nextChange: future[0] ?? null,
  };
}
