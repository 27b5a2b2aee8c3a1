/** /healthz and /metrics for a running app: the handler (for any server) and the worker's own server. */
import type { App } from '../app.js';
import type { Logger } from '../core/logger.js';
import { checkHealth } from './health.js';
import { createObserveHandler, startObserveServer, type ObserveHandler, type ObserveServer } from './http.js';
import type { Metrics } from './metrics.js';

/** Binds `metrics` to the app's Redis state and queues; the handler answers /healthz and /metrics. */
export function observeHandlerFor(app: App, metrics: Metrics, logger: Logger): ObserveHandler {
  metrics.bind({ state: app.state, sourceIds: app.loaded.config.sources.map((s) => s.id), queueDepths: () => app.queueDepths() });
  return createObserveHandler({ health: () => checkHealth({ loaded: app.loaded, logger }), metrics, logger });
}

/** Starts serving when a port is given (`--http-port`, else `http.port`); null when none is. */
export async function serveObservability(
  app: App, metrics: Metrics, logger: Logger, port: number | undefined = app.loaded.config.http.port,
): Promise<ObserveServer | null> {
  if (port === undefined) return null;
  const server = await startObserveServer({ host: app.loaded.config.http.host, port, handler: observeHandlerFor(app, metrics, logger) });
  logger.info('serving /healthz and /metrics', { url: server.url });
  return server;
}

