/** SyncState in memory: for handler tests and (later) dry runs. Same semantics as the Redis one. */
import { compareKeys } from '../../connectors/connector.js';
import { conflictKey, type ConflictEntry, type Resolution } from '../core/conflicts.js';
import { parseUnit } from '../core/streams.js';
import type { Cursor, PageRequest, SentState } from '../core/types.js';
import {
  emptyCursor, finishFields, isInterrupted, LeaseLostError, sourceSucceeded, sumPages,
  type CommittedPage, type FailureEntry, type PageTouch, type RunReport, type RunStatus, type SyncState,
} from './ports.js';
import { recordConflict } from './conflict-log.js';
import { recordFailure } from './failure-log.js';
import { createMemoryIndex } from './index-state.js';

type Outcome = { status: RunStatus; error?: string; at: string; failures: { open: number; parked: number } };

export function createMemoryState(
  opts: { now?: () => number; keepRunsDays?: number } = {},
): SyncState & { cursors: Map<string, Cursor>; failures: Map<string, Map<string, FailureEntry>> } {
  const now = opts.now ?? Date.now;
  const keepRunsMs = (opts.keepRunsDays ?? 90) * 24 * 3600_000;
  const successes = new Map<string, { at: string | null; fullAt: string | null }>();
  const schedules = new Map<string, { key: string; since: string }>();
  const cursors = new Map<string, Cursor>();
  const sent = new Map<string, Map<string, SentState>>();
  const runs = new Map<string, { report: Omit<RunReport, 'sources'>; units: string[]; recordIds: string[]; first: Map<string, PageRequest> }>();
  const pages = new Map<string, Map<number, CommittedPage>>();
  const done = new Map<string, Map<string, Outcome>>();
  const leases = new Map<string, { holder: string; until: number }>();
  const failures = new Map<string, Map<string, FailureEntry>>();
  const pageKey = (r: string, s: string) => `${r}\u0000${s}`;
  const written = new Map<string, PageTouch>();
  const writtenKey = (r: string, s: string, n: number) => `${r}\u0000${s}\u0000${n}`;
  // Memory cannot lose a run (see runKept): only a finished stream ends the wait.
  const turnOf = (runId: string, unit: string, pageNo: number): 'go' | 'ended' | 'wait' =>
    pages.get(pageKey(runId, unit))?.has(pageNo) ? 'go' : done.get(runId)?.has(unit) ? 'ended' : 'wait';
  const holderOf = (s: string) => {
    const l = leases.get(s);
    return l && l.until > now() ? l.holder : null;
  };
  const failuresOf = (s: string) => failures.get(s) ?? failures.set(s, new Map()).get(s)!;
  const conflicts = new Map<string, Map<string, ConflictEntry>>();
  const answers = new Map<string, Map<string, Resolution>>();
  const conflictsOf = (s: string) => conflicts.get(s) ?? conflicts.set(s, new Map()).get(s)!;
  const answersOf = (s: string) => answers.get(s) ?? answers.set(s, new Map()).get(s)!;

  const getRun = async (runId: string): Promise<RunReport | null> => {
    const run = runs.get(runId);
    if (!run) return null;
    const report: RunReport = {
      ...run.report,
      sources: run.units.map((unit) => {
        const fin = done.get(runId)?.get(unit);
        return {
          ...parseUnit(unit),
          ...sumPages([...(pages.get(pageKey(runId, unit))?.values() ?? [])].map((p) => p.result)),
          status: fin?.status ?? 'running',
          ...finishFields(fin, run.report.startedAt),
        };
      }),
    };
    if (isInterrupted(report, new Map(run.units.map((u) => [parseUnit(u).sourceId, holderOf(parseUnit(u).sourceId)])))) report.interrupted = true;
    return report;
  };

  return {
    ...createMemoryIndex((unit) => sent.get(unit) ?? sent.set(unit, new Map()).get(unit)!),
    cursors,
    failures,
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
      const holder = holderOf(c.sourceId);
      if (holder !== c.runId) throw new LeaseLostError(c.sourceId, c.runId, holder);
      written.delete(writtenKey(c.runId, c.unit, c.pageNo));
      const p = pages.get(pageKey(c.runId, c.unit)) ?? new Map<number, CommittedPage>();
      pages.set(pageKey(c.runId, c.unit), p);
      if (p.has(c.pageNo)) return;
      p.set(c.pageNo, { result: c.result, next: c.next, ...(c.retryNext ? { retryNext: true } : {}) });
      const m = sent.get(c.unit) ?? new Map<string, SentState>();
      for (const [id, st] of c.sent) m.set(id, st);
      sent.set(c.unit, m);
      const old = cursors.get(c.unit);
      if (c.cursor?.updatedAt && c.cursor.lastId) {
        const older = old?.updatedAt && old.lastId && compareKeys({ updatedAt: c.cursor.updatedAt, id: c.cursor.lastId }, { updatedAt: old.updatedAt, id: old.lastId }) <= 0;
        if (!older) cursors.set(c.unit, c.cursor);
      }
      const f = failuresOf(c.sourceId);
      for (const r of c.failed) f.set(`${c.stream}/${r.recordId}`, recordFailure(f.get(`${c.stream}/${r.recordId}`), r, c));
      for (const id of c.cleared) f.delete(`${c.stream}/${id}`);
      const log = conflictsOf(c.sourceId);
      for (const x of c.conflicts) log.set(conflictKey(x), recordConflict(log.get(conflictKey(x)), x, c.runId, c.at));
      for (const key of c.applied) {
        answersOf(c.sourceId).delete(key);
        const p = log.get(key);
        if (p && !c.conflicts.some((x) => conflictKey(x) === key)) log.set(key, { ...p, status: 'resolved', lastSeen: c.at, runId: c.runId });
      }
    },
    async getCommittedPage(runId, sourceId, pageNo) {
      return pages.get(pageKey(runId, sourceId))?.get(pageNo) ?? null;
    },
    turnState: async (runId, unit, pageNo) => turnOf(runId, unit, pageNo),
    async markWritten(runId, unit, pageNo, touch) {
      written.set(writtenKey(runId, unit, pageNo), { keys: [...touch.keys], contacts: [...touch.contacts] });
    },
    async writeTurn(runId, unit, pageNo) {
      const turn = turnOf(runId, unit, pageNo - 1);
      if (turn !== 'wait') return turn;
      const touch = written.get(writtenKey(runId, unit, pageNo - 1));
      return touch && (pageNo === 2 || turnOf(runId, unit, pageNo - 2) === 'go') ? touch : 'wait';
    },
    async lastCommittedPage(runId, sourceId) {
      const p = pages.get(pageKey(runId, sourceId));
      const last = Math.max(0, ...(p?.keys() ?? []));
      return last > 0 ? { pageNo: last, ...p!.get(last)! } : null;
    },
    // Memory cannot lose its data behind a process's back.
    runKept: async () => true,
    async acquireLease(sourceId, runId, ttlMs) {
      const holder = holderOf(sourceId);
      if (holder !== null && holder !== runId) return { ok: false, holder };
      leases.set(sourceId, { holder: runId, until: now() + ttlMs });
      return { ok: true };
    },
    async releaseLease(sourceId, runId) {
      if (holderOf(sourceId) === runId) leases.delete(sourceId);
    },
    async leaseHolder(sourceId) {
      return holderOf(sourceId);
    },
    async listFailures(sourceId) {
      return [...failuresOf(sourceId).values()];
    },
    async listConflicts(sourceId, opts = {}) {
      const all = [...conflictsOf(sourceId).values()].sort((a, b) => b.lastSeen.localeCompare(a.lastSeen));
      const wanted = all.filter((e) => opts.status === undefined || e.status === opts.status);
      return opts.limit === undefined ? wanted : wanted.slice(0, opts.limit);
    },
    async getConflict(sourceId, id) {
      return [...conflictsOf(sourceId).values()].find((e) => e.id === id) ?? null;
    },
    async resolveConflict(sourceId, id, resolution, at) {
      const entry = [...conflictsOf(sourceId).entries()].find(([, e]) => e.id === id);
      if (!entry) return null;
      const resolved: ConflictEntry = { ...entry[1], status: 'resolved', resolution, resolvedAt: at };
      conflictsOf(sourceId).set(entry[0], resolved);
      answersOf(sourceId).set(entry[0], resolution);
      return resolved;
    },
    async getOpenConflicts(sourceId, externalIds) {
      const wanted = new Set(externalIds);
      return new Set([...conflictsOf(sourceId)].filter(([key, e]) => e.status === 'open' && wanted.has(key.split('|')[1] ?? '')).map(([key]) => key));
    },
    async getResolutions(sourceId, externalIds) {
      const wanted = new Set(externalIds);
      return new Map([...answersOf(sourceId)].filter(([key]) => wanted.has(key.split('|')[1] ?? '')));
    },
    async createRun(run) {
      if (runs.has(run.runId)) return;
      for (const [id, r] of runs) {
        if (Date.parse(r.report.startedAt) < Date.parse(run.startedAt) - keepRunsMs) runs.delete(id);
      }
      runs.set(run.runId, {
        report: { runId: run.runId, mode: run.mode, status: 'running', startedAt: run.startedAt },
        units: run.units,
        recordIds: run.recordIds ?? [],
        first: new Map(),
      });
    },
    async setFirstRequest(runId, sourceId, request) {
      runs.get(runId)?.first.set(sourceId, request);
    },
    async getFirstRequest(runId, sourceId) {
      return runs.get(runId)?.first.get(sourceId) ?? null;
    },
    async getRunInfo(runId) {
      const run = runs.get(runId);
      return run ? { mode: run.report.mode, startedAt: run.report.startedAt, status: run.report.status } : null;
    },
    async getRunRecordIds(runId) {
      return runs.get(runId)?.recordIds ?? [];
    },
    async finishSource(runId, unit, outcome) {
      const { sourceId, stream } = parseUnit(unit);
      const d = done.get(runId) ?? new Map<string, Outcome>();
      done.set(runId, d);
      const run = runs.get(runId);
      const release = () => {
        if (holderOf(sourceId) === runId && (run?.units ?? [unit]).filter((u) => parseUnit(u).sourceId === sourceId).every((u) => d.has(u))) leases.delete(sourceId);
      };
      if (d.has(unit)) return release();
      const kept = [...failuresOf(sourceId).values()].filter((f) => f.stream === stream);
      d.set(unit, { ...outcome, failures: { open: kept.filter((f) => !f.parked).length, parked: kept.filter((f) => f.parked).length } });
      release();
      const own = (run?.units ?? []).filter((u) => parseUnit(u).sourceId === sourceId);
      if (run && sourceSucceeded(run.report.mode, own.map((u) => d.get(u)?.status))) {
        const prev = successes.get(sourceId);
        successes.set(sourceId, { at: outcome.at, fullAt: run.report.mode === 'full' ? outcome.at : (prev?.fullAt ?? null) });
      }
      if (!run || !run.units.every((s) => d.has(s))) return;
      run.report.status = run.units.some((s) => d.get(s)!.status === 'failed') ? 'failed' : 'done';
      run.report.finishedAt = outcome.at;
      run.report.durationMs = Date.parse(outcome.at) - Date.parse(run.report.startedAt);
    },
    getRun,
    async listRuns(limit) {
      const all = await Promise.all([...runs.keys()].map(getRun));
      return all
        .filter((r): r is RunReport => r !== null && Date.parse(r.startedAt) >= now() - keepRunsMs)
        .sort((a, b) => b.startedAt.localeCompare(a.startedAt))
        .slice(0, limit);
    },
    async lastSuccess(sourceId) {
      return successes.get(sourceId) ?? { at: null, fullAt: null };
    },
    async noteSchedule(sourceId, key, at) {
      if (key === null) schedules.delete(sourceId);
      else if (schedules.get(sourceId)?.key !== key) schedules.set(sourceId, { key, since: at });
    },
    async scheduleSince(sourceId, key) {
      const noted = schedules.get(sourceId);
      return noted?.key === key ? noted.since : null;
    },
  };
}
