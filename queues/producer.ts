/** Enqueueing runs and pages. Only queues/ imports bullmq. */
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { PageRequest } from '../src/core/types.js';
import type { PageJobData, RunJobData } from '../src/pipeline/types.js';
import { readDepths, type QueueDepth } from './depths.js';
import { QUEUES, jobOptions, newRunId, pageJobId, runJobId, type JobPolicy } from './jobs.js';

export interface Producer {
  enqueueRun(job: RunJobData): Promise<void>;
  /** Enqueues a new run (its id from `now` and a random suffix); returns the id. */
  startRun(now: Date, job: Omit<RunJobData, 'runId'>): Promise<string>;
  enqueuePage(job: PageJobData): Promise<void>;
  /**
   * True when the page's job is waiting to be taken (nobody works on it, and nothing but a free slot
   * holds it back). A delayed job (a retry's backoff) is not: it could not take a slot given up now.
   */
  pageQueued(job: Pick<PageJobData, 'runId' | 'sourceId' | 'stream' | 'pageNo'>): Promise<boolean>;
  /** The request of a window page job in the queue (any state), or null when there is none. */
  enqueuedRequest(job: Pick<PageJobData, 'runId' | 'sourceId' | 'stream' | 'pageNo'>): Promise<PageRequest | null>;
  /** Jobs per queue and state (the producer's own queues: no connection of their own). */
  depths(): Promise<QueueDepth[]>;
  close(): Promise<void>;
}

export function createProducer(connection: Redis, prefix: string, policy: JobPolicy): Producer {
  const opts = jobOptions(policy);
  const runs = new Queue<RunJobData>(QUEUES.runs, { connection, prefix });
  const pages = new Queue<PageJobData>(QUEUES.pages, { connection, prefix });
  // Without a listener BullMQ prints the raw error object, whose AUTH arguments carry the Redis
  // password. Connection errors are logged by the connection itself; failed adds reject to the caller.
  for (const q of [runs, pages]) q.on('error', () => {});
  return {
    async enqueueRun(job) {
      await runs.add('run', job, { ...opts, jobId: runJobId(job.runId) });
    },
    async startRun(now, job) {
      const runId = newRunId(now, randomBytes(3).toString('hex'));
      await runs.add('run', { runId, ...job }, { ...opts, jobId: runJobId(runId) });
      return runId;
    },
    depths: () => readDepths([runs, pages]),
    async enqueuePage(job) {
      await pages.add('page', job, { ...opts, jobId: pageJobId(job) });
    },
    async pageQueued(job) {
      const state = await pages.getJobState(pageJobId(job));
      return state === 'waiting' || state === 'prioritized';
    },
    async enqueuedRequest(job) {
      const data = (await pages.getJob(pageJobId(job)))?.data;
      return data && data.phase === 'window' ? data.request : null;
    },
    async close() {
      await Promise.all([runs.close(), pages.close()]);
    },
  };
}
