/**
 * `sync --once` without a terminal (as from cron or a CI job) logs its progress: a line per running
 * stream every `logging.progress_seconds`, and a last one per stream with the figures of its report.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { SandboxEnvironment } from '../../src/sandbox/environment.js';
import type { RunReport } from '../../src/state/ports.js';
import { ensureBuilt, runCli } from './cli-process.js';
import { configFile, startBootstrapped } from './cli-fixtures.js';
import { dropPrefix, REDIS_URL } from './sync-harness.js';

let env: SandboxEnvironment;
const prefix = `pb-test-progress-${randomBytes(3).toString('hex')}`;

beforeAll(async () => {
  ensureBuilt();
  // Every CRM answer takes 100 ms: 10 pages, each a few CRM calls in turn, last well past one progress interval.
  env = await startBootstrapped({ patrons: 200, seed: 3, civiLatencyMs: 100 });
}, 120_000);

afterAll(async () => {
  await env?.stop();
  await dropPrefix(prefix);
});

describe('sync --once without a terminal', () => {
  it('logs progress lines per stream: while it runs, and once at the end with the report\'s figures', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'pb-progress-'));
    const file = await configFile(path.join(dir, 'progress.yaml'), env, {
      redisUrl: REDIS_URL, prefix, pageSize: 20, batchSize: 20, logging: { format: 'json', level: 'info', progress_seconds: 1 },
    });
    const r = await runCli(['sync', '--once', '--json', '--config', file], { timeoutMs: 120_000 });
    expect(r.hung).toBe(false);
    expect([0, 3]).toContain(r.code);
    const report = JSON.parse(r.stdout) as RunReport;
    const progress = r.stderr.split('\n').filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.message === 'progress');

    const running = progress.filter((l) => l.state === 'running');
    expect(running.length).toBeGreaterThan(0);
    for (const l of running) {
      // Koha said on the first page how many patrons the window holds (X-Total-Count): 200.
      expect(l).toMatchObject({ runId: report.runId, sourceId: 'koha', stream: 'patrons', perSecond: expect.any(Number), expected: 200 });
      if ((l.perSecond as number) > 0) expect(l.secondsLeft).toBeGreaterThanOrEqual(0);
      expect(l.read as number).toBeLessThanOrEqual(200);
    }
    for (const row of report.sources) {
      const last = progress.filter((l) => l.stream === row.stream && l.state !== 'running');
      expect(last).toEqual([expect.objectContaining({
        runId: report.runId, sourceId: 'koha', state: 'done', read: row.read,
        written: row.created + row.linked + row.updated + row.deleted, failed: row.rejected,
      })]);
    }
    expect(report.sources.find((s) => s.stream === 'patrons')).toMatchObject({ read: 200, expected: 200 });
  });
});
