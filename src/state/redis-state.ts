/**
 * SyncState on Redis. Keys live under "<prefix>:state:". A page commit is one Lua script that
 * checks the run's lease first, so the cursor never advances without the fingerprints, counts and
 * failures of the writes it covers, never moves backwards, and never comes from a run that lost
 * its source to another.
 */
import type { Redis } from 'ioredis';
import { conflictKey, type ConflictEntry, type Resolution } from '../core/conflicts.js';
import { BridgeError } from '../core/errors.js';
import { parseUnit } from '../core/streams.js';
import { ACQUIRE, COMMIT, RELEASE } from './redis-scripts.js';
import type { Cursor, PageRequest, RunMode, SentState } from '../core/types.js';
import {
  emptyCursor, finishFields, isInterrupted, LeaseLostError, sourceSucceeded, sumPages,
  type CommittedPage, type FailureEntry, type PageCommit, type PageTouch, type RunReport, type RunStatus, type SourceReport, type SyncState,
} from './ports.js';
import { recordConflict } from './conflict-log.js';
import { recordFailure } from './failure-log.js';
import { createRedisIndex } from './index-state.js';

/** Runs kept in history (at most; `keepRunsDays` bounds how long). */
const RUN_HISTORY = 200;
/** Decided and resolved conflicts are kept this long after they were last seen. */
const CONFLICT_TTL_SECONDS = 90 * 24 * 3600;
const DAY_MS = 24 * 3600_000;

/** A MULTI that Redis aborted (null) or where a command failed is an error, never silently dropped. */
function checkExec(what: string) {
  return (res: [Error | null, unknown][] | null): void => {
    if (!res || res.some(([err]) => err)) throw new BridgeError('REDIS', `Redis did not ${what}; it will be tried again`, { context: { system: 'redis' }, transient: true });
  };
}

/** Field of a failure entry in its source's hash. */
const failureField = (stream: string, recordId: string) => `${stream}/${recordId}`;

export interface RedisStateOptions {
  /** Lease time renewed by each commit (ms). */
  leaseTtlMs?: number;
  /** Run reports older than this are dropped (`sync.keep_runs_days`; default 90). */
  keepRunsDays?: number;
  /** The clock `listRuns` measures that age by. */
  now?: () => number;
}

/** The state's options from the configuration's `sync` section (every process reads the same history). */
export function stateOptionsOf(sync: { lease_seconds: number; keep_runs_days: number }): RedisStateOptions {
  return { leaseTtlMs: sync.lease_seconds * 1000, keepRunsDays: sync.keep_runs_days };
}

export function createRedisState(redis: Redis, prefix: string, opts: RedisStateOptions = {}): SyncState {
  const leaseTtlMs = opts.leaseTtlMs ?? 300_000;
  const keepRunsMs = (opts.keepRunsDays ?? 90) * DAY_MS;
  const runTtlSeconds = Math.ceil(keepRunsMs / 1000);
  const now = opts.now ?? Date.now;
  const k = {
    cursor: (s: string) => `${prefix}:state:cursor:${s}`,
    sent: (s: string) => `${prefix}:state:sent:${s}`,
    lease: (s: string) => `${prefix}:state:lease:${s}`,
    failures: (s: string) => `${prefix}:state:failures:${s}`,
    conflicts: (s: string) => `${prefix}:state:conflicts:${s}`,
    conflictIds: (s: string) => `${prefix}:state:conflict-ids:${s}`,
    conflictsSeen: (s: string) => `${prefix}:state:conflicts-seen:${s}`,
    answers: (s: string) => `${prefix}:state:answers:${s}`,
    open: (s: string) => `${prefix}:state:conflicts-open:${s}`,
    run: (r: string) => `${prefix}:state:run:${r}`,
    pages: (r: string, s: string) => `${prefix}:state:run:${r}:pages:${s}`,
    written: (r: string, s: string) => `${prefix}:state:run:${r}:written:${s}`,
    done: (r: string) => `${prefix}:state:run:${r}:done`,
    runs: `${prefix}:state:runs`,
    lastSuccess: `${prefix}:state:last-success`,
    schedules: `${prefix}:state:schedules`,
  };

  /** The log entries a commit writes: conflicts seen (first seen kept), and resolved ones it applied. */
  async function conflictEntries(c: PageCommit): Promise<ConflictEntry[]> {
    const seenKeys = c.conflicts.map((x) => conflictKey(x));
    const keys = [...seenKeys, ...c.applied];
    if (keys.length === 0) return [];
    const prev = (await redis.hmget(k.conflicts(c.sourceId), ...keys)).map((v) => (v ? (JSON.parse(v) as ConflictEntry) : undefined));
    const out = c.conflicts.map((x, i) => recordConflict(prev[i], x, c.runId, c.at));
    c.applied.forEach((key, j) => {
      const p = prev[seenKeys.length + j];
      if (p && !seenKeys.includes(key)) out.push({ ...p, status: 'resolved', lastSeen: c.at, runId: c.runId });
    });
    return out;
  }

  /** Bounded retention: decided and resolved conflicts last seen before `cutoffMs` are dropped; open ones stay. */
  async function pruneConflicts(sourceId: string, cutoffMs: number): Promise<void> {
    const old = await redis.zrangebyscore(k.conflictsSeen(sourceId), '-inf', cutoffMs);
    if (old.length === 0) return;
    const entries = await redis.hmget(k.conflicts(sourceId), ...old);
    const drop = old.filter((_, i) => !entries[i] || (JSON.parse(entries[i]!) as ConflictEntry).status !== 'open');
    if (drop.length === 0) return;
    const ids = entries.flatMap((v, i) => (v && drop.includes(old[i]!) ? [(JSON.parse(v) as ConflictEntry).id] : []));
    const m = redis.multi().hdel(k.conflicts(sourceId), ...drop).zrem(k.conflictsSeen(sourceId), ...drop).hdel(k.open(sourceId), ...drop);
    if (ids.length) m.hdel(k.conflictIds(sourceId), ...ids);
    await m.exec().then(checkExec(`prune old conflicts of source "${sourceId}"`));
  }

  async function listFailures(sourceId: string): Promise<FailureEntry[]> {
    return Object.values(await redis.hgetall(k.failures(sourceId))).map((v) => JSON.parse(v) as FailureEntry);
  }

  async function getRun(runId: string): Promise<RunReport | null> {
    const meta = await redis.hgetall(k.run(runId));
    if (!meta.runId) return null;
    const units = JSON.parse(meta.sources ?? '[]') as string[];
    const done = await redis.hgetall(k.done(runId));
    const sources: SourceReport[] = [];
    for (const unit of units) {
      const pages = Object.values(await redis.hgetall(k.pages(runId, unit))).map((v) => (JSON.parse(v) as CommittedPage).result);
      const fin = done[unit] ? (JSON.parse(done[unit]) as { status: RunStatus; error?: string; at: string }) : undefined;
      sources.push({ ...parseUnit(unit), ...sumPages(pages), status: fin?.status ?? 'running', ...finishFields(fin, meta.startedAt!) });
    }
    const report: RunReport = { runId, mode: meta.mode as RunMode, status: meta.status as RunStatus, startedAt: meta.startedAt!, sources };
    if (meta.finishedAt) {
      report.finishedAt = meta.finishedAt;
      report.durationMs = Date.parse(meta.finishedAt) - Date.parse(report.startedAt);
    }
    if (report.status === 'running') {
      const holders = new Map(await Promise.all([...new Set(sources.map((x) => x.sourceId))].map(async (s) => [s, await redis.get(k.lease(s))] as const)));
      if (isInterrupted(report, holders)) report.interrupted = true;
    }
    return report;
  }

  /** Runs started before `cutoffMs` leave the history, with their keys (those left would expire anyway). */
  async function pruneRuns(cutoffMs: number): Promise<void> {
    const old = await redis.zrangebyscore(k.runs, '-inf', `(${cutoffMs}`);
    for (const runId of old) {
      const units = JSON.parse((await redis.hget(k.run(runId), 'sources')) ?? '[]') as string[];
      await redis.multi().del(k.run(runId), k.done(runId), ...units.flatMap((u) => [k.pages(runId, u), k.written(runId, u)])).zrem(k.runs, runId).exec().then(checkExec(`drop old run ${runId}`));
    }
  }

  return {
    ...createRedisIndex(redis, prefix),
    async getCursor(sourceId) {
      const raw = await redis.get(k.cursor(sourceId));
      return raw ? (JSON.parse(raw) as Cursor) : emptyCursor();
    },

    async resetSource(sourceId) {
      await redis.del(k.cursor(sourceId), k.sent(sourceId));
    },

    async getSent(sourceId, externalIds) {
      const out = new Map<string, SentState>();
      if (externalIds.length === 0) return out;
      const values = await redis.hmget(k.sent(sourceId), ...externalIds);
      values.forEach((v, i) => {
        if (v) out.set(externalIds[i]!, JSON.parse(v) as SentState);
      });
      return out;
    },

    async commitPage(c: PageCommit) {
      const fields = c.failed.map((r) => failureField(c.stream, r.recordId));
      const prev = fields.length ? await redis.hmget(k.failures(c.sourceId), ...fields) : [];
      const args: (string | number)[] = [
        c.runId, String(c.pageNo), JSON.stringify({ result: c.result, next: c.next, ...(c.retryNext ? { retryNext: true } : {}) } satisfies CommittedPage),
        c.cursor ? JSON.stringify(c.cursor) : '', runTtlSeconds, leaseTtlMs, c.sent.size,
      ];
      for (const [id, st] of c.sent) args.push(id, JSON.stringify(st));
      args.push(c.failed.length);
      c.failed.forEach((r, i) => {
        const before = prev[i] ? (JSON.parse(prev[i]!) as FailureEntry) : undefined;
        args.push(fields[i]!, JSON.stringify(recordFailure(before, r, c)));
      });
      args.push(c.cleared.length, ...c.cleared.map((id) => failureField(c.stream, id)));
      const entries = await conflictEntries(c);
      args.push(entries.length);
      for (const e of entries) args.push(conflictKey(e), JSON.stringify(e), e.id, Date.parse(e.lastSeen), e.status);
      args.push(c.applied.length, ...c.applied);
      const keys = [
        k.lease(c.sourceId), k.pages(c.runId, c.unit), k.cursor(c.unit), k.sent(c.unit), k.failures(c.sourceId),
        k.conflicts(c.sourceId), k.conflictIds(c.sourceId), k.conflictsSeen(c.sourceId), k.answers(c.sourceId), k.open(c.sourceId),
        k.written(c.runId, c.unit),
      ];
      const res = (await redis.eval(COMMIT, keys.length, ...keys, ...args)) as string;
      if (res !== 'ok') throw new LeaseLostError(c.sourceId, c.runId, res === '' ? null : res);
    },

    async getCommittedPage(runId, sourceId, pageNo) {
      const raw = await redis.hget(k.pages(runId, sourceId), String(pageNo));
      return raw ? (JSON.parse(raw) as CommittedPage) : null;
    },

    async turnState(runId, unit, pageNo) {
      const res = await redis.multi().hexists(k.pages(runId, unit), String(pageNo)).hexists(k.done(runId), unit).exists(k.run(runId)).exec();
      checkExec(`read the turn of run ${runId}`)(res);
      const [committed, finished, kept] = res!.map(([, v]) => v as number);
      return committed ? 'go' : finished || !kept ? 'ended' : 'wait';
    },

    async markWritten(runId, unit, pageNo, touch) {
      await redis.multi().hset(k.written(runId, unit), String(pageNo), JSON.stringify(touch)).expire(k.written(runId, unit), runTtlSeconds)
        .exec().then(checkExec(`mark page ${pageNo} of run ${runId} written`));
    },

    async writeTurn(runId, unit, pageNo) {
      const res = await redis.multi().hexists(k.pages(runId, unit), String(pageNo - 1)).hexists(k.done(runId), unit).exists(k.run(runId))
        .hget(k.written(runId, unit), String(pageNo - 1)).hexists(k.pages(runId, unit), String(pageNo - 2)).exec();
      checkExec(`read the turn of run ${runId}`)(res);
      const [committed, finished, kept, touch, before] = res!.map(([, v]) => v) as [number, number, number, string | null, number];
      if (committed) return 'go';
      if (finished || !kept) return 'ended';
      return touch !== null && (pageNo === 2 || before) ? (JSON.parse(touch) as PageTouch) : 'wait';
    },

    async lastCommittedPage(runId, sourceId) {
      const all = await redis.hgetall(k.pages(runId, sourceId));
      const last = Math.max(0, ...Object.keys(all).map(Number));
      return last > 0 ? { pageNo: last, ...(JSON.parse(all[String(last)]!) as CommittedPage) } : null;
    },

    async acquireLease(sourceId, runId, ttlMs) {
      const holder = (await redis.eval(ACQUIRE, 1, k.lease(sourceId), runId, ttlMs)) as string;
      return holder === '' ? { ok: true } : { ok: false, holder };
    },

    async releaseLease(sourceId, runId) {
      await redis.eval(RELEASE, 1, k.lease(sourceId), runId);
    },

    leaseHolder: (sourceId) => redis.get(k.lease(sourceId)),

    listFailures,

    async listConflicts(sourceId, opts = {}) {
      const keys = await redis.zrevrange(k.conflictsSeen(sourceId), 0, -1);
      const entries = keys.length ? (await redis.hmget(k.conflicts(sourceId), ...keys)).flatMap((v) => (v ? [JSON.parse(v) as ConflictEntry] : [])) : [];
      const wanted = entries.filter((e) => opts.status === undefined || e.status === opts.status);
      return opts.limit === undefined ? wanted : wanted.slice(0, opts.limit);
    },

    async getConflict(sourceId, id) {
      const key = await redis.hget(k.conflictIds(sourceId), id);
      const raw = key ? await redis.hget(k.conflicts(sourceId), key) : null;
      return raw ? (JSON.parse(raw) as ConflictEntry) : null;
    },

    async resolveConflict(sourceId, id, resolution, at) {
      const key = await redis.hget(k.conflictIds(sourceId), id);
      const raw = key ? await redis.hget(k.conflicts(sourceId), key) : null;
      if (!key || !raw) return null;
      const entry: ConflictEntry = { ...(JSON.parse(raw) as ConflictEntry), status: 'resolved', resolution, resolvedAt: at };
      await redis.multi().hset(k.conflicts(sourceId), key, JSON.stringify(entry)).hset(k.answers(sourceId), key, JSON.stringify(resolution)).hdel(k.open(sourceId), key)
        .exec().then(checkExec(`record the answer to conflict ${id}`));
      return entry;
    },

    async getOpenConflicts(sourceId, externalIds) {
      const wanted = new Set(externalIds);
      return new Set((await redis.hkeys(k.open(sourceId))).filter((key) => wanted.has(key.split('|')[1] ?? '')));
    },

    async getResolutions(sourceId, externalIds) {
      const wanted = new Set(externalIds);
      const all = await redis.hgetall(k.answers(sourceId));
      return new Map(Object.entries(all).filter(([key]) => wanted.has(key.split('|')[1] ?? '')).map(([key, v]) => [key, JSON.parse(v) as Resolution]));
    },

    async runKept(runId) {
      return (await redis.hexists(k.run(runId), 'runId')) === 1;
    },

    async createRun(run) {
      if (await redis.hexists(k.run(run.runId), 'runId')) return;
      await pruneRuns(Date.parse(run.startedAt) - keepRunsMs);
      await redis
        .multi()
        .hset(k.run(run.runId), {
          runId: run.runId,
          mode: run.mode,
          status: 'running',
          startedAt: run.startedAt,
          sources: JSON.stringify(run.units),
          recordIds: JSON.stringify(run.recordIds ?? []),
        })
        .expire(k.run(run.runId), runTtlSeconds)
        .zadd(k.runs, Date.parse(run.startedAt), run.runId)
        .zremrangebyrank(k.runs, 0, -(RUN_HISTORY + 1))
        .exec()
        .then(checkExec(`record run ${run.runId}`));
    },

    async setFirstRequest(runId, sourceId, request) {
      await redis.hset(k.run(runId), `first:${sourceId}`, JSON.stringify(request));
    },

    async getFirstRequest(runId, sourceId) {
      const raw = await redis.hget(k.run(runId), `first:${sourceId}`);
      return raw ? (JSON.parse(raw) as PageRequest) : null;
    },

    async getRunInfo(runId) {
      const [mode, startedAt, status] = await redis.hmget(k.run(runId), 'mode', 'startedAt', 'status');
      return mode && startedAt ? { mode: mode as RunMode, startedAt, status: (status ?? 'running') as RunStatus } : null;
    },

    async getRunRecordIds(runId) {
      return JSON.parse((await redis.hget(k.run(runId), 'recordIds')) ?? '[]') as string[];
    },

    async finishSource(runId, unit, outcome) {
      const { sourceId, stream } = parseUnit(unit);
      await pruneConflicts(sourceId, Date.parse(outcome.at) - CONFLICT_TTL_SECONDS * 1000);
      const kept = (await listFailures(sourceId)).filter((f) => f.stream === stream);
      const failures = { open: kept.filter((f) => !f.parked).length, parked: kept.filter((f) => f.parked).length };
      const res = await redis
        .multi()
        .hsetnx(k.done(runId), unit, JSON.stringify({ ...outcome, failures }))
        .expire(k.done(runId), runTtlSeconds)
        .hgetall(k.done(runId))
        .hget(k.run(runId), 'sources')
        .hget(k.run(runId), 'mode')
        .exec();
      checkExec(`record the end of ${unit} in run ${runId}`)(res);
      const done = (res![2]![1] ?? {}) as Record<string, string>;
      const units = JSON.parse((res![3]![1] as string | null) ?? '[]') as string[];
      const mode = res![4]![1] as RunMode | null;
      const statusOf = (u: string) => (JSON.parse(done[u]!) as { status: string }).status;
      const own = units.filter((u) => parseUnit(u).sourceId === sourceId);
      // The source is free once none of its streams is left in this run.
      if (own.every((u) => done[u])) await redis.eval(RELEASE, 1, k.lease(sourceId), runId);
      if (res![0]![1] === 0) return; // finished before: the first outcome stands
      if (sourceSucceeded(mode, own.map((u) => (done[u] ? statusOf(u) : undefined)))) {
        await redis.hset(k.lastSuccess, sourceId, outcome.at, ...(mode === 'full' ? [`${sourceId}:full`, outcome.at] : []));
      }
      if (!units.every((s) => done[s])) return;
      const failed = units.some((s) => statusOf(s) === 'failed');
      await redis.hset(k.run(runId), { status: failed ? 'failed' : 'done', finishedAt: outcome.at });
    },

    getRun,

    async listRuns(limit) {
      const ids = await redis.zrevrangebyscore(k.runs, '+inf', now() - keepRunsMs, 'LIMIT', 0, limit);
      const runs = await Promise.all(ids.map((id) => getRun(id)));
      return runs.filter((r): r is RunReport => r !== null);
    },

    async lastSuccess(sourceId) {
      const [at, fullAt] = await redis.hmget(k.lastSuccess, sourceId, `${sourceId}:full`);
      return { at: at ?? null, fullAt: fullAt ?? null };
    },

    async noteSchedule(sourceId, key, at) {
      if (key === null) return void (await redis.hdel(k.schedules, sourceId));
      const raw = await redis.hget(k.schedules, sourceId);
      if (raw && (JSON.parse(raw) as { key: string }).key === key) return;
      await redis.hset(k.schedules, sourceId, JSON.stringify({ key, since: at }));
    },

    async scheduleSince(sourceId, key) {
      const raw = await redis.hget(k.schedules, sourceId);
      const noted = raw ? (JSON.parse(raw) as { key: string; since: string }) : null;
      return noted?.key === key ? noted.since : null;
    },
  };
}
