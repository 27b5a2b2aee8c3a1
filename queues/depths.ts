/** How many jobs each queue holds per state (BullMQ getJobCounts), for metrics and status pages. */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { QUEUES } from './jobs.js';

export const JOB_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed', 'completed'] as const;

export interface QueueDepth {
  queue: string;
  state: (typeof JOB_STATES)[number];
  count: number;
}

export interface QueueDepths {
  read(): Promise<QueueDepth[]>;
  close(): Promise<void>;
}

export function createQueueDepths(connection: Redis, prefix: string): QueueDepths {
  const queues = Object.values(QUEUES).map((name) => new Queue(name, { connection, prefix }));
  // Connection errors are the connection's to log (see producer.ts); a failed read rejects to the caller.
  for (const q of queues) q.on('error', () => {});
  return {
    async read() {
      const counts = await Promise.all(queues.map((q) => q.getJobCounts(...JOB_STATES)));
      return queues.flatMap((q, i) => JOB_STATES.map((state) => ({ queue: q.name, state, count: counts[i]![state] ?? 0 })));
    },
    async close() {
      await Promise.all(queues.map((q) => q.close()));
    },
  };
}
