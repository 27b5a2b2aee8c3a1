/**
 * What the status page shows beside the kept state: schedules (with the watchdog, src/schedule) and
 * health (src/observe/health.ts). The page takes them as providers, so it reads nothing itself;
 * `serve` (src/cli/serve-command.ts) hands it the real ones, tests hand it their own.
 */
import type { HealthReport } from '../observe/health.js';
import type { SourceScheduleStatus } from '../schedule/index.js';

export type { HealthCheck, HealthReport } from '../observe/health.js';
export type { SourceScheduleStatus, WatchdogState } from '../schedule/index.js';

export type SchedulesProvider = () => Promise<SourceScheduleStatus[]>;
export type HealthProvider = () => Promise<HealthReport>;
