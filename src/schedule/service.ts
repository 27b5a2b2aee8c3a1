/**
 * Schedules in a long-lived worker (`patron-bridge worker`): install the configured schedulers (and
 * remove ours no longer configured), process their fired jobs, and check the watchdog every minute.
 */
import type { App } from '../app.js';
import type { Config } from '../config/schema.js';
import { classifyError, describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { createScheduleWorker, installSchedules, type ScheduleSpec } from '../../queues/index.js';
import { createAlarmLog } from './alarms.js';
import { startScheduledRun } from './scheduled-run.js';
import { scheduleKey, scheduleOf, watchSources } from './status.js';

export interface ScheduleService {
  /** Stop the watchdog and the scheduled-run worker (the start in hand gets `graceMs`). */
  close(graceMs?: number): Promise<void>;
}

export interface ScheduleServiceOptions {
  now?: () => Date;
  /** How often the watchdog looks (default: every minute). */
  watchEveryMs?: number;
}

/** One scheduler per configured cron: the incremental one, and the full one when set. */
export function scheduleSpecs(config: Config): ScheduleSpec[] {
  return config.sources.flatMap((source) => {
    const s = scheduleOf(source);
    if (!s) return [];
    const specs: ScheduleSpec[] = [{ sourceId: source.id, kind: 'incremental', pattern: s.cron, tz: s.timezone }];
    if (s.fullCron) specs.push({ sourceId: source.id, kind: 'full', pattern: s.fullCron, tz: s.timezone });
    return specs;
  });
}

export async function startSchedules(app: App, logger: Logger, opts: ScheduleServiceOptions = {}): Promise<ScheduleService> {
  const { config } = app.loaded;
  const prefix = config.redis.prefix;
  const now = opts.now ?? (() => new Date());
  const installed = await installSchedules(app.redis.control, prefix, scheduleSpecs(config));
  const at = now().toISOString();
  for (const source of config.sources) {
    const s = scheduleOf(source);
    await app.state.noteSchedule(source.id, s ? scheduleKey(s) : null, at);
  }
  logger.info('schedules installed', { ...installed });

  const worker = createScheduleWorker(
    app.redis.blocking,
    prefix,
    async (job) => void (await startScheduledRun(app, job, logger)),
    (err, job) => {
      if (job) return logger.error('scheduled run could not start', { ...job, error: describeError(err) });
      // Connection errors are the connection's to log (once per kind, src/state/redis-connect.ts).
      const code = classifyError(err).code;
      if (code !== 'NETWORK' && code !== 'REDIS') logger.error('schedule worker error', { error: describeError(err) });
    },
  );

  const alarms = createAlarmLog(logger);
  const check = async () => {
    try {
      alarms.report(await watchSources({ config, state: app.state, now: now() }), now());
    } catch (err) {
      logger.warn('watchdog check failed', { error: describeError(err) });
    }
  };
  await check();
  const timer = setInterval(() => void check(), opts.watchEveryMs ?? 60_000);
  timer.unref();

  return {
    async close(graceMs = 30_000) {
      clearInterval(timer);
      await worker.close(graceMs);
    },
  };
}
