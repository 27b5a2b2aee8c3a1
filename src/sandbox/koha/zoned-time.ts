/**
 * Instants ↔ the wall clock of the Koha server's zone. Koha keeps naive local DATETIMEs and renders
 * them RFC 3339 with the zone's offset; `q` literals arrive naive (server zone) or RFC 3339.
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

/** Throws RangeError for an unknown IANA zone (checked once at sandbox start). */
export function assertTimeZone(timeZone: string): void {
  formatter(timeZone);
}

interface WallClock { y: number; mo: number; d: number; h: number; mi: number; s: number }

/** Per zone and UTC day: the day's offset, or null when it changes that day (DST). */
const dayCache = new Map<string, Map<number, number | null>>();
const DAY = 86400000;
const QUARTER = 900000;

function computeOffset(epochMs: number, timeZone: string): number {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(epochMs))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return Math.round((asUtc - Math.floor(epochMs / 1000) * 1000) / 60000);
}

/** Offset of the zone at that instant, in minutes east of UTC. */
export function zoneOffsetMinutes(epochMs: number, timeZone: string): number {
  let cache = dayCache.get(timeZone);
  if (!cache) dayCache.set(timeZone, (cache = new Map()));
  const day = Math.floor(epochMs / DAY);
  let off = cache.get(day);
  if (off === undefined) {
    const start = computeOffset(day * DAY, timeZone);
    off = start === computeOffset(day * DAY + DAY - 1000, timeZone) ? start : null;
    if (cache.size > 50000) cache.clear();
    cache.set(day, off);
  }
  // Offsets change only on quarter-hour boundaries, so on a DST day the quarter hour decides.
  return off ?? computeOffset(Math.floor(epochMs / QUARTER) * QUARTER, timeZone);
}

function wallClock(epochMs: number, timeZone: string): WallClock {
  const d = new Date(Math.floor(epochMs / 1000) * 1000 + zoneOffsetMinutes(epochMs, timeZone) * 60000);
  return {
    y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(),
    h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds(),
  };
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `2026-11-20T10:00:00+01:00` (second precision, as Koha renders date-time columns). */
export function formatRfc3339(epochMs: number, timeZone: string): string {
  const w = wallClock(epochMs, timeZone);
  const off = zoneOffsetMinutes(epochMs, timeZone);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return `${pad(w.y, 4)}-${pad(w.mo)}-${pad(w.d)}T${pad(w.h)}:${pad(w.mi)}:${pad(w.s)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** Naive `YYYY-MM-DD HH:MM:SS` in the zone (the form Koha's database holds). */
export function formatNaive(epochMs: number, timeZone: string): string {
  const w = wallClock(epochMs, timeZone);
  return `${pad(w.y, 4)}-${pad(w.mo)}-${pad(w.d)} ${pad(w.h)}:${pad(w.mi)}:${pad(w.s)}`;
}

/** Instant of a wall-clock time in the zone; in a DST overlap the earlier instant wins. */
export function fromWallClock(w: WallClock, timeZone: string): number {
  const naiveUtc = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s);
  // Two passes settle the offset, also across a DST change between the guess and the answer.
  let guess = naiveUtc - zoneOffsetMinutes(naiveUtc, timeZone) * 60000;
  guess = naiveUtc - zoneOffsetMinutes(guess, timeZone) * 60000;
  const earlier = guess - 3600000;
  if (naiveUtc - zoneOffsetMinutes(earlier, timeZone) * 60000 === earlier) return earlier;
  return guess;
}

const DATE_TIME_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * Parses a date-time literal to epoch ms (whole seconds): naive forms are read in `timeZone`,
 * RFC 3339 forms honour their offset. A bare date means midnight, as MySQL compares it.
 * Returns undefined for anything else, including impossible calendar dates.
 */
export function parseDateTime(text: string, timeZone: string): number | undefined {
  const m = DATE_TIME_RE.exec(text.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0', m[6] ?? '0'].map(Number) as [
    number, number, number, number, number, number,
  ];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  if (new Date(Date.UTC(y, mo - 1, d)).getUTCDate() !== d) return undefined;
  const zone = m[7];
  if (zone === undefined) return fromWallClock({ y, mo, d, h, mi, s }, timeZone);
  const base = Date.UTC(y, mo - 1, d, h, mi, s);
  if (zone.toUpperCase() === 'Z') return base;
  const digits = zone.replace(':', '');
  const off = Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5));
  return base - (digits.startsWith('-') ? -off : off) * 60000;
}
