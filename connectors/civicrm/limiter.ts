/**
 * The CRM limiter: at most `crm.max_concurrency` CiviCRM HTTP requests in flight at once, and at
 * most `crm.max_requests_per_second` request starts per second, across every worker process that
 * shares the Redis prefix (any machine). The client takes a permit before each HTTP attempt and
 * gives it back when the answer (or the error) is in, so no permit is held while retries sleep.
 *
 * Redis keys (under `<prefix>:crm-limiter:`), each changed only by the Lua scripts below, which
 * read the clock with Redis TIME so that machines with skewed clocks agree:
 * - `sem`: sorted set of holder tokens scored by the expiry of their lease (ms). ACQUIRE first
 *   drops expired holders (a process that died frees its permits after `leaseMs`, which the app
 *   sets above crm.timeout_ms, so a live request never outlives its lease), then adds the token
 *   when fewer than the caller's ceiling hold one. RELEASE removes the token.
 * - `starts`: sorted set of the request starts of the last window (token scored by start time),
 *   a sliding log: with a rate r ≥ 1 at most floor(r) starts in any 1000 ms, with r < 1 one
 *   start per 1000/r ms. A refused ACQUIRE says how long until the oldest start leaves the window.
 * Both keys expire on their own once idle.
 *
 * Waiting: the callers of one process queue in FIFO order (reads ahead of writes, see AcquireOptions)
 * and only the head asks Redis; a refusal
 * sleeps a short randomised time (15–60 ms, or the rate window's hint) before asking again, and a
 * permit given back in this process wakes the head at once. Nothing spins.
 *
 * Backoff (per process, AIMD, see createBackoff): the ceiling starts at maxConcurrency. An answer
 * 429 or 503, or one much slower than the recent baseline of its kind of request (more than 3× the
 * moving average of successful latencies of that Entity.action and at least 500 ms above it, once 20
 * of that kind have been seen: a batch save is always slower than a get, which says nothing), halves it (never
 * below 1), at most once per round: an answer to a request sent before the last cut does not cut
 * again. After every 20 successful answers since the last change the ceiling grows by 1, back up
 * to maxConcurrency. The ceiling is what this process compares with the global holder count, so
 * when the CRM is overloaded every process sees it and the whole fleet shrinks to the lowest
 * ceiling among those waiting; it grows back as the answers come in fine.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { BridgeError, classifyError } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';

export type Release = () => Promise<void>;

export interface ResponseInfo {
  /** HTTP status, absent when no answer came (network error, timeout). */
  status?: number;
  latencyMs: number;
  /** The kind of request (Entity.action): latency is judged against earlier answers of the same kind. */
  kind?: string;
}

export interface AcquireOptions {
  /**
   * A read (get, getFields): queued ahead of this process's waiting writes. Reads are short and a
   * page's decisions wait on them, so the next page's reads go while the page before still writes.
   */
  read?: boolean;
}

export interface CrmLimiter {
  /** Waits for a permit; call the returned function (once) when the request is over, also on error. */
  acquire(opts?: AcquireOptions): Promise<Release>;
  /** Every answer (or failure) of a request that held a permit: drives the backoff. */
  onResponse(info: ResponseInfo): void;
  /** The ceiling in force now (maxConcurrency, or less after backoff). */
  concurrency(): number;
}

export const DEFAULT_MAX_CONCURRENCY = 4;
export const DEFAULT_LEASE_MS = 60_000;

export interface BackoffOptions {
  /** Successful answers since the last change before the ceiling grows by one (default 20). */
  recoverAfter?: number;
  /** An answer slower than this many times the baseline counts as overload (default 3). */
  slowFactor?: number;
  /** ... and at least this much slower than the baseline, in ms (default 500). */
  slowMarginMs?: number;
  /** Successful answers seen before latency is judged at all (default 20). */
  warmup?: number;
  now?: () => number;
}

export interface Backoff {
  ceiling(): number;
  observe(info: ResponseInfo): 'cut' | 'grow' | 'none';
}

/** The AIMD rule shared by both limiters (see the header). */
export function createBackoff(max: number, logger: Logger | undefined, opts: BackoffOptions = {}): Backoff {
  const recoverAfter = opts.recoverAfter ?? 20;
  const slowFactor = opts.slowFactor ?? 3;
  const slowMarginMs = opts.slowMarginMs ?? 500;
  const warmup = opts.warmup ?? 20;
  const now = opts.now ?? Date.now;
  let ceiling = max;
  let lastCutAt = -Infinity;
  let okSinceChange = 0;
  // Per kind of request: the moving average of its successful latencies, and how many were seen.
  const baselines = new Map<string, { avg: number; samples: number }>();

  return {
    ceiling: () => ceiling,
    observe({ status, latencyMs, kind = '' }) {
      const overloaded = status === 429 || status === 503;
      const ok = status !== undefined && status < 400;
      const b = baselines.get(kind) ?? { avg: latencyMs, samples: 0 };
      const slow = ok && b.samples >= warmup && latencyMs > b.avg * slowFactor && latencyMs > b.avg + slowMarginMs;
      if (ok) {
        // Moving average of successful latencies (slow ones too: a CRM that stays slower becomes the new normal).
        baselines.set(kind, { avg: b.samples === 0 ? latencyMs : b.avg * 0.9 + latencyMs * 0.1, samples: b.samples + 1 });
      }
      if (overloaded || slow) {
        const sentAt = now() - latencyMs;
        if (sentAt < lastCutAt) return 'none'; // this round was already answered with a cut
        lastCutAt = now();
        okSinceChange = 0;
        const before = ceiling;
        ceiling = Math.max(1, Math.floor(ceiling / 2));
        if (ceiling !== before) {
          logger?.warn('CiviCRM seems overloaded: fewer requests at once', { why: overloaded ? `HTTP ${status}` : `slow answer (${Math.round(latencyMs)} ms)`, concurrency: ceiling });
        }
        return 'cut';
      }
      if (!ok || ceiling >= max) return 'none';
      okSinceChange += 1;
      if (okSinceChange < recoverAfter) return 'none';
      okSinceChange = 0;
      ceiling += 1;
      logger?.debug('CiviCRM answers fine again: more requests at once', { concurrency: ceiling });
      return 'grow';
    },
  };
}

/** Queues a waiter: reads after the reads already waiting, ahead of every write. */
function enqueue<W extends { read: boolean }>(waiting: W[], w: W): void {
  if (!w.read) {
    waiting.push(w);
    return;
  }
  const firstWrite = waiting.findIndex((x) => !x.read);
  waiting.splice(firstWrite < 0 ? waiting.length : firstWrite, 0, w);
}

function once(fn: () => Promise<void>): Release {
  let done = false;
  return async () => {
    if (done) return;
    done = true;
    await fn();
  };
}

/** In-memory limiter for one process (no Redis: unit tests, sandbox-only tools). No rate limit. */
export function createLocalLimiter(maxConcurrency: number, opts: { logger?: Logger; backoff?: BackoffOptions } = {}): CrmLimiter {
  if (!(maxConcurrency >= 1)) throw new RangeError('maxConcurrency must be at least 1');
  const backoff = createBackoff(maxConcurrency, opts.logger, opts.backoff);
  const waiting: Array<{ read: boolean; go: () => void }> = [];
  let held = 0;

  const pump = () => {
    while (waiting.length > 0 && held < backoff.ceiling()) {
      held += 1;
      waiting.shift()!.go();
    }
  };

  return {
    acquire(how = {}) {
      return new Promise<Release>((resolve) => {
        enqueue(waiting, {
          read: how.read === true,
          go: () =>
            resolve(
              once(async () => {
                held -= 1;
                pump();
              }),
            ),
        });
        pump();
      });
    },
    onResponse(info) {
      if (backoff.observe(info) === 'grow') pump();
    },
    concurrency: () => backoff.ceiling(),
  };
}

/** KEYS: sem, starts. ARGV: token, leaseMs, ceiling, rateCount (0: no rate), rateWindowMs. Returns {1, 0} or {0, waitHintMs}. */
export const LIMITER_ACQUIRE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local lease = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return {0, 0} end
local n = tonumber(ARGV[4])
if n > 0 then
  local w = tonumber(ARGV[5])
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - w)
  if redis.call('ZCARD', KEYS[2]) >= n then
    local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
    return {0, math.max(1, tonumber(oldest[2]) + w - now + 1)}
  end
  redis.call('ZADD', KEYS[2], now, ARGV[1])
  redis.call('PEXPIRE', KEYS[2], w + 1000)
end
redis.call('ZADD', KEYS[1], now + lease, ARGV[1])
local ttl = redis.call('PTTL', KEYS[1])
if ttl < lease + 1000 then redis.call('PEXPIRE', KEYS[1], lease + 1000) end
return {1, 0}`;

/** KEYS: sem. ARGV: token. */
export const LIMITER_RELEASE = `
redis.call('ZREM', KEYS[1], ARGV[1])
return 0`;

export interface RedisLimiterOptions {
  maxConcurrency: number;
  /** Request starts per second, globally; none when absent. */
  maxPerSecond?: number;
  /** A holder that never gives its permit back (its process died) loses it after this long. */
  leaseMs?: number;
  logger: Logger;
  backoff?: BackoffOptions;
  /** Sleep between refused attempts (tests); default 15–60 ms, randomised. */
  pollMs?: () => number;
}

export function limiterKeys(prefix: string): { sem: string; starts: string } {
  return { sem: `${prefix}:crm-limiter:sem`, starts: `${prefix}:crm-limiter:starts` };
}

/** The rate as a sliding log: `count` starts in any `windowMs` (see the header). */
export function rateWindow(perSecond: number | undefined): { count: number; windowMs: number } {
  if (perSecond === undefined) return { count: 0, windowMs: 0 };
  if (!(perSecond > 0)) throw new RangeError('maxPerSecond must be above 0');
  return perSecond >= 1 ? { count: Math.floor(perSecond), windowMs: 1000 } : { count: 1, windowMs: Math.ceil(1000 / perSecond) };
}

/** The global limiter on Redis (see the header). */
export function createCrmLimiter(redis: Redis, prefix: string, opts: RedisLimiterOptions): CrmLimiter {
  if (!(opts.maxConcurrency >= 1)) throw new RangeError('maxConcurrency must be at least 1');
  const keys = limiterKeys(prefix);
  const rate = rateWindow(opts.maxPerSecond);
  const leaseMs = opts.leaseMs ?? DEFAULT_LEASE_MS;
  const backoff = createBackoff(opts.maxConcurrency, opts.logger, opts.backoff);
  const pollMs = opts.pollMs ?? (() => 15 + Math.random() * 45);
  const me = randomBytes(6).toString('hex');
  let seq = 0;

  interface Waiter {
    read: boolean;
    resolve(release: Release): void;
    reject(err: unknown): void;
  }
  const waiting: Waiter[] = [];
  let pumping = false;
  let wake: (() => void) | null = null;

  const nap = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        wake = null;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(timer);
        wake = null;
        resolve();
      };
    });

  const release = (token: string): Release =>
    once(async () => {
      try {
        await redis.eval(LIMITER_RELEASE, 1, keys.sem, token);
      } catch (err) {
        // The lease frees it anyway; a request must not fail for this.
        opts.logger.warn('could not give a CRM permit back (it frees itself when its lease lapses)', { error: err instanceof Error ? err.message : String(err) });
      }
      wake?.();
    });

  /** Only the head of this process's queue asks Redis; the others wait their turn. */
  async function pump(): Promise<void> {
    if (pumping) return;
    pumping = true;
    try {
      while (waiting.length > 0) {
        const token = `${me}:${++seq}`;
        let got: [number, number];
        try {
          got = (await redis.eval(LIMITER_ACQUIRE, 2, keys.sem, keys.starts, token, leaseMs, backoff.ceiling(), rate.count, rate.windowMs)) as [number, number];
        } catch (err) {
          // Transient whatever it was: the call is retried (and then the page job), never are its records rejected for it.
          const e = classifyError(err);
          waiting.shift()!.reject(
            e.code === 'REDIS' ? e : new BridgeError('REDIS', `the CRM limiter could not reach Redis: ${e.message}`, { transient: true, context: { system: 'redis' } }),
          );
          continue;
        }
        if (got[0] === 1) {
          waiting.shift()!.resolve(release(token));
          continue;
        }
        await nap(got[1] > 0 ? got[1] + Math.random() * 10 : pollMs());
      }
    } finally {
      pumping = false;
    }
  }

  return {
    acquire(how = {}) {
      return new Promise<Release>((resolve, reject) => {
        enqueue(waiting, { read: how.read === true, resolve, reject });
        void pump();
      });
    },
    onResponse(info) {
      if (backoff.observe(info) === 'grow') wake?.();
    },
    concurrency: () => backoff.ceiling(),
  };
}
