/** Sandboxes + a full app with workers on real Redis under a fresh key prefix, for sync tests. */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { bootstrapCustomFields, createCiviClient } from '../../connectors/civicrm/index.js';
import { createApp, type App } from '../../src/app.js';
import { nullLogger } from '../../src/core/logger.js';
import type { LoadedConfig } from '../../src/config/load.js';
import type { CiviFaultOptions } from '../../src/sandbox/civicrm/index.js';
import { SANDBOX_CREDENTIALS, startSandboxes, type SandboxEnvironment } from '../../src/sandbox/environment.js';
import { sandboxConfig, type SandboxConfigOptions } from '../../src/sandbox/sandbox-config.js';
import type { RunReport } from '../../src/state/ports.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface SyncHarness {
  env: SandboxEnvironment;
  app: App;
  loaded: LoadedConfig;
  /** Enqueue a run and wait for its report. */
  sync(mode: 'incremental' | 'full'): Promise<RunReport>;
  /** Close the app, drop its Redis keys, stop the sandboxes. */
  stop(): Promise<void>;
}

export async function startSyncHarness(
  opts: { patrons: number; seed: number; civiFaults?: CiviFaultOptions } & Omit<SandboxConfigOptions, 'redisUrl' | 'prefix'>,
): Promise<SyncHarness> {
  const { patrons, seed, civiFaults, ...configOpts } = opts;
  const prefix = `pb-test-${randomBytes(4).toString('hex')}`;
  const env = await startSandboxes({ patrons, seed, ...(civiFaults ? { civiFaults } : {}) });
  const loaded = sandboxConfig(env, { ...configOpts, redisUrl: REDIS_URL, prefix });
  const app = await createApp(loaded, nullLogger);
  const admin = createCiviClient({ ...loaded.config.crm, api_key: SANDBOX_CREDENTIALS.civicrm.admin }, { logger: nullLogger });
  await bootstrapCustomFields(admin, app.deps.sources.get('koha')!.mapping.customGroups);
  app.startWorkers();
  return {
    env,
    app,
    loaded,
    async sync(mode) {
      const outcome = await app.waitForRun(await app.enqueueRun(mode));
      if ('failedToStart' in outcome) throw new Error(outcome.failedToStart);
      return outcome.report;
    },
    async stop() {
      await app.close();
      const redis = new Redis(REDIS_URL);
      const keys = await redis.keys(`${prefix}:*`);
      if (keys.length) await redis.del(...keys);
      redis.disconnect();
      await env.stop();
    },
  };
}
