/**
 * The Koha checkouts stream: loans as two parts read one after the other, current loans
 * (`GET /checkouts`, the issues table) then returned ones (`checked_in=true`, old_issues), each in
 * keyset order on (timestamp, checkout_id). `timestamp` moves with every change of a loan
 * (checkout, renewal, return, anonymisation), so an incremental window catches each of them.
 *
 * Returned rows whose patron was deleted carry patron_id null, which makes Koha's response fail its
 * own spec validation (500): the returned part asks for `patron_id != null` only. Loans that lost
 * their patron that way are found by a full run, which deletes the copies of loans it no longer sees.
 */
import { z } from 'zod';
import { advancesKeyset, type IdPage, type Stream } from '../connector.js';
import { BridgeError } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';
import type { Page, PageRequest, RejectedSourceRecord, SourceRecord } from '../../src/core/types.js';
import { totalOf, type KohaClient } from './client.js';
import { buildKeysetQuery } from './patrons.js';
import { describeIssues } from './schemas.js';
import { parseKohaDateTime } from './time.js';
import { assertZoneOffsets } from './zone-check.js';

export const CHECKOUT_ORDER = '+me.timestamp,+me.checkout_id';
export const CURRENT = 'current';
export const RETURNED = 'returned';

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?$/;
const dateTime = () => z.string({ error: 'expected an RFC 3339 date-time string' }).regex(DATE_TIME, { error: 'expected an RFC 3339 date-time' });

/** definitions/checkout.yaml, the fields a loan sync reads; unknown keys are kept. */
export const checkoutSchema = z
  .object({
    checkout_id: z.int({ error: 'expected an integer' }),
    patron_id: z.int().nullable(),
    item_id: z.int().nullable().optional(),
    library_id: z.string().nullable().optional(),
    checkout_date: dateTime(),
    due_date: dateTime().nullable().optional(),
    checkin_date: dateTime().nullable().optional(),
    checkin_library_id: z.string().nullable().optional(),
    last_renewed_date: dateTime().nullable().optional(),
    renewals_count: z.int().nullable().optional(),
    timestamp: z.string(),
  })
  .loose();

export type KohaCheckout = z.infer<typeof checkoutSchema>;

export interface CheckoutStreamOptions {
  sourceId: string;
  timeZone: string;
  /** Koha's AnonymousPatron (the owner of anonymised history): its loans belong to nobody. */
  anonymousPatronId?: number;
  logger: Logger;
}

/** The `q` of one page of a part (pure). */
export function checkoutQuery(request: PageRequest, timeZone: string): string {
  const q = buildKeysetQuery(request, timeZone, 'timestamp', 'checkout_id');
  if (request.part === RETURNED) q['-and'].unshift({ patron_id: { '!=': null } });
  return JSON.stringify(q);
}

function readableId(row: unknown): string | null {
  const id = (row as { checkout_id?: unknown } | null)?.checkout_id;
  return typeof id === 'number' && Number.isSafeInteger(id) ? String(id) : null;
}

/** Rows of GET /checkouts → a Page (pure). A loan of nobody (null or the anonymous patron) is `anonymised`. */
export function parseCheckoutPage(rows: readonly unknown[], ctx: { sourceId: string; timeZone: string; limit: number; anonymousPatronId?: number }): Page {
  const records: SourceRecord[] = [];
  const rejected: RejectedSourceRecord[] = [];
  let last: Page['last'] = null;
  rows.forEach((row, index) => {
    const id = readableId(row);
    const ts = (row as { timestamp?: unknown } | null)?.timestamp;
    const updatedAt = typeof ts === 'string' ? parseKohaDateTime(ts, ctx.timeZone) : null;
    if (id !== null && updatedAt !== null) last = { updatedAt, id };
    const where = id ?? `page position ${index + 1}`;
    const parsed = checkoutSchema.safeParse(row);
    if (!parsed.success) {
      rejected.push({ sourceId: ctx.sourceId, id: where, reason: describeIssues(parsed.error.issues, row) });
      return;
    }
    if (updatedAt === null) {
      rejected.push({ sourceId: ctx.sourceId, id: where, reason: 'timestamp: expected an existing date-time' });
      return;
    }
    const owner = parsed.data.patron_id;
    records.push({
      sourceId: ctx.sourceId, kind: 'checkout', id: String(parsed.data.checkout_id), updatedAt,
      anonymised: owner === null || owner === ctx.anonymousPatronId, data: parsed.data,
    });
  });
  return { records, rejected, last, hasMore: rows.length >= ctx.limit };
}

export function createCheckoutStream(client: KohaClient, opts: CheckoutStreamOptions): Stream {
  const url = `${client.apiBase}/checkouts`;
  const ctx = { sourceId: opts.sourceId, timeZone: opts.timeZone, ...(opts.anonymousPatronId !== undefined ? { anonymousPatronId: opts.anonymousPatronId } : {}) };

  async function list(query: Record<string, string | number>): Promise<{ rows: unknown[]; total?: number }> {
    const res = await client.get('/checkouts', { query });
    if (!Array.isArray(res.data)) throw new BridgeError('SOURCE_HTTP', 'Koha returned something other than a JSON array of checkouts', { context: { system: 'koha', method: 'GET', url } });
    assertZoneOffsets(res.data, { sourceId: opts.sourceId, timeZone: opts.timeZone, url });
    return { rows: res.data, ...totalOf(res) };
  }

  return {
    async read(request) {
      const part = request.part ?? CURRENT;
      const { rows, total } = await list({
        q: checkoutQuery(request, opts.timeZone), _order_by: CHECKOUT_ORDER, _per_page: request.limit, _page: 1,
        ...(part === RETURNED ? { checked_in: 'true' } : {}),
      });
      const page = { ...parseCheckoutPage(rows, { ...ctx, limit: request.limit }), ...(total !== undefined ? { total } : {}) };
      if ((page.hasMore && page.last === null) || !advancesKeyset(request, page)) {
        throw new BridgeError('SOURCE_HTTP', `source "${opts.sourceId}": Koha answered a keyset page of ${part} checkouts that does not move past the requested position; the server ignores the q filter, or sources[].timezone is not its zone`, { context: { system: 'koha', method: 'GET', url } });
      }
      if (page.rejected.length) opts.logger.warn('koha checkouts rejected', { system: 'koha', sourceId: opts.sourceId, count: page.rejected.length, ids: page.rejected.map((r) => r.id) });
      return page;
    },

    async readIds(ids): Promise<IdPage> {
      const numeric = [...new Set(ids.filter((id) => /^\d{1,15}$/.test(id)))].map(Number);
      const out: IdPage = { records: [], rejected: [], missing: ids.filter((id) => !/^\d{1,15}$/.test(id)) };
      if (numeric.length === 0) return out;
      const found = new Set<string>();
      for (const part of [CURRENT, RETURNED]) {
        const where: unknown[] = [{ checkout_id: { '-in': numeric } }];
        if (part === RETURNED) where.unshift({ patron_id: { '!=': null } });
        const { rows } = await list({ q: JSON.stringify({ '-and': where }), _per_page: numeric.length, _page: 1, ...(part === RETURNED ? { checked_in: 'true' } : {}) });
        const page = parseCheckoutPage(rows, { ...ctx, limit: numeric.length + 1 });
        for (const r of page.records) if (!found.has(r.id)) { found.add(r.id); out.records.push(r); }
        for (const r of page.rejected) if (!found.has(r.id)) { found.add(r.id); out.rejected.push(r); }
      }
      out.missing.push(...numeric.map(String).filter((id) => !found.has(id)));
      return out;
    },

    /** Current loans first, then returned ones, each over the run's whole window. */
    next(request, page) {
      if (page.hasMore && page.last !== null) return { ...request, after: page.last };
      if ((request.part ?? CURRENT) === CURRENT) return { ...request, part: RETURNED, after: null };
      return null;
    },

    /** The cursor moves only in the returned part, so a run stopped half-way never skips current loans. */
    movesCursor: (request) => request.part === RETURNED,
  };
}
