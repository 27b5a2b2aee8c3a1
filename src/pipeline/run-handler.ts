/**
 * Starting a run: record it, then enqueue the first page of every source from its saved cursor
 * (a full run reads everything but still skips what the CRM already holds unchanged).
 */
import { firstPage } from '../../connectors/connector.js';
import { BridgeError } from '../core/errors.js';
import type { PipelineDeps, RunJobData } from './types.js';

export async function startRun(deps: PipelineDeps, job: RunJobData): Promise<void> {
  for (const id of job.sourceIds) {
    if (!deps.sources.has(id)) {
      throw new BridgeError('CONFIG_INVALID', `unknown source "${id}" (configured: ${[...deps.sources.keys()].join(', ')})`, {
        context: { system: 'config' },
      });
    }
  }
  const now = deps.clock();
  // createRun is idempotent (a retried run job rewrites the same record).
  await deps.state.createRun({ runId: job.runId, mode: job.mode, sourceIds: job.sourceIds, startedAt: now.toISOString() });
  for (const sourceId of job.sourceIds) {
    const binding = deps.sources.get(sourceId)!;
    const cursor = await deps.state.getCursor(sourceId);
    const request = firstPage(cursor, job.mode, { overlapMs: binding.overlapMs, now, limit: binding.pageSize });
    deps.logger.info('run started for source', { runId: job.runId, sourceId, mode: job.mode, since: request.since, until: request.until });
    await deps.enqueuePage({ runId: job.runId, sourceId, pageNo: 1, request });
  }
}
