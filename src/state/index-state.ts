/** IndexState (see ports.ts) on Redis and in memory. */
import type { Redis } from 'ioredis';
import type { SentState } from '../core/types.js';
import type { DueEngagement, IndexState } from './ports.js';

const SEEN_TTL_SECONDS = 3 * 24 * 3600;
const SCAN_COUNT = 1000;

/**
 * Due patrons (score ≤ ARGV[1]) in the sorted set's order, at most ARGV[2], strictly after (ARGV[3], ARGV[4])
 * when given: members at that score up to that key are skipped (pages in flight still hold them). In one
 * script, since other pages move members meanwhile. Keys compare byte by byte, as the sorted set orders them.
 */
const DUE_AFTER = `
local limit = tonumber(ARGV[2])
local s0 = tonumber(ARGV[3])
local m0 = ARGV[4]
local function after(m)
  for i = 1, math.min(#m, #m0) do
    local x, y = m:byte(i), m0:byte(i)
    if x ~= y then return x > y end
  end
  return #m > #m0
end
local out = {}
local offset = 0
while #out < 2 * limit do
  local res = redis.call('ZRANGEBYSCORE', KEYS[1], s0 or '-inf', ARGV[1], 'WITHSCORES', 'LIMIT', offset, limit)
  for i = 1, #res, 2 do
    if (not s0) or tonumber(res[i + 1]) > s0 or after(res[i]) then
      out[#out + 1] = res[i]
      out[#out + 1] = res[i + 1]
      if #out >= 2 * limit then break end
    end
  end
  if #res < 2 * limit then break end
  offset = offset + limit
end
return out`;
type Owner = [patronKey: string, day: string];

/** The order of due patrons, as Redis keeps its sorted set: time, then key byte by byte. */
export function dueOrder(a: DueEngagement, b: DueEngagement): number {
  return a.atMs - b.atMs || Buffer.compare(Buffer.from(a.patronKey), Buffer.from(b.patronKey));
}

export function createRedisIndex(redis: Redis, prefix: string): IndexState {
  const k = {
    owners: (u: string) => `${prefix}:state:loan-owner:${u}`,
    days: (u: string, p: string) => `${prefix}:state:loan-days:${u}:${p}`,
    due: (u: string) => `${prefix}:state:engagement-due:${u}`,
    seen: (r: string, u: string) => `${prefix}:state:run:${r}:seen:${u}`,
    sent: (u: string) => `${prefix}:state:sent:${u}`,
  };
  return {
    async noteLoanOwners(unit, loans) {
      if (loans.length === 0) return;
      const prev = await redis.hmget(k.owners(unit), ...loans.map((l) => l.loanKey));
      const m = redis.multi();
      let changes = 0;
      loans.forEach((l, i) => {
        const was = prev[i] ? (JSON.parse(prev[i]!) as Owner) : null;
        const now: Owner | null = l.patronKey !== null && l.day !== null ? [l.patronKey, l.day] : null;
        if (JSON.stringify(was) === JSON.stringify(now)) return;
        changes += 1;
        if (was) m.hdel(k.days(unit, was[0]), l.loanKey).zadd(k.due(unit), 0, was[0]);
        if (now) m.hset(k.days(unit, now[0]), l.loanKey, now[1]).hset(k.owners(unit), l.loanKey, JSON.stringify(now)).zadd(k.due(unit), 0, now[0]);
        else m.hdel(k.owners(unit), l.loanKey);
      });
      if (changes) await m.exec();
    },
    async loanDaysOf(unit, patronKeys) {
      const m = redis.multi();
      for (const p of patronKeys) m.hvals(k.days(unit, p));
      const res = patronKeys.length ? ((await m.exec()) ?? []) : [];
      return new Map(patronKeys.map((p, i) => [p, (res[i]?.[1] as string[] | undefined) ?? []]));
    },
    async loanOwnersOf(unit, loanKeys) {
      const raw = loanKeys.length ? await redis.hmget(k.owners(unit), ...loanKeys) : [];
      return new Map(loanKeys.flatMap((key, i) => {
        if (!raw[i]) return [];
        const [patronKey, day] = JSON.parse(raw[i]!) as Owner;
        return [[key, { patronKey, day }] as const];
      }));
    },
    async loansOf(unit, patronKeys) {
      const m = redis.multi();
      for (const p of patronKeys) m.hgetall(k.days(unit, p));
      const res = patronKeys.length ? ((await m.exec()) ?? []) : [];
      return new Map(patronKeys.map((p, i) => [p, new Map(Object.entries((res[i]?.[1] as Record<string, string> | undefined) ?? {}))]));
    },
    async dueEngagements(unit, untilMs, limit, after) {
      const res = (await redis.eval(DUE_AFTER, 1, k.due(unit), untilMs, limit, after ? after.atMs : '', after ? after.patronKey : '')) as string[];
      const out: DueEngagement[] = [];
      for (let i = 0; i < res.length; i += 2) out.push({ patronKey: res[i]!, atMs: Number(res[i + 1]) });
      return out;
    },
    async scheduleEngagements(unit, due) {
      if (due.length === 0) return;
      const m = redis.multi();
      for (const d of due) {
        if (d.atMs === null) m.zrem(k.due(unit), d.patronKey);
        else m.zadd(k.due(unit), d.atMs, d.patronKey);
      }
      await m.exec();
    },
    async markSeen(runId, unit, ids) {
      if (ids.length === 0) return;
      await redis.multi().sadd(k.seen(runId, unit), ...ids).expire(k.seen(runId, unit), SEEN_TTL_SECONDS).exec();
    },
    // Both are read in chunks (SSCAN, HSCAN): a library's whole state is never held twice, as raw reply and parsed.
    async seenIds(runId, unit) {
      const out = new Set<string>();
      for await (const ids of redis.sscanStream(k.seen(runId, unit), { count: SCAN_COUNT }) as AsyncIterable<string[]>) for (const id of ids) out.add(id);
      return out;
    },
    async pickSent(unit, pick) {
      const out = new Map<string, SentState>();
      for await (const pairs of redis.hscanStream(k.sent(unit), { count: SCAN_COUNT }) as AsyncIterable<string[]>) {
        for (let i = 0; i < pairs.length; i += 2) {
          const state = JSON.parse(pairs[i + 1]!) as SentState;
          if (pick(pairs[i]!, state)) out.set(pairs[i]!, state);
        }
      }
      return out;
    },
    async putSent(unit, states) {
      if (states.size) await redis.hset(k.sent(unit), ...[...states].flatMap(([key, st]) => [key, JSON.stringify(st)]));
    },
  };
}

export function createMemoryIndex(sentOf: (unit: string) => Map<string, SentState>): IndexState {
  const owners = new Map<string, Owner>();
  const days = new Map<string, Map<string, string>>();
  const due = new Map<string, Map<string, number>>();
  const seen = new Map<string, Set<string>>();
  const daysOf = (u: string, p: string) => days.get(`${u}|${p}`) ?? days.set(`${u}|${p}`, new Map()).get(`${u}|${p}`)!;
  const dueOf = (u: string) => due.get(u) ?? due.set(u, new Map()).get(u)!;
  return {
    async noteLoanOwners(unit, loans) {
      for (const l of loans) {
        const was = owners.get(`${unit}|${l.loanKey}`) ?? null;
        const now: Owner | null = l.patronKey !== null && l.day !== null ? [l.patronKey, l.day] : null;
        if (JSON.stringify(was) === JSON.stringify(now)) continue;
        if (was) {
          daysOf(unit, was[0]).delete(l.loanKey);
          dueOf(unit).set(was[0], 0);
        }
        if (now) {
          daysOf(unit, now[0]).set(l.loanKey, now[1]);
          owners.set(`${unit}|${l.loanKey}`, now);
          dueOf(unit).set(now[0], 0);
        } else owners.delete(`${unit}|${l.loanKey}`);
      }
    },
    async loanDaysOf(unit, patronKeys) {
      return new Map(patronKeys.map((p) => [p, [...daysOf(unit, p).values()]]));
    },
    async loanOwnersOf(unit, loanKeys) {
      return new Map(loanKeys.flatMap((key) => {
        const o = owners.get(`${unit}|${key}`);
        return o ? [[key, { patronKey: o[0], day: o[1] }] as const] : [];
      }));
    },
    async loansOf(unit, patronKeys) {
      return new Map(patronKeys.map((p) => [p, new Map(daysOf(unit, p))]));
    },
    async dueEngagements(unit, untilMs, limit, after) {
      return [...dueOf(unit)].filter(([, at]) => at <= untilMs).map(([patronKey, atMs]) => ({ patronKey, atMs }))
        .filter((d) => !after || dueOrder(d, after) > 0).sort(dueOrder).slice(0, limit);
    },
    async scheduleEngagements(unit, list) {
      for (const d of list) {
        if (d.atMs === null) dueOf(unit).delete(d.patronKey);
        else dueOf(unit).set(d.patronKey, d.atMs);
      }
    },
    async markSeen(runId, unit, ids) {
      const s = seen.get(`${runId}|${unit}`) ?? seen.set(`${runId}|${unit}`, new Set()).get(`${runId}|${unit}`)!;
      for (const id of ids) s.add(id);
    },
    async seenIds(runId, unit) {
      return new Set(seen.get(`${runId}|${unit}`) ?? []);
    },
    async pickSent(unit, pick) {
      return new Map([...sentOf(unit)].filter(([key, state]) => pick(key, state)));
    },
    async putSent(unit, states) {
      const m = sentOf(unit);
      for (const [key, st] of states) m.set(key, st);
    },
  };
}
