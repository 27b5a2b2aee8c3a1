/**
 * Each source's schedule and watchdog verdict from the configuration and the kept state (last
 * success, when the schedule was installed, the kept run reports). No BullMQ connection: the next
 * firing is computed from the cron expression, as the scheduler computes it.
 */
import type { Config, SourceConfig } from '../config/schema.js';
import { sourceStatus, type RunReport, type SyncState } from '../state/ports.js';
import { nextFiring } from './cron.js';
import { watchdog, type WatchdogState, type WatchedSchedule, type WatchdogVerdict } from './watchdog.js';

export interface SourceScheduleStatus {
  sourceId: string;
  cron: string | null;
  fullCron: string | null;
  timezone: string;
  nextRunAt: string | null;
  lastRun: { runId: string; status: 'running' | 'done' | 'failed'; startedAt: string; finishedAt?: string } | null;
  lastSuccessAt: string | null;
  watchdog: WatchdogState;
  message: string;
}

/** A source's schedule with its defaults (zone: the source's own). */
export function scheduleOf(source: SourceConfig): WatchedSchedule | null {
  const s = source.schedule;
  if (!s) return null;
  return { cron: s.cron, fullCron: s.full_cron ?? null, timezone: s.timezone ?? source.timezone, graceMinutes: s.grace_minutes };
}

/** Names a schedule as configured (the grace aside: changing it changes no firing). */
export const scheduleKey = (s: WatchedSchedule): string => JSON.stringify([s.cron, s.fullCron, s.timezone]);

export interface SourceVerdict {
  sourceId: string;
  schedule: WatchedSchedule | null;
  lastSuccessAt: string | null;
  verdict: WatchdogVerdict;
}

const dateOf = (iso: string | null) => (iso ? new Date(iso) : null);

/** The watchdog's verdict per configured source (cheap: no run report is read). */
export async function watchSources(opts: { config: Config; state: SyncState; now: Date }): Promise<SourceVerdict[]> {
  return Promise.all(
    opts.config.sources.map(async (source) => {
      const schedule = scheduleOf(source);
      const success = await opts.state.lastSuccess(source.id);
      const installedAt = schedule ? dateOf(await opts.state.scheduleSince(source.id, scheduleKey(schedule))) : null;
      const verdict = watchdog({ schedule, lastSuccessAt: dateOf(success.at), lastFullSuccessAt: dateOf(success.fullAt), installedAt, now: opts.now });
      return { sourceId: source.id, schedule, lastSuccessAt: success.at, verdict };
    }),
  );
}

/** A source's part of a run, with its status and when its last stream ended. */
function lastRunOf(run: RunReport, sourceId: string): SourceScheduleStatus['lastRun'] {
  const own = run.sources.filter((s) => s.sourceId === sourceId);
  const status = sourceStatus(own);
  const ends = own.map((s) => s.finishedAt).filter((x): x is string => x !== undefined).sort();
  return { runId: run.runId, status, startedAt: run.startedAt, ...(status !== 'running' && ends.length ? { finishedAt: ends[ends.length - 1]! } : {}) };
}

/** The newest kept run of each source: the latest few runs first, the whole kept history only if a source is not among them. */
async function lastRuns(state: SyncState, sourceIds: readonly string[]): Promise<Map<string, SourceScheduleStatus['lastRun']>> {
  const found = new Map<string, SourceScheduleStatus['lastRun']>();
  for (const limit of [20, 200]) {
    for (const run of await state.listRuns(limit)) {
      for (const id of sourceIds) if (!found.has(id) && run.sources.some((s) => s.sourceId === id)) found.set(id, lastRunOf(run, id));
    }
    if (found.size === sourceIds.length) break;
  }
  return found;
}

/** Each source's watchdog state alone (the metrics gauge of `worker` and `serve`). */
export async function watchdogStates(opts: { config: Config; state: SyncState; now: Date }): Promise<Array<{ sourceId: string; watchdog: WatchdogState }>> {
  return (await watchSources(opts)).map((v) => ({ sourceId: v.sourceId, watchdog: v.verdict.state }));
}

export async function scheduleStatus(opts: { config: Config; state: SyncState; now: Date }): Promise<SourceScheduleStatus[]> {
  const verdicts = await watchSources(opts);
  const runs = await lastRuns(opts.state, verdicts.map((v) => v.sourceId));
  return verdicts.map(({ sourceId, schedule, lastSuccessAt, verdict }) => {
    const next = schedule ? [schedule.cron, schedule.fullCron].flatMap((c) => (c ? [nextFiring(c, schedule.timezone, opts.now).getTime()] : [])) : [];
    return {
      sourceId,
      cron: schedule?.cron ?? null,
      fullCron: schedule?.fullCron ?? null,
      timezone: schedule?.timezone ?? opts.config.sources.find((s) => s.id === sourceId)!.timezone,
      nextRunAt: next.length ? new Date(Math.min(...next)).toISOString() : null,
      lastRun: runs.get(sourceId) ?? null,
      lastSuccessAt,
      watchdog: verdict.state,
      message: verdict.message,
    };
  });
}
