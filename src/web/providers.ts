/**
 * What the status page shows beside the kept state: schedules (with the watchdog) and health. The
 * shapes are those of src/schedule/index.ts and src/observe/health.ts, declared here so the page
 * depends on nothing but them; `serve` is handed the real providers, or the fallbacks below.
 */
import type { Redis } from 'ioredis';
import type { Config } from '../config/schema.js';
import type { RunReport, SyncState } from '../state/ports.js';

export type WatchdogState = 'ok' | 'late' | 'never' | 'unscheduled';

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

export interface HealthCheck {
  name: string /* 'redis' | 'crm' | 'source:<id>' */;
  ok: boolean;
  ms: number;
  error?: string;
}

export interface HealthReport {
  ok: boolean;
  checks: HealthCheck[];
}

export type SchedulesProvider = () => Promise<SourceScheduleStatus[]>;
export type HealthProvider = () => Promise<HealthReport>;

/** How far back the fallback looks for a source's last run. */
const RECENT_RUNS = 50;

/** The source's outcome in a run: failed if any of its streams failed, running while one runs. */
function statusIn(run: RunReport, sourceId: string): 'running' | 'done' | 'failed' | null {
  const mine = run.sources.filter((s) => s.sourceId === sourceId);
  if (mine.length === 0) return null;
  if (mine.some((s) => s.status === 'failed')) return 'failed';
  return mine.some((s) => s.status === 'running') ? 'running' : 'done';
}

/** Until schedules exist: every source 'unscheduled', with its last run and last success from the kept runs. */
export function unscheduledProvider(config: Config, state: SyncState): SchedulesProvider {
  return async () => {
    const runs = await state.listRuns(RECENT_RUNS);
    return config.sources.map((src): SourceScheduleStatus => {
      const last = runs.find((r) => statusIn(r, src.id) !== null);
      const success = runs.find((r) => statusIn(r, src.id) === 'done');
      return {
        sourceId: src.id,
        cron: null,
        fullCron: null,
        timezone: src.timezone,
        nextRunAt: null,
        lastRun: last ? { runId: last.runId, status: statusIn(last, src.id)!, startedAt: last.startedAt, ...(last.finishedAt ? { finishedAt: last.finishedAt } : {}) } : null,
        lastSuccessAt: success?.sources.filter((s) => s.sourceId === src.id).map((s) => s.finishedAt ?? '').sort().at(-1) || null,
        watchdog: 'unscheduled',
        message: 'no schedule configured',
      };
    });
  };
}

/** Until the full health check exists: Redis answers PING. */
export function redisPingProvider(redis: Redis, now: () => number = Date.now): HealthProvider {
  return async () => {
    const started = now();
    try {
      await redis.ping();
      return { ok: true, checks: [{ name: 'redis', ok: true, ms: now() - started }] };
    } catch (err) {
      return { ok: false, checks: [{ name: 'redis', ok: false, ms: now() - started, error: err instanceof Error ? err.message : String(err) }] };
    }
  };
}
