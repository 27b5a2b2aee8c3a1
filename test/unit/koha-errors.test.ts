import { describe, it, expect } from '@jest/globals';
import { inspect } from 'node:util';
import nock from 'nock';
import { createKohaConnector } from '../../connectors/koha/index.js';
import { BridgeError, describeError } from '../../src/core/errors.js';
import type { PageRequest } from '../../src/core/types.js';
import { BASE, PASSWORD, TOKEN_A, CLIENT_SECRET, capturingLogger, isolateNock, fastRetry, kohaSource, oauthAuth, patronRow, type CapturingLogger } from './koha-fixtures.js';

isolateNock();

const request: PageRequest = { since: null, until: '2025-02-01T00:00:00Z', after: null, limit: 10 };
const rows = [patronRow(1, '2025-01-31T10:00:00Z')];
const basicHeader = Buffer.from(`sync:${PASSWORD}`).toString('base64');
const patrons = () => nock(BASE).get('/api/v1/patrons').query(true);

function setup(overrides: Record<string, unknown> = {}, now?: () => Date) {
  const logger = capturingLogger();
  const retry = fastRetry();
  const connector = createKohaConnector(kohaSource(overrides), { logger, retry, ...(now ? { now } : {}) });
  return { connector, logger, retry };
}

async function failure(p: Promise<unknown>): Promise<BridgeError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(BridgeError);
  return err as BridgeError;
}

/** Nothing secret anywhere a user could see: message, context, describeError, full inspect (cause included), logs. */
function expectNoSecrets(err: BridgeError, logger: CapturingLogger, secrets: string[]) {
  const surfaces = [err.message, JSON.stringify(err), describeError(err), inspect(err, { depth: 10 }), JSON.stringify(logger.lines)];
  for (const s of secrets) for (const text of surfaces) expect(text).not.toContain(s);
}

describe('Koha transient failures are retried', () => {
  it('retries 503 and succeeds', async () => {
    patrons().times(2).reply(503, { error: 'Under maintenance' });
    patrons().reply(200, rows);
    const { connector, logger } = setup();
    const page = await connector.streams.get('patrons')!.read(request);
    expect(page.records).toHaveLength(1);
    expect(logger.lines.filter((l) => l.level === 'warn')).toHaveLength(2);
    expect(logger.lines[0]?.meta).toMatchObject({ code: 'HTTP_TRANSIENT', system: 'koha', method: 'GET', status: 503, attempt: 1 });
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('gives up after the configured retries with a transient error for BullMQ to retry later', async () => {
    patrons().times(3).reply(503, { error: 'Under maintenance', error_code: 'under_maintenance' });
    const { connector, logger } = setup();
    const err = await failure(connector.streams.get('patrons')!.read(request));
    expect(err.code).toBe('HTTP_TRANSIENT');
    expect(err.transient).toBe(true);
    expect(err.message).toBe('Koha answered 503: Under maintenance');
    expect(err.context).toMatchObject({ system: 'koha', method: 'GET', status: 503 });
    expect(String(err.context.url)).toMatch(/^http:\/\/koha\.test\/api\/v1\/patrons\?q=/);
    expect(nock.pendingMocks()).toEqual([]);
    expectNoSecrets(err, logger, [PASSWORD, basicHeader]);
  });

  it('honours Retry-After in seconds on 429', async () => {
    patrons().reply(429, { error: 'Too many requests' }, { 'Retry-After': '2' });
    patrons().reply(200, rows);
    const { connector, retry } = setup();
    await connector.streams.get('patrons')!.read(request);
    expect(retry.waits).toEqual([2000]);
  });

  it('honours Retry-After as an HTTP date, relative to the injected clock', async () => {
    const now = new Date('2025-02-01T10:00:00Z');
    patrons().reply(429, {}, { 'Retry-After': 'Sat, 01 Feb 2025 10:00:05 GMT' });
    patrons().reply(200, rows);
    const { connector, retry } = setup({}, () => now);
    await connector.streams.get('patrons')!.read(request);
    expect(retry.waits).toEqual([5000]);
  });

  it('retries a reset connection and reports NETWORK when it persists, without the request headers in the cause', async () => {
    // nock 14 needs an Error instance here (a plain object never settles the request).
    patrons().times(3).replyWithError(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    const { connector, logger } = setup();
    const err = await failure(connector.streams.get('patrons')!.read(request));
    expect(err.code).toBe('NETWORK');
    expect(err.transient).toBe(true);
    expect(nock.pendingMocks()).toEqual([]);
    expectNoSecrets(err, logger, [PASSWORD, basicHeader]);
  });
});

describe('Koha permanent failures fail at once', () => {
  it('400 → SOURCE_HTTP with the server errors, not retried', async () => {
    patrons().once().reply(400, { errors: [{ message: 'Expected integer - got string.', path: '/query/_per_page' }], status: 400 });
    const { connector } = setup();
    const err = await failure(connector.streams.get('patrons')!.read(request));
    expect(err.code).toBe('SOURCE_HTTP');
    expect(err.transient).toBe(false);
    expect(err.message).toBe('Koha rejected the request (400): /query/_per_page: Expected integer - got string.');
    expect(err.context.status).toBe(400);
  });

  it('400 invalid_query → SOURCE_HTTP with the `error` text', async () => {
    patrons().once().reply(400, { error: 'Invalid query', error_code: 'invalid_query' });
    const { connector } = setup();
    const err = await failure(connector.streams.get('patrons')!.read(request));
    expect(err.message).toBe('Koha rejected the request (400): Invalid query');
  });

  it('403 for a missing permission names borrowers:list_borrowers, not retried', async () => {
    patrons().once().reply(403, { error: 'Authorization failure. Missing required permission(s).', required_permissions: { borrowers: 'list_borrowers' } });
    const { connector, logger } = setup();
    const err = await failure(connector.streams.get('patrons')!.read(request));
    expect(err.code).toBe('SOURCE_AUTH');
    expect(err.message).toContain('missing permission borrowers:list_borrowers');
    expect(logger.lines).toEqual([]);
  });

  it('401 with Basic auth says bad credentials or RESTBasicAuth disabled', async () => {
    patrons().once().reply(401, { error: 'Authentication failure.' });
    const { connector } = setup();
    const err = await failure(connector.streams.get('patrons')!.read(request));
    expect(err.code).toBe('SOURCE_AUTH');
    expect(err.message).toMatch(/bad username\/password, or the system preference RESTBasicAuth is disabled/);
  });

  it('404 → SOURCE_HTTP naming the route', async () => {
    patrons().once().reply(404, { error: 'Not found' });
    const { connector } = setup();
    const err = await failure(connector.streams.get('patrons')!.read(request));
    expect(err.code).toBe('SOURCE_HTTP');
    expect(err.message).toContain('/patrons');
  });
});

describe('secrets never leak', () => {
  it('redacts a password or Basic header that a hostile server echoes back', async () => {
    patrons().once().reply(403, { error: `Invalid password ${PASSWORD} for header Basic ${basicHeader}` });
    const { connector, logger } = setup();
    const err = await failure(connector.streams.get('patrons')!.read(request));
    expect(err.message).toContain('***');
    expectNoSecrets(err, logger, [PASSWORD, basicHeader]);
  });

  it('redacts the bearer token and client secret from errors and logs after retries', async () => {
    nock(BASE).post('/api/v1/oauth/token').reply(200, { access_token: TOKEN_A, expires_in: 3600 });
    patrons().times(3).reply(502, { error: `upstream said Bearer ${TOKEN_A} / ${CLIENT_SECRET}` });
    const { connector, logger } = setup({ auth: oauthAuth });
    const err = await failure(connector.streams.get('patrons')!.read(request));
    expect(err.code).toBe('HTTP_TRANSIENT');
    expect(logger.lines.length).toBeGreaterThan(0);
    expectNoSecrets(err, logger, [TOKEN_A, CLIENT_SECRET]);
  });
});
