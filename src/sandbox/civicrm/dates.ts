/**
 * Lenient date handling like PHP strtotime() + MySQL as observed on CiviCRM 6.17.2:
 * unparseable input becomes 1970-01-01, impossible days roll over (2026-02-31 -> 2026-03-03).
 */
import { DateTime } from 'luxon';

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

export interface DateParts {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
}

const fromUtc = (t: number): DateParts => {
  const x = new Date(t);
  return { y: x.getUTCFullYear(), mo: x.getUTCMonth() + 1, d: x.getUTCDate(), h: x.getUTCHours(), mi: x.getUTCMinutes(), s: x.getUTCSeconds() };
};

/** The wall clock of an instant in an IANA zone. */
function wallClockIn(ms: number, timeZone: string): DateParts {
  const t = DateTime.fromMillis(ms, { zone: timeZone });
  return { y: t.year, mo: t.month, d: t.day, h: t.hour, mi: t.minute, s: t.second };
}

/** "+01:00", "-0530", "Z" → minutes east of UTC. */
function offsetMinutes(zone: string): number {
  if (zone.toUpperCase() === 'Z') return 0;
  const digits = zone.replace(':', '');
  const off = Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5));
  return digits.startsWith('-') ? -off : off;
}

/**
 * Parse the date shapes strtotime accepts that a sync client would send; null when unparseable.
 * A value with an offset or Z names an instant: like strtotime() under the site's zone, it becomes that
 * zone's wall clock (`timeZone`, default UTC). Naive values are taken as given.
 */
export function parseLenientDate(input: unknown, now: Date, timeZone = 'UTC'): DateParts | null {
  if (typeof input === 'number' && Number.isFinite(input)) input = String(input);
  if (typeof input !== 'string') return null;
  const s = input.trim();
  if (s === '') return null;
  if (/^now$/i.test(s)) return fromUtc(now.getTime());
  if (/^today$/i.test(s)) return { ...fromUtc(now.getTime()), h: 0, mi: 0, s: 0 };
  let m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})?)?$/.exec(s);
  if (!m) {
    const c = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2}))?$/.exec(s);
    if (c) m = [c[0], c[1], c[2], c[3], c[4], c[5], c[6]] as unknown as RegExpExecArray;
  }
  if (!m) {
    const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s);
    if (us) m = [us[0], us[3], us[1], us[2]] as unknown as RegExpExecArray;
  }
  if (!m) return null;
  const [y, mo, d, h, mi, sec] = [1, 2, 3, 4, 5, 6].map((i) => Number(m![i] ?? 0)) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 || sec > 59) return null;
  // Date.UTC rolls impossible days over exactly like PHP (Feb 31 -> Mar 3 in a common year).
  const naive = Date.UTC(y, mo - 1, d, h, mi, sec);
  const zone = m[7];
  if (zone !== undefined) return wallClockIn(naive - offsetMinutes(zone) * 60000, timeZone);
  return fromUtc(naive);
}

const EPOCH: DateParts = { y: 1970, mo: 1, d: 1, h: 0, mi: 0, s: 0 };

export const formatDate = (p: DateParts): string => `${pad(p.y, 4)}-${pad(p.mo)}-${pad(p.d)}`;
export const formatDateTime = (p: DateParts): string => `${formatDate(p)} ${pad(p.h)}:${pad(p.mi)}:${pad(p.s)}`;
/** The raw DB form some write responses carry, e.g. "20260301140500". */
export const rawDateTime = (s: string): string => s.replace(/[-: ]/g, '');

/** Coerce a written value for a Date column ("YYYY-MM-DD"); time parts are dropped. */
export function toDateValue(input: unknown, now: Date, timeZone = 'UTC'): string {
  return formatDate(parseLenientDate(input, now, timeZone) ?? EPOCH);
}

/** Coerce a written value for a Timestamp/datetime column ("YYYY-MM-DD HH:MM:SS"). */
export function toDateTimeValue(input: unknown, now: Date, timeZone = 'UTC'): string {
  return formatDateTime(parseLenientDate(input, now, timeZone) ?? EPOCH);
}

export const nowString = (now: Date): string => formatDateTime(fromUtc(now.getTime()));
