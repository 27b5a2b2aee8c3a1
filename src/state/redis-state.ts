/**
 * SyncState on Redis. Keys live under "<prefix>:state:"; a page commit is one MULTI so the
 * cursor never advances without the fingerprints and counts of the writes it covers.
 */
import type { Redis } from 'ioredis';
import type { Cursor, RunMode, SentState } from '../core/types.js';
import { emptyCursor, finishFields, sumPages, type CommittedPage, type PageCommit, type RunReport, type RunStatus, type SourceReport, type SyncState } from './ports.js';

/** Runs kept in history, and how long their details live. */
const RUN_HISTORY = 200;
const RUN_TTL_SECONDS = 90 * 24 * 3600;

export function createRedisState(redis: Redis, prefix: string): SyncState {
  const k = {
    cursor: (s: string) => `${prefix}:state:cursor:${s}`,
    sent: (s: string) => `${prefix}:state:sent:${s}`,
    run: (r: string) => `${prefix}:state:run:${r}`,
    pages: (r: string, s: string) => `${prefix}:state:run:${r}:pages:${s}`,
    done: (r: string) => `${prefix}:state:run:${r}:done`,
    runs: `${prefix}:state:runs`,
  };

  async function getRun(runId: string): Promise<RunReport | null> {
    const meta = await redis.hgetall(k.run(runId));
    if (!meta.runId) return null;
    const sourceIds = JSON.parse(meta.sources ?? '[]') as string[];
    const done = await redis.hgetall(k.done(runId));
    const sources: SourceReport[] = [];
    for (const sourceId of sourceIds) {
      const pages = Object.values(await redis.hgetall(k.pages(runId, sourceId))).map((v) => (JSON.parse(v) as CommittedPage).result);
      const fin = done[sourceId] ? (JSON.parse(done[sourceId]) as { status: RunStatus; error?: string; at: string }) : undefined;
      sources.push({
        sourceId,
        ...sumPages(pages),
        status: fin?.status ?? 'running',
        ...finishFields(fin, meta.startedAt!),
      });
    }
    const report: RunReport = {
      runId,
      mode: meta.mode as RunMode,
      status: meta.status as RunStatus,
      startedAt: meta.startedAt!,
      sources,
    };
    if (meta.finishedAt) {
      report.finishedAt = meta.finishedAt;
      report.durationMs = Date.parse(meta.finishedAt) - Date.parse(report.startedAt);
    }
    return report;
  }

  return {
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
      const multi = redis.multi();
      if (c.sent.size > 0) {
        const flat: string[] = [];
        for (const [id, st] of c.sent) flat.push(id, JSON.stringify(st));
        multi.hset(k.sent(c.sourceId), ...flat);
      }
      const committed: CommittedPage = { result: c.result, next: c.next };
      multi.hset(k.pages(c.runId, c.sourceId), String(c.pageNo), JSON.stringify(committed));
      multi.expire(k.pages(c.runId, c.sourceId), RUN_TTL_SECONDS);
      multi.set(k.cursor(c.sourceId), JSON.stringify(c.cursor));
      await multi.exec();
    },

    async getCommittedPage(runId, sourceId, pageNo) {
      const raw = await redis.hget(k.pages(runId, sourceId), String(pageNo));
      return raw ? (JSON.parse(raw) as CommittedPage) : null;
    },

    async createRun(run) {
      await redis
        .multi()
        .hset(k.run(run.runId), {
          runId: run.runId,
          mode: run.mode,
          status: 'running',
          startedAt: run.startedAt,
          sources: JSON.stringify(run.sourceIds),
        })
        .expire(k.run(run.runId), RUN_TTL_SECONDS)
        .zadd(k.runs, Date.parse(run.startedAt), run.runId)
        .zremrangebyrank(k.runs, 0, -(RUN_HISTORY + 1))
        .exec();
    },

    async finishSource(runId, sourceId, outcome) {
      const res = await redis
        .multi()
        .hset(k.done(runId), sourceId, JSON.stringify(outcome))
        .expire(k.done(runId), RUN_TTL_SECONDS)
        .hgetall(k.done(runId))
        .hget(k.run(runId), 'sources')
        .exec();
      const done = (res?.[2]?.[1] ?? {}) as Record<string, string>;
      const sourceIds = JSON.parse((res?.[3]?.[1] as string | null) ?? '[]') as string[];
      if (!sourceIds.every((s) => done[s])) return;
      const failed = sourceIds.some((s) => (JSON.parse(done[s]!) as { status: string }).status === 'failed');
      await redis.hset(k.run(runId), { status: failed ? 'failed' : 'done', finishedAt: outcome.at });
    },

    getRun,

    async listRuns(limit) {
      const ids = await redis.zrevrange(k.runs, 0, limit - 1);
      const runs = await Promise.all(ids.map((id) => getRun(id)));
      return runs.filter((r): r is RunReport => r !== null);
    },
  };
}
