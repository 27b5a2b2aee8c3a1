/**
 * Cron expressions, read the way BullMQ's Job Schedulers read them (cron-parser, BullMQ's own
 * version): five fields (minute first) or six (seconds first), in an IANA time zone.
 */
import { CronExpressionParser } from 'cron-parser';

/** Why an expression is not one BullMQ can schedule, or null. */
export function cronProblem(expr: string): string | null {
  const fields = expr.trim().split(/\s+/);
  if (!expr.trim().startsWith('@') && fields.length !== 5 && fields.length !== 6) {
    return `expected a cron expression of 5 fields (minute hour day-of-month month day-of-week, e.g. "0 2 * * *") or 6 (seconds first), got ${fields.length}`;
  }
  try {
    CronExpressionParser.parse(expr, { tz: 'UTC' }).next();
    return null;
  } catch (err) {
    return `invalid cron expression: ${err instanceof Error ? err.message : String(err)}`;
  }
}

/** The first firing strictly after `after`. */
export function nextFiring(expr: string, tz: string, after: Date): Date {
  return CronExpressionParser.parse(expr, { tz, currentDate: after }).next().toDate();
}

/** The last firing at or before `at`. */
export function lastFiring(expr: string, tz: string, at: Date): Date {
  return CronExpressionParser.parse(expr, { tz, currentDate: new Date(at.getTime() + 1) }).prev().toDate();
}
