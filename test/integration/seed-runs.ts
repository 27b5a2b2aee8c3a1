/** Run reports seeded into a state as the pipeline leaves them, for tests of what reads them (history, watchdog). */
import type { RunMode } from '../../src/core/types.js';
import { emptyPageResult, type SyncState } from '../../src/state/index.js';

export interface Seed {
  runId: string;
  mode?: RunMode;
  startedAt: string;
  finishedAt: string;
  /** Per source: how its one stream (patrons) ended. */
  sources: Record<string, 'done' | 'failed'>;
  created?: number;
}

/** A run as the pipeline leaves it: recorded, one committed page per source, each source finished. */
export async function seedRun(state: SyncState, seed: Seed): Promise<void> {
  const sourceIds = Object.keys(seed.sources);
  await state.createRun({ runId: seed.runId, mode: seed.mode ?? 'incremental', units: sourceIds, startedAt: seed.startedAt });
  for (const sourceId of sourceIds) {
    await state.acquireLease(sourceId, seed.runId, 60_000);
    await state.commitPage({
      runId: seed.runId, sourceId, unit: sourceId, stream: 'patrons', pageNo: 1,
      result: { ...emptyPageResult(), read: 5, created: seed.created ?? 3, updated: 1, unchanged: 1 },
      sent: new Map(), cursor: null, next: null, retryNext: false, failed: [], cleared: [], parkAfterRuns: 5, conflicts: [], applied: [], at: seed.startedAt,
    });
    await state.finishSource(seed.runId, sourceId, { status: seed.sources[sourceId]!, ...(seed.sources[sourceId] === 'failed' ? { error: 'CRM unreachable' } : {}), at: seed.finishedAt });
  }
}
