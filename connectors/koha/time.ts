/**
 * Koha keeps naive local times ("YYYY-MM-DD HH:MM:SS" in the server's zone) and renders them
 * as RFC 3339 with the local offset. These pure helpers convert between those and ISO UTC
 * instants, using only Intl (no dependency, DST rules from the runtime's tz database).
 */

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when the runtime knows this IANA zone name. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

interface Wall {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
}

/** Wall-clock fields of an instant in a zone, to the second (milliseconds are dropped = floored). */
function wallClock(ms: number, timeZone: string): Wall {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return { y: parts.year ?? 0, mo: parts.month ?? 0, d: parts.day ?? 0, h: parts.hour ?? 0, mi: parts.minute ?? 0, s: parts.second ?? 0 };
}

const wallAsUtcMs = (w: Wall): number => Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s);

/** Offset of the zone at an instant, in ms (local = utc + offset). */
function offsetMs(ms: number, timeZone: string): number {
  const floored = Math.floor(ms / 1000) * 1000;
  return wallAsUtcMs(wallClock(floored, timeZone)) - floored;
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/**
 * ISO instant → naive local "YYYY-MM-DD HH:MM:SS" in `timeZone`, floored to the second.
 * Flooring is right for both window bounds: `>= floor(since)` and `<= floor(until)` lose no row,
 * because Koha stores whole seconds.
 */
export function toNaiveLocal(instant: string | Date, timeZone: string): string {
  const ms = typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
  if (Number.isNaN(ms)) throw new RangeError('toNaiveLocal: expected an ISO 8601 instant');
  const w = wallClock(ms, timeZone);
  return `${pad(w.y, 4)}-${pad(w.mo)}-${pad(w.d)} ${pad(w.h)}:${pad(w.mi)}:${pad(w.s)}`;
}

/** Date.UTC/Date.parse roll invalid fields over (Feb 30 → Mar 2); reject instead of shifting. */
function isRealWallTime(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  const check = new Date(Date.UTC(y, mo - 1, d));
  return check.getUTCMonth() === mo - 1 && check.getUTCDate() === d && h <= 23 && mi <= 59 && s <= 59;
}

const NAIVE = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})$/;
const WITH_OFFSET = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})$/;

/**
 * Naive local time in `timeZone` → ISO UTC instant. DST is resolved like Temporal's
 * "compatible": a repeated wall time takes the earlier instant, a skipped one moves forward.
 */
export function naiveToInstant(naive: string, timeZone: string): string | null {
  const m = NAIVE.exec(naive);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  if (!isRealWallTime(y, mo, d, h, mi, s)) return null;
  const local = Date.UTC(y, mo - 1, d, h, mi, s);
  const before = offsetMs(local - 12 * 3600_000, timeZone);
  const after = offsetMs(local + 12 * 3600_000, timeZone);
  const valid = [local - before, local - after].filter((t) => t + offsetMs(t, timeZone) === local);
  const t = valid.length ? Math.min(...valid) : local - before;
  return new Date(t).toISOString();
}

/**
 * A Koha date-time value → ISO UTC instant, or null when unreadable. RFC 3339 values carry
 * their offset; naive values (older servers, some proxies) are read in the source zone.
 */
export function parseKohaDateTime(value: string, timeZone: string): string | null {
  if (WITH_OFFSET.test(value)) {
    const [y, mo, d, h, mi, s] = value.slice(0, 19).split(/[-: Tt]/).map(Number) as [number, number, number, number, number, number];
    if (!isRealWallTime(y, mo, d, h, mi, s)) return null;
    const normalised = value.replace(' ', 'T').replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
    const ms = Date.parse(normalised);
    return Number.isNaN(ms) ? null : new Date(ms).toISOString();
  }
  return naiveToInstant(value, timeZone);
}
