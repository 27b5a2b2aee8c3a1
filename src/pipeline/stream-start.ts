/**
 * Starting one stream of a source in a run: its first page from the stream's cursor (a full run reads
 * everything), in a window that ends when the run started, kept so a retry or resume reuses it.
 */
import { firstPage } from '../../connectors/connector.js';
import { unitOf } from '../core/streams.js';
import type { RunMode } from '../core/types.js';
import type { PageJobData, PipelineDeps, SourceBinding } from './types.js';

export async function startStream(deps: PipelineDeps, run: { runId: string; mode: RunMode; startedAt: string }, sourceId: string, stream: string): Promise<void> {
  const binding = deps.sources.get(sourceId)!;
  const { runId } = run;
  const base = { runId, sourceId, stream, pageNo: 1 };
  let first: PageJobData;
  if (run.mode === 'replay') {
    first = { ...base, phase: 'retry', limit: binding.pageSize, replay: true };
  } else {
    const unit = unitOf(sourceId, stream);
    let request = await deps.state.getFirstRequest(runId, unit);
    if (request === null) {
      const cursor = await deps.state.getCursor(unit);
      request = firstPage(cursor, run.mode, { overlapMs: binding.overlapMs, now: new Date(run.startedAt), limit: binding.pageSize });
      await deps.state.setFirstRequest(runId, unit, request);
    }
    deps.logger.info('stream started', { runId, sourceId, stream, mode: run.mode, since: request.since, until: request.until });
    first = { ...base, phase: 'window', request, ...(run.mode === 'resend' ? { resend: true } : {}) };
  }
  await deps.enqueuePage(first);
}

/** The stream that runs after `stream` in this source, or undefined after the last. */
export function nextStream(binding: SourceBinding, stream: string): string | undefined {
  const i = binding.streams.findIndex((s) => s.name === stream);
  return binding.streams[i + 1]?.name;
}
