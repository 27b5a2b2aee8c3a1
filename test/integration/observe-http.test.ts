/**
 * What a monitoring system sees of a long-lived worker: `worker --http-port` against the sandboxes
 * answers /healthz (200, then 503 naming the CRM once it is stopped) and /metrics (Prometheus text
 * with the run's records by outcome, the source's last success and request latencies), and its JSON
 * log lines of a job carry the run, source, stream and job id.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { SandboxEnvironment } from '../../src/sandbox/environment.js';
import { SANDBOX_CREDENTIALS } from '../../src/sandbox/environment.js';
import { ensureBuilt, runCli, spawnCli, type CliRun } from './cli-process.js';
import { configFile, endWithin, startBootstrapped, until } from './cli-fixtures.js';
import { isWritable, lookalikeIds } from './dataset-rules.js';
import { freePort } from './ports.js';
import { dropPrefix, REDIS_URL } from './sync-harness.js';
import { parsePromText, sampleValue } from '../unit/prom-text.js';

const PATRONS = 120;

let env: SandboxEnvironment;
let worker: CliRun | undefined;
let file: string;
let base: string;
const prefix = `pb-test-observe-${randomBytes(3).toString('hex')}`;
let civiStopped = false;


async function get(p: string): Promise<{ status: number; type: string; body: string }> {
  const res = await fetch(`${base}${p}`);
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

beforeAll(async () => {
  ensureBuilt();
  env = await startBootstrapped({ patrons: PATRONS, seed: 11 });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pb-observe-'));
  file = await configFile(path.join(dir, 'observe.yaml'), env, { redisUrl: REDIS_URL, prefix, pageSize: 25, batchSize: 25, logging: { format: 'json', level: 'info' } });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  worker = spawnCli(['worker', '--http-port', String(port), '--config', file]);
  await until(async () => (await fetch(`${base}/healthz`).then(() => true, () => false)), 30_000, `worker did not serve /healthz: ${worker.output()}`);
}, 120_000);

afterAll(async () => {
  worker?.child.kill('SIGKILL');
  await env?.koha.stop();
  if (!civiStopped) await env?.civi.stop();
  await dropPrefix(prefix);
});

describe('worker --http-port', () => {
  it('/healthz is 200 with Redis, the CRM and the source reachable', async () => {
    const r = await get('/healthz');
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^application\/json/);
    const body = JSON.parse(r.body) as { ok: boolean; checks: Array<{ name: string; ok: boolean; ms: number }> };
    expect(body.ok).toBe(true);
    expect(body.checks.map((c) => [c.name, c.ok])).toEqual([['redis', true], ['crm', true], ['source:koha', true]]);
  });

  it('/metrics after a run the worker did shows its records by outcome, the last success and request latencies', async () => {
    const before = Date.now();
    const enqueued = await runCli(['sync', '--json', '--config', file]);
    expect(enqueued.code).toBe(0);
    let samples = parsePromText((await get('/metrics')).body);
    await until(async () => {
      samples = parsePromText((await get('/metrics')).body);
      return sampleValue(samples, 'patron_bridge_last_success_timestamp_seconds', { source: 'koha' }) !== undefined;
    }, 60_000, 'the run did not succeed');
    const metrics = await get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.type).toMatch(/^text\/plain; version=0\.0\.4/);
    samples = parsePromText(metrics.body);

    // By hand from the generated data: skipped, rejected and look-alike patrons (held) are not created.
    const held = new Set(lookalikeIds(env.dataset.patrons));
    const created = env.dataset.patrons.filter((p) => isWritable(p) && !held.has(String(p.patron_id))).length;
    const rejected = env.dataset.patrons.filter((p) => !p.anonymized && (p.surname ?? '').trim() === '').length;
    const rec = (outcome: string) => sampleValue(samples, 'patron_bridge_last_run_records', { source: 'koha', stream: 'patrons', outcome });
    expect(rec('created')).toBe(created);
    expect(rec('rejected')).toBe(rejected);
    expect(rec('held')).toBe(held.size);
    expect(rec('updated')).toBe(0);
    expect(sampleValue(samples, 'patron_bridge_last_run_read', { source: 'koha', stream: 'patrons' })).toBe(PATRONS);
    expect(sampleValue(samples, 'patron_bridge_runs', { source: 'koha', status: 'done' })).toBe(1);
    const lastSuccess = sampleValue(samples, 'patron_bridge_last_success_timestamp_seconds', { source: 'koha' })! * 1000;
    expect(lastSuccess).toBeGreaterThanOrEqual(before - 1000);
    expect(lastSuccess).toBeLessThanOrEqual(Date.now());

    expect(sampleValue(samples, 'patron_bridge_crm_request_duration_seconds_count', { action: 'Contact.save', outcome: 'ok' })).toBeGreaterThan(0);
    expect(sampleValue(samples, 'patron_bridge_koha_request_duration_seconds_count', { source: 'koha', route: '/patrons', outcome: 'ok' })).toBeGreaterThanOrEqual(PATRONS / 25);
    expect(sampleValue(samples, 'patron_bridge_queue_jobs', { queue: 'pages', state: 'waiting' })).toBe(0);
    // Labels carry routes and Entity.action, never ids.
    for (const s of samples) expect(Object.values(s.labels).join(' ')).not.toMatch(/koha:\d|patron_id|\/patrons\/\d/);
  });

  it('its log lines of a page job carry run id, source, stream and job id', () => {
    const lines = worker!.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    const pages = lines.filter((l) => l.message === 'page done');
    expect(pages.length).toBeGreaterThan(0);
    for (const l of pages) {
      expect(l).toMatchObject({ sourceId: 'koha', stream: expect.stringMatching(/^[a-z]+$/), runId: expect.any(String), jobId: expect.any(String) });
      expect(String(l.jobId)).toContain(String(l.runId));
    }
  });

  it('/healthz is 503 naming the CRM once it is stopped, with a safe error line', async () => {
    await env.civi.stop();
    civiStopped = true;
    const r = await get('/healthz');
    expect(r.status).toBe(503);
    const body = JSON.parse(r.body) as { ok: boolean; failed: string[]; checks: Array<{ name: string; ok: boolean; error?: string }> };
    expect(body.ok).toBe(false);
    expect(body.failed).toEqual(['crm']);
    const crm = body.checks.find((c) => c.name === 'crm')!;
    expect(crm.error).toMatch(/CiviCRM unreachable/);
    expect(r.body).not.toContain(SANDBOX_CREDENTIALS.civicrm.sync);
    expect(body.checks.filter((c) => c.ok).map((c) => c.name)).toEqual(['redis', 'source:koha']);
  });

  it('stops on SIGTERM with exit 0', async () => {
    worker!.child.kill('SIGTERM');
    const end = await endWithin(worker!, 45_000);
    expect(end.hung).toBe(false);
    expect(end.code).toBe(0);
    worker = undefined;
  });
});
