/**
 * Runs as library IT staff start them, through the real command in child processes against the
 * sandbox servers: a sync before `crm bootstrap` fails fast and moves nothing; two `sync --once` at
 * once write like one run; a record that keeps failing is listed, replayed and written once fixed.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { SANDBOX_CREDENTIALS, startSandboxes, type SandboxEnvironment } from '../../src/sandbox/environment.js';
import { patronsOnlyMapping } from './patrons-only.js';
import { sandboxConfig } from '../../src/sandbox/sandbox-config.js';
import type { FailureEntry, RunReport } from '../../src/state/ports.js';
import { ensureBuilt, runCli, writeConfig } from './cli-process.js';
import { isWritable, lookalikeIds } from './dataset-rules.js';
import { REDIS_URL } from './sync-harness.js';

const PATRONS = 400;
const PAGE = 50;

let env: SandboxEnvironment;
let dir: string;
const prefixes: string[] = [];

beforeAll(async () => {
  ensureBuilt();
  dir = await mkdtemp(path.join(os.tmpdir(), 'pb-runs-'));
}, 120_000);
afterAll(async () => {
  await env?.stop();
  const redis = new Redis(REDIS_URL);
  for (const p of prefixes) {
    const keys = await redis.keys(`${p}:*`);
    if (keys.length) await redis.del(...keys);
  }
  redis.disconnect();
});

/** Fresh sandboxes (nothing bootstrapped) and a config file with its own Redis prefix. */
async function setUp(name: string, civiLatencyMs = 0): Promise<string> {
  await env?.stop();
  env = await startSandboxes({ patrons: PATRONS, seed: 5, civiLatencyMs });
  const prefix = `pb-test-${name}-${randomBytes(3).toString('hex')}`;
  prefixes.push(prefix);
  const loaded = sandboxConfig(env, { redisUrl: REDIS_URL, prefix, mapping: patronsOnlyMapping(), pageSize: PAGE, batchSize: PAGE });
  return writeConfig(path.join(dir, `${name}.yaml`), loaded.config);
}

const bootstrap = (file: string) => runCli(['crm', 'bootstrap', '--config', file], { env: { CIVICRM_ADMIN_API_KEY: SANDBOX_CREDENTIALS.civicrm.admin } });

/** By hand from the generated data: skipped, rejected and look-alike patrons (held for a person) do not become contacts. */
const writable = () => {
  const held = new Set(lookalikeIds(env.dataset.patrons));
  return env.dataset.patrons.filter((p) => isWritable(p) && !held.has(String(p.patron_id)));
};

function contactsByExternalId(): Map<string, number> {
  const count = new Map<string, number>();
  for (const c of env.civi.rows('Contact')) {
    const ext = String(c.external_identifier ?? '');
    if (ext.startsWith('koha:') && !c.is_deleted) count.set(ext, (count.get(ext) ?? 0) + 1);
  }
  return count;
}

async function lastRuns(file: string): Promise<RunReport[]> {
  return JSON.parse((await runCli(['report', '--last', '10', '--json', '--config', file])).stdout) as RunReport[];
}

describe('runs through the command line', () => {
  it('a sync before crm bootstrap stops before reading anything, naming the missing fields and the command; after bootstrap every patron arrives', async () => {
    const file = await setUp('bootstrap');
    const early = await runCli(['sync', '--once', '--config', file]);
    expect(early.code).toBe(1);
    expect(early.stdout).toMatch(/CiviCRM has no writable Contact field "Library_Patron\.Card_Number".*crm bootstrap/);
    expect(env.koha.stats.byRoute['GET /patrons'] ?? 0).toBe(0);
    expect(env.civi.stats.byAction['Contact.save'] ?? 0).toBe(0);

    expect((await bootstrap(file)).code).toBe(0);
    const after = await runCli(['sync', '--once', '--json', '--config', file]);
    expect(after.code).toBe(3); // done, with rejected patrons to look at
    const report = JSON.parse(after.stdout) as RunReport;
    // The failed run moved no cursor: this incremental run still reads everything.
    expect(report.sources[0]).toMatchObject({ status: 'done', read: PATRONS, created: writable().length });
    expect(contactsByExternalId().size).toBe(writable().length);
  }, 60_000);

  it('two sync --once of one source at once: one joins or is refused, and the CRM is written as by one run', async () => {
    const file = await setUp('twice', 20);
    expect((await bootstrap(file)).code).toBe(0);
    env.civi.resetStats();
    const [a, b] = await Promise.all([runCli(['sync', '--once', '--config', file], { timeoutMs: 60_000 }), runCli(['sync', '--once', '--config', file], { timeoutMs: 60_000 })]);
    expect([a.hung, b.hung]).toEqual([false, false]);
    const outcomes = [a, b].map((r) => (r.code === 1 ? r.output : 'report'));
    // Either both print the one run's report (one joined the other) or one was refused, saying why.
    for (const o of outcomes) if (o !== 'report') expect(o).toMatch(/being synced by run/);
    expect(outcomes).toContain('report');
    const runs = await lastRuns(file);
    const done = runs.filter((r) => r.status === 'done');
    expect(done).toHaveLength(1);
    expect(done[0]!.sources[0]!.created).toBe(writable().length);
    // One Contact.save per page with writable patrons: as one run, never twice.
    expect(env.civi.stats.byAction['Contact.save']).toBeLessThanOrEqual(PATRONS / PAGE);
    expect(Math.max(...contactsByExternalId().values())).toBe(1);
  }, 90_000);

  it('a record that fails until its data is fixed is listed, replayed by id, and then written', async () => {
    const file = await setUp('replay');
    expect((await bootstrap(file)).code).toBe(0);
    const nameless = env.dataset.patrons.find((p) => !p.anonymized && (p.surname ?? '').trim() === '')!;
    expect((await runCli(['sync', '--once', '--config', file])).code).toBe(3);

    const listed = await runCli(['failures', 'list', '--json', '--config', file]);
    const kept = JSON.parse(listed.stdout) as FailureEntry[];
    expect(kept.find((f) => f.recordId === String(nameless.patron_id))).toMatchObject({
      sourceId: 'koha', stream: 'patrons', code: 'RECORD_INVALID', attempts: 1, runs: 1, parked: false, reason: expect.stringContaining('surname'),
    });
    const text = await runCli(['failures', 'list', '--config', file]);
    expect(text.stdout).toContain(String(nameless.patron_id));
    expect(text.stdout).toMatch(/kept failure\(s\), 0 parked/);

    // Fixed in Koha by a script that left updated_on alone: only the kept failure brings it back.
    env.koha.updatePatron(nameless.patron_id, { surname: 'Fixedname', updated_on: nameless.updated_on });
    const replay = await runCli(['failures', 'replay', '--id', String(nameless.patron_id), '--json', '--config', file]);
    const report = JSON.parse(replay.stdout) as RunReport;
    expect(report).toMatchObject({ mode: 'replay', status: 'done' });
    expect(report.sources[0]).toMatchObject({ retried: 1, created: 1, rejected: 0 });
    expect(env.civi.rows('Contact').find((c) => c.external_identifier === `koha:${nameless.patron_id}`)).toMatchObject({ last_name: 'Fixedname' });
    const left = JSON.parse((await runCli(['failures', 'list', '--json', '--config', file])).stdout) as FailureEntry[];
    expect(left.some((f) => f.recordId === String(nameless.patron_id))).toBe(false);
    expect(left.length).toBe(kept.length - 1);
  }, 60_000);
});
