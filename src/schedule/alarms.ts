/**
 * The worker's watchdog log: an error line when a source turns late (or has never succeeded past its
 * grace), repeated once an hour while it stays so, and an info line when it is back on schedule.
 * Loud enough for a log alert, never a line per source per minute.
 */
import type { Logger } from '../core/logger.js';
import { isoSeconds, isAlarm, type WatchdogState } from './watchdog.js';
import type { SourceVerdict } from './status.js';

export const ALARM_REPEAT_MS = 60 * 60_000;

export function createAlarmLog(logger: Logger, repeatMs = ALARM_REPEAT_MS): { report(verdicts: readonly SourceVerdict[], now: Date): void } {
  const last = new Map<string, { state: WatchdogState; loggedAt: number }>();
  return {
    report(verdicts, now) {
      for (const { sourceId, verdict, lastSuccessAt } of verdicts) {
        const prev = last.get(sourceId);
        if (isAlarm(verdict.state)) {
          if (prev && prev.state === verdict.state && now.getTime() - prev.loggedAt < repeatMs) continue;
          logger.error(`watchdog: source "${sourceId}" is ${verdict.state === 'never' ? 'not synced yet' : 'late'}`, {
            sourceId, watchdog: verdict.state, dueAt: verdict.dueAt ? isoSeconds(verdict.dueAt) : null, lastSuccessAt, error: verdict.message,
          });
        } else if (prev && isAlarm(prev.state)) {
          logger.info(`watchdog: source "${sourceId}" is back on schedule`, { sourceId, watchdog: verdict.state, lastSuccessAt });
        }
        last.set(sourceId, { state: verdict.state, loggedAt: now.getTime() });
      }
    },
  };
}
