/**
 * Koha loans → CiviCRM activities (pure). One activity per checkout, keyed by the checkout id in a
 * custom field on Activity, on the patron's contact; dates as naive local times in the CRM's zone
 * (CiviCRM stores them so: a loan at 2026-03-01T14:05:00+01:00 shows 14:05 in Paris).
 */
import { DateTime } from 'luxon';
import type { SourceRecord, Value } from '../core/types.js';
import type { MappingIssue } from './issues.js';
import { LOAN_PLACEHOLDERS, type LoansDocument } from './schema.js';
import { parseTemplate, renderTemplate, type Template } from './template.js';
import type { CustomGroupDecl } from './types.js';

export const LOAN_GROUP = 'Library_Loan';
export const LOAN_FIELDS = {
  id: `${LOAN_GROUP}.Loan_ID`,
  due: `${LOAN_GROUP}.Due_Date`,
  returned: `${LOAN_GROUP}.Return_Date`,
  branch: `${LOAN_GROUP}.Branch`,
} as const;

/** The custom fields every loan activity carries (`crm bootstrap` creates them). */
export const LOAN_CUSTOM_GROUP: CustomGroupDecl = {
  name: LOAN_GROUP,
  title: 'Library loan',
  extends: 'Activity',
  fields: [
    { group: LOAN_GROUP, name: 'Loan_ID', label: 'Loan ID', dataType: 'String', htmlType: 'Text', maxLength: 64 },
    { group: LOAN_GROUP, name: 'Due_Date', label: 'Due date', dataType: 'Date', htmlType: 'Select Date' },
    { group: LOAN_GROUP, name: 'Return_Date', label: 'Return date', dataType: 'Date', htmlType: 'Select Date' },
    { group: LOAN_GROUP, name: 'Branch', label: 'Branch', dataType: 'String', htmlType: 'Text', maxLength: 10 },
  ],
};

/** The loan the mapping wants the CRM to hold. */
export interface DesiredActivity {
  /** "<sourceId>:checkout:<checkout_id>", written to Library_Loan.Loan_ID. */
  key: string;
  sourceRecordId: string;
  /** The patron's contact key ("<sourceId>:<patron_id>"). */
  patronKey: string;
  /** Activity fields to write (target and source contacts are added by the writer). */
  values: Record<string, Value>;
  /** Local date (CRM zone) of the checkout, for engagement. */
  day: string;
  /** Local date of the return, or null while the loan is out. */
  returnedDay: string | null;
}

export type LoanTransform =
  | { kind: 'activity'; activity: DesiredActivity }
  /** A loan of nobody (anonymised by Koha): its CRM copy, if any, must go. */
  | { kind: 'nobody'; key: string }
  | { kind: 'reject'; code: 'RECORD_INVALID'; reason: string };

export interface LoanContext {
  /** IANA zone CiviCRM stores its date-times in (crm.timezone). */
  crmTimeZone: string;
  /** IANA zone of the Koha server, for naive values. */
  kohaTimeZone: string;
  /** Item titles, when the mapping asks for them. */
  titleOf?: (itemId: number) => string | null;
}

export interface LoanPlan {
  readonly activityType: { name: string; label: string };
  readonly sourceContact: string;
  readonly titles: boolean;
  /** Activity fields a loan writes (checked against Activity.getFields before a run). */
  readonly targetFields: readonly string[];
  transform(record: SourceRecord, ctx: LoanContext): LoanTransform;
}

export const loanKey = (sourceId: string, checkoutId: string | number): string => `${sourceId}:checkout:${checkoutId}`;
/** The checkout id (the source record id) of a loan key: the inverse of loanKey. */
export const checkoutIdOf = (key: string): string => key.slice(key.lastIndexOf(':') + 1);

/** A Koha date-time (RFC 3339, or naive in the Koha zone) as a naive local time in `zone`, or null. */
export function localDateTime(value: unknown, kohaZone: string, zone: string): string | null {
  if (typeof value !== 'string' || value === '') return null;
  const withOffset = /([Zz]|[+-]\d{2}:?\d{2})$/.test(value);
  const dt = withOffset ? DateTime.fromISO(value.replace(' ', 'T'), { setZone: true }) : DateTime.fromISO(value.replace(' ', 'T'), { zone: kohaZone });
  return dt.isValid ? dt.setZone(zone).toFormat('yyyy-MM-dd HH:mm:ss') : null;
}

export function compileLoans(doc: LoansDocument, ctx: { sourceId: string; externalIdField: string }, issues: MappingIssue[]): LoanPlan | null {
  if (ctx.externalIdField !== 'patron_id') {
    issues.push({ path: ['external_id', 'from'], message: 'loans are attached to the patron\'s contact by patron_id: with a loans section, external_id must be { from: patron_id }' });
  }
  const subject = parseTemplate(doc.subject);
  if (typeof subject === 'string') issues.push({ path: ['loans', 'subject'], message: subject });
  else {
    for (const ref of subject.refs) {
      const name = ref.kind === 'field' ? ref.name : `extended_attribute:${ref.code}`;
      if (!(LOAN_PLACEHOLDERS as readonly string[]).includes(name)) {
        issues.push({ path: ['loans', 'subject'], message: `unknown loan placeholder "{${name}}"; expected one of ${LOAN_PLACEHOLDERS.join(', ')}` });
      } else if (name === 'title' && !doc.titles) {
        issues.push({ path: ['loans', 'subject'], message: 'the {title} placeholder needs titles: true (titles are off by default)' });
      }
    }
  }
  if (issues.length > 0 || typeof subject === 'string') return null;
  const targetFields = ['activity_type_id:name', 'subject', 'activity_date_time', 'status_id:name', 'source_contact_id', 'target_contact_id', ...Object.values(LOAN_FIELDS)];
  return {
    activityType: doc.activity_type,
    sourceContact: doc.source_contact,
    titles: doc.titles,
    targetFields,
    transform: (record, lctx) => transformLoan(ctx.sourceId, subject, doc, record, lctx),
  };
}

function transformLoan(sourceId: string, subject: Template, doc: LoansDocument, record: SourceRecord, ctx: LoanContext): LoanTransform {
  const d = record.data;
  const key = loanKey(sourceId, record.id);
  if (record.anonymised || typeof d.patron_id !== 'number') return { kind: 'nobody', key };
  const out = localDateTime(d.checkout_date, ctx.kohaTimeZone, ctx.crmTimeZone);
  if (out === null) return { kind: 'reject', code: 'RECORD_INVALID', reason: 'checkout_date: expected a date-time' };
  const returned = localDateTime(d.checkin_date, ctx.kohaTimeZone, ctx.crmTimeZone);
  const due = localDateTime(d.due_date, ctx.kohaTimeZone, ctx.crmTimeZone);
  const item = typeof d.item_id === 'number' ? d.item_id : null;
  const text = (v: unknown) => (v === null || v === undefined || v === '' ? null : String(v));
  const placeholder = (name: string): string | null => {
    if (name === 'title') return item !== null && ctx.titleOf ? ctx.titleOf(item) : null;
    return text(d[name]);
  };
  // Activity.subject holds 255 characters (real CiviCRM would cut it with "..."): a long title is cut here.
  const rendered = [...(renderTemplate(subject, (ref) => (ref.kind === 'field' ? placeholder(ref.name) : null)) ?? doc.activity_type.label)].slice(0, 255).join('');
  return {
    kind: 'activity',
    activity: {
      key,
      sourceRecordId: record.id,
      patronKey: `${sourceId}:${d.patron_id}`,
      values: {
        'activity_type_id:name': doc.activity_type.name,
        subject: rendered,
        activity_date_time: out,
        'status_id:name': returned === null ? 'Scheduled' : 'Completed',
        [LOAN_FIELDS.id]: key,
        [LOAN_FIELDS.due]: due === null ? null : due.slice(0, 10),
        [LOAN_FIELDS.returned]: returned === null ? null : returned.slice(0, 10),
        [LOAN_FIELDS.branch]: text(d.library_id),
      },
      day: out.slice(0, 10),
      returnedDay: returned === null ? null : returned.slice(0, 10),
    },
  };
}
