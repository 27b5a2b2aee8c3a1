/**
 * Redis restarted under a running `sync --once` (a child process, a redis-server of the test's
 * own): with its data the run carries on and completes; without it the command says so and exits
 * within a bound, the next run starts afresh and no contact is created twice; a long-lived worker
 * says so too.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { SandboxEnvironment } from '../../src/sandbox/environment.js';
import { ensureBuilt, runCli, spawnCli } from './cli-process.js';
import { committedPages, configFile, contactsByExternalId, endWithin, keptRuns, RAW_ERROR, startBootstrapped, until } from './cli-fixtures.js';
import { startPrivateRedis, type PrivateRedis } from './private-redis.js';

const PATRONS = 1000;
const PAGE = 100;

let redis: PrivateRedis;
let env: SandboxEnvironment;
let dir: string;

beforeAll(async () => {
  ensureBuilt();
  dir = await mkdtemp(path.join(os.tmpdir(), 'pb-restart-'));
  redis = await startPrivateRedis();
}, 120_000);
afterAll(async () => {
  await env?.stop();
  await redis?.stop();
});

/** Fresh sandboxes (CRM slowed to 40 ms an answer, so a full load takes seconds) and an empty Redis. */
async function setUp(name: string): Promise<string> {
  await env?.stop();
  await redis.client.flushdb();
  env = await startBootstrapped({ patrons: PATRONS, seed: 11, civiLatencyMs: 40 });
  return configFile(path.join(dir, `${name}.yaml`), env, {
    redisUrl: redis.url, prefix: 'pb-test', pageSize: PAGE, batchSize: PAGE,
    sync: { concurrency: 1, stall_seconds: 2, lease_seconds: 20 },
    logging: { level: 'info' },
  });
}

describe('Redis restarted during sync --once --full', () => {
  it('with its data: the command carries on and the run completes, every patron counted once, in one run', async () => {
    const file = await setUp('keep');
    const child = spawnCli(['sync', '--once', '--full', '--config', file]);
    await until(async () => (await committedPages(redis.client, 'pb-test')) >= 3, 60_000);
    await redis.restart({ keepData: true });

    const done = await endWithin(child, 90_000);
    expect(done.hung).toBe(false);
    expect(done.stdout).toMatch(/^Run \S+ \(full\): DONE/);
    expect([0, 3]).toContain(done.code);
    expect(done.output).not.toMatch(RAW_ERROR);

    const runs = await keptRuns(file);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'done', mode: 'full' });
    const src = runs[0]!.sources[0]!;
    expect(src.read).toBe(PATRONS);
    // A page written but not yet committed when Redis went away is done again: its contacts are found
    // in the CRM under their keys (unchanged, or updated), never created twice.
    expect(src.created + src.updated + src.unchanged + src.rejected + src.skipped + src.held).toBe(PATRONS);
    const contacts = contactsByExternalId(env);
    expect(contacts.size).toBe(src.created + src.updated + src.unchanged);
    expect(Math.max(...contacts.values())).toBe(1);
  }, 180_000);

  it('without its data: the command exits 1 within a minute saying so; the next sync --once completes a fresh run, no contact twice', async () => {
    const file = await setUp('lose');
    const child = spawnCli(['sync', '--once', '--full', '--config', file]);
    await until(async () => (await committedPages(redis.client, 'pb-test')) >= 3, 60_000);
    const before = contactsByExternalId(env).size;
    expect(before).toBeGreaterThan(0);
    await redis.restart({ keepData: false });

    const done = await endWithin(child, 60_000);
    expect(done.hung).toBe(false);
    expect(done.code).toBe(1);
    expect(done.stderr).toMatch(/error: stopped waiting for run \S+: Redis at redis:\/\/127\.0\.0\.1:\d+ came back without its data/);
    // Not resumable: its state is gone, so the command does not promise that.
    expect(done.stderr).not.toContain('stays resumable');
    expect(done.output).not.toMatch(RAW_ERROR);

    const next = await runCli(['sync', '--once', '--config', file], { timeoutMs: 90_000 });
    expect(next.hung).toBe(false);
    expect([0, 3]).toContain(next.code);
    expect(next.stderr).not.toContain('resuming');
    const runs = await keptRuns(file);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'done' });
    const src = runs[0]!.sources[0]!;
    expect(src.read).toBe(PATRONS);
    // Nothing remembered, but the CRM is read first: those the first run wrote are found under their keys
    // (unchanged), not duplicated.
    expect(src.unchanged + src.updated).toBeGreaterThanOrEqual(before);
    const contacts = contactsByExternalId(env);
    expect(contacts.size).toBe(src.created + src.updated + src.unchanged);
    expect(Math.max(...contacts.values())).toBe(1);
  }, 240_000);

  it('a long-lived worker whose Redis came back without its data logs an error line saying so', async () => {
    const file = await setUp('worker');
    const worker = spawnCli(['worker', '--config', file]);
    try {
      await until(() => worker.output().includes('workers started'), 30_000, 'worker did not start');
      await redis.restart({ keepData: false });
      await until(() => /\berror redis lost its data .*came back without its data/.test(worker.output()), 30_000, 'no word of the lost data');
    } finally {
      worker.child.kill('SIGTERM');
    }
    const done = await endWithin(worker, 40_000);
    expect(done.hung).toBe(false);
    expect(done.code).toBe(0);
    expect(done.output).not.toMatch(RAW_ERROR);
  }, 120_000);
});
