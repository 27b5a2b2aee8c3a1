/** How many jobs each queue holds per state (BullMQ getJobCounts), for metrics and status pages. */
import type { Queue } from 'bullmq';

const JOB_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'failed', 'completed'] as const;

export interface QueueDepth {
  queue: string;
  state: (typeof JOB_STATES)[number];
  count: number;
}

export async function readDepths(queues: readonly Queue[]): Promise<QueueDepth[]> {
  const counts = await Promise.all(queues.map((q) => q.getJobCounts(...JOB_STATES)));
  return queues.flatMap((q, i) => JOB_STATES.map((state) => ({ queue: q.name, state, count: counts[i]![state] ?? 0 })));
}
