/**
 * Resuming a run whose process died: take its leases again and enqueue, per unfinished stream,
 * the page after its last committed one (job ids are deterministic, so a page that is still
 * queued, or held by a dead worker until BullMQ takes it up again, is not enqueued twice).
 */
import { unitOf } from '../core/streams.js';
import { followUp } from './page-handler.js';
import { startStream } from './stream-start.js';
import type { PipelineDeps } from './types.js';

export type ResumeResult = { resumed: false; why: string } | { resumed: true; committedPages: number };

export async function resumeRun(deps: PipelineDeps, runId: string): Promise<ResumeResult> {
  const run = await deps.state.getRun(runId);
  if (!run) return { resumed: false, why: `run ${runId} is not kept` };
  if (run.status !== 'running') return { resumed: false, why: `run ${runId} has finished (${run.status})` };
  let committedPages = 0;
  const info = { runId, mode: run.mode, startedAt: run.startedAt };
  for (const sourceId of new Set(run.sources.map((s) => s.sourceId))) {
    const binding = deps.sources.get(sourceId);
    if (!binding) continue;
    // The stream under way is the first unfinished one; later ones start when it ends.
    const current = run.sources.find((s) => s.sourceId === sourceId && s.status === 'running');
    if (!current) continue;
    const lease = await deps.state.acquireLease(sourceId, runId, deps.policy.leaseTtlMs);
    if (!lease.ok) continue; // another run has it now; this run's page jobs will say so
    const unit = unitOf(sourceId, current.stream);
    const last = await deps.state.lastCommittedPage(runId, unit);
    const replay = run.mode === 'replay';
    if (last) {
      committedPages += last.pageNo;
      const at = { runId, sourceId, stream: current.stream, pageNo: last.pageNo };
      if (last.next) await deps.enqueuePage({ ...at, pageNo: last.pageNo + 1, phase: 'window', request: last.next, ...(run.mode === 'resend' ? { resend: true } : {}) });
      else await followUp(deps, { ...at, phase: 'retry', limit: binding.pageSize, replay }, last);
      continue;
    }
    const first = await deps.state.getFirstRequest(runId, unit);
    // Started, or the first stream of a source the run job has not reached yet (still queued: it will).
    if (first || replay || current.stream !== binding.streams[0]?.name) await startStream(deps, info, sourceId, current.stream);
  }
  return { resumed: true, committedPages };
}
