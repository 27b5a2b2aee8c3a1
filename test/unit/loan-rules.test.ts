/** The pure rules of loans, engagement and privacy, as tables written by hand. */
import { describe, expect, it } from '@jest/globals';
import type { SentState, SourceRecord } from '../../src/core/types.js';
import { engagementOf } from '../../src/mapping/engagement.js';
import { compileMappingText } from '../../src/mapping/index.js';
import { localDateTime } from '../../src/mapping/loans.js';
import { ageOn, privacyRulesOf, withheldReason } from '../../src/mapping/privacy.js';
import { loanWithheld } from '../../src/pipeline/loan-writer.js';

const BASE = `version: 1
source: koha
external_id: { from: patron_id }
fields:
  last_name: { from: surname, required: true }
`;
const compile = (extra: string) => compileMappingText(BASE + extra, 'test.yaml', 'koha');
const loan = (data: Record<string, unknown>, anonymised = false): SourceRecord => ({
  sourceId: 'koha', kind: 'checkout', id: String(data.checkout_id), updatedAt: '2026-03-01T13:05:00.000Z', anonymised, data,
});

describe('loan dates in the CRM\'s zone', () => {
  it.each([
    ['an offset, shown in Paris', '2026-03-01T14:05:00+01:00', 'UTC', 'Europe/Paris', '2026-03-01 14:05:00'],
    ['the same instant in London', '2026-03-01T14:05:00+01:00', 'UTC', 'Europe/London', '2026-03-01 13:05:00'],
    ['UTC, in Paris in summer', '2026-07-01T12:00:00Z', 'UTC', 'Europe/Paris', '2026-07-01 14:00:00'],
    ['a naive Koha value is read in the Koha zone', '2026-07-01 10:00:00', 'Europe/Berlin', 'Europe/London', '2026-07-01 09:00:00'],
    ['across midnight', '2026-03-01T23:30:00Z', 'UTC', 'Europe/Paris', '2026-03-02 00:30:00'],
    ['the spring-forward hour', '2026-03-29T01:30:00Z', 'UTC', 'Europe/Paris', '2026-03-29 03:30:00'],
  ])('%s', (_name, value, kohaZone, crmZone, expected) => {
    expect(localDateTime(value, kohaZone, crmZone)).toBe(expected);
  });

  it('an unreadable value is no date', () => {
    expect(localDateTime('soonish', 'UTC', 'Europe/Paris')).toBeNull();
    expect(localDateTime(null, 'UTC', 'Europe/Paris')).toBeNull();
  });
});

describe('a checkout as an activity', () => {
  const plan = compile('loans: {}\n').loans!;
  const ctx = { crmTimeZone: 'Europe/Paris', kohaTimeZone: 'Europe/Paris' };

  it('a current loan: Scheduled on its checkout time, with its due date and branch', () => {
    expect(plan.transform(loan({ checkout_id: 88123, patron_id: 7, item_id: 5, library_id: 'CPL', checkout_date: '2026-03-01T14:05:00+01:00', due_date: '2026-03-22T23:59:00+01:00', checkin_date: null }), ctx)).toEqual({
      kind: 'activity',
      activity: {
        key: 'koha:checkout:88123', sourceRecordId: '88123', patronKey: 'koha:7', day: '2026-03-01', returnedDay: null,
        values: {
          'activity_type_id:name': 'Library_Loan', subject: 'Library loan (CPL)', activity_date_time: '2026-03-01 14:05:00', 'status_id:name': 'Scheduled',
          'Library_Loan.Loan_ID': 'koha:checkout:88123', 'Library_Loan.Due_Date': '2026-03-22', 'Library_Loan.Return_Date': null, 'Library_Loan.Branch': 'CPL',
        },
      },
    });
  });

  it('a returned loan: Completed, with its return date', () => {
    const t = plan.transform(loan({ checkout_id: 9, patron_id: 7, library_id: 'FPL', checkout_date: '2026-03-01T14:05:00+01:00', due_date: '2026-03-22T23:59:00+01:00', checkin_date: '2026-03-10T09:00:00+01:00' }), ctx);
    expect(t).toMatchObject({ kind: 'activity', activity: { returnedDay: '2026-03-10', values: { 'status_id:name': 'Completed', 'Library_Loan.Return_Date': '2026-03-10' } } });
  });

  it('a loan of nobody (anonymised, or no patron) is nobody\'s', () => {
    expect(plan.transform(loan({ checkout_id: 3, patron_id: 1000, checkout_date: '2026-03-01T14:05:00+01:00' }, true), ctx)).toEqual({ kind: 'nobody', key: 'koha:checkout:3' });
    expect(plan.transform(loan({ checkout_id: 4, patron_id: null, checkout_date: '2026-03-01T14:05:00+01:00' }), ctx)).toEqual({ kind: 'nobody', key: 'koha:checkout:4' });
  });

  it('titles appear only when the mapping asks for them, and never without their placeholder', () => {
    const titled = compile('loans: { titles: true, subject: "{title} ({library_id})" }\n').loans!;
    const t = titled.transform(loan({ checkout_id: 1, patron_id: 7, item_id: 5, library_id: 'CPL', checkout_date: '2026-03-01T14:05:00+01:00' }), { ...ctx, titleOf: (id) => (id === 5 ? 'Dune' : null) });
    expect(t).toMatchObject({ activity: { values: { subject: 'Dune (CPL)' } } });
    expect(() => compile('loans: { subject: "{title}" }\n')).toThrow(/loans.subject: the \{title\} placeholder needs titles: true/);
    expect(() => compile('loans: { subject: "{surname}" }\n')).toThrow(/unknown loan placeholder "\{surname\}"/);
  });

  it('loans need the patron_id as the contact key', () => {
    expect(() => compileMappingText(BASE.replace('{ from: patron_id }', '{ from: cardnumber }') + 'loans: {}\n', 'test.yaml', 'koha')).toThrow(/external_id must be \{ from: patron_id \}/);
  });
});

describe('which loans may be in the CRM', () => {
  const a = (returnedDay: string | null) => ({ key: 'k', sourceRecordId: '1', patronKey: 'koha:7', values: {}, day: '2024-01-01', returnedDay });
  const patron = (over: Partial<SentState>): SentState => ({ groups: [], at: '', contactId: 1, ...over });
  it.each([
    ['privacy 0: all of it', patron({ privacy: 0 }), a('2020-01-01'), 365, null],
    ['privacy 1, returned within the horizon', patron({ privacy: 1 }), a('2026-01-01'), 365, null],
    ['privacy 1, returned before the horizon', patron({ privacy: 1 }), a('2025-06-01'), 365, 'older than the library\'s anonymisation horizon'],
    ['privacy 1, no horizon configured', patron({ privacy: 1 }), a('2020-06-01'), undefined, null],
    ['privacy 1, still out however old', patron({ privacy: 1 }), a(null), 365, null],
    ['privacy 2: no loan detail at all', patron({ privacy: 2 }), a(null), undefined, 'patron keeps no loan history (privacy 2)'],
    ['a withheld patron', patron({ withheld: 'consent' }), a(null), undefined, 'patron withheld (consent)'],
  ])('%s', (_name, p, activity, horizon, expected) => {
    expect(loanWithheld(p, activity, { today: '2026-11-23', ...(horizon !== undefined ? { historyHorizonDays: horizon } : {}) })).toBe(expected);
  });
});

describe('engagement', () => {
  const plan = { lapsedAfterMonths: 12, newWithinMonths: 3, groups: {} };
  const E = (first: string | null, last: string | null, recent: number, lapsed: boolean) => ({
    'Library_Engagement.First_Loan': first, 'Library_Engagement.Last_Loan': last, 'Library_Engagement.Loans_12_Months': recent, 'Library_Engagement.Lapsed': lapsed,
  });
  it.each([
    ['no loan: nothing to show, not lapsed', [], '2026-11-23', E(null, null, 0, false), false, false, null],
    ['one recent loan: new', ['2026-10-01'], '2026-11-23', E('2026-10-01', '2026-10-01', 1, false), false, true, '2027-01-01'],
    ['loans in and out of the window', ['2025-01-10', '2025-11-24', '2026-05-01'], '2026-11-23', E('2025-01-10', '2026-05-01', 2, false), false, false, '2026-11-24'],
    ['a loan twelve months ago to the day has left the window', ['2025-11-23'], '2026-11-23', E('2025-11-23', '2025-11-23', 0, true), true, false, null],
    ['the day before, it still counts and the patron is not yet lapsed', ['2025-11-23'], '2026-11-22', E('2025-11-23', '2025-11-23', 1, false), false, false, '2026-11-23'],
  ])('%s', (_name, days, today, values, lapsed, isNew, nextChange) => {
    expect(engagementOf(days, today, plan)).toEqual({ values, lapsed, isNew, nextChange });
  });
});

describe('who is synced at all', () => {
  const rules = privacyRulesOf({ exclude_categories: ['STAFF'], consent_attribute: 'CONSENT', minors: { under_age: 16, action: 'exclude' }, on_anonymised: 'erase' }, 1000);
  const patron = (id: number, data: Record<string, unknown>, anonymised = false): SourceRecord => ({
    sourceId: 'koha', kind: 'patron', id: String(id), updatedAt: '', anonymised,
    data: { patron_id: id, category_id: 'ADULT', date_of_birth: '1980-01-01', extended_attributes: [{ type: 'CONSENT', value: '1' }], ...data },
  });
  it.each([
    ['a consenting adult', patron(5, {}), null],
    ['Koha\'s anonymous patron', patron(1000, {}), 'anonymous patron'],
    ['an anonymised patron', patron(6, {}, true), 'anonymised'],
    ['an excluded category', patron(7, { category_id: 'STAFF' }), 'category'],
    ['no consent attribute', patron(8, { extended_attributes: [] }), 'consent'],
    ['consent refused', patron(9, { extended_attributes: [{ type: 'CONSENT', value: 'no' }] }), 'consent'],
    ['a minor, when minors are left out', patron(10, { date_of_birth: '2011-11-24' }), 'minor'],
    ['sixteen today', patron(11, { date_of_birth: '2010-11-23' }), null],
  ])('%s', (_name, record, expected) => {
    expect(withheldReason(rules, record, '2026-11-23')).toBe(expected);
  });

  it('ages count whole years, birthdays included', () => {
    expect([ageOn('2010-11-23', '2026-11-23'), ageOn('2010-11-24', '2026-11-23'), ageOn('2008-02-29', '2026-02-28'), ageOn('not a date', '2026-01-01')]).toEqual([16, 15, 17, null]);
  });
});
