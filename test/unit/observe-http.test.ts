import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { nullLogger } from '../../src/core/logger.js';
import type { HealthReport } from '../../src/observe/health.js';
import { createObserveHandler, startObserveServer, type ObserveServer } from '../../src/observe/http.js';

let health: HealthReport = { ok: true, checks: [{ name: 'redis', ok: true, ms: 1 }] };
let metricsText: () => Promise<string> = async () => '# HELP x y\n# TYPE x gauge\nx 1\n';
const handler = createObserveHandler({
  health: async () => health,
  metrics: { contentType: 'text/plain; version=0.0.4; charset=utf-8', text: () => metricsText() },
  logger: nullLogger,
});

let alone: ObserveServer;
let mounted: Server;
let mountedUrl: string;

beforeAll(async () => {
  alone = await startObserveServer({ host: '127.0.0.1', port: 0, handler });
  // Mounted by another server (the status page): it answers what the handler leaves.
  mounted = createServer((req, res) => {
    if (!handler(req, res)) res.end('status page');
  });
  await new Promise<void>((r) => mounted.listen(0, '127.0.0.1', r));
  mountedUrl = `http://127.0.0.1:${(mounted.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await alone.close();
  await new Promise((r) => mounted.close(r));
});

describe('/healthz and /metrics', () => {
  it('/healthz: 200 with the checks when all pass, 503 naming the failed ones otherwise', async () => {
    let res = await fetch(`${alone.url}/healthz`);
    expect([res.status, res.headers.get('content-type')]).toEqual([200, 'application/json; charset=utf-8']);
    expect(await res.json()).toEqual({ ok: true, checks: [{ name: 'redis', ok: true, ms: 1 }] });
    health = { ok: false, checks: [{ name: 'redis', ok: true, ms: 1 }, { name: 'crm', ok: false, ms: 5000, error: 'NETWORK: timeout' }] };
    res = await fetch(`${alone.url}/healthz`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ ...health, failed: ['crm'] });
  });

  it('/metrics: the text in the registry\'s content type; 503 with one line when it cannot be read', async () => {
    let res = await fetch(`${alone.url}/metrics`);
    expect([res.status, res.headers.get('content-type'), await res.text()]).toEqual([200, 'text/plain; version=0.0.4; charset=utf-8', '# HELP x y\n# TYPE x gauge\nx 1\n']);
    metricsText = async () => { throw new Error('Redis is down'); };
    res = await fetch(`${alone.url}/metrics`);
    expect([res.status, await res.text()]).toEqual([503, 'INTERNAL: Redis is down\n']);
  });

  it('other paths: 404 alone, left to the server that mounts it; other methods: 405', async () => {
    expect((await fetch(`${alone.url}/`)).status).toBe(404);
    expect(await (await fetch(`${mountedUrl}/runs`)).text()).toBe('status page');
    expect((await fetch(`${mountedUrl}/healthz`)).status).toBe(503);
    const post = await fetch(`${alone.url}/metrics`, { method: 'POST' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
  });
});
