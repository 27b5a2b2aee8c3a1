/**
 * Turn one page of GET /patrons rows into a Page (pure): valid rows become SourceRecords,
 * invalid ones RejectedSourceRecords (field and expectation only, never a value), and the
 * keyset position is taken from the last row that has a usable (updated_on, patron_id).
 */
import type { Page, RejectedSourceRecord, SourceRecord } from '../../src/core/types.js';
import { describeIssues, patronSchema } from './schemas.js';
import { parseKohaDateTime } from './time.js';

export interface PageContext {
  sourceId: string;
  limit: number;
  /** IANA zone of the Koha server, for naive date-time values. */
  timeZone: string;
}

type Key = { updatedAt: string; id: string };

function readableId(row: unknown): string | null {
  const id = (row as { patron_id?: unknown } | null)?.patron_id;
  if (typeof id === 'number' && Number.isSafeInteger(id)) return String(id);
  if (typeof id === 'string' && /^\d{1,15}$/.test(id)) return id;
  return null;
}

/** The row's keyset position, or null when patron_id or updated_on is unusable. */
export function keyOf(row: unknown, timeZone: string): Key | null {
  const id = readableId(row);
  const updated = (row as { updated_on?: unknown } | null)?.updated_on;
  if (id === null || typeof updated !== 'string') return null;
  const updatedAt = parseKohaDateTime(updated, timeZone);
  return updatedAt === null ? null : { updatedAt, id };
}

export function parsePatronPage(rows: readonly unknown[], ctx: PageContext): Page {
  const records: SourceRecord[] = [];
  const rejected: RejectedSourceRecord[] = [];
  let last: Key | null = null;

  rows.forEach((row, index) => {
    const key = keyOf(row, ctx.timeZone);
    if (key) last = key;
    const id = readableId(row) ?? `page position ${index + 1}`;
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      rejected.push({ sourceId: ctx.sourceId, id, reason: 'expected a patron object' });
      return;
    }
    const parsed = patronSchema.safeParse(row);
    if (!parsed.success) {
      rejected.push({ sourceId: ctx.sourceId, id, reason: describeIssues(parsed.error.issues, row) });
      return;
    }
    if (!key) {
      // The schema accepted the shape but the calendar value does not exist (e.g. 2025-02-30).
      rejected.push({ sourceId: ctx.sourceId, id, reason: 'updated_on: expected an existing date-time' });
      return;
    }
    records.push({
      sourceId: ctx.sourceId,
      kind: 'patron',
      id: key.id,
      updatedAt: key.updatedAt,
      anonymised: parsed.data.anonymized === true,
      data: parsed.data,
    });
  });

  return { records, rejected, last, hasMore: rows.length >= ctx.limit };
}
