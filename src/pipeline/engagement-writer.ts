/**
 * The engagement stream: not read from Koha but from the loan index (state), the patrons whose
 * engagement is due: their loans changed, or the day came on which a value changes by time alone
 * (a loan leaves the 12-month window, the patron lapses, "new" ends). Each is computed (pure,
 * mapping/engagement.ts), written to the contact when it differs from what was last written, and
 * scheduled for its next change: the work of a run is proportional to what changed.
 */
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Stream } from '../../connectors/connector.js';
import { describeError } from '../core/errors.js';
import { PATRONS, unitOf } from '../core/streams.js';
import type { CrmOperation, GroupRef, PageRequest, SourceRecord } from '../core/types.js';
import { engagementOf, ENGAGEMENT_TARGETS } from '../mapping/engagement.js';
import type { CompiledMapping, EngagementPlan } from '../mapping/types.js';
import type { IndexState } from '../state/ports.js';
import { tally } from './tally.js';
import type { StreamWriter, WriteOutcome } from './types.js';

export const ENGAGEMENT = 'engagement';

/** Pages of the patrons due for an engagement update (their record id is the Koha patron id). */
export function createEngagementStream(index: IndexState, opts: { sourceId: string; loansUnit: string }): Stream {
  const recordOf = (id: string, at: string): SourceRecord => ({ sourceId: opts.sourceId, kind: 'patron', id, updatedAt: at, anonymised: false, data: {} });
  const idOf = (key: string) => key.slice(opts.sourceId.length + 1);
  // A page continues after the last patron of the one before (in due order: time, then key), so it does
  // not wait for that page to reschedule its patrons: pages can be read and written side by side.
  const cursorOf = (request: PageRequest) => (request.after ? { atMs: Number(request.after.updatedAt), patronKey: request.after.id } : null);
  return {
    async read(request) {
      const due = await index.dueEngagements(opts.loansUnit, Date.parse(request.until), request.limit, cursorOf(request));
      const last = due.at(-1);
      return {
        records: due.map((d) => recordOf(idOf(d.patronKey), request.until)), rejected: [],
        last: last ? { updatedAt: String(last.atMs), id: last.patronKey } : null, hasMore: due.length === request.limit,
      };
    },
    async readIds(ids) {
      return { records: ids.map((id) => recordOf(id, new Date().toISOString())), rejected: [], missing: [] };
    },
    next: (request, page) => (page.hasMore && page.last ? { ...request, after: page.last } : null),
    movesCursor: () => false,
  };
}

const fingerprint = (values: unknown, groups: readonly string[]) => createHash('sha1').update(JSON.stringify([values, groups])).digest('base64url');

export function createEngagementWriter(mapping: CompiledMapping, plan: EngagementPlan, opts: { sourceId: string; loansUnit: string; crmTimeZone: string }): StreamWriter {
  const patronsUnit = unitOf(opts.sourceId, PATRONS);
  const groupRefs: Array<[keyof EngagementPlan['groups'], GroupRef]> = (['lapsed', 'new'] as const).flatMap((g) => (plan.groups[g] ? [[g, plan.groups[g]!] as [typeof g, GroupRef]] : []));
  return {
    async preflight(deps) {
      try {
        const missing = await deps.crm.missingTargets(ENGAGEMENT_TARGETS);
        return missing.length ? `CiviCRM has no Contact field ${missing.map((f) => `"${f}"`).join(', ')} for the engagement ${mapping.file} computes; run \`patron-bridge crm bootstrap\`. Nothing was read or written.` : null;
      } catch (err) {
        if ((err as { transient?: boolean }).transient) throw err;
        return `the CRM's field list could not be read: ${describeError(err)}`;
      }
    },

    async write(deps, records, result, ctx) {
      const out: WriteOutcome = { sent: new Map(), cleared: [], held: [], conflicts: [], applied: [] };
      if (records.length === 0) return out;
      const now = deps.clock();
      const today = DateTime.fromJSDate(now).setZone(opts.crmTimeZone).toISODate()!;
      const keys = records.map((r) => `${opts.sourceId}:${r.id}`);
      const [days, patrons, last] = await Promise.all([
        deps.state.loanDaysOf(opts.loansUnit, keys), deps.state.getSent(patronsUnit, keys), deps.state.getSent(ctx.unit, keys),
      ]);
      const at = now.toISOString();
      const schedule: Array<{ patronKey: string; atMs: number | null }> = [];
      const writes: Array<{ key: string; recordId: string; op: CrmOperation; groups: string[]; fp: string; contactId: number }> = [];
      records.forEach((r, i) => {
        const key = keys[i]!;
        const e = engagementOf(days.get(key) ?? [], today, plan);
        const patron = patrons.get(key);
        if (!patron || patron.contactId === undefined || patron.excluded || patron.withheld) {
          // Not a contact (yet): due again when one of their loans is first written (loan-writer.ts).
          schedule.push({ patronKey: key, atMs: null });
          tally(deps, result, 'skipped', r.id);
          out.cleared.push(r.id);
          return;
        }
        schedule.push({ patronKey: key, atMs: e.nextChange === null ? null : DateTime.fromISO(e.nextChange, { zone: opts.crmTimeZone }).toMillis() });
        const wanted = groupRefs.filter(([g]) => (g === 'lapsed' ? e.lapsed : e.isNew)).map(([, ref]) => ref);
        const fp = fingerprint(e.values, wanted.map((g) => g.name));
        const before = last.get(key);
        if (before?.fp === fp && before.contactId === patron.contactId && !ctx.resend) {
          tally(deps, result, 'unchanged', r.id);
          out.cleared.push(r.id);
          return;
        }
        // Only groups this writer put the contact in are left: a contact is never marked Removed from a group it was never in.
        const removeGroups = (before?.groups ?? []).filter((g) => !wanted.some((w) => w.name === g));
        writes.push({
          key, recordId: r.id, fp, contactId: patron.contactId, groups: wanted.map((g) => g.name),
          op: { kind: 'upsertContact', mode: 'update', externalId: key, sourceRecordId: r.id, contactId: patron.contactId, values: e.values, addGroups: wanted, removeGroups },
        });
      });
      const results = writes.length ? await deps.crm.applyContacts(writes.map((w) => w.op)) : [];
      writes.forEach((w, i) => {
        const r = results[i]!;
        if (r.outcome === 'rejected') {
          result.rejections.push({ recordId: w.recordId, code: r.code ?? 'CRM_API', reason: `engagement not written: ${r.reason ?? 'refused by the CRM'}` });
          return;
        }
        tally(deps, result, last.has(w.key) ? 'updated' : 'created', w.recordId);
        out.sent.set(w.key, { groups: w.groups, fp: w.fp, contactId: w.contactId, at });
        out.cleared.push(w.recordId);
      });
      // Every patron given is rescheduled (or dropped), so a page never reads the same ones again.
      await deps.state.scheduleEngagements(opts.loansUnit, schedule);
      return out;
    },
  };
}
