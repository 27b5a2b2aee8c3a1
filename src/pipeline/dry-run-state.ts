/**
 * The state of a dry run: every read goes through to the real state (Redis), every write stays in
 * memory on top of it, so the dry run's later pages and streams see what its earlier ones would have
 * left, and Redis is left as it was. The run itself (record, pages, leases, ids seen) lives in memory
 * only; a source a real run holds is refused, as a real run would be.
 */
import { compareKeys } from '../../connectors/connector.js';
import { conflictKey, type ConflictEntry } from '../core/conflicts.js';
import { BridgeError } from '../core/errors.js';
import type { Cursor, SentState } from '../core/types.js';
import { conflictId, recordConflict } from '../state/conflict-log.js';
import { recordFailure } from '../state/failure-log.js';
import { dueOrder } from '../state/index-state.js';
import { createMemoryState } from '../state/memory-state.js';
import type { DueEngagement, FailureEntry, PageCommit, RunReport, SyncState } from '../state/ports.js';

type Owner = { patronKey: string; day: string };

/** Per key: the dry run's value, or null where it took the real one away. */
type Layer<V> = Map<string, V | null>;
const layerOf = <V>(m: Map<string, Layer<V>>, k: string): Layer<V> => m.get(k) ?? m.set(k, new Map()).get(k)!;

export function createDryRunState(real: SyncState, opts: { onCommit?: (c: PageCommit) => void } = {}): SyncState {
  const run = createMemoryState();
  const sent = new Map<string, Layer<SentState>>();
  const cursors = new Map<string, Cursor>();
  const failures = new Map<string, Layer<FailureEntry>>();
  const conflicts = new Map<string, Layer<ConflictEntry>>();
  const answered = new Map<string, Set<string>>();
  const owners = new Map<string, Layer<Owner>>();
  const days = new Map<string, Layer<string>>();
  const due = new Map<string, Layer<number>>();
  const dueBefore = new Map<string, DueEngagement[]>();
  const answeredOf = (s: string) => answered.get(s) ?? answered.set(s, new Set()).get(s)!;

  async function getSent(unit: string, ids: readonly string[]): Promise<Map<string, SentState>> {
    const mine = layerOf(sent, unit);
    const theirs = await real.getSent(unit, ids.filter((id) => !mine.has(id)));
    return new Map(ids.flatMap((id) => {
      const st = mine.has(id) ? mine.get(id) : theirs.get(id);
      return st ? [[id, st] as const] : [];
    }));
  }
  async function getCursor(unit: string): Promise<Cursor> {
    return cursors.get(unit) ?? real.getCursor(unit);
  }
  async function listFailures(sourceId: string): Promise<FailureEntry[]> {
    const all = new Map<string, FailureEntry | null>((await real.listFailures(sourceId)).map((f) => [`${f.stream}/${f.recordId}`, f]));
    for (const [k, f] of layerOf(failures, sourceId)) all.set(k, f);
    return [...all.values()].filter((f): f is FailureEntry => f !== null);
  }
  async function loansOf(unit: string, patronKeys: readonly string[]): Promise<Map<string, Map<string, string>>> {
    const theirs = await real.loansOf(unit, patronKeys);
    return new Map(patronKeys.map((p) => {
      const loans = new Map(theirs.get(p));
      for (const [loan, day] of layerOf(days, `${unit}|${p}`)) {
        if (day === null) loans.delete(loan);
        else loans.set(loan, day);
      }
      return [p, loans];
    }));
  }
  async function conflictOf(sourceId: string, key: string): Promise<ConflictEntry | undefined> {
    const mine = layerOf(conflicts, sourceId);
    return mine.get(key) ?? (await real.getConflict(sourceId, conflictId(sourceId, key))) ?? undefined;
  }

  async function commitPage(c: PageCommit): Promise<void> {
    if (await run.getCommittedPage(c.runId, c.unit, c.pageNo)) return;
    // The run's own record (result, next page) and the lease check; the rest goes into the layers.
    await run.commitPage({ ...c, sent: new Map(), cursor: null, failed: [], cleared: [], conflicts: [], applied: [] });
    const mine = layerOf(sent, c.unit);
    for (const [id, st] of c.sent) mine.set(id, st);
    const old = await getCursor(c.unit);
    if (c.cursor?.updatedAt && c.cursor.lastId) {
      const older = old.updatedAt && old.lastId && compareKeys({ updatedAt: c.cursor.updatedAt, id: c.cursor.lastId }, { updatedAt: old.updatedAt, id: old.lastId }) <= 0;
      if (!older) cursors.set(c.unit, c.cursor);
    }
    // The kept failures are read only for a page that records failures (their counts go on).
    const kept = new Map(c.failed.length ? (await listFailures(c.sourceId)).map((f) => [`${f.stream}/${f.recordId}`, f]) : []);
    const f = layerOf(failures, c.sourceId);
    for (const r of c.failed) f.set(`${c.stream}/${r.recordId}`, recordFailure(kept.get(`${c.stream}/${r.recordId}`), r, c));
    for (const id of c.cleared) f.set(`${c.stream}/${id}`, null);
    const log = layerOf(conflicts, c.sourceId);
    for (const x of c.conflicts) log.set(conflictKey(x), recordConflict(await conflictOf(c.sourceId, conflictKey(x)), x, c.runId, c.at));
    for (const key of c.applied) {
      answeredOf(c.sourceId).add(key);
      const p = await conflictOf(c.sourceId, key);
      if (p && !c.conflicts.some((x) => conflictKey(x) === key)) log.set(key, { ...p, status: 'resolved', lastSeen: c.at, runId: c.runId });
    }
    opts.onCommit?.(c);
  }

  /** A dry run's report: the failures kept per stream are those it would leave behind. */
  async function getRun(runId: string): Promise<RunReport | null> {
    const report = await run.getRun(runId);
    if (!report) return null;
    for (const s of report.sources) {
      if (s.status === 'running') continue;
      const kept = (await listFailures(s.sourceId)).filter((f) => f.stream === s.stream);
      s.failures = { open: kept.filter((f) => !f.parked).length, parked: kept.filter((f) => f.parked).length };
    }
    return report;
  }

  const refuse = (what: string) => async (): Promise<never> => {
    throw new BridgeError('INTERNAL', `a dry run does not ${what}`);
  };

  return {
    getCursor,
    getSent,
    commitPage,
    resetSource: refuse('reset a source'),
    resolveConflict: refuse('resolve conflicts'),
    getCommittedPage: (runId, unit, pageNo) => run.getCommittedPage(runId, unit, pageNo),
    turnState: (runId, unit, pageNo) => run.turnState(runId, unit, pageNo),
    markWritten: (runId, unit, pageNo, touch) => run.markWritten(runId, unit, pageNo, touch),
    writeTurn: (runId, unit, pageNo) => run.writeTurn(runId, unit, pageNo),
    lastCommittedPage: (runId, unit) => run.lastCommittedPage(runId, unit),
    async acquireLease(sourceId, runId, ttlMs) {
      const holder = await real.leaseHolder(sourceId);
      return holder !== null && holder !== runId ? { ok: false, holder } : run.acquireLease(sourceId, runId, ttlMs);
    },
    releaseLease: (sourceId, runId) => run.releaseLease(sourceId, runId),
    async leaseHolder(sourceId) {
      return (await run.leaseHolder(sourceId)) ?? real.leaseHolder(sourceId);
    },
    listFailures,
    async listConflicts(sourceId, o = {}) {
      const all = new Map((await real.listConflicts(sourceId)).map((e) => [e.id, e]));
      for (const e of layerOf(conflicts, sourceId).values()) if (e) all.set(e.id, e);
      const wanted = [...all.values()].filter((e) => o.status === undefined || e.status === o.status).sort((a, b) => b.lastSeen.localeCompare(a.lastSeen));
      return o.limit === undefined ? wanted : wanted.slice(0, o.limit);
    },
    async getConflict(sourceId, id) {
      return [...layerOf(conflicts, sourceId).values()].find((e) => e?.id === id) ?? real.getConflict(sourceId, id);
    },
    async getResolutions(sourceId, externalIds) {
      const done = answeredOf(sourceId);
      return new Map([...(await real.getResolutions(sourceId, externalIds))].filter(([key]) => !done.has(key)));
    },
    async getOpenConflicts(sourceId, externalIds) {
      const wanted = new Set(externalIds);
      const mine = layerOf(conflicts, sourceId);
      const open = new Set([...(await real.getOpenConflicts(sourceId, externalIds))].filter((key) => !mine.has(key)));
      for (const [key, e] of mine) if (e?.status === 'open' && wanted.has(e.externalId)) open.add(key);
      return open;
    },
    createRun: (r) => run.createRun(r),
    setFirstRequest: (runId, unit, request) => run.setFirstRequest(runId, unit, request),
    getFirstRequest: (runId, unit) => run.getFirstRequest(runId, unit),
    runKept: async () => true,
    getRunInfo: (runId) => run.getRunInfo(runId),
    getRunRecordIds: (runId) => run.getRunRecordIds(runId),
    finishSource: (runId, unit, outcome) => run.finishSource(runId, unit, outcome),
    getRun,
    listRuns: (limit) => run.listRuns(limit),
    // A dry run is no success of its source, and installs no schedule: the real ones are read.
    lastSuccess: (sourceId) => real.lastSuccess(sourceId),
    noteSchedule: refuse('install schedules'),
    scheduleSince: (sourceId, key) => real.scheduleSince(sourceId, key),

    // The loan index: owners and days by loan, and the engagement schedule, laid over the real ones.
    async noteLoanOwners(unit, loans) {
      const mine = layerOf(owners, unit);
      const theirs = await real.loanOwnersOf(unit, loans.filter((l) => !mine.has(l.loanKey)).map((l) => l.loanKey));
      const dueNow = layerOf(due, unit);
      for (const l of loans) {
        const was = (mine.has(l.loanKey) ? mine.get(l.loanKey) : theirs.get(l.loanKey)) ?? null;
        const now = l.patronKey !== null && l.day !== null ? { patronKey: l.patronKey, day: l.day } : null;
        if (JSON.stringify(was) === JSON.stringify(now)) continue;
        if (was) {
          layerOf(days, `${unit}|${was.patronKey}`).set(l.loanKey, null);
          dueNow.set(was.patronKey, 0);
        }
        if (now) {
          layerOf(days, `${unit}|${now.patronKey}`).set(l.loanKey, now.day);
          dueNow.set(now.patronKey, 0);
        }
        mine.set(l.loanKey, now);
      }
    },
    async loanOwnersOf(unit, loanKeys) {
      const mine = layerOf(owners, unit);
      const theirs = await real.loanOwnersOf(unit, loanKeys.filter((k) => !mine.has(k)));
      return new Map(loanKeys.flatMap((k) => {
        const o = mine.has(k) ? mine.get(k) : theirs.get(k);
        return o ? [[k, o] as const] : [];
      }));
    },
    loansOf,
    async loanDaysOf(unit, patronKeys) {
      return new Map([...(await loansOf(unit, patronKeys))].map(([p, loans]) => [p, [...loans.values()]]));
    },
    async dueEngagements(unit, untilMs, limit, after) {
      const mine = layerOf(due, unit);
      // The real schedule does not move during a dry run (a real run would hold the lease): read once, without what this run rescheduled.
      const key = `${unit}|${untilMs}`;
      const all = dueBefore.get(key) ?? dueBefore.set(key, await real.dueEngagements(unit, untilMs, Number.MAX_SAFE_INTEGER)).get(key)!;
      const theirs = all.filter((d) => !mine.has(d.patronKey));
      const ours = [...mine].filter((e): e is [string, number] => e[1] !== null && e[1] <= untilMs).map(([patronKey, atMs]) => ({ patronKey, atMs }));
      return [...ours, ...theirs].filter((d) => !after || dueOrder(d, after) > 0).sort(dueOrder).slice(0, limit);
    },
    async scheduleEngagements(unit, list) {
      const mine = layerOf(due, unit);
      for (const d of list) mine.set(d.patronKey, d.atMs);
    },
    markSeen: (runId, unit, ids) => run.markSeen(runId, unit, ids),
    seenIds: (runId, unit) => run.seenIds(runId, unit),
    async pickSent(unit, pick) {
      // What this dry run wrote (or removed) stands in for the real state of the key.
      const layer = layerOf(sent, unit);
      const out = await real.pickSent(unit, (k, st) => !layer.has(k) && pick(k, st));
      for (const [k, st] of layer) if (st !== null && pick(k, st)) out.set(k, st);
      return out;
    },
    async putSent(unit, states) {
      const mine = layerOf(sent, unit);
      for (const [k, st] of states) mine.set(k, st);
    },
  };
}
