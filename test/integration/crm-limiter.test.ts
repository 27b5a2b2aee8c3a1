/**
 * The global CRM limiter on real Redis (connectors/civicrm/limiter.ts): limiters sharing a prefix
 * never let more permits be held than allowed, a dead holder's permit frees itself after its
 * lease, the rate holds; and three `patron-bridge worker` processes against one sandbox CiviCRM
 * never have more than crm.max_concurrency requests open at once, while the run gets done.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { createCrmLimiter, limiterKeys } from '../../connectors/civicrm/limiter.js';
import { nullLogger } from '../../src/core/logger.js';
import { startSandboxes, type SandboxEnvironment } from '../../src/sandbox/environment.js';
import { sandboxConfig } from '../../src/sandbox/sandbox-config.js';
import type { RunReport } from '../../src/state/ports.js';
import { ensureBuilt, runCli, spawnCli, writeConfig, type CliRun } from './cli-process.js';
import { endWithin, startBootstrapped, until } from './cli-fixtures.js';
import { patronsOnlyMapping } from './patrons-only.js';
import { REDIS_URL } from './sync-harness.js';

let redis: Redis;
const prefixes: string[] = [];

function newPrefix(): string {
  const p = `pb-limiter-${randomBytes(4).toString('hex')}`;
  prefixes.push(p);
  return p;
}

beforeAll(() => {
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  for (const p of prefixes) {
    const keys = await redis.keys(`${p}:*`);
    if (keys.length) await redis.del(...keys);
  }
  redis.disconnect();
});

const pause = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

describe('limiters sharing a Redis prefix', () => {
  it('two limiters with max 3 and 20 concurrent tasks never hold more than 3 at once', async () => {
    const prefix = newPrefix();
    const a = createCrmLimiter(redis, prefix, { maxConcurrency: 3, logger: nullLogger });
    const b = createCrmLimiter(redis, prefix, { maxConcurrency: 3, logger: nullLogger });
    let inside = 0;
    let most = 0;
    let done = 0;
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const release = await (i % 2 ? a : b).acquire();
        inside += 1;
        most = Math.max(most, inside);
        await pause(5 + (i % 5) * 3);
        inside -= 1;
        await release();
        done += 1;
      }),
    );
    expect(done).toBe(20);
    expect(most).toBeLessThanOrEqual(3);
    expect(most).toBeGreaterThan(1); // they did run side by side
    expect(await redis.zcard(limiterKeys(prefix).sem)).toBe(0);
  });

  it("serves a process's waiting reads ahead of its waiting writes", async () => {
    const limiter = createCrmLimiter(redis, newPrefix(), { maxConcurrency: 1, logger: nullLogger });
    const held = await limiter.acquire();
    const order: string[] = [];
    const ask = (name: string, read: boolean) => limiter.acquire({ read }).then(async (release) => {
      order.push(name);
      await release();
    });
    const all = [ask('write 1', false), ask('write 2', false), ask('read 1', true), ask('read 2', true)];
    await pause(50);
    expect(order).toEqual([]);
    await held();
    await Promise.all(all);
    expect(order).toEqual(['read 1', 'read 2', 'write 1', 'write 2']);
  });

  it('a holder that dies (never releases) frees its permit once its lease lapses', async () => {
    const prefix = newPrefix();
    const dead = createCrmLimiter(redis, prefix, { maxConcurrency: 1, leaseMs: 400, logger: nullLogger });
    const alive = createCrmLimiter(redis, prefix, { maxConcurrency: 1, leaseMs: 400, logger: nullLogger });
    await dead.acquire(); // and never released
    let got = false;
    const waiting = alive.acquire().then((release) => {
      got = true;
      return release;
    });
    await pause(100);
    expect(got).toBe(false); // still held by the dead one
    expect(await redis.zcard(limiterKeys(prefix).sem)).toBe(1);
    const release = await waiting;
    expect(got).toBe(true);
    await release();
    expect(await redis.zcard(limiterKeys(prefix).sem)).toBe(0);
  });

  it('the rate holds across limiters: no more than max_requests_per_second starts in a second (loosely)', async () => {
    const prefix = newPrefix();
    const opts = { maxConcurrency: 50, maxPerSecond: 4, logger: nullLogger };
    const limiters = [createCrmLimiter(redis, prefix, opts), createCrmLimiter(redis, prefix, opts)];
    const starts: number[] = [];
    await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        const release = await limiters[i % 2]!.acquire();
        starts.push(Date.now());
        await release();
      }),
    );
    expect(starts).toHaveLength(12);
    starts.sort((x, y) => x - y);
    // Redis judges with its own clock; here a little slack for the time the answers take to arrive.
    let most = 0;
    for (const t of starts) most = Math.max(most, starts.filter((s) => s >= t && s < t + 900).length);
    expect(most).toBeLessThanOrEqual(4);
  });
});

describe('a limiter whose Redis is unreachable', () => {
  it('fails the acquire with a transient REDIS error (the call is retried, its records are not rejected)', async () => {
    const down = new Redis('redis://127.0.0.1:1', { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
    down.on('error', () => {});
    const limiter = createCrmLimiter(down, newPrefix(), { maxConcurrency: 2, logger: nullLogger });
    await expect(limiter.acquire()).rejects.toMatchObject({ code: 'REDIS', transient: true });
    down.disconnect();
  });
});

describe('three worker processes against one CiviCRM', () => {
  const PATRONS = 300;
  let env: SandboxEnvironment;
  /** More Koha sandboxes (other people), so that pages of several sources are written at once. */
  const extra: SandboxEnvironment[] = [];
  let dir: string;
  let workers: CliRun[] = [];

  beforeAll(async () => {
    ensureBuilt();
    dir = await mkdtemp(path.join(os.tmpdir(), 'pb-limiter-'));
    env = await startBootstrapped({ patrons: PATRONS, seed: 21, civiLatencyMs: 30 });
    extra.push(await startSandboxes({ patrons: PATRONS, seed: 22 }), await startSandboxes({ patrons: PATRONS, seed: 23 }));
  }, 180_000);
  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await env?.stop();
    for (const e of extra) await e.stop();
  });

  /** Three Koha sources (koha, kohb, kohc) into the one CRM, with `maxConcurrency` CRM requests at once. */
  async function config(name: string, prefix: string, maxConcurrency: number): Promise<string> {
    const { config } = sandboxConfig(env, { redisUrl: REDIS_URL, prefix, mapping: patronsOnlyMapping(), pageSize: 50, batchSize: 25 });
    const first = config.sources[0]!;
    return writeConfig(path.join(dir, `${name}.yaml`), {
      ...config,
      crm: { ...config.crm, max_concurrency: maxConcurrency },
      sources: [first, { ...first, id: 'kohb', base_url: extra[0]!.koha.url }, { ...first, id: 'kohc', base_url: extra[1]!.koha.url }],
      sync: { ...config.sync, concurrency: 4, stall_seconds: 5 },
      logging: { ...config.logging, level: 'info' },
    });
  }

  /** Starts three workers, enqueues a full run with `sync` (which only enqueues), waits for its report, stops the workers. */
  async function fullRunWithWorkers(file: string): Promise<RunReport> {
    workers = [0, 1, 2].map(() => spawnCli(['worker', '--config', file]));
    try {
      for (const w of workers) await until(() => w.output().includes('workers started'), 30_000, `worker did not start: ${w.output()}`);
      const enq = await runCli(['sync', '--full', '--json', '--config', file]);
      expect(enq.code).toBe(0);
      const { runId } = JSON.parse(enq.stdout) as { runId: string };
      let report: RunReport | undefined;
      await until(
        async () => {
          const r = await runCli(['report', runId, '--json', '--config', file]);
          if (r.code !== 0) return false;
          report = JSON.parse(r.stdout) as RunReport;
          return report.status !== 'running';
        },
        150_000,
        'the run did not finish',
      );
      return report!;
    } finally {
      for (const w of workers) w.child.kill('SIGTERM');
      for (const w of workers) {
        const end = await endWithin(w, 40_000);
        expect(end.hung).toBe(false);
        expect(end.code).toBe(0);
      }
    }
  }

  it('crm.max_concurrency 2: the sandbox never sees more than 2 requests at once, and every page is written', async () => {
    const prefix = newPrefix();
    env.civi.resetStats();
    const report = await fullRunWithWorkers(await config('limited', prefix, 2));
    expect(report.status).toBe('done');
    expect(report.sources.map((s) => [s.sourceId, s.status])).toEqual(expect.arrayContaining([['koha', 'done'], ['kohb', 'done'], ['kohc', 'done']]));
    for (const s of report.sources.filter((x) => x.stream === 'patrons')) {
      expect(s.read).toBe(PATRONS);
      expect(s.pages).toBeGreaterThanOrEqual(PATRONS / 50);
    }
    expect(env.civi.stats.requests).toBeGreaterThan(0);
    expect(env.civi.stats.maxInFlight).toBeGreaterThanOrEqual(1);
    expect(env.civi.stats.maxInFlight).toBeLessThanOrEqual(2);
    process.stdout.write(`with crm.max_concurrency 2 the sandbox saw at most ${env.civi.stats.maxInFlight} CiviCRM requests at once (${env.civi.stats.requests} requests)\n`);
    // Every permit was given back.
    expect(await redis.zcard(limiterKeys(prefix).sem)).toBe(0);
  }, 240_000);

  it('the same setup with a high crm.max_concurrency (observed, not asserted: how many requests it naturally has open)', async () => {
    const prefix = newPrefix();
    env.civi.resetStats();
    const report = await fullRunWithWorkers(await config('unlimited', prefix, 64));
    expect(report.status).toBe('done');
    process.stdout.write(`without a tight limit the sandbox saw at most ${env.civi.stats.maxInFlight} CiviCRM requests at once\n`);
  }, 240_000);
});
