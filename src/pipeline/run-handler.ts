/**
 * Starting a run: record it, then per source take the lease (one run per source at a time),
 * check the mapping's targets against the CRM (so a CRM that lacks them stops the run before any
 * record is read or any cursor moves), and enqueue the first page from the saved cursor.
 */
import { firstPage } from '../../connectors/connector.js';
import { BridgeError, describeError } from '../core/errors.js';
import type { PageJobData, PipelineDeps, RunJobData } from './types.js';

export async function startRun(deps: PipelineDeps, job: RunJobData): Promise<void> {
  for (const id of job.sourceIds) {
    if (!deps.sources.has(id)) {
      throw new BridgeError('CONFIG_INVALID', `unknown source "${id}" (configured: ${[...deps.sources.keys()].join(', ')})`, {
        context: { system: 'config' },
      });
    }
  }
  const now = deps.clock();
  // createRun keeps an existing run as it is (a retried run job must not reopen a finished run).
  await deps.state.createRun({ runId: job.runId, mode: job.mode, sourceIds: job.sourceIds, startedAt: now.toISOString(), ...(job.recordIds ? { recordIds: job.recordIds } : {}) });
  for (const sourceId of job.sourceIds) {
    const refused = await prepareSource(deps, job, sourceId);
    if (refused !== null) {
      deps.logger.error('source not started', { runId: job.runId, sourceId, error: refused });
      await deps.state.finishSource(job.runId, sourceId, { status: 'failed', error: refused, at: deps.clock().toISOString() });
    }
  }
}

/** Enqueues the source's first page; returns why the source cannot run, or null. */
async function prepareSource(deps: PipelineDeps, job: RunJobData, sourceId: string): Promise<string | null> {
  const { runId } = job;
  const binding = deps.sources.get(sourceId)!;
  if (await deps.state.getCommittedPage(runId, sourceId, 1)) return null; // already under way
  const lease = await deps.state.acquireLease(sourceId, runId, deps.policy.leaseTtlMs);
  if (!lease.ok) {
    return `source "${sourceId}" is being synced by run ${lease.holder}; this run left it alone (run again when that one has finished, or see \`patron-bridge report ${lease.holder}\`)`;
  }
  let missing: string[];
  try {
    missing = await deps.crm.missingTargets(binding.mapping.targetFields);
  } catch (err) {
    const e = err instanceof BridgeError ? err : undefined;
    if (e?.transient) throw err; // the run job is retried with backoff
    return `the CRM's field list could not be read: ${describeError(err)}`;
  }
  if (missing.length > 0) {
    return `CiviCRM has no writable Contact field ${missing.map((f) => `"${f}"`).join(', ')}, which ${binding.mapping.file} writes; ` +
      'run `patron-bridge crm bootstrap` to create the custom fields (or correct the mapping). Nothing was read or written.';
  }
  let first: PageJobData;
  if (job.mode === 'replay') {
    first = { runId, sourceId, pageNo: 1, phase: 'retry', limit: binding.pageSize, replay: true };
  } else {
    // A retried run job keeps the window it fixed the first time.
    let request = await deps.state.getFirstRequest(runId, sourceId);
    if (request === null) {
      const cursor = await deps.state.getCursor(sourceId);
      request = firstPage(cursor, job.mode, { overlapMs: binding.overlapMs, now: deps.clock(), limit: binding.pageSize });
      await deps.state.setFirstRequest(runId, sourceId, request);
    }
    deps.logger.info('run started for source', { runId, sourceId, mode: job.mode, since: request.since, until: request.until });
    first = { runId, sourceId, pageNo: 1, phase: 'window', request, ...(job.mode === 'resend' ? { resend: true } : {}) };
  }
  await deps.enqueuePage(first);
  return null;
}
