/**
 * The source port. A connector reads pages of records from a library system; the framework
 * (src/pipeline) owns cursors and checkpoints them only after the CRM writes are durable.
 */
import type { Cursor, Page, PageRequest, RunMode } from '../src/core/types.js';

/** Records read by id: those found (valid or rejected) and the ids the source no longer has. */
export interface IdPage {
  records: Page['records'];
  rejected: Page['rejected'];
  missing: string[];
}

/** Reads one kind of record as pages in a stable (updatedAt, id) order, or by id. */
export interface Stream {
  read(request: PageRequest): Promise<Page>;
  /** Re-reads records by their source ids (failed records retried by a later run). */
  readIds(ids: readonly string[]): Promise<IdPage>;
  /**
   * The request after `page`, or null at the end of the window. Default: keyset after the page's
   * last row. A stream read in parts (Koha checkouts: current, then returned) moves to its next part.
   */
  next?(request: PageRequest, page: Page): PageRequest | null;
  /**
   * Whether a page of this request may move the stream's cursor. A stream read in parts moves it
   * only in its last part, so a run that stops half-way never skips what the other part holds.
   */
  movesCursor?(request: PageRequest): boolean;
}

export interface Connector {
  readonly sourceId: string;
  readonly type: string;
  /** The streams this source offers, by name (see src/core/streams.ts). */
  readonly streams: ReadonlyMap<string, Stream>;
  /** Releases sockets/timers (tokens etc.). */
  close?(): Promise<void>;
}

/** Keyset order used by every stream: by updatedAt (ISO UTC), then by id (numeric when both are numeric). */
export function compareKeys(a: { updatedAt: string; id: string }, b: { updatedAt: string; id: string }): number {
  const t = Date.parse(a.updatedAt) - Date.parse(b.updatedAt);
  if (t !== 0) return t < 0 ? -1 : 1;
  const na = Number(a.id);
  const nb = Number(b.id);
  if (Number.isFinite(na) && Number.isFinite(nb) && na !== nb) return na < nb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** Pure cursor reducer: the cursor after a page's writes are durable. Never moves backwards. */
export function advance(cursor: Cursor, last: { updatedAt: string; id: string } | null): Cursor {
  if (!last) return cursor;
  if (cursor.updatedAt !== null && cursor.lastId !== null) {
    if (compareKeys(last, { updatedAt: cursor.updatedAt, id: cursor.lastId }) <= 0) return cursor;
  }
  return { updatedAt: last.updatedAt, lastId: last.id };
}

/**
 * The first page request of a run. Incremental runs start `overlapMs` before the saved
 * high-water mark, so records committed late or sharing a timestamp are never skipped
 * (re-reading them is harmless: writes are idempotent and unchanged records are not re-sent).
 * `until` is fixed at run start so one run reads a bounded window.
 */
export function firstPage(
  cursor: Cursor,
  mode: RunMode,
  opts: { overlapMs: number; now: Date; limit: number },
): PageRequest {
  const since =
    mode !== 'incremental' || cursor.updatedAt === null
      ? null
      : new Date(Date.parse(cursor.updatedAt) - opts.overlapMs).toISOString();
  return { since, until: opts.now.toISOString(), after: null, limit: opts.limit };
}

/**
 * Whether a page moved strictly past the request's keyset position. A source that ignores the
 * filter, or reads its times in another zone, answers the same rows again; a stream that does not
 * check this reads them forever. An empty page ends the window and so cannot loop.
 */
export function advancesKeyset(request: Pick<PageRequest, 'after'>, page: Pick<Page, 'last'>): boolean {
  if (request.after === null || page.last === null) return true;
  return compareKeys(page.last, request.after) > 0;
}

/** The request for the page after `page`, or null when the window is exhausted. */
export function nextPage(request: PageRequest, page: Page): PageRequest | null {
  if (!page.hasMore || page.last === null) return null;
  return { ...request, after: page.last };
}
