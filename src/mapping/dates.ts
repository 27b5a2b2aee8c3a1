/**
 * Calendar dates from Koha. Koha `date` fields are plain `YYYY-MM-DD` and date-times carry the
 * server's local offset, so the date is read from the text itself: going through a JS Date in
 * UTC would move birthdays by a day.
 */

import { isCalendarDay } from '../core/calendar.js';

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
// RFC 3339 date-time (also the common "space instead of T" form); the offset is optional for MySQL-style values.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?$/;

/**
 * `YYYY-MM-DD` for a valid calendar date or RFC 3339 date-time (its local date part), else null.
 * Rejects non-calendar dates such as 2026-02-31 and MySQL's zero date 0000-00-00.
 */
export function parseCalendarDate(input: string): string | null {
  const text = input.trim();
  const m = DATE_ONLY.exec(text) ?? DATE_TIME.exec(text);
  if (!m) return null;
  const [, ys, ms, ds, hh, mi, ss, , offset] = m;
  if (!isCalendarDay(Number(ys), Number(ms), Number(ds))) return null;
  if (hh !== undefined && (Number(hh) > 23 || Number(mi) > 59 || Number(ss) > 60)) return null;
  if (offset && offset.length === 6 && (Number(offset.slice(1, 3)) > 23 || Number(offset.slice(4)) > 59)) return null;
  return `${ys}-${ms}-${ds}`;
}
