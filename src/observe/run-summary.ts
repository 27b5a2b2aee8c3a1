/**
 * What the kept run reports say per source (pure): its runs by status and its latest finished run.
 * A source's part of a run succeeded when every one of its streams is done.
 */
import { sourceStatus, type RunReport, type RunStatus, type SourceReport } from '../state/ports.js';

export interface SourceRunSummary {
  sourceId: string;
  runs: Record<RunStatus, number>;
  /** The newest run in which the source finished (done or failed): its streams' rows. */
  lastFinished: { runId: string; status: 'done' | 'failed'; streams: SourceReport[] } | null;
}

/** `runs` newest first (as listRuns gives them). Sources without a run get zero counts and nulls. */
export function summariseRuns(runs: readonly RunReport[], sourceIds: readonly string[]): SourceRunSummary[] {
  return sourceIds.map((sourceId) => {
    const out: SourceRunSummary = { sourceId, runs: { running: 0, done: 0, failed: 0 }, lastFinished: null };
    for (const run of runs) {
      const streams = run.sources.filter((s) => s.sourceId === sourceId);
      if (streams.length === 0) continue;
      const status = sourceStatus(streams);
      out.runs[status] += 1;
      if (status === 'running') continue;
      out.lastFinished ??= { runId: run.runId, status, streams };
    }
    return out;
  });
}
