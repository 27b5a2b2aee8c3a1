/**
 * The in-memory CRM limiter and the backoff rule (connectors/civicrm/limiter.ts), and the client
 * taking a permit per HTTP attempt: never more held than allowed, backoff down and back up, no
 * permit held while a retry waits, permits given back on errors.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBackoff, createLocalLimiter, rateWindow, type CrmLimiter } from '../../connectors/civicrm/limiter.js';
import { createCiviClient } from '../../connectors/civicrm/client.js';
import { nullLogger } from '../../src/core/logger.js';
import { crmConfig, FAST_RETRY } from './civicrm-fixtures.js';

const tick = () => new Promise<void>((r) => setImmediate(r));

/** A limiter that counts the permits held through it. */
function counting(inner: CrmLimiter): CrmLimiter & { held(): number; most(): number } {
  let held = 0;
  let most = 0;
  return {
    held: () => held,
    most: () => most,
    async acquire() {
      const release = await inner.acquire();
      held += 1;
      most = Math.max(most, held);
      let done = false;
      return async () => {
        if (!done) held -= 1;
        done = true;
        await release();
      };
    },
    onResponse: (info) => inner.onResponse(info),
    concurrency: () => inner.concurrency(),
  };
}

describe('local limiter', () => {
  it('never lets more than its permits be held, and serves every caller', async () => {
    const limiter = createLocalLimiter(3);
    let inside = 0;
    let most = 0;
    let finished = 0;
    const task = async (i: number) => {
      const release = await limiter.acquire();
      inside += 1;
      most = Math.max(most, inside);
      for (let k = 0; k < (i % 4) + 1; k++) await tick();
      inside -= 1;
      await release();
      finished += 1;
    };
    await Promise.all(Array.from({ length: 25 }, (_, i) => task(i)));
    expect(most).toBe(3);
    expect(finished).toBe(25);
  });

  it('serves waiting reads ahead of waiting writes, each kind in the order it came', async () => {
    const limiter = createLocalLimiter(1);
    const held = await limiter.acquire();
    const order: string[] = [];
    const ask = (name: string, read: boolean) => limiter.acquire({ read }).then(async (release) => {
      order.push(name);
      await release();
    });
    const all = [ask('write 1', false), ask('write 2', false), ask('read 1', true), ask('write 3', false), ask('read 2', true)];
    await tick();
    expect(order).toEqual([]);
    await held();
    await Promise.all(all);
    expect(order).toEqual(['read 1', 'read 2', 'write 1', 'write 2', 'write 3']);
  });

  it('a release called twice gives back one permit', async () => {
    const limiter = counting(createLocalLimiter(1));
    const release = await limiter.acquire();
    await release();
    await release();
    const a = await limiter.acquire();
    let second = false;
    const b = limiter.acquire().then((r) => {
      second = true;
      return r;
    });
    await tick();
    expect(second).toBe(false);
    await a();
    await (await b)();
    expect(limiter.most()).toBe(1);
  });

  it('backoff halves the permits on 429/503 and gives them back after successes', async () => {
    let now = 1_000;
    const limiter = createLocalLimiter(8, { backoff: { recoverAfter: 5, now: () => now } });
    expect(limiter.concurrency()).toBe(8);
    limiter.onResponse({ status: 429, latencyMs: 10 });
    expect(limiter.concurrency()).toBe(4);
    // An answer to a request sent before that cut belongs to the same round: no second cut.
    limiter.onResponse({ status: 503, latencyMs: 10 });
    expect(limiter.concurrency()).toBe(4);
    now += 100;
    limiter.onResponse({ status: 503, latencyMs: 50 });
    expect(limiter.concurrency()).toBe(2);
    now += 100;
    limiter.onResponse({ status: 503, latencyMs: 50 });
    now += 100;
    limiter.onResponse({ status: 503, latencyMs: 50 });
    expect(limiter.concurrency()).toBe(1);

    // With one permit, only one holder at a time.
    const first = await limiter.acquire();
    let second = false;
    const next = limiter.acquire().then((r) => ((second = true), r));
    await tick();
    expect(second).toBe(false);

    // Other errors neither cut nor count as successes.
    limiter.onResponse({ status: 400, latencyMs: 10 });
    limiter.onResponse({ latencyMs: 10 });
    expect(limiter.concurrency()).toBe(1);
    const seen: number[] = [];
    for (let i = 0; i < 5 * 7; i++) {
      now += 10;
      limiter.onResponse({ status: 200, latencyMs: 10 });
      seen.push(limiter.concurrency());
    }
    expect(seen[3]).toBe(1);
    expect(seen[4]).toBe(2); // one more after 5 successes
    expect(seen).toEqual([...seen].sort((a, b) => a - b)); // gradually, never down on success
    expect(limiter.concurrency()).toBe(8);
    // A grown limit lets the waiting caller in without a release.
    await tick();
    expect(second).toBe(true);
    await first();
    await (await next)();
  });

  it('a much slower answer than the baseline counts as overload, a slightly slower one does not', () => {
    let now = 0;
    const b = createBackoff(4, undefined, { warmup: 5, now: () => now });
    for (let i = 0; i < 10; i++) {
      now += 100;
      b.observe({ status: 200, latencyMs: 100 });
    }
    now += 300;
    expect(b.observe({ status: 200, latencyMs: 250 })).toBe('none');
    expect(b.ceiling()).toBe(4);
    now += 3000;
    expect(b.observe({ status: 200, latencyMs: 2000 })).toBe('cut');
    expect(b.ceiling()).toBe(2);
  });

  it('judges an answer against earlier answers of its own kind: a batch save slower than the gets is no overload', () => {
    let now = 0;
    const b = createBackoff(4, undefined, { warmup: 5, now: () => now });
    for (let i = 0; i < 10; i++) {
      now += 100;
      b.observe({ status: 200, latencyMs: 20, kind: 'Contact.get' });
      b.observe({ status: 200, latencyMs: 700, kind: 'Contact.save' });
    }
    now += 1000;
    expect(b.observe({ status: 200, latencyMs: 900, kind: 'Contact.save' })).toBe('none');
    expect(b.observe({ status: 200, latencyMs: 30, kind: 'Contact.get' })).toBe('none');
    expect(b.ceiling()).toBe(4);
    now += 3000;
    // A get as slow as the saves is (3× and 500 ms above the gets' baseline).
    expect(b.observe({ status: 200, latencyMs: 700, kind: 'Contact.get' })).toBe('cut');
    expect(b.ceiling()).toBe(2);
  });

  it('rate windows: r ≥ 1 is floor(r) per second, below 1 one per 1/r seconds', () => {
    expect(rateWindow(undefined)).toEqual({ count: 0, windowMs: 0 });
    expect(rateWindow(10)).toEqual({ count: 10, windowMs: 1000 });
    expect(rateWindow(2.5)).toEqual({ count: 2, windowMs: 1000 });
    expect(rateWindow(0.5)).toEqual({ count: 1, windowMs: 2000 });
    expect(() => rateWindow(0)).toThrow(RangeError);
  });
});

describe('CiviCRM client under a limiter', () => {
  let server: Server;
  let base: string;
  let inFlight = 0;
  let mostInFlight = 0;
  /** Answers 503 (Retry-After: 1) to the first request of each call id, then a success. */
  const failedOnce = new Set<string>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        inFlight += 1;
        mostInFlight = Math.max(mostInFlight, inFlight);
        const params = JSON.parse(new URLSearchParams(body).get('params') ?? '{}') as { id?: string };
        const id = String(params.id ?? '');
        setTimeout(() => {
          inFlight -= 1;
          if (id.startsWith('flaky') && !failedOnce.has(id)) {
            failedOnce.add(id);
            res.writeHead(503, { 'Content-Type': 'text/html', 'Retry-After': '1' });
            res.end('<html>unavailable</html>');
            return;
          }
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ entity: 'Contact', action: 'get', version: 4, count: 0, countFetched: 0, values: [] }));
        }, 5);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('holds a permit per HTTP attempt: never more requests at the CRM than permits, all given back after 503s', async () => {
    const limiter = counting(createLocalLimiter(2, { backoff: { recoverAfter: 1000 } }));
    const heldWhileSleeping: number[] = [];
    const client = createCiviClient(crmConfig({ base_url: base, retries: 2 }), {
      logger: nullLogger,
      limiter,
      retry: FAST_RETRY,
      sleep: async () => {
        heldWhileSleeping.push(limiter.held());
      },
    });
    inFlight = 0;
    mostInFlight = 0;
    const calls = Array.from({ length: 12 }, (_, i) => client.call('Contact', 'get', { id: i % 3 === 0 ? `flaky-${i}` : `ok-${i}` }));
    await Promise.all(calls);
    expect(limiter.most()).toBeLessThanOrEqual(2);
    expect(mostInFlight).toBeLessThanOrEqual(2);
    expect(limiter.held()).toBe(0);
    expect(client.requests()).toBe(12 + 4); // four flaky calls, each retried once
    expect(heldWhileSleeping).toHaveLength(4);
    // The 503s cut the permits.
    expect(limiter.concurrency()).toBe(1);
  });

  it('asks for its permit as a read for get, getFields and checkAccess, as a write for the others', async () => {
    const asked: string[] = [];
    const inner = createLocalLimiter(4);
    const limiter: CrmLimiter = { ...inner, acquire: (how) => { asked.push(how?.read ? 'read' : 'write'); return inner.acquire(how); } };
    const client = createCiviClient(crmConfig({ base_url: base }), { logger: nullLogger, limiter, retry: FAST_RETRY });
    for (const action of ['get', 'getFields', 'checkAccess', 'save', 'create', 'delete']) await client.call('Contact', action, {});
    expect(asked).toEqual(['read', 'read', 'read', 'write', 'write', 'write']);
  });

  it('a call waiting to retry holds no permit', async () => {
    const limiter = counting(createLocalLimiter(1));
    const heldWhileSleeping: number[] = [];
    const client = createCiviClient(crmConfig({ base_url: base, retries: 2 }), {
      logger: nullLogger, limiter, retry: FAST_RETRY,
      sleep: async () => void heldWhileSleeping.push(limiter.held()),
    });
    await client.call('Contact', 'get', { id: 'flaky-alone' });
    expect(client.requests()).toBe(2);
    expect(heldWhileSleeping).toEqual([0]);
  });

  it('a request that fails without an answer gives its permit back', async () => {
    const limiter = counting(createLocalLimiter(1));
    const client = createCiviClient(crmConfig({ base_url: 'http://127.0.0.1:9', retries: 1 }), { logger: nullLogger, limiter, retry: FAST_RETRY });
    await expect(client.call('Contact', 'get', {})).rejects.toMatchObject({ code: 'NETWORK' });
    expect(limiter.held()).toBe(0);
    expect(limiter.most()).toBe(1);
  });
});
