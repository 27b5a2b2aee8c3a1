/**
 * `patron-bridge worker` as library IT staff run it, in child processes: two started at the same
 * moment leave exactly one scheduler per schedule, and the watchdog of a worker says so when a
 * source's runs stopped. A changed configuration changes the scheduler at the next start; a removed
 * schedule removes it.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { listSchedules } from '../../queues/index.js';
import { bundledMapping } from '../../src/core/paths.js';
import { scheduleKey } from '../../src/schedule/index.js';
import { createRedisState } from '../../src/state/index.js';
import { ensureBuilt, spawnCli, writeConfig, type CliRun } from './cli-process.js';
import { seedRun } from './seed-runs.js';
import { dropPrefix, REDIS_URL } from './sync-harness.js';

const redis = new Redis(REDIS_URL);
const prefix = `pb-test-workers-${randomBytes(3).toString('hex')}`;
let dir: string;

beforeAll(async () => {
  ensureBuilt();
  dir = await mkdtemp(path.join(os.tmpdir(), 'pb-workers-'));
}, 180_000);
afterAll(async () => {
  await dropPrefix(prefix, redis);
  redis.disconnect();
});

/** The servers are never called: the schedules fire at night, long after the test. */
const configWith = (schedule?: Record<string, unknown>) => ({
  redis: { url: REDIS_URL, prefix },
  crm: { base_url: 'http://127.0.0.1:9', api_key: 'k' },
  sources: [{ id: 'koha', type: 'koha', base_url: 'http://127.0.0.1:9', auth: { type: 'basic', username: 'u', password: 'p' }, mapping: bundledMapping(), ...(schedule ? { schedule } : {}) }],
});

async function outputShows(run: CliRun, pattern: RegExp, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!pattern.test(run.output())) {
    if (Date.now() > end || run.child.exitCode !== null) throw new Error(`worker output never showed ${pattern}:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Start workers with this configuration, wait until each has installed its schedules and runs, stop them. */
async function workers(n: number, config: Record<string, unknown>, whileUp?: (runs: CliRun[]) => Promise<void>): Promise<CliRun[]> {
  const file = await writeConfig(path.join(dir, `config-${randomBytes(3).toString('hex')}.json`), config);
  const runs = Array.from({ length: n }, () => spawnCli(['worker', '--config', file]));
  try {
    // Installed first; "workers started" once the worker listens for SIGTERM.
    await Promise.all(runs.map((r) => outputShows(r, /schedules installed[\s\S]*workers started/)));
    await whileUp?.(runs);
  } finally {
    for (const r of runs) r.child.kill('SIGTERM');
  }
  for (const r of runs) expect((await r.done).code).toBe(0);
  return runs;
}

describe('workers and their schedules', () => {
  it('two workers started at the same moment leave one scheduler; the watchdog of each says the source is late', async () => {
    const nightly = { cron: '0 2 * * *', timezone: 'UTC', grace_minutes: 120 };
    // Installed ten days ago; the last successful run was three days ago.
    const state = createRedisState(redis, prefix);
    await state.noteSchedule('koha', scheduleKey({ cron: '0 2 * * *', fullCron: null, timezone: 'UTC', graceMinutes: 120 }), new Date(Date.now() - 10 * 86400_000).toISOString());
    const lastSuccess = new Date(Date.now() - 3 * 86400_000);
    await seedRun(state, { runId: 'r-old', startedAt: new Date(lastSuccess.getTime() - 600_000).toISOString(), finishedAt: lastSuccess.toISOString(), sources: { koha: 'done' } });

    const runs = await workers(2, configWith(nightly), async (up) => {
      await Promise.all(up.map((r) => outputShows(r, /watchdog: source "koha" is late/)));
    });
    expect(await listSchedules(redis, prefix)).toEqual({
      schedules: [{ id: 'sync.koha.incremental', pattern: '0 2 * * *', tz: 'UTC', data: { sourceId: 'koha', kind: 'incremental' }, next: expect.any(Number) }],
      pending: 1,
    });
    for (const r of runs) expect(r.output()).toMatch(/late: no successful run since the one due at .*02:00:00Z \(grace 120 min\); last success/);
  }, 120_000);

  it('the next start follows a changed schedule and drops a removed one', async () => {
    await workers(1, configWith({ cron: '30 1 * * *', full_cron: '0 3 * * 0', timezone: 'Europe/Berlin' }));
    expect((await listSchedules(redis, prefix)).schedules.map((s) => [s.id, s.pattern, s.tz])).toEqual([
      ['sync.koha.full', '0 3 * * 0', 'Europe/Berlin'],
      ['sync.koha.incremental', '30 1 * * *', 'Europe/Berlin'],
    ]);
    await workers(1, configWith());
    expect(await listSchedules(redis, prefix)).toEqual({ schedules: [], pending: 0 });
  }, 120_000);
});
