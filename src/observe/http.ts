/**
 * `GET /healthz` (200 JSON when every check passes, 503 naming the failed ones) and `GET /metrics`
 * (Prometheus text). The handler can be mounted by another server (the status page); the worker
 * serves it alone with startObserveServer.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BridgeError, describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { HealthReport } from './health.js';
import type { Metrics } from './metrics.js';

export interface ObserveDeps {
  health(): Promise<HealthReport>;
  metrics: Pick<Metrics, 'text' | 'contentType'>;
  logger: Logger;
}

/**
 * True when the request is its own (its path is /healthz or /metrics: answered, asynchronously);
 * false to let the caller answer it. Fits the status page's `extra` hook.
 */
export type ObserveHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

export function createObserveHandler(deps: ObserveDeps): ObserveHandler {
  async function answer(path: string, res: ServerResponse): Promise<void> {
    try {
      if (path === '/healthz') {
        const report = await deps.health();
        const body = report.ok ? report : { ...report, failed: report.checks.filter((c) => !c.ok).map((c) => c.name) };
        send(res, report.ok ? 200 : 503, 'application/json; charset=utf-8', `${JSON.stringify(body)}\n`);
      } else {
        send(res, 200, deps.metrics.contentType, await deps.metrics.text());
      }
    } catch (err) {
      // Metrics read Redis: when it is down the scrape fails visibly rather than showing stale figures.
      const error = describeError(err);
      deps.logger.warn(`${path} failed`, { error });
      send(res, 503, 'text/plain; charset=utf-8', `${error}\n`);
    }
  }
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path !== '/healthz' && path !== '/metrics') return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') send(res, 405, 'text/plain; charset=utf-8', 'method not allowed\n', { Allow: 'GET, HEAD' });
    else void answer(path, res);
    return true;
  };
}

function send(res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Cache-Control': 'no-store', ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

export interface ObserveServer {
  /** e.g. http://127.0.0.1:9464 */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves the handler alone (404 for every other path); resolves once listening. */
export async function startObserveServer(opts: { host: string; port: number; handler: ObserveHandler }): Promise<ObserveServer> {
  const server = createServer((req, res) => {
    if (!opts.handler(req, res)) send(res, 404, 'text/plain; charset=utf-8', 'not found: try /healthz or /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(new BridgeError('CONFIG_INVALID', `cannot serve /healthz and /metrics on ${opts.host}:${opts.port} (${err.code ?? err.message}); check http.host and http.port (or --http-port)`, { context: { system: 'config' } })));
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
