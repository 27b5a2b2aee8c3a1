/**
 * `patron-bridge serve`: the status page for IT staff (src/web), on kept state in Redis. It refuses
 * to start without serve.username and serve.password. It shows the schedules with their watchdog
 * (src/schedule) and the health checks (src/observe/health.ts), and answers /healthz and /metrics
 * without a login, for monitoring, like `worker --http-port`.
 */
import type { AddressInfo } from 'node:net';
import { configError, type LoadedConfig } from '../config/load.js';
import type { Logger } from '../core/logger.js';
import { createProducer, jobPolicyOf } from '../../queues/index.js';
import { checkHealth } from '../observe/health.js';
import { createObserveHandler } from '../observe/http.js';
import { createMetrics } from '../observe/metrics.js';
import { scheduleStatus, watchdogStates } from '../schedule/index.js';
import { connectRedis, createRedisState, probeRedis, stateOptionsOf } from '../state/index.js';
import { createWebServer, type WebActions, type WebServerOptions } from '../web/index.js';
import { onStopSignal } from './process-end.js';
import { EXIT, withConfig, type CommonOptions } from './run-cli.js';

export interface ServeOptions extends CommonOptions {
  host?: string;
  port?: number;
}

export interface StatusPage {
  url: string;
  close(): Promise<void>;
}

/** Starts the status page on the configured (or given) host and port; port 0 takes a free one. */
export async function startStatusPage(
  loaded: LoadedConfig,
  logger: Logger,
  opts: { host?: string; port?: number; extra?: WebServerOptions['extra'] } = {},
): Promise<StatusPage> {
  const { config } = loaded;
  const serve = config.serve;
  if (!serve?.username || !serve.password) {
    throw configError(loaded, ['serve'], 'the status page needs serve.username and serve.password (put the password in an environment variable: password: "${PATRON_BRIDGE_SERVE_PASSWORD}")');
  }
  await probeRedis(config.redis.url);
  const redis = connectRedis(config.redis.url, logger, { maxRetriesPerRequest: 1 });
  const state = createRedisState(redis, config.redis.prefix, stateOptionsOf(config.sync));
  const sourceIds = config.sources.map((s) => s.id);
  const health = () => checkHealth({ loaded, logger });
  const metrics = createMetrics({
    watchdog: () => watchdogStates({ config, state, now: new Date() }),
  });
  metrics.bind({ state, sourceIds, queueDepths: () => producer.depths() });
  const observe = createObserveHandler({ health, metrics, logger });
  // The buttons do what the CLI does: an answer is recorded and its record replayed; failures replayed. The
  // replay runs are enqueued for the workers (`patron-bridge worker`), like `sync` without --once.
  const producer = createProducer(redis, config.redis.prefix, jobPolicyOf(config.sync));
  const replay = async (sourceId: string, recordIds: string[]) =>
    ({ runId: await producer.startRun(new Date(), { mode: 'replay', sourceIds: [sourceId], ...(recordIds.length ? { recordIds } : {}) }) });
  const actions: WebActions = {
    async resolveConflict(conflict, resolution) {
      await state.resolveConflict(conflict.sourceId, conflict.id, resolution, new Date().toISOString());
      return replay(conflict.sourceId, [conflict.recordId]);
    },
    replayFailures: replay,
  };
  const server = createWebServer({
    sourceIds,
    state,
    schedules: () => scheduleStatus({ config, state, now: new Date() }),
    health,
    actions,
    credentials: { username: serve.username, password: serve.password, sessionMinutes: serve.session_minutes },
    extra: (req, res) => opts.extra?.(req, res) || observe(req, res),
    logger,
  });
  const host = opts.host ?? serve.host;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? serve.port, host, resolve);
    });
  } catch (err) {
    await producer.close().catch(() => {});
    redis.disconnect();
    throw configError(loaded, ['serve', 'port'], `cannot listen on ${host}:${opts.port ?? serve.port}: ${(err as Error).message}`);
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await producer.close().catch(() => {});
      redis.disconnect();
    },
  };
}

export async function serveCommand(opts: ServeOptions): Promise<number> {
  return withConfig(opts, async (loaded, logger) => {
    const page = await startStatusPage(loaded, logger, { ...(opts.host ? { host: opts.host } : {}), ...(opts.port !== undefined ? { port: opts.port } : {}) });
    process.stdout.write(`status page on ${page.url} (SIGTERM or Ctrl-C stops it)\n`);
    await new Promise<void>((resolve) => onStopSignal(resolve));
    await page.close();
    return EXIT.ok;
  });
}
