/**
 * Starting a run: record it with every stream of its sources, then per source take the lease (one
 * run per source at a time), check each stream can run (e.g. the CRM has every field the mapping
 * writes, so a CRM that lacks them stops the run before any record is read or any cursor moves),
 * and start the source's first stream (the next ones follow when it ends).
 */
import { BridgeError } from '../core/errors.js';
import { unitOf } from '../core/streams.js';
import { startStream } from './stream-start.js';
import type { PipelineDeps, RunJobData } from './types.js';

export async function startRun(deps: PipelineDeps, job: RunJobData): Promise<void> {
  for (const id of job.sourceIds) {
    if (!deps.sources.has(id)) {
      throw new BridgeError('CONFIG_INVALID', `unknown source "${id}" (configured: ${[...deps.sources.keys()].join(', ')})`, {
        context: { system: 'config' },
      });
    }
  }
  const startedAt = deps.clock().toISOString();
  const units = job.sourceIds.flatMap((id) => deps.sources.get(id)!.streams.map((s) => unitOf(id, s.name)));
  // createRun keeps an existing run as it is (a retried run job must not reopen a finished run).
  await deps.state.createRun({ runId: job.runId, mode: job.mode, units, startedAt, ...(job.recordIds ? { recordIds: job.recordIds } : {}) });
  const run = (await deps.state.getRunInfo(job.runId)) ?? { mode: job.mode, startedAt };
  for (const sourceId of job.sourceIds) {
    const refused = await prepareSource(deps, { runId: job.runId, ...run }, sourceId);
    if (refused !== null) {
      deps.logger.error('source not started', { runId: job.runId, sourceId, error: refused });
      const at = deps.clock().toISOString();
      for (const s of deps.sources.get(sourceId)!.streams) await deps.state.finishSource(job.runId, unitOf(sourceId, s.name), { status: 'failed', error: refused, at });
    }
  }
}

/** Starts the source's first stream; returns why the source cannot run, or null. */
async function prepareSource(deps: PipelineDeps, run: { runId: string; mode: RunJobData['mode']; startedAt: string }, sourceId: string): Promise<string | null> {
  const binding = deps.sources.get(sourceId)!;
  const first = binding.streams[0]!;
  if (await deps.state.getCommittedPage(run.runId, unitOf(sourceId, first.name), 1)) return null; // already under way
  const lease = await deps.state.acquireLease(sourceId, run.runId, deps.policy.leaseTtlMs);
  if (!lease.ok) {
    return `source "${sourceId}" is being synced by run ${lease.holder}; this run left it alone (run again when that one has finished, or see \`patron-bridge report ${lease.holder}\`)`;
  }
  // Every stream's checks side by side (they read the CRM's field lists and setup), taken in stream order as
  // one after another would: the first refusal, or the first error (a transient one retries the run job).
  for (const checked of await Promise.allSettled(binding.streams.map((s) => s.writer.preflight(deps)))) {
    if (checked.status === 'rejected') throw checked.reason;
    if (checked.value !== null) return checked.value;
  }
  await startStream(deps, run, sourceId, first.name);
  return null;
}
