/**
 * `sync --dry-run` and `mapping preview` as library IT staff run them, in child processes against the
 * sandboxes: before the first night the dry run prints what would happen and writes the plan file,
 * while the CRM stays empty and Redis holds nothing of it; the real run then does what it said; after a
 * change in Koha the dry run shows the update field by field. Expected values from the generated data.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import type { SandboxEnvironment } from '../../src/sandbox/environment.js';
import type { KohaPatron } from '../../src/sandbox/koha/types.js';
import { configFile, startBootstrapped } from './cli-fixtures.js';
import { ensureBuilt, runCli } from './cli-process.js';
import { isWritable, lookalikeIds } from './dataset-rules.js';
import { dropPrefix, REDIS_URL } from './sync-harness.js';

let env: SandboxEnvironment;
let dir: string;
let file: string;
let redis: Redis;
const prefix = `pb-test-dryrun-cli-${randomBytes(3).toString('hex')}`;

/** In the order a full run reads them (updated_on, patron_id). */
const inReadOrder = (): KohaPatron[] => [...env.dataset.patrons].sort((a, b) => Date.parse(a.updated_on) - Date.parse(b.updated_on) || a.patron_id - b.patron_id);
/** The counts of one row of the plan's table: read, created, linked, updated, unchanged, held, rejected, skipped, deleted, conflicts. */
function row(stdout: string, stream: string): number[] {
  const line = stdout.split('\n').find((l) => new RegExp(`^koha\\s+${stream}\\s`).test(l));
  if (!line) throw new Error(`no ${stream} row in:\n${stdout}`);
  return line.trim().split(/\s+/).slice(2).map(Number);
}

beforeAll(async () => {
  ensureBuilt();
  env = await startBootstrapped({ patrons: 60, seed: 7 });
  dir = await mkdtemp(path.join(os.tmpdir(), 'pb-dryrun-'));
  file = await configFile(path.join(dir, 'config.yaml'), env, { redisUrl: REDIS_URL, prefix, pageSize: 20, batchSize: 20 });
  redis = new Redis(REDIS_URL);
}, 120_000);
afterAll(async () => {
  await dropPrefix(prefix, redis);
  redis.disconnect();
  await env?.stop();
});

describe('patron-bridge mapping preview', () => {
  it('shows the first patrons field by field, and what becomes of those that are not written; writes nothing', async () => {
    const first = inReadOrder().slice(0, 8);
    const r = await runCli(['mapping', 'preview', '--limit', '8', '--config', file], { timeoutMs: 60_000 });
    expect(r.code).toBe(0);
    for (const p of first) {
      if (p.anonymized) expect(r.stdout).toContain(`koha: patron ${p.patron_id}: skipped: `);
      else if (!isWritable(p)) expect(r.stdout).toMatch(new RegExp(`koha: patron ${p.patron_id}: rejected: RECORD_INVALID: .*surname`));
      else expect(r.stdout).toContain(`koha: patron ${p.patron_id} → contact koha:${p.patron_id}`);
    }
    const plain = first.find((p) => isWritable(p) && /^[A-Za-z]+$/.test(p.surname ?? ''))!;
    expect(r.stdout).toMatch(new RegExp(`^  surname +→ last_name: "${plain.surname}"$`, 'm'));
    const json = JSON.parse((await runCli(['mapping', 'preview', '--limit', '2', '--json', '--config', file])).stdout);
    expect(json[0].records.map((x: { recordId: string }) => x.recordId)).toEqual(first.slice(0, 2).map((p) => String(p.patron_id)));
    expect(env.civi.rows('Contact').filter((c) => String(c.external_identifier ?? '').startsWith('koha:'))).toEqual([]);
    expect(await redis.keys(`${prefix}:*`)).toEqual([]);
  }, 60_000);
});

describe('patron-bridge sync --dry-run', () => {
  it('before the first night: prints what would happen, writes the plan file, and leaves the CRM and Redis untouched', async () => {
    const held = new Set(lookalikeIds(env.dataset.patrons));
    const created = env.dataset.patrons.filter((p) => isWritable(p) && !held.has(String(p.patron_id))).map((p) => String(p.patron_id)).sort();
    const rejected = env.dataset.patrons.filter((p) => !p.anonymized && !isWritable(p)).map((p) => String(p.patron_id)).sort();
    const planFile = path.join(dir, 'plan.json');

    const r = await runCli(['sync', '--dry-run', '--plan', planFile, '--config', file], { timeoutMs: 60_000 });
    expect(rejected.length).toBeGreaterThan(0);
    expect(r.code).toBe(3); // a patron without a surname would be rejected
    expect(r.stdout).toContain('DRY RUN (incremental): nothing was written to the CRM');
    const [read, made, , , , heldCount, rejectedCount] = row(r.stdout, 'patrons');
    expect([read, made, heldCount, rejectedCount]).toEqual([60, created.length, held.size, rejected.length]);
    for (const id of rejected) expect(r.stdout).toMatch(new RegExp(`record ${id}: RECORD_INVALID: .*surname`));
    expect(r.stdout).toContain(`the full plan (every record, with values) is in ${planFile}`);

    const plan = JSON.parse(await readFile(planFile, 'utf8'));
    const patrons = plan.streams.find((s: { stream: string }) => s.stream === 'patrons');
    expect(patrons.records.filter((x: { action: string }) => x.action === 'created').map((x: { recordId: string }) => x.recordId).sort()).toEqual(created);
    expect((await stat(planFile)).mode & 0o777).toBe(0o600);
    expect(env.civi.rows('Contact').filter((c) => String(c.external_identifier ?? '').startsWith('koha:'))).toEqual([]);
    expect(await redis.keys(`${prefix}:*`)).toEqual([]);

    const real = await runCli(['sync', '--once', '--json', '--config', file], { timeoutMs: 60_000 });
    expect(JSON.parse(real.stdout).sources[0]).toMatchObject({ read: 60, created: created.length, held: held.size, rejected: rejected.length });
  }, 120_000);

  it('after a change in Koha: shows the update field by field, before → after', async () => {
    const p = inReadOrder().find((x) => isWritable(x) && !lookalikeIds(env.dataset.patrons).includes(String(x.patron_id)) && (x.city ?? '').trim() !== '')!;
    env.koha.updatePatron(p.patron_id, { city: 'Dryrunville' });
    const r = await runCli(['sync', '--dry-run', '--sample', '3', '--config', file], { timeoutMs: 60_000 });
    expect(r.stdout).toContain(`koha/patrons: updated: ${p.patron_id}`);
    expect(r.stdout).toContain('koha/patrons: 1 of 1 update(s), field by field (before → after):');
    expect(r.stdout).toContain(`  record ${p.patron_id} → contact `);
    expect(r.stdout).toContain(`    address_primary.city: ${JSON.stringify(p.city!.trim())} → "Dryrunville"`);
  }, 60_000);
});
