/**
 * Koha keeps naive local times ("YYYY-MM-DD HH:MM:SS" in the server's zone) and renders them
 * as RFC 3339 with the local offset. These pure helpers convert between those and ISO UTC
 * instants with luxon (IANA zones and DST rules from the runtime's tz database).
 */
import { DateTime, IANAZone } from 'luxon';

/**
 * The name as an IANA zone (luxon alone would read "utc+3"-like strings as fixed offsets). An unknown
 * name throws, as Intl does, rather than letting "Invalid DateTime" reach a query.
 */
function zone(timeZone: string): IANAZone {
  const z = IANAZone.create(timeZone);
  if (!z.isValid) throw new RangeError('unknown IANA time zone');
  return z;
}

const NAIVE_FORMAT = 'yyyy-MM-dd HH:mm:ss';

/**
 * ISO instant → naive local "YYYY-MM-DD HH:MM:SS" in `timeZone`, floored to the second.
 * Flooring is right for both window bounds: `>= floor(since)` and `<= floor(until)` lose no row,
 * because Koha stores whole seconds.
 */
export function toNaiveLocal(instant: string | Date, timeZone: string): string {
  const dt = typeof instant === 'string' ? DateTime.fromISO(instant) : DateTime.fromJSDate(instant);
  if (!dt.isValid) throw new RangeError('toNaiveLocal: expected an ISO 8601 instant');
  // toFormat drops the milliseconds, which floors to the second.
  return dt.setZone(zone(timeZone)).toFormat(NAIVE_FORMAT);
}

// Hours stop at 23: luxon, like ISO 8601, would read 24:00:00 as the end of the day.
const NAIVE = /^(\d{4})-(\d{2})-(\d{2})[T ]([01]\d|2[0-3]):(\d{2}):(\d{2})$/;
const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}[Tt ]([01]\d|2[0-3]):\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})$/;

/**
 * Naive local time in `timeZone` → ISO UTC instant, or null when it is not a real date-time.
 * DST is resolved like Temporal's "compatible": a repeated wall time takes the earlier instant
 * (luxon alone would take the later one), a skipped one moves forward by the gap (luxon's own rule).
 */
export function naiveToInstant(naive: string, timeZone: string): string | null {
  const m = NAIVE.exec(naive);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const dt = DateTime.fromObject({ year, month, day, hour, minute, second }, { zone: zone(timeZone) });
  if (!dt.isValid) return null;
  const earliest = Math.min(...dt.getPossibleOffsets().map((c) => c.toMillis()));
  return new Date(earliest).toISOString();
}

/** A date-time value that carries its own offset, read with that offset kept; null otherwise. */
function withOwnOffset(value: string): DateTime | null {
  if (!WITH_OFFSET.test(value)) return null;
  const dt = DateTime.fromISO(value.replace(' ', 'T'), { setZone: true });
  return dt.isValid ? dt : null;
}

/**
 * A Koha date-time value → ISO UTC instant, or null when unreadable. RFC 3339 values carry
 * their offset; naive values (older servers, some proxies) are read in the source zone.
 */
export function parseKohaDateTime(value: string, timeZone: string): string | null {
  if (!WITH_OFFSET.test(value)) return naiveToInstant(value, timeZone);
  const dt = withOwnOffset(value);
  return dt === null ? null : new Date(dt.toMillis()).toISOString();
}

export interface OffsetComparison {
  /** The offset the value carries, e.g. "+01:00" ("Z" reads as "+00:00"). */
  seen: string;
  /** The zone's offset at the instant the value denotes. */
  expected: string;
}

/**
 * The offset a Koha date-time value carries next to `timeZone`'s offset at that instant, or null
 * when the value has no offset (naive) or is unreadable: those cannot contradict the zone.
 */
export function compareOffset(value: string, timeZone: string): OffsetComparison | null {
  const dt = withOwnOffset(value);
  if (dt === null) return null;
  return { seen: dt.toFormat('ZZ'), expected: dt.setZone(zone(timeZone)).toFormat('ZZ') };
}
