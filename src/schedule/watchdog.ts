/**
 * The watchdog's verdict on one source (pure): is its last successful run as recent as its schedule
 * allows? A firing is *due* once its grace has passed (firing + grace_minutes <= now); the source is
 * late when a due firing has no successful run at or after it. So a scheduler that stopped firing,
 * a run stuck past the grace, and runs failing night after night all turn it late. Only firings
 * since the schedule (as configured) was installed by a worker count, so a new or changed schedule
 * is not late before its first firing has had its chance.
 */
import { lastFiring, nextFiring } from './cron.js';

export type WatchdogState = 'ok' | 'late' | 'never' | 'unscheduled';

export interface WatchedSchedule {
  cron: string;
  fullCron: string | null;
  timezone: string;
  graceMinutes: number;
}

export interface WatchdogInput {
  /** null: the source has no schedule. */
  schedule: WatchedSchedule | null;
  /** End of the source's last successful run (any mode but replay). */
  lastSuccessAt: Date | null;
  /** End of its last successful full run (a full run also satisfies the incremental schedule). */
  lastFullSuccessAt: Date | null;
  /** When a worker installed this schedule as configured; null: no worker has (every past firing counts). */
  installedAt: Date | null;
  now: Date;
}

export interface WatchdogVerdict {
  state: WatchdogState;
  /** One line for people. */
  message: string;
  /** The latest due firing that decided the verdict, if any. */
  dueAt: Date | null;
}

/** ISO time without milliseconds, for messages and tables. */
export const isoSeconds = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The latest firing whose grace has passed and that counts (at or after `installedAt`), or null. */
function dueFiring(expr: string, s: WatchedSchedule, installedAt: Date | null, now: Date): Date | null {
  const f = lastFiring(expr, s.timezone, new Date(now.getTime() - s.graceMinutes * 60_000));
  return installedAt && f < installedAt ? null : f;
}

export function watchdog(input: WatchdogInput): WatchdogVerdict {
  const { schedule: s, lastSuccessAt, lastFullSuccessAt, installedAt, now } = input;
  if (!s) return { state: 'unscheduled', message: 'no schedule (sources[].schedule): runs start only by `patron-bridge sync`', dueAt: null };
  const grace = `${s.graceMinutes} min`;
  const notInstalled = installedAt
    ? ''
    : '; no worker has installed this schedule as configured (is `patron-bridge worker` running with this configuration?)';
  const due = dueFiring(s.cron, s, installedAt, now);
  const fullDue = s.fullCron ? dueFiring(s.fullCron, s, installedAt, now) : null;
  // Any success covers an incremental firing; only a full one covers a full firing.
  const missed = due && !(lastSuccessAt && lastSuccessAt >= due) ? due : null;
  const fullMissed = fullDue && !(lastFullSuccessAt && lastFullSuccessAt >= fullDue) ? fullDue : null;
  if (!missed && !fullMissed) {
    if (lastSuccessAt) return { state: 'ok', message: `on schedule: last success ${isoSeconds(lastSuccessAt)}`, dueAt: due };
    const first = nextFiring(s.cron, s.timezone, now);
    return { state: 'ok', message: `no run due yet: the first scheduled run is at ${isoSeconds(first)} (late if no run has succeeded ${grace} after it)`, dueAt: null };
  }
  if (!lastSuccessAt) {
    const at = missed ?? fullMissed!;
    return { state: 'never', message: `never succeeded: a run was due at ${isoSeconds(at)} (grace ${grace}) and no run of this source has succeeded${notInstalled}`, dueAt: at };
  }
  if (missed) {
    return { state: 'late', message: `late: no successful run since the one due at ${isoSeconds(missed)} (grace ${grace}); last success ${isoSeconds(lastSuccessAt)}${notInstalled}`, dueAt: missed };
  }
  const last = lastFullSuccessAt ? `last successful full run ${isoSeconds(lastFullSuccessAt)}` : 'no full run has succeeded yet';
  return { state: 'late', message: `late: no successful full run since the one due at ${isoSeconds(fullMissed!)} (grace ${grace}); ${last}${notInstalled}`, dueAt: fullMissed };
}

/** late and never are what monitoring must hear about. */
export const isAlarm = (state: WatchdogState): boolean => state === 'late' || state === 'never';
