/**
 * Koha renders every date-time with its server's offset. When that offset is not the configured
 * zone's offset at the same instant, every naive bound we send is shifted by the difference:
 * incremental runs miss recent changes and keyset pages repeat. So a page whose keyset times
 * contradict `sources[].timezone` stops the run before any of its records is written.
 */
import { BridgeError } from '../../src/core/errors.js';
import { compareOffset } from './time.js';

/** The date-time fields the keyset is built from. */
export const KEYSET_TIME_FIELDS = ['updated_on', 'timestamp'] as const;

export interface OffsetMismatch {
  field: string;
  /** Offset the value carries, e.g. "+01:00". */
  seen: string;
  /** The configured zone's offset at that instant. */
  expected: string;
  /** checkout_id or patron_id of the row, when readable (an id, not personal data). */
  recordId: string | null;
}

/** The first keyset date-time whose offset contradicts `timeZone` (pure); naive values pass. */
export function findOffsetMismatch(rows: readonly unknown[], timeZone: string): OffsetMismatch | null {
  for (const row of rows) {
    if (row === null || typeof row !== 'object') continue;
    const r = row as Record<string, unknown>;
    for (const field of KEYSET_TIME_FIELDS) {
      const value = r[field];
      const offsets = typeof value === 'string' ? compareOffset(value, timeZone) : null;
      if (offsets && offsets.seen !== offsets.expected) {
        const id = r.checkout_id ?? r.patron_id;
        return { field, ...offsets, recordId: typeof id === 'number' && Number.isSafeInteger(id) ? String(id) : null };
      }
    }
  }
  return null;
}

/** Throws a non-transient CONFIG_INVALID naming `sources[].timezone` when a row contradicts it. */
export function assertZoneOffsets(rows: readonly unknown[], ctx: { sourceId: string; timeZone: string; url: string }): void {
  const m = findOffsetMismatch(rows, ctx.timeZone);
  if (!m) return;
  throw new BridgeError(
    'CONFIG_INVALID',
    `source "${ctx.sourceId}": Koha returned ${m.field} with offset ${m.seen}, but sources[].timezone is "${ctx.timeZone}" ` +
      `(offset ${m.expected} at that time); set sources[].timezone to the Koha server's zone (an IANA name such as Europe/Berlin)`,
    {
      context: {
        system: 'koha',
        method: 'GET',
        url: ctx.url,
        path: `sources.${ctx.sourceId}.timezone`,
        ...(m.recordId !== null ? { recordId: m.recordId } : {}),
      },
    },
  );
}
