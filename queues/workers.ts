/**
 * Worker shells: parse job data → call the handler → translate the error. Transient errors are
 * retried by BullMQ with backoff; anything else fails the job at once (UnrecoverableError). A job
 * that fails for good, in the handler or outside it (stalled too often: its worker died twice),
 * finishes its source as failed, so no run is left "running".
 */
import { DelayedError, UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { classifyError, describeError } from '../src/core/errors.js';
import { withLogContext, type LogContext } from '../src/core/logger.js';
import { failSource, NotYourTurnError, processPage, startRun, type PipelineDeps } from '../src/pipeline/index.js';
import { QUEUES, pageJobSchema, runJobSchema } from './jobs.js';

export interface Workers {
  /**
   * Stop taking jobs and wait at most `graceMs` for the jobs in hand; false when they did not
   * finish in time (they are taken up again once their lock lapses). The caller then drops the
   * connection, which ends whatever still waits on Redis.
   */
  close(graceMs: number): Promise<boolean>;
}

export interface WorkerOptions {
  concurrency: number;
  /**
   * A dead worker's job is taken up again after about this long (BullMQ lock; renewed every
   * half of it while the job runs).
   */
  lockMs?: number;
}

export function createWorkers(connection: Redis, prefix: string, deps: PipelineDeps, opts: WorkerOptions): Workers {
  const isLastAttempt = (job: Job) => job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  const lockDuration = opts.lockMs ?? 30_000;
  const common = { connection, prefix, lockDuration, stalledInterval: Math.max(1000, Math.floor(lockDuration / 2)), maxStalledCount: 2 };

  const runs = new Worker(
    QUEUES.runs,
    async (job) => {
      const data = runJobSchema.parse(job.data);
      return withLogContext(runContext(job, data), async () => {
        try {
          await startRun(deps, data);
        } catch (err) {
          throw translate(err);
        }
      });
    },
    { ...common, concurrency: 1 },
  );

  const pages = new Worker(
    QUEUES.pages,
    async (job, token) => {
      const data = pageJobSchema.parse(job.data);
      return withLogContext(pageContext(job, data), async () => {
        try {
          const { result } = await processPage(deps, data);
          return { read: result.read, created: result.created, updated: result.updated, rejected: result.rejected };
        } catch (err) {
          if (err instanceof NotYourTurnError) {
            // Back in the queue for a moment, its slot free for the page it waits for; no attempt spent.
            await job.moveToDelayed(Date.now() + err.retryInMs, token);
            throw new DelayedError();
          }
          const e = classifyError(err);
          if (!e.transient || isLastAttempt(job)) await failSource(deps, data, describeError(e));
          else deps.logger.warn('page failed, will retry', { runId: data.runId, sourceId: data.sourceId, pageNo: data.pageNo, attempt: job.attemptsMade + 1, error: describeError(e) });
          throw translate(e);
        }
      });
    },
    { ...common, concurrency: opts.concurrency },
  );

  // Failures outside the handler (a job stalled too often) reach only this event.
  pages.on('failed', (job, err) => {
    if (!job || described.has(err)) return; // the handler recorded it
    const data = pageJobSchema.safeParse(job.data);
    if (!data.success) return;
    // Started inside the context, so the whole chain logs with it.
    void withLogContext(pageContext(job, data.data), () => job
      .getState()
      .then((s) => (s === 'failed' ? failSource(deps, data.data, describeError(err)) : undefined))
      .catch((e: unknown) => deps.logger.error('could not record a failed page', { runId: data.data.runId, error: describeError(e) })));
  });
  runs.on('failed', (job, err) => {
    if (!job) return;
    const data = runJobSchema.safeParse(job.data);
    if (!data.success) return;
    void withLogContext(runContext(job, data.data), () => job
      .getState()
      .then(async (s) => {
        if (s !== 'failed' || !(await deps.state.getRun(data.data.runId))) return;
        const reason = described.has(err) ? err.message : describeError(err);
        for (const sourceId of data.data.sourceIds) {
          const first = deps.sources.get(sourceId)?.streams[0]?.name;
          if (first) await failSource(deps, { runId: data.data.runId, sourceId, stream: first, pageNo: 1 }, `the run could not start: ${reason}`);
        }
      })
      .catch((e: unknown) => deps.logger.error('could not record a failed run', { runId: data.data.runId, error: describeError(e) })));
  });

  for (const w of [runs, pages]) {
    // Without a listener, ioredis/BullMQ errors would be unhandled; they are logged, never thrown.
    // Connection errors are left to the connection's own listener (one line per kind, see
    // src/state/redis-connect.ts): each worker would repeat them on every reconnect attempt.
    w.on('error', (err) => {
      if (!isConnectionError(err)) deps.logger.error('worker error', { error: describeError(err) });
    });
    w.on('stalled', (jobId) => deps.logger.warn('a job was taken up again after its worker stopped answering', { jobId }));
  }

  return {
    async close(graceMs) {
      // Not BullMQ's close(true) as a fallback: its close is memoised, so that would wait for this
      // one, and this one can wait for ever on a connection caught reconnecting (ioredis #1247).
      let timer: NodeJS.Timeout | undefined;
      const closed = Promise.all([runs.close(), pages.close()]).then(() => true, () => true);
      const inTime = await Promise.race([closed, new Promise<boolean>((r) => { timer = setTimeout(() => r(false), graceMs); })]);
      clearTimeout(timer);
      return inTime;
    },
  };
}

/** What every line logged while a job is handled carries (ids only). */
function pageContext(job: Job, data: { runId: string; sourceId: string; stream: string }): LogContext {
  return { runId: data.runId, sourceId: data.sourceId, stream: data.stream, ...(job.id ? { jobId: job.id } : {}) };
}

function runContext(job: Job, data: { runId: string; sourceIds: string[] }): LogContext {
  return { runId: data.runId, ...(data.sourceIds.length === 1 ? { sourceId: data.sourceIds[0]! } : {}), ...(job.id ? { jobId: job.id } : {}) };
}

/** Errors the handlers threw, whose message already is the one-line description (not to be described again). */
const described = new WeakSet<Error>();

function isConnectionError(err: unknown): boolean {
  const code = classifyError(err).code;
  return code === 'NETWORK' || code === 'REDIS';
}

function translate(err: unknown): Error {
  const e = classifyError(err);
  const msg = describeError(e);
  const out = e.transient ? new Error(msg) : new UnrecoverableError(msg);
  described.add(out);
  return out;
}
