/**
 * Stopping `sync --once`: one SIGTERM during a long full load stops it within the grace, saying
 * so, and the run stays resumable; a Redis that refuses the password stops it at once, without a
 * signal. Child processes, a redis-server of the test's own that requires a password.
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
const PASSWORD = 'stop-test-redis-password';

let redis: PrivateRedis;
let env: SandboxEnvironment;
let dir: string;

beforeAll(async () => {
  ensureBuilt();
  dir = await mkdtemp(path.join(os.tmpdir(), 'pb-stop-'));
  redis = await startPrivateRedis({ password: PASSWORD });
  // A slow CRM (200 ms an answer): a full load of 10 pages takes far longer than the grace.
  env = await startBootstrapped({ patrons: PATRONS, seed: 5, civiLatencyMs: 200 });
}, 120_000);
afterAll(async () => {
  await env?.stop();
  await redis?.stop();
});

const config = (name: string, redisUrl: string) =>
  configFile(path.join(dir, `${name}.yaml`), env, {
    redisUrl, prefix: 'pb-test', pageSize: PAGE, batchSize: PAGE, sync: { concurrency: 1, lease_seconds: 20 }, logging: { level: 'info' },
  });

describe('stopping sync --once', () => {
  it('a Redis that refuses the password: exits 1 at once with one clear line, no signal needed', async () => {
    const file = await config('wrongpass', redis.url.replace(PASSWORD, 'not-the-password'));
    const r = await runCli(['sync', '--once', '--full', '--config', file], { timeoutMs: 15_000 });
    expect(r.hung).toBe(false);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: REDIS: Redis at redis:\/\/127\.0\.0\.1:\d+ refused the user name or password in redis\.url \(WRONGPASS\); check them/m);
    expect(r.output).not.toMatch(RAW_ERROR);
  }, 30_000);

  it('one SIGTERM during a long full load: exits within the grace saying so; the next sync --once resumes the run and finishes it', async () => {
    const file = await config('sigterm', redis.url);
    const first = spawnCli(['sync', '--once', '--full', '--config', file]);
    await until(async () => (await committedPages(redis.client, 'pb-test')) >= 2, 90_000);
    first.child.kill('SIGTERM');
    const signalledAt = Date.now();
    const stopped = await endWithin(first, 30_000);
    expect(stopped.hung).toBe(false);
    expect(Date.now() - signalledAt).toBeLessThan(15_000);
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toContain('stopping: the jobs in hand get 10 s to finish');
    expect(stopped.stderr).toMatch(/error: stopped waiting for run (\S+): interrupted; the run stays resumable/);
    expect(stopped.output).not.toMatch(RAW_ERROR);
    const [interrupted] = await keptRuns(file);
    expect(interrupted?.status).toBe('running');
    expect(interrupted!.sources[0]!.pages).toBeLessThan(PATRONS / PAGE);

    const second = await runCli(['sync', '--once', '--config', file], { timeoutMs: 120_000 });
    expect(second.hung).toBe(false);
    expect(second.stderr).toContain(`continuing unfinished run ${interrupted!.runId}`);
    expect([0, 3]).toContain(second.code);
    const runs = await keptRuns(file);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ runId: interrupted!.runId, status: 'done', mode: 'full' });
    const src = runs[0]!.sources[0]!;
    expect(src.read).toBe(PATRONS);
    expect(src.created + src.rejected + src.skipped + src.held).toBe(PATRONS);
    const contacts = contactsByExternalId(env);
    expect(contacts.size).toBe(src.created);
    expect(Math.max(...contacts.values())).toBe(1);
  }, 240_000);
});
