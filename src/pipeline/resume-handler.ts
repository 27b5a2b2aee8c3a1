/**
 * Resuming a run whose process died: take its leases again and enqueue, per unfinished source,
 * the page after its last committed one (job ids are deterministic, so a page that is still
 * queued, or held by a dead worker until BullMQ takes it up again, is not enqueued twice).
 */
import { followUp } from './page-handler.js';
import type { PipelineDeps } from './types.js';

export type ResumeResult = { resumed: false; why: string } | { resumed: true; committedPages: number };

export async function resumeRun(deps: PipelineDeps, runId: string): Promise<ResumeResult> {
  const run = await deps.state.getRun(runId);
  if (!run) return { resumed: false, why: `run ${runId} is not kept` };
  if (run.status !== 'running') return { resumed: false, why: `run ${runId} has finished (${run.status})` };
  let committedPages = 0;
  for (const source of run.sources) {
    if (source.status !== 'running') continue;
    const binding = deps.sources.get(source.sourceId);
    if (!binding) continue;
    const lease = await deps.state.acquireLease(source.sourceId, runId, deps.policy.leaseTtlMs);
    if (!lease.ok) continue; // another run has it now; this run's page jobs will say so
    const last = await deps.state.lastCommittedPage(runId, source.sourceId);
    const replay = run.mode === 'replay';
    if (last) {
      committedPages += last.pageNo;
      const at = { runId, sourceId: source.sourceId, pageNo: last.pageNo };
      if (last.next) await deps.enqueuePage({ ...at, pageNo: last.pageNo + 1, phase: 'window', request: last.next, ...(run.mode === 'resend' ? { resend: true } : {}) });
      else await followUp(deps, { ...at, phase: 'retry', limit: binding.pageSize, replay }, last);
      continue;
    }
    const first = await deps.state.getFirstRequest(runId, source.sourceId);
    if (first) await deps.enqueuePage({ runId, sourceId: source.sourceId, pageNo: 1, phase: 'window', request: first, ...(run.mode === 'resend' ? { resend: true } : {}) });
    else if (replay) await deps.enqueuePage({ runId, sourceId: source.sourceId, pageNo: 1, phase: 'retry', limit: binding.pageSize, replay });
    // Otherwise the run job has not reached this source yet: it is still queued and will.
  }
  return { resumed: true, committedPages };
}
