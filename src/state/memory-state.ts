/** SyncState in memory: for handler tests and (later) dry runs. Same semantics as the Redis one. */
import type { Cursor, SentState } from '../core/types.js';
import { emptyCursor, finishFields, sumPages, type CommittedPage, type RunReport, type RunStatus, type SyncState } from './ports.js';

export function createMemoryState(): SyncState & { cursors: Map<string, Cursor> } {
  const cursors = new Map<string, Cursor>();
  const sent = new Map<string, Map<string, SentState>>();
  const runs = new Map<string, { report: Omit<RunReport, 'sources'>; sourceIds: string[] }>();
  const pages = new Map<string, Map<number, CommittedPage>>();
  const done = new Map<string, Map<string, { status: RunStatus; error?: string; at: string }>>();
  const pageKey = (r: string, s: string) => `${r}\u0000${s}`;

  const getRun = async (runId: string): Promise<RunReport | null> => {
    const run = runs.get(runId);
    if (!run) return null;
    return {
      ...run.report,
      sources: run.sourceIds.map((sourceId) => {
        const fin = done.get(runId)?.get(sourceId);
        return {
          sourceId,
          ...sumPages([...(pages.get(pageKey(runId, sourceId))?.values() ?? [])].map((p) => p.result)),
          status: fin?.status ?? 'running',
          ...finishFields(fin, run.report.startedAt),
        };
      }),
    };
  };

  return {
    cursors,
    async getCursor(sourceId) {
      return cursors.get(sourceId) ?? emptyCursor();
    },
    async resetSource(sourceId) {
      cursors.delete(sourceId);
      sent.delete(sourceId);
    },
    async getSent(sourceId, ids) {
      const m = sent.get(sourceId);
      return new Map(ids.flatMap((id) => (m?.has(id) ? [[id, m.get(id)!] as const] : [])));
    },
    async commitPage(c) {
      const m = sent.get(c.sourceId) ?? new Map<string, SentState>();
      for (const [id, st] of c.sent) m.set(id, st);
      sent.set(c.sourceId, m);
      const p = pages.get(pageKey(c.runId, c.sourceId)) ?? new Map<number, CommittedPage>();
      p.set(c.pageNo, { result: c.result, next: c.next });
      pages.set(pageKey(c.runId, c.sourceId), p);
      cursors.set(c.sourceId, c.cursor);
    },
    async getCommittedPage(runId, sourceId, pageNo) {
      return pages.get(pageKey(runId, sourceId))?.get(pageNo) ?? null;
    },
    async createRun(run) {
      runs.set(run.runId, { report: { runId: run.runId, mode: run.mode, status: 'running', startedAt: run.startedAt }, sourceIds: run.sourceIds });
    },
    async finishSource(runId, sourceId, outcome) {
      const d = done.get(runId) ?? new Map();
      d.set(sourceId, outcome);
      done.set(runId, d);
      const run = runs.get(runId);
      if (!run || !run.sourceIds.every((s) => d.has(s))) return;
      run.report.status = run.sourceIds.some((s) => d.get(s)!.status === 'failed') ? 'failed' : 'done';
      run.report.finishedAt = outcome.at;
      run.report.durationMs = Date.parse(outcome.at) - Date.parse(run.report.startedAt);
    },
    getRun,
    async listRuns(limit) {
      const all = await Promise.all([...runs.keys()].map(getRun));
      return all
        .filter((r): r is RunReport => r !== null)
        .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
        .slice(0, limit);
    },
  };
}
