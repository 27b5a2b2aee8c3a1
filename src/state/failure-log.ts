/** The kept failures of a source: what one is, and how one more failed attempt changes it (pure). */
import type { PageCommit, Rejection } from './ports.js';

/**
 * A record that was rejected or could not be written, kept until a later run writes it.
 * Ids, codes and reasons only: no personal data.
 */
export interface FailureEntry {
  sourceId: string;
  stream: string;
  recordId: string;
  code: string;
  reason: string;
  /** Times it was tried and failed (pages that committed its failure). */
  attempts: number;
  /** Distinct runs it failed in; at `parkAfterRuns` it is parked. */
  runs: number;
  firstSeen: string;
  lastSeen: string;
  lastRunId: string;
  /** Parked: reported, no longer retried by runs (a change in the source or a replay still tries it). */
  parked: boolean;
}

/** Pure: a failure entry after one more failed attempt in `runId`. */
export function recordFailure(
  prev: FailureEntry | undefined,
  r: Rejection,
  c: Pick<PageCommit, 'runId' | 'sourceId' | 'stream' | 'at' | 'parkAfterRuns'>,
): FailureEntry {
  const runs = (prev?.runs ?? 0) + (prev?.lastRunId === c.runId ? 0 : 1);
  return {
    sourceId: c.sourceId,
    stream: c.stream,
    recordId: r.recordId,
    code: r.code,
    reason: r.reason,
    attempts: (prev?.attempts ?? 0) + 1,
    runs,
    firstSeen: prev?.firstSeen ?? c.at,
    lastSeen: c.at,
    lastRunId: c.runId,
    parked: runs >= c.parkAfterRuns,
  };
}
