/**
 * Run history and the watchdog on a real Redis, with seeded run reports: old runs leave the history
 * (sync.keep_runs_days), a source's last success is noted when its run finishes, and the `runs`,
 * `report` and `status` commands read them as monitoring scripts do (exit codes, --json).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { bundledMapping } from '../../src/core/paths.js';
import { scheduleKey } from '../../src/schedule/index.js';
import { createRedisState } from '../../src/state/index.js';
import { ensureBuilt, runCli, writeConfig } from './cli-process.js';
import { seedRun } from './seed-runs.js';
import { dropPrefix, REDIS_URL } from './sync-harness.js';

const redis = new Redis(REDIS_URL);
const prefixes: string[] = [];
const newPrefix = (name: string) => {
  const p = `pb-test-${name}-${randomBytes(3).toString('hex')}`;
  prefixes.push(p);
  return p;
};
let dir: string;

beforeAll(async () => {
  ensureBuilt();
  dir = await mkdtemp(path.join(os.tmpdir(), 'pb-history-'));
}, 180_000);
afterAll(async () => {
  for (const p of prefixes) await dropPrefix(p, redis);
  redis.disconnect();
});

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
const MIN = 60_000;
const DAY = 24 * 3600_000;

describe('run history', () => {
  it('runs older than sync.keep_runs_days leave the history and Redis, newer ones stay', async () => {
    const prefix = newPrefix('retention');
    const now = Date.parse('2026-06-01T03:00:00Z');
    const state = createRedisState(redis, prefix, { keepRunsDays: 30, now: () => now });
    await seedRun(state, { runId: 'r-april', startedAt: '2026-04-01T02:00:00.000Z', finishedAt: '2026-04-01T02:10:00.000Z', sources: { koha: 'done' } });
    await seedRun(state, { runId: 'r-may', startedAt: '2026-05-20T02:00:00.000Z', finishedAt: '2026-05-20T02:10:00.000Z', sources: { koha: 'done' } });
    await seedRun(state, { runId: 'r-june', startedAt: '2026-06-01T02:00:00.000Z', finishedAt: '2026-06-01T02:10:00.000Z', sources: { koha: 'done' } });
    expect((await state.listRuns(10)).map((r) => r.runId)).toEqual(['r-june', 'r-may']);
    expect(await state.getRun('r-april')).toBeNull();
    expect(await redis.keys(`${prefix}:state:run:r-april*`)).toEqual([]);
    // A shorter history applies at once to what is listed, before any new run prunes it.
    const shorter = createRedisState(redis, prefix, { keepRunsDays: 7, now: () => now });
    expect((await shorter.listRuns(10)).map((r) => r.runId)).toEqual(['r-june']);
  });

  it('a source\'s last success is noted when all its streams finish done: not by failed runs or replays; full runs apart', async () => {
    const state = createRedisState(redis, newPrefix('success'));
    expect(await state.lastSuccess('koha')).toEqual({ at: null, fullAt: null });
    await seedRun(state, { runId: 'r1', mode: 'full', startedAt: '2026-03-01T03:00:00.000Z', finishedAt: '2026-03-01T03:30:00.000Z', sources: { koha: 'done' } });
    await seedRun(state, { runId: 'r2', startedAt: '2026-03-02T02:00:00.000Z', finishedAt: '2026-03-02T02:05:00.000Z', sources: { koha: 'done', branch: 'failed' } });
    await seedRun(state, { runId: 'r3', startedAt: '2026-03-03T02:00:00.000Z', finishedAt: '2026-03-03T02:05:00.000Z', sources: { koha: 'failed' } });
    await seedRun(state, { runId: 'r4', mode: 'replay', startedAt: '2026-03-03T09:00:00.000Z', finishedAt: '2026-03-03T09:01:00.000Z', sources: { koha: 'done' } });
    expect(await state.lastSuccess('koha')).toEqual({ at: '2026-03-02T02:05:00.000Z', fullAt: '2026-03-01T03:30:00.000Z' });
    expect(await state.lastSuccess('branch')).toEqual({ at: null, fullAt: null });
  });
});

describe('runs, report and status through the command line', () => {
  const source = (id: string, schedule?: Record<string, unknown>) => ({
    id, type: 'koha', base_url: 'http://127.0.0.1:9', auth: { type: 'basic', username: 'u', password: 'p' }, mapping: bundledMapping(), ...(schedule ? { schedule } : {}),
  });
  const config = (prefix: string, sources: unknown[], redisUrl = REDIS_URL) => ({ redis: { url: redisUrl, prefix }, crm: { base_url: 'http://127.0.0.1:9', api_key: 'k' }, sources });
  const nightly = { cron: '0 2 * * *', timezone: 'UTC', grace_minutes: 120 };
  let prefix: string;
  let file: string;
  let okFile: string;
  let kohaLastSuccess: string;

  beforeAll(async () => {
    prefix = newPrefix('status');
    const sources = [source('koha', nightly), source('branch', nightly), source('plain')];
    file = await writeConfig(path.join(dir, 'status.json'), config(prefix, sources));
    okFile = await writeConfig(path.join(dir, 'status-ok.json'), config(prefix, [sources[1], sources[2]]));
    const state = createRedisState(redis, prefix);
    // koha: its runs stopped three days ago (the last one failed); branch: synced a minute ago.
    kohaLastSuccess = ago(3 * DAY);
    await seedRun(state, { runId: 'r-koha-ok', startedAt: ago(3 * DAY + 10 * MIN), finishedAt: kohaLastSuccess, sources: { koha: 'done' }, created: 7 });
    await seedRun(state, { runId: 'r-koha-failed', startedAt: ago(2 * DAY + 10 * MIN), finishedAt: ago(2 * DAY), sources: { koha: 'failed' } });
    await seedRun(state, { runId: 'r-branch', startedAt: ago(5 * MIN), finishedAt: ago(MIN), sources: { branch: 'done' } });
    // Both schedules were installed by a worker ten days ago.
    const installed = scheduleKey({ cron: '0 2 * * *', fullCron: null, timezone: 'UTC', graceMinutes: 120 });
    for (const id of ['koha', 'branch']) await state.noteSchedule(id, installed, ago(10 * DAY));
  });

  it('status: a source whose runs stopped is late (exit 4), with its last run and last success; the others are fine', async () => {
    const res = await runCli(['status', '--json', '--config', file]);
    expect(res.code).toBe(4);
    const rows = JSON.parse(res.stdout) as Array<Record<string, unknown>>;
    const by = new Map(rows.map((r) => [r.sourceId, r]));
    const koha = by.get('koha')!;
    expect(koha).toMatchObject({ cron: '0 2 * * *', fullCron: null, timezone: 'UTC', watchdog: 'late' });
    expect(koha.lastRun).toMatchObject({ runId: 'r-koha-failed', status: 'failed' });
    expect(koha.lastSuccessAt).toBe(kohaLastSuccess);
    expect(koha.message).toMatch(/^late: no successful run since the one due at .*02:00:00Z \(grace 120 min\)/);
    expect(Date.parse(koha.nextRunAt as string)).toBeGreaterThan(Date.now());
    expect(by.get('branch')).toMatchObject({ watchdog: 'ok', lastRun: { runId: 'r-branch', status: 'done' } });
    expect(by.get('plain')).toMatchObject({ cron: null, nextRunAt: null, lastRun: null, lastSuccessAt: null, watchdog: 'unscheduled' });

    const text = await runCli(['status', '--config', file]);
    expect(text.code).toBe(4);
    expect(text.stdout).toMatch(/koha .*LATE/);
    expect(text.stdout).toMatch(/^koha: late: no successful run since/m);
  }, 60_000);

  it('status exits 0 when every source is on schedule or unscheduled, and 1 when Redis cannot be reached', async () => {
    const ok = await runCli(['status', '--config', okFile]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/branch .*OK/);
    const down = await writeConfig(path.join(dir, 'status-down.json'), config(prefix, [source('koha', nightly)], 'redis://127.0.0.1:1'));
    const res = await runCli(['status', '--config', down]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/cannot connect to Redis at redis:\/\/127\.0\.0\.1:1/);
  }, 60_000);

  async function runsOf(args: string[] = []) {
    const res = await runCli(['runs', '--json', ...args, '--config', file]);
    expect(res.code).toBe(0);
    return JSON.parse(res.stdout) as Array<{ runId: string; mode: string; status: string; finishedAt?: string; sources: string[]; totals: Record<string, number> }>;
  }

  it('runs lists the kept runs newest first, as a table and as JSON; report prints one run', async () => {
    const runs = await runsOf();
    expect(runs.map((r) => r.runId)).toEqual(['r-branch', 'r-koha-failed', 'r-koha-ok']);
    expect(runs[2]).toMatchObject({ mode: 'incremental', status: 'done', sources: ['koha'], totals: { read: 5, created: 7, updated: 1, unchanged: 1, rejected: 0 } });
    expect((await runsOf(['--last', '1'])).map((r) => r.runId)).toEqual(['r-branch']);

    const table = await runCli(['runs', '--config', file]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/r-koha-failed .*incremental .*failed .*koha/);
    expect(table.stdout).toContain('3 run(s)');

    const one = await runCli(['report', 'r-koha-ok', '--json', '--config', file]);
    expect(one.code).toBe(0);
    expect(JSON.parse(one.stdout)).toMatchObject({ runId: 'r-koha-ok', status: 'done', sources: [{ sourceId: 'koha', created: 7 }] });
  }, 60_000);
});
