/**
 * Waiting for a run to finish (used by `sync --once`): the run report, the run job's failure, or
 * why the wait stopped (deadline, interruption, Redis gone or restarted without its data). Never
 * waits for ever.
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { describeError } from '../src/core/errors.js';
import type { RunReport, SyncState } from '../src/state/ports.js';
import { QUEUES, runJobId } from './jobs.js';

/** `resumable`: the run is still kept in Redis, so `sync --once` can pick it up again. */
export type RunWait = { report: RunReport } | { failedToStart: string } | { stopped: string; resumable: boolean };

export interface WaitOptions {
  pollMs?: number;
  signal?: AbortSignal;
  /** Give up after this long (the run itself goes on or stays resumable). */
  timeoutMs?: number;
  /** Give up when Redis has not answered for this long. */
  unreachableMs?: number;
  /** Set when Redis came back without its data. */
  stateLost?: () => string | null;
  now?: () => number;
}

export async function waitForRun(connection: Redis, prefix: string, state: SyncState, runId: string, opts: WaitOptions = {}): Promise<RunWait> {
  const now = opts.now ?? Date.now;
  const start = now();
  const deadline = start + (opts.timeoutMs ?? 6 * 3600_000);
  const unreachableMs = opts.unreachableMs ?? 60_000;
  const runs = new Queue(QUEUES.runs, { connection, prefix });
  runs.on('error', () => {}); // failures show up as failed polls below
  let seen = false;
  let failingSince: number | null = null;
  let lastError = '';
  let missing = 0;
  const gone = (what: string) => ({ stopped: `run ${runId} ${what}: Redis lost its data (restarted without it, or flushed)`, resumable: false });
  try {
    for (;;) {
      if (opts.signal?.aborted) return { stopped: 'interrupted', resumable: true };
      const lost = opts.stateLost?.() ?? null;
      if (lost) return { stopped: lost, resumable: false };
      if (now() > deadline) return { stopped: `run ${runId} did not finish within ${Math.round((deadline - start) / 1000)} s`, resumable: true };
      try {
        // A cheap poll of the run's status; the whole report once it has finished.
        const info = await state.getRunInfo(runId);
        const report = info && info.status !== 'running' ? await state.getRun(runId) : null;
        failingSince = null;
        if (report) return { report };
        if (info) seen = true;
        // Gone on two polls: the data-loss notice (set on reconnect) usually comes in between.
        else if (seen && ++missing > 1) return gone('vanished from Redis');
        const job = info ? undefined : await runs.getJob(runJobId(runId));
        if (!info && job && (await job.getState()) === 'failed') return { failedToStart: job.failedReason ?? 'run job failed' };
        if (!info && !job && now() - start > 10_000) return gone('is neither queued nor recorded in Redis');
      } catch (err) {
        failingSince ??= now();
        lastError = describeError(err);
        if (now() - failingSince > unreachableMs) return { stopped: `Redis has not answered for ${Math.round(unreachableMs / 1000)} s (${lastError})`, resumable: true };
      }
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 50));
    }
  } finally {
    await runs.close().catch(() => {});
  }
}
