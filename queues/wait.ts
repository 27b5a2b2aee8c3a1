/** Waiting for a run to finish (used by `sync --once`): the run report, or the run job's failure. */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { RunReport, SyncState } from '../src/state/ports.js';
import { QUEUES, runJobId } from './jobs.js';

export type RunWait = { report: RunReport } | { failedToStart: string };

export async function waitForRun(
  connection: Redis,
  prefix: string,
  state: SyncState,
  runId: string,
  opts: { pollMs?: number; signal?: AbortSignal } = {},
): Promise<RunWait> {
  const runs = new Queue(QUEUES.runs, { connection, prefix });
  try {
    for (;;) {
      const report = await state.getRun(runId);
      if (report && report.status !== 'running') return { report };
      const job = await runs.getJob(runJobId(runId));
      if (job && (await job.getState()) === 'failed') return { failedToStart: job.failedReason ?? 'run job failed' };
      if (opts.signal?.aborted) throw new Error('interrupted');
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 200));
    }
  } finally {
    await runs.close();
  }
}
