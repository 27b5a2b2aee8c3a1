/**
 * The nightly job killed mid-run (SIGKILL of `sync --once`) and started again: the run resumes from
 * its last committed page instead of starting over, the CRM gets no page twice beyond the one in
 * flight, and the report counts every patron once. Real child processes, real Redis, sandbox servers.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { bootstrapCrm, createCiviClient } from '../../connectors/civicrm/index.js';
import { crmNeedsOf } from '../../src/cli/crm-setup.js';
import { nullLogger } from '../../src/core/logger.js';
import { loadMapping } from '../../src/mapping/index.js';
import { bundledMapping } from '../../src/core/paths.js';
import { SANDBOX_CREDENTIALS, startSandboxes, type SandboxEnvironment } from '../../src/sandbox/environment.js';
import { patronsOnlyMapping } from './patrons-only.js';
import { sandboxConfig } from '../../src/sandbox/sandbox-config.js';
import type { RunReport } from '../../src/state/ports.js';
import { ensureBuilt, runCli, spawnCli, writeConfig } from './cli-process.js';
import { REDIS_URL } from './sync-harness.js';

const PATRONS = 1000;
const PAGE = 100;

let env: SandboxEnvironment;
let redis: Redis;
let dir: string;

beforeAll(async () => {
  ensureBuilt();
  redis = new Redis(REDIS_URL);
  dir = await mkdtemp(path.join(os.tmpdir(), 'pb-crash-'));
}, 120_000);
afterAll(async () => {
  redis?.disconnect();
});

/** Fresh sandboxes (slowed CRM: 40 ms an answer) and a config file with its own Redis prefix. */
async function setUp(name: string): Promise<{ file: string; prefix: string }> {
  await env?.stop();
  env = await startSandboxes({ patrons: PATRONS, seed: 11, civiLatencyMs: 40 });
  const prefix = `pb-test-${name}-${randomBytes(3).toString('hex')}`;
  const loaded = sandboxConfig(env, { redisUrl: REDIS_URL, prefix, mapping: patronsOnlyMapping(), pageSize: PAGE, batchSize: PAGE });
  const admin = createCiviClient({ ...loaded.config.crm, api_key: SANDBOX_CREDENTIALS.civicrm.admin }, { logger: nullLogger });
  await bootstrapCrm(admin, crmNeedsOf([await loadMapping(bundledMapping(), 'koha')], {}));
  const config = { ...loaded.config, sync: { ...loaded.config.sync, concurrency: 1, stall_seconds: 2, lease_seconds: 20 } };
  return { file: await writeConfig(path.join(dir, `${name}.yaml`), config), prefix };
}

async function committedPages(prefix: string): Promise<number> {
  const keys = await redis.keys(`${prefix}:state:run:*:pages:koha`);
  return keys.length ? redis.hlen(keys[0]!) : 0;
}

async function until(what: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await what())) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function reports(file: string): Promise<RunReport[]> {
  const r = await runCli(['report', '--last', '10', '--json', '--config', file]);
  return JSON.parse(r.stdout) as RunReport[];
}

function contactsByExternalId(): Map<string, number> {
  const count = new Map<string, number>();
  for (const c of env.civi.rows('Contact')) {
    const ext = String(c.external_identifier ?? '');
    if (ext.startsWith('koha:')) count.set(ext, (count.get(ext) ?? 0) + 1);
  }
  return count;
}

describe('a crash in the middle of a full load', () => {
  afterAll(async () => env?.stop());

  it('SIGKILL at 40%, then sync --once again: the same run resumes and finishes; no page is written twice beyond the one in flight', async () => {
    const { file } = await setUp('kill');
    const { prefix } = { prefix: JSON.parse(await (await import('node:fs/promises')).readFile(file, 'utf8')).redis.prefix as string };
    const first = spawnCli(['sync', '--once', '--full', '--config', file]);
    await until(async () => (await committedPages(prefix)) >= 4, 60_000);
    first.child.kill('SIGKILL');
    const killed = await first.done;
    expect(killed.signal).toBe('SIGKILL');
    const [interrupted] = await reports(file);
    expect(interrupted?.status).toBe('running');

    const second = await runCli(['sync', '--once', '--config', file], { timeoutMs: 90_000 });
    expect(second.hung).toBe(false);
    expect(second.stderr).toContain(`continuing unfinished run ${interrupted!.runId}`);
    expect([0, 3]).toContain(second.code);

    const runs = await reports(file);
    expect(runs).toHaveLength(1);
    const run = runs[0]!;
    expect(run).toMatchObject({ runId: interrupted!.runId, status: 'done', mode: 'full' });
    const src = run.sources[0]!;
    expect(src.read).toBe(PATRONS);
    expect(src.created + src.rejected + src.skipped + src.held).toBe(PATRONS);
    // 10 full pages of 100 patrons, one Contact.save each; at most the page in flight is saved again.
    expect(env.civi.stats.byAction['Contact.save']).toBeLessThanOrEqual(PATRONS / PAGE + 1);
    const contacts = contactsByExternalId();
    expect(contacts.size).toBe(src.created);
    expect(Math.max(...contacts.values())).toBe(1);
  }, 180_000);
});
