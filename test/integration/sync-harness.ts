/** Sandboxes + a full app with workers on real Redis under a fresh key prefix, for sync tests. */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { bootstrapCrm, createCiviClient } from '../../connectors/civicrm/index.js';
import { crmNeedsOf } from '../../src/cli/crm-setup.js';
import { patronsOnlyMapping } from './patrons-only.js';
import { createApp, type App } from '../../src/app.js';
import { nullLogger } from '../../src/core/logger.js';
import type { LoadedConfig } from '../../src/config/load.js';
import type { CiviFaultOptions } from '../../src/sandbox/civicrm/index.js';
import type { CrmPrefillOptions } from '../../src/sandbox/generator/crm-prefill.js';
import { SANDBOX_CREDENTIALS, startSandboxes, type SandboxEnvironment } from '../../src/sandbox/environment.js';
import { sandboxConfig, type SandboxConfigOptions } from '../../src/sandbox/sandbox-config.js';
import type { RunReport } from '../../src/state/ports.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Deletes every key of a test's prefix, on `redis` or a connection of its own. */
export async function dropPrefix(prefix: string, redis?: Redis): Promise<void> {
  const conn = redis ?? new Redis(REDIS_URL);
  const keys = await conn.keys(`${prefix}:*`);
  if (keys.length) await conn.del(...keys);
  if (!redis) conn.disconnect();
}

type ConfigOptions = Omit<SandboxConfigOptions, 'redisUrl' | 'prefix'>;

export interface SyncHarness {
  env: SandboxEnvironment;
  /** The current app (replaced by `reconfigure`). */
  readonly app: App;
  readonly loaded: LoadedConfig;
  /** Enqueue a run and wait for its report. */
  sync(mode: 'incremental' | 'full' | 'resend'): Promise<RunReport>;
  /** The Redis key prefix of this harness. */
  readonly prefix: string;
  /** Replace the app by one built from other configuration options, on the same Redis state and sandboxes. */
  reconfigure(opts: ConfigOptions): Promise<void>;
  /** Close the app, drop its Redis keys, stop the sandboxes. */
  stop(): Promise<void>;
}

/** `serverTimezone` is the sandbox Koha's clock; `kohaTimezone` what the configuration says (both default to the sandbox zone). */
export async function startSyncHarness(
  opts: { patrons: number; seed: number; serverTimezone?: string; civiTimezone?: string; anonymousPatron?: boolean; clock?: () => Date; civiFaults?: CiviFaultOptions; civiPrefill?: boolean | CrmPrefillOptions } & ConfigOptions,
): Promise<SyncHarness> {
  const { patrons, seed, serverTimezone, civiTimezone, anonymousPatron, clock, civiFaults, civiPrefill, ...configOpts } = opts;
  const prefix = `pb-test-${randomBytes(4).toString('hex')}`;
  const env = await startSandboxes({
    patrons,
    seed,
    ...(serverTimezone !== undefined ? { kohaTimezone: serverTimezone } : {}),
    ...(civiTimezone !== undefined ? { civiTimezone } : {}),
    ...(anonymousPatron ? { anonymousPatron } : {}),
    ...(civiFaults ? { civiFaults } : {}),
    ...(civiPrefill ? { civiPrefill } : {}),
  });

  async function start(options: ConfigOptions): Promise<{ app: App; loaded: LoadedConfig }> {
    const loaded = sandboxConfig(env, { mapping: patronsOnlyMapping(), ...options, redisUrl: REDIS_URL, prefix });
    return { app: await createApp(loaded, nullLogger, clock ? { clock } : {}), loaded };
  }

  let current = await start(configOpts);
  const admin = createCiviClient({ ...current.loaded.config.crm, api_key: SANDBOX_CREDENTIALS.civicrm.admin }, { logger: nullLogger });
  await bootstrapCrm(admin, crmNeedsOf([current.app.deps.sources.get('koha')!.mapping], current.loaded.config.crm));
  current.app.startWorkers();
  return {
    env,
    prefix,
    get app() {
      return current.app;
    },
    get loaded() {
      return current.loaded;
    },
    async sync(mode) {
      const outcome = await current.app.waitForRun(await current.app.enqueueRun(mode));
      if (!('report' in outcome)) throw new Error('failedToStart' in outcome ? outcome.failedToStart : outcome.stopped);
      return outcome.report;
    },
    async reconfigure(options) {
      await current.app.close();
      current = await start(options);
      current.app.startWorkers();
    },
    async stop() {
      await current.app.close();
      await dropPrefix(prefix);
      await env.stop();
    },
  };
}
