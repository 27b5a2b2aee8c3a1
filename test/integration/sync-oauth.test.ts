/** A sync over OAuth2 client credentials: the token is fetched once, and renewed when Koha expires it. */
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { bootstrapCustomFields, createCiviClient } from '../../connectors/civicrm/index.js';
import { createApp, type App } from '../../src/app.js';
import { nullLogger } from '../../src/core/logger.js';
import { SANDBOX_CREDENTIALS, startSandboxes, type SandboxEnvironment } from '../../src/sandbox/environment.js';
import { sandboxConfig } from '../../src/sandbox/sandbox-config.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `pb-test-${randomBytes(4).toString('hex')}`;
let env: SandboxEnvironment;
let app: App;

async function sync(mode: 'incremental' | 'full') {
  const outcome = await app.waitForRun(await app.enqueueRun(mode));
  if ('failedToStart' in outcome) throw new Error(outcome.failedToStart);
  return outcome.report;
}

beforeAll(async () => {
  env = await startSandboxes({ patrons: 300, seed: 3 });
  const loaded = sandboxConfig(env, { redisUrl: REDIS_URL, prefix, auth: 'oauth2', pageSize: 50 });
  app = await createApp(loaded, nullLogger);
  const admin = createCiviClient({ ...loaded.config.crm, api_key: SANDBOX_CREDENTIALS.civicrm.admin }, { logger: nullLogger });
  await bootstrapCustomFields(admin, app.deps.sources.get('koha')!.mapping.customGroups);
  app.startWorkers();
});

afterAll(async () => {
  await app?.close();
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await env?.stop();
});

it('syncs over OAuth2 with one token request, and renews an expired token without failing the run', async () => {
  const first = await sync('full');
  expect(first.status).toBe('done');
  expect(first.sources[0]!.read).toBe(300);
  expect(env.koha.stats.byRoute['POST /oauth/token']).toBe(1);

  env.koha.expireTokens();
  const rejected = new Set(first.sources[0]!.rejections.map((r) => r.recordId));
  const written = env.dataset.patrons.find((p) => !p.anonymized && !rejected.has(String(p.patron_id)) && p.surname)!;
  env.koha.updatePatron(written.patron_id, { city: 'Tokenville' });
  const second = await sync('incremental');
  expect(second.status).toBe('done');
  expect(second.sources[0]).toMatchObject({ updated: 1, created: 0, rejected: 0 });
  expect(env.koha.stats.byRoute['POST /oauth/token']).toBe(2);
});
