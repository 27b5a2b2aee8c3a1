/**
 * What the status page shows beside the kept state: schedules (with the watchdog) and health. The
 * shapes are those of src/schedule/index.ts and src/observe/health.ts, declared here so the page
 * depends on nothing but them; `serve` (src/cli/serve-command.ts) hands it the real providers.
 */

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
