/**
 * What a fired schedule does: the same as `sync` for that source. An unfinished run of the source
 * (still running, or left by a dead process) is resumed or joined instead of starting a second;
 * otherwise a run is enqueued, and the handler waits until it is recorded, so the next firing
 * (fired jobs run one at a time across workers) finds it and joins it rather than starting another.
 */
import type { App } from '../app.js';
import type { Logger } from '../core/logger.js';
import type { ScheduleJobData } from '../../queues/index.js';

export type ScheduledOutcome = { joined: string } | { started: string } | { skipped: string };

export interface ScheduledRunOptions {
  /** How long to wait for the enqueued run to be recorded (a run worker starts it). */
  recordedWithinMs?: number;
  pollMs?: number;
}

type Starter = Pick<App, 'startOrJoin' | 'state' | 'deps'>;

export async function startScheduledRun(app: Starter, job: ScheduleJobData, logger: Logger, opts: ScheduledRunOptions = {}): Promise<ScheduledOutcome> {
  const { sourceId, kind } = job;
  if (!app.deps.sources.has(sourceId)) {
    // A scheduler of a source that was removed from the configuration fired before a worker removed it.
    logger.warn('scheduled run skipped: the source is not configured', { sourceId, kind });
    return { skipped: `source "${sourceId}" is not configured` };
  }
  const run = await app.startOrJoin(kind, [sourceId]);
  if (run.joined) {
    logger.info('scheduled run joins the unfinished run of its source', { sourceId, kind, runId: run.runId });
    return { joined: run.runId };
  }
  const { runId } = run;
  logger.info('scheduled run enqueued', { sourceId, kind, runId });
  const end = Date.now() + (opts.recordedWithinMs ?? 30_000);
  while (!(await app.state.getRunInfo(runId)) && Date.now() < end) await new Promise((r) => setTimeout(r, opts.pollMs ?? 100));
  return { started: runId };
}
