/**
 * The checkouts stream's writer: each loan through the mapping (pure) to one activity on its
 * patron's contact. The patron's last-synced state is the join: it gives the contact id, the
 * patron's privacy preference and whether the privacy rules withhold them. A loan whose patron is
 * not a contact yet waits (kept for retry, like a failure); a loan Koha anonymised, or one the rules
 * no longer allow, has its activity deleted. Unchanged loans are not sent again.
 */
import { createHash } from 'node:crypto';
import { unitOf, PATRONS } from '../core/streams.js';
import { describeError } from '../core/errors.js';
import type { SentState, SourceRecord } from '../core/types.js';
import { LOAN_FIELDS, type DesiredActivity, type LoanPlan } from '../mapping/loans.js';
import type { CompiledMapping } from '../mapping/types.js';
import { tally } from './tally.js';
import type { StreamWriter, WriteOutcome } from './types.js';

export interface LoanWriterOptions {
  sourceId: string;
  crmTimeZone: string;
  kohaTimeZone: string;
  /** Titles of items, fetched in batches (only when the mapping asks for titles). */
  titles?: (itemIds: readonly number[], runId: string) => Promise<ReadonlyMap<number, string>>;
  /** Days of loan history a privacy=1 patron's loans are kept (the library's anonymisation horizon); none: no limit. */
  historyHorizonDays?: number;
}

const fingerprint = (a: DesiredActivity, contactId: number) => createHash('sha1').update(JSON.stringify([contactId, Object.entries(a.values).sort()])).digest('base64url');

/** Why a patron's loan must not be in the CRM (null: it may). Privacy 2 ("never keep history"): no loan detail at all. */
export function loanWithheld(patron: SentState, a: DesiredActivity, opts: { today: string; historyHorizonDays?: number }): string | null {
  if (patron.withheld) return `patron withheld (${patron.withheld})`;
  if (patron.privacy === 2) return 'patron keeps no loan history (privacy 2)';
  if (patron.privacy === 1 && opts.historyHorizonDays !== undefined && a.returnedDay !== null) {
    const horizon = new Date(Date.parse(`${opts.today}T00:00:00Z`) - opts.historyHorizonDays * 86_400_000).toISOString().slice(0, 10);
    if (a.returnedDay < horizon) return 'older than the library\'s anonymisation horizon';
  }
  return null;
}

export function createLoanWriter(mapping: CompiledMapping, plan: LoanPlan, opts: LoanWriterOptions): StreamWriter {
  const patronsUnit = unitOf(opts.sourceId, PATRONS);
  const keyField = LOAN_FIELDS.id;
  return {
    async preflight(deps) {
      let problem: string | null;
      try {
        problem = await deps.crm.loanSetupProblem({ activityType: plan.activityType.name, fields: plan.targetFields, sourceContact: plan.sourceContact });
      } catch (err) {
        if ((err as { transient?: boolean }).transient) throw err;
        return `the CRM's activity setup could not be read: ${describeError(err)}`;
      }
      return problem === null ? null : `CiviCRM is not ready for the loans ${mapping.file} writes: ${problem}; run \`patron-bridge crm bootstrap\`. Nothing was read or written.`;
    },

    async write(deps, records, result, ctx) {
      const out: WriteOutcome = { sent: new Map(), cleared: [], held: [], conflicts: [], applied: [] };
      if (records.length === 0) return out;
      const titles = plan.titles && opts.titles ? await opts.titles(itemIds(records), ctx.runId) : undefined;
      const lctx = { crmTimeZone: opts.crmTimeZone, kohaTimeZone: opts.kohaTimeZone, ...(titles ? { titleOf: (id: number) => titles.get(id) ?? null } : {}) };
      const desired: DesiredActivity[] = [];
      const nobody: Array<{ key: string; recordId: string }> = [];
      for (const record of records) {
        const t = plan.transform(record, lctx);
        if (t.kind === 'activity') desired.push(t.activity);
        else if (t.kind === 'nobody') nobody.push({ key: t.key, recordId: record.id });
        else result.rejections.push({ recordId: record.id, code: t.code, reason: t.reason });
      }
      const keys = [...desired.map((a) => a.key), ...nobody.map((n) => n.key)];
      // Engagement counts every loan Koha attributes to the patron (privacy 2 ones too: counts, no detail).
      await deps.state.noteLoanOwners(ctx.unit, [
        ...desired.map((a) => ({ loanKey: a.key, patronKey: a.patronKey, day: a.day })),
        ...nobody.map((n) => ({ loanKey: n.key, patronKey: null, day: null })),
      ]);
      const [loans, patrons] = await Promise.all([
        deps.state.getSent(ctx.unit, keys),
        deps.state.getSent(patronsUnit, [...new Set(desired.map((a) => a.patronKey))]),
      ]);
      const at = deps.clock().toISOString();
      const today = at.slice(0, 10);
      const writes: Array<{ a: DesiredActivity; contactId: number; fp: string }> = [];
      const deletes: Array<{ key: string; recordId: string }> = [];
      const live = (key: string) => {
        const s = loans.get(key);
        return s !== undefined && !s.deleted;
      };

      for (const n of nobody) {
        // Koha anonymised the loan (or it never had a patron): never attributed to anyone in the CRM.
        if (live(n.key)) deletes.push(n);
        else {
          tally(deps, result, 'skipped', n.recordId);
          out.cleared.push(n.recordId);
        }
      }
      for (const a of desired) {
        const patron = patrons.get(a.patronKey);
        const withheld = patron ? loanWithheld(patron, a, { today, ...(opts.historyHorizonDays !== undefined ? { historyHorizonDays: opts.historyHorizonDays } : {}) }) : null;
        if (withheld !== null) {
          // A withheld patron's loans are not sent; those in the CRM go with the loan rules, or when the contact was cleared.
          const erase = !patron!.withheld || patron!.departed === 'clear';
          if (erase && live(a.key)) deletes.push({ key: a.key, recordId: a.sourceRecordId });
          else {
            tally(deps, result, 'skipped', a.sourceRecordId);
            out.cleared.push(a.sourceRecordId);
          }
          continue;
        }
        if (!patron || patron.contactId === undefined || patron.excluded) {
          tally(deps, result, 'held', a.sourceRecordId);
          out.held.push({ recordId: a.sourceRecordId, code: 'WAITING_PATRON', reason: `patron ${a.patronKey.slice(opts.sourceId.length + 1)} is not a CRM contact yet; the loan is written once it is` });
          continue;
        }
        const fp = fingerprint(a, patron.contactId);
        if (live(a.key) && loans.get(a.key)!.fp === fp && !ctx.resend) {
          tally(deps, result, 'unchanged', a.sourceRecordId);
          out.cleared.push(a.sourceRecordId);
          continue;
        }
        writes.push({ a, contactId: patron.contactId, fp });
      }

      const saved = await deps.crm.saveActivities(
        writes.map((w) => ({ key: w.a.key, sourceRecordId: w.a.sourceRecordId, values: w.a.values, targetContactId: w.contactId })),
        { keyField, sourceContact: plan.sourceContact },
      );
      saved.forEach((r, i) => {
        const { a, fp } = writes[i]!;
        if (r.outcome === 'rejected') {
          result.rejections.push({ recordId: a.sourceRecordId, code: r.code, reason: r.reason });
          return;
        }
        tally(deps, result, live(a.key) ? 'updated' : 'created', a.sourceRecordId);
        out.sent.set(a.key, { groups: [], at, fp });
        out.cleared.push(a.sourceRecordId);
      });
      // A patron whose first loans reach the CRM only now (they were waiting for the contact) is due for engagement.
      const firstWritten = [...new Set(writes.filter((w, i) => saved[i]?.outcome === 'written' && !loans.has(w.a.key)).map((w) => w.a.patronKey))];
      await deps.state.scheduleEngagements(ctx.unit, firstWritten.map((patronKey) => ({ patronKey, atMs: 0 })));
      if (deletes.length > 0) {
        await deps.crm.deleteActivities(deletes.map((d) => d.key), keyField);
        for (const d of deletes) {
          out.sent.set(d.key, { groups: [], at, deleted: true });
          out.cleared.push(d.recordId);
          tally(deps, result, 'deleted', d.recordId);
        }
      }
      return out;
    },
  };
}

function itemIds(records: readonly SourceRecord[]): number[] {
  return [...new Set(records.map((r) => r.data.item_id).filter((id): id is number => typeof id === 'number'))];
}

