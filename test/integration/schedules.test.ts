/**
 * Schedules on a real Redis: a scheduler fires on a short cron and its run goes through the sandboxes
 * like a `sync`, firings while a run is unfinished join it (never a second run), installing is
 * idempotent, a changed configuration changes the scheduler and a removed one removes it.
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { installSchedules, listSchedules } from '../../queues/index.js';
import type { Config } from '../../src/config/schema.js';
import { nullLogger } from '../../src/core/logger.js';
import { scheduleSpecs, scheduleStatus, startScheduledRun, startSchedules } from '../../src/schedule/index.js';
import type { RunReport } from '../../src/state/ports.js';
import { REDIS_URL, startSyncHarness, type SyncHarness } from './sync-harness.js';

const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
const prefixes: string[] = [];
let harness: SyncHarness | undefined;

afterAll(async () => {
  await harness?.stop();
  for (const p of prefixes) {
    const keys = await redis.keys(`${p}:*`);
    if (keys.length) await redis.del(...keys);
  }
  redis.disconnect();
});

async function until<T>(what: () => Promise<T | null | undefined | false>, timeoutMs: number, why: string): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await what();
    if (v) return v;
    if (Date.now() > end) throw new Error(why);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A configuration's sources with these schedules (the rest of the configuration does not matter here). */
const withSchedules = (schedules: Record<string, Config['sources'][number]['schedule']>): Config =>
  ({ sources: Object.entries(schedules).map(([id, schedule]) => ({ id, timezone: 'Europe/Berlin', ...(schedule ? { schedule } : {}) })) }) as unknown as Config;

describe('scheduled runs', () => {
  it('a scheduler fires on a short cron; its run finishes against the sandboxes, and firings during a run never start a second', async () => {
    harness = await startSyncHarness({ patrons: 60, seed: 3, pageSize: 20, batchSize: 20 });
    const { app } = harness;
    app.loaded.config.sources[0]!.schedule = { cron: '*/2 * * * * *', timezone: 'UTC', grace_minutes: 120 };
    const schedules = await startSchedules(app, nullLogger);
    let runs: RunReport[];
    try {
      runs = await until(async () => {
        const all = await app.state.listRuns(20);
        return all.some((r) => r.status === 'done') && all.length >= 2 && all.every((r) => r.status !== 'running') ? all : null;
      }, 90_000, 'no two scheduled runs finished');
    } finally {
      await schedules.close(10_000);
    }
    // Let a run started in the meantime finish, then look at every run.
    runs = await until(async () => {
      const all = await app.state.listRuns(50);
      return all.every((r) => r.status !== 'running') ? all : null;
    }, 60_000, 'a scheduled run did not finish');
    const first = runs[runs.length - 1]!;
    expect(first).toMatchObject({ mode: 'incremental', status: 'done' });
    expect(first.sources.find((s) => s.stream === 'patrons')).toMatchObject({ sourceId: 'koha', status: 'done', read: 60 });
    expect(harness.env.civi.rows('Contact').filter((c) => String(c.external_identifier ?? '').startsWith('koha:')).length).toBeGreaterThan(0);
    // Never two runs of the source at once: each run starts after the one before finished, and none was refused the source.
    const byStart = [...runs].reverse();
    for (let i = 1; i < byStart.length; i++) expect(Date.parse(byStart[i]!.startedAt)).toBeGreaterThanOrEqual(Date.parse(byStart[i - 1]!.finishedAt!));
    expect(runs.every((r) => r.status === 'done')).toBe(true);

    const [status] = await scheduleStatus({ config: app.loaded.config, state: app.state, now: new Date() });
    expect(status).toMatchObject({ sourceId: 'koha', cron: '*/2 * * * * *', timezone: 'UTC', watchdog: 'ok', lastRun: { runId: runs[0]!.runId, status: 'done' } });
    expect(status!.lastSuccessAt).toBe(runs[0]!.finishedAt);
  }, 180_000);

  it('a firing while the source has an unfinished run joins that run instead of starting another', async () => {
    const { app } = harness!;
    // A run whose process died before its first page: recorded, holding the source.
    await app.state.createRun({ runId: 'r-unfinished', mode: 'incremental', units: ['koha'], startedAt: new Date().toISOString() });
    await app.state.acquireLease('koha', 'r-unfinished', 60_000);
    const before = (await app.state.listRuns(50)).length;
    expect(await startScheduledRun(app, { sourceId: 'koha', kind: 'full' }, nullLogger)).toEqual({ joined: 'r-unfinished' });
    expect((await app.state.listRuns(50)).length).toBe(before);
    await app.state.finishSource('r-unfinished', 'koha', { status: 'failed', error: 'test', at: new Date().toISOString() });
  }, 30_000);
});

describe('installing schedules', () => {
  const prefix = `pb-test-sched-${randomBytes(3).toString('hex')}`;
  prefixes.push(prefix);
  const install = (config: Config) => installSchedules(redis, prefix, scheduleSpecs(config));

  it('is idempotent, follows changes of the configuration and removes only our schedulers no longer configured', async () => {
    const nightly = withSchedules({ koha: { cron: '0 2 * * *', grace_minutes: 120 }, other: undefined });
    expect(await install(nightly)).toEqual({ added: ['sync.koha.incremental'], changed: [], removed: [], unchanged: [] });
    expect(await install(nightly)).toEqual({ added: [], changed: [], removed: [], unchanged: ['sync.koha.incremental'] });
    expect(await listSchedules(redis, prefix)).toEqual({
      schedules: [{ id: 'sync.koha.incremental', pattern: '0 2 * * *', tz: 'Europe/Berlin', data: { sourceId: 'koha', kind: 'incremental' }, next: expect.any(Number) }],
      pending: 1,
    });

    // Someone else's scheduler on the same queue is not ours to remove.
    const queue = new Queue('schedules', { connection: redis, prefix });
    await queue.upsertJobScheduler('someone-else', { pattern: '0 5 * * *' });

    const changed = withSchedules({ koha: { cron: '30 1 * * *', full_cron: '0 3 * * 0', timezone: 'UTC', grace_minutes: 60 }, other: { cron: '0 4 * * *', grace_minutes: 120 } });
    expect(await install(changed)).toEqual({ added: ['sync.koha.full', 'sync.other.incremental'], changed: ['sync.koha.incremental'], removed: [], unchanged: [] });
    expect((await listSchedules(redis, prefix)).schedules.map((s) => [s.id, s.pattern, s.tz])).toEqual([
      ['sync.koha.full', '0 3 * * 0', 'UTC'],
      ['sync.koha.incremental', '30 1 * * *', 'UTC'],
      ['sync.other.incremental', '0 4 * * *', 'Europe/Berlin'],
    ]);
    expect((await listSchedules(redis, prefix)).pending).toBe(3);

    const removed = withSchedules({ koha: { cron: '30 1 * * *', timezone: 'UTC', grace_minutes: 60 } });
    expect(await install(removed)).toEqual({ added: [], changed: [], removed: ['sync.koha.full', 'sync.other.incremental'], unchanged: ['sync.koha.incremental'] });
    expect(await install(withSchedules({ koha: undefined }))).toEqual({ added: [], changed: [], removed: ['sync.koha.incremental'], unchanged: [] });
    expect(await listSchedules(redis, prefix)).toEqual({ schedules: [], pending: 0 });
    expect((await queue.getJobSchedulers()).map((s) => s.key)).toEqual(['someone-else']);
    await queue.close();
  });
});
