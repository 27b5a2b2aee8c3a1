/**
 * The sweep after a full run's reads: Koha has no feed of deleted patrons or of loans that lost their
 * patron, so a full run notes every patron and loan id it read (page-handler.ts), and this stream
 * compares them with what the CRM holds under this source's keys:
 *   - contacts whose patron is gone get lifecycle.on_gone (nothing, flag: the lifecycle group, clear:
 *     erase the library fields and the loans), never a hard delete;
 *   - loan activities whose loan Koha no longer shows (anonymised without an AnonymousPatron, or
 *     deleted) are deleted.
 * Neither happens when more than lifecycle.max_gone_percent would be affected: a Koha answering
 * with too little (a wrong filter, missing permissions) must not empty the CRM.
 * Runs that did not read a stream whole (incremental ones) leave it alone.
 */
import type { Stream } from '../../connectors/connector.js';
import { BridgeError } from '../core/errors.js';
import { CHECKOUTS, PATRONS, unitOf } from '../core/streams.js';
import type { SentState } from '../core/types.js';
import { checkoutIdOf, LOAN_FIELDS } from '../mapping/loans.js';
import type { CompiledMapping } from '../mapping/types.js';
import { takeOutOfSync } from './patron-writer.js';
import { tally } from './tally.js';
import type { StreamWriter, WriteOutcome } from './types.js';

export const SWEEP = 'sweep';

/** One page of one record (the writer does the comparing, when the run read the source whole). */
export function createSweepStream(sourceId: string): Stream {
  return {
    async read(request) {
      return { records: request.after === null ? [{ sourceId, kind: 'patron', id: 'sweep', updatedAt: request.until, anonymised: false, data: {} }] : [], rejected: [], last: null, hasMore: false };
    },
    async readIds() {
      return { records: [], rejected: [], missing: [] };
    },
    next: () => null,
    movesCursor: () => false,
  };
}

/** More than the allowed share, and more than a handful (a few departures of a small library are not a mass event). */
const massive = (n: number, total: number, maxPercent: number) => n > 10 && n > (total * maxPercent) / 100;

function tooMany(what: string, gone: number, total: number, maxPercent: number): BridgeError {
  return new BridgeError(
    'SOURCE_INCOMPLETE',
    `${gone} of ${total} ${what} are no longer in Koha, more than lifecycle.max_gone_percent (${maxPercent}%); nothing was changed. ` +
      'Check that the Koha user may read every patron and loan, or raise max_gone_percent if so many really left',
    { context: { system: 'koha' }, transient: false },
  );
}

export function createSweepWriter(mapping: CompiledMapping, opts: { sourceId: string }): StreamWriter {
  const patronsUnit = unitOf(opts.sourceId, PATRONS);
  const loansUnit = unitOf(opts.sourceId, CHECKOUTS);
  const idOf = (key: string) => key.slice(opts.sourceId.length + 1);
  const max = mapping.lifecycle.maxGonePercent;
  return {
    preflight: async () => null,
    async write(deps, records, result, ctx) {
      const out: WriteOutcome = { sent: new Map(), cleared: [], held: [], conflicts: [], applied: [] };
      if (records.length === 0) return out;
      const at = deps.clock().toISOString();

      // Only what this run read whole (a full run, or the first run of a stream) can tell what Koha no longer has.
      const whole = async (unit: string) => (await deps.state.getFirstRequest(ctx.runId, unit))?.since === null;
      if (!(await whole(patronsUnit))) return out;

      // Patrons gone from Koha.
      // The states are walked, not held: only the gone ones are kept (a library's worth would not fit the worker).
      const seen = await deps.state.seenIds(ctx.runId, patronsUnit);
      let linked = 0;
      const gone = await deps.state.pickSent(patronsUnit, (key, s) => {
        if (s.contactId === undefined || s.excluded) return false;
        linked += 1;
        return !s.withheld && !seen.has(idOf(key));
      });
      if (massive(gone.size, linked, max)) throw tooMany('contacts\' patrons', gone.size, linked, max);
      const left = await takeOutOfSync(deps, mapping, [...gone].map(([key, state]) => ({ key, recordId: idOf(key), why: 'gone' as const, state })), result, at);
      await deps.state.putSent(patronsUnit, new Map([...left].map(([key, l]) => [key, l.state])));

      // Loans Koha no longer shows.
      if (mapping.loans && (await whole(loansUnit))) {
        const seenLoans = await deps.state.seenIds(ctx.runId, loansUnit);
        let live = 0;
        const lost = [...(await deps.state.pickSent(loansUnit, (key, s) => {
          if (s.deleted) return false;
          live += 1;
          return !seenLoans.has(checkoutIdOf(key));
        }))];
        if (massive(lost.length, live, max)) throw tooMany('loans in the CRM', lost.length, live, max);
        if (lost.length) {
          await deps.crm.deleteActivities(lost.map(([key]) => key), LOAN_FIELDS.id);
          await deps.state.noteLoanOwners(loansUnit, lost.map(([key]) => ({ loanKey: key, patronKey: null, day: null })));
          await deps.state.putSent(loansUnit, new Map<string, SentState>(lost.map(([key]) => [key, { groups: [], at, deleted: true }])));
          for (const [key] of lost) tally(deps, result, 'deleted', checkoutIdOf(key));
        }
      }
      result.read = 0; // the sweep reads no source record of its own
      out.cleared.push('sweep');
      return out;
    },
  };
}
