/**
 * Worker shells: parse job data → call the handler → translate the error. Transient errors are
 * retried by BullMQ with backoff; anything else fails the job at once (UnrecoverableError), and a
 * page job that fails for good marks its source failed in the run report.
 */
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { classifyError, describeError } from '../src/core/errors.js';
import { failSource, processPage, startRun, type PipelineDeps } from '../src/pipeline/index.js';
import { QUEUES, pageJobSchema, runJobSchema } from './jobs.js';

export interface Workers {
  close(): Promise<void>;
}

export function createWorkers(connection: Redis, prefix: string, deps: PipelineDeps, opts: { concurrency: number }): Workers {
  const isLastAttempt = (job: Job) => job.attemptsMade + 1 >= (job.opts.attempts ?? 1);

  const runs = new Worker(
    QUEUES.runs,
    async (job) => {
      const data = runJobSchema.parse(job.data);
      try {
        await startRun(deps, data);
      } catch (err) {
        throw translate(err);
      }
    },
    { connection, prefix, concurrency: 1 },
  );

  const pages = new Worker(
    QUEUES.pages,
    async (job) => {
      const data = pageJobSchema.parse(job.data);
      try {
        const { result } = await processPage(deps, data);
        return { read: result.read, created: result.created, updated: result.updated, rejected: result.rejected };
      } catch (err) {
        const e = classifyError(err);
        if (!e.transient || isLastAttempt(job)) await failSource(deps, data, describeError(e));
        else deps.logger.warn('page failed, will retry', { runId: data.runId, sourceId: data.sourceId, pageNo: data.pageNo, attempt: job.attemptsMade + 1, error: describeError(e) });
        throw translate(e);
      }
    },
    { connection, prefix, concurrency: opts.concurrency },
  );

  for (const w of [runs, pages]) {
    // Without a listener, ioredis/BullMQ errors would be unhandled; they are logged, never thrown.
    w.on('error', (err) => deps.logger.error('worker error', { error: describeError(err) }));
  }

  return {
    async close() {
      await Promise.all([runs.close(), pages.close()]);
    },
  };
}

function translate(err: unknown): Error {
  const e = classifyError(err);
  const msg = describeError(e);
  return e.transient ? new Error(msg) : new UnrecoverableError(msg);
}
