import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import { BridgeError } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';
import { createCiviClient } from '../../connectors/civicrm/client.js';
import { API_KEY, BASE, crmConfig, envelope, FAST_RETRY, paramsOf, recorded, replyOf, SITE_KEY } from './civicrm-fixtures.js';

function capturingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (message: string, meta?: Record<string, unknown>) => void lines.push(`${message} ${JSON.stringify(meta ?? {})}`);
  return { lines, debug: push, info: push, warn: push, error: push };
}

function client(over = {}, sleeps: number[] = [], logger = capturingLogger()) {
  return createCiviClient(crmConfig(over), {
    logger,
    retry: FAST_RETRY,
    sleep: async (ms) => void sleeps.push(ms),
  });
}

async function failure(p: Promise<unknown>): Promise<BridgeError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(BridgeError);
    return err as BridgeError;
  }
  throw new Error('expected the call to fail');
}

beforeAll(() => nock.disableNetConnect());
// Each test file loads its own nock; release the http interceptor for the next file in this worker.
afterAll(() => nock.restore());
afterEach(() => {
  nock.cleanAll();
});

describe('request encoding', () => {
  it('POSTs params as one form field with the auth and CSRF headers, never a JSON body', async () => {
    let raw = '';
    const scope = nock(BASE, {
      reqheaders: {
        'x-civi-auth': `Bearer ${API_KEY}`,
        'x-requested-with': 'XMLHttpRequest',
        'x-civi-key': SITE_KEY,
        accept: 'application/json',
        'content-type': 'application/x-www-form-urlencoded',
      },
    })
      .post('/civicrm/ajax/api4/Contact/get', (body: unknown) => {
        raw = typeof body === 'string' ? body : new URLSearchParams(body as Record<string, string>).toString();
        return true;
      })
      .reply(...replyOf(recorded('Contact.get where/orderBy DESC/limit 2')));
    const params = { select: ['id', 'display_name', 'contact_type'], where: [['contact_type', '=', 'Individual']], orderBy: { id: 'DESC' }, limit: 2 };
    const c = client({ site_key: SITE_KEY });
    const res = await c.call('Contact', 'get', params);
    expect(scope.isDone()).toBe(true);
    expect(res.values).toHaveLength(2);
    expect(res.count).toBe(2);
    expect(raw.startsWith('params=')).toBe(true);
    expect(paramsOf(raw)).toEqual(params);
    expect(c.requests()).toBe(1);
  });

  it('sends no X-Civi-Key when no site key is configured', async () => {
    const scope = nock(BASE, { badheaders: ['x-civi-key'] })
      .post('/civicrm/ajax/api4/Contact/get')
      .reply(200, envelope('Contact', 'get', []), { 'Content-Type': 'application/json' });
    await client().call('Contact', 'get', { limit: 1 });
    expect(scope.isDone()).toBe(true);
  });
});

describe('error translation (recorded CiviCRM 6.17.2 answers)', () => {
  const cases: Array<[string, string, string, RegExp]> = [
    ['auth: bad API key', 'CRM_AUTH', 'Contact.get', /Invalid credential.*crm\.api_key/],
    ['auth: user lacking "authenticate with api key", no site key', 'CRM_AUTH', 'Contact.get', /authenticate with api key' or configure crm\.site_key/],
    ['CustomGroup.create by sync user', 'CRM_FORBIDDEN', 'CustomGroup.create', /not allowed to call CustomGroup\.create/],
    ['Contact.create duplicate external_identifier (with view debug output)', 'CRM_DUPLICATE', 'Contact.create', /already exists/],
    ['Contact.create duplicate external_identifier (without view debug output)', 'CRM_NO_DEBUG', 'Contact.create', /view debug output/],
    ['Contact.create wrong type (employer_id', 'CRM_CONSTRAINT', 'Contact.create', /constraint violation/],
    ['Activity.create without source_contact_id', 'CRM_MANDATORY', 'Activity.create', /Mandatory values missing.*source_contact_id/],
    ['transport: Authorization header without X-Requested-With', 'CRM_API', 'Contact.get', /X-Requested-With/],
    ['Contact.get with unknown top-level param', 'CRM_API', 'Contact.get', /Unknown api parameter/],
    ['Contact.get with unknown field in where', 'CRM_API', 'Contact.get', /Invalid field 'no_such_field'/],
    ['transport: unknown entity', 'CRM_API', 'NoSuchEntity.get', /does not exist/],
  ];
  it.each(cases)('%s → %s', async (name, code, method, message) => {
    const x = recorded(name);
    const [entity, action] = method.split('.') as [string, string];
    const scope = nock(BASE).post(`/civicrm/ajax/api4/${entity}/${action}`).reply(...replyOf(x));
    const c = client();
    const e = await failure(c.call(entity, action, x.request.params ?? {}));
    expect(scope.isDone()).toBe(true);
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
    expect(e.transient).toBe(false);
    expect(e.context).toMatchObject({ system: 'civicrm', method, status: x.response.status, url: `${BASE}/civicrm/ajax/api4/${entity}/${action}` });
    // API envelopes and auth errors are answers, not outages: exactly one request.
    expect(c.requests()).toBe(1);
  });

  it('treats a text/html 500 page as a transient server error and says nothing of its content', async () => {
    const x = recorded('transport: params not valid JSON');
    nock(BASE).post('/civicrm/ajax/api4/Contact/get').times(4).reply(...replyOf(x));
    const c = client();
    const e = await failure(c.call('Contact', 'get', {}));
    expect(e.code).toBe('CRM_SERVER');
    expect(e.transient).toBe(true);
    expect(e.message).toMatch(/HTML error page/);
    expect(e.message).not.toMatch(/array_diff_key/);
    expect(c.requests()).toBe(4); // 1 + 3 retries
  });
});

describe('retries', () => {
  it('retries a 503 maintenance answer and then succeeds', async () => {
    nock(BASE)
      .post('/civicrm/ajax/api4/Contact/get')
      .reply(503, { status_code: 503, status_message: 'Temporarily unavailable for maintenance.' })
      .post('/civicrm/ajax/api4/Contact/get')
      .reply(200, envelope('Contact', 'get', [{ id: 1 }]), { 'Content-Type': 'application/json' });
    const c = client();
    const res = await c.call('Contact', 'get', { limit: 1 });
    expect(res.values).toEqual([{ id: 1 }]);
    expect(c.requests()).toBe(2);
  });

  it('waits for Retry-After on 429', async () => {
    const sleeps: number[] = [];
    nock(BASE)
      .post('/civicrm/ajax/api4/Contact/save')
      .reply(429, 'Too Many Requests', { 'Content-Type': 'text/plain', 'Retry-After': '7' })
      .post('/civicrm/ajax/api4/Contact/save')
      .reply(200, envelope('Contact', 'save', [{ id: 3 }]), { 'Content-Type': 'application/json' });
    const c = client({}, sleeps);
    await c.call('Contact', 'save', { records: [] });
    expect(sleeps).toEqual([7000]);
    expect(c.requests()).toBe(2);
  });

  it('gives up at once when Retry-After is longer than a call may wait', async () => {
    nock(BASE).post('/civicrm/ajax/api4/Contact/get').reply(429, '', { 'Retry-After': '3600' });
    const c = client();
    const e = await failure(c.call('Contact', 'get', {}));
    expect(e.code).toBe('HTTP_TRANSIENT');
    expect(e.retryAfterMs).toBe(3_600_000);
    expect(c.requests()).toBe(1);
  });

  it('retries an HTML 500 page, 502 and a deadlock envelope, then succeeds', async () => {
    nock(BASE)
      .post('/civicrm/ajax/api4/Contact/save')
      .reply(...replyOf(recorded('transport: params not valid JSON')))
      .post('/civicrm/ajax/api4/Contact/save')
      .reply(502, 'Bad Gateway', { 'Content-Type': 'text/html' })
      .post('/civicrm/ajax/api4/Contact/save')
      .reply(500, { error_code: 0, error_message: 'DB Error: Deadlock found when trying to get lock', status: 500 }, { 'Content-Type': 'application/json' })
      .post('/civicrm/ajax/api4/Contact/save')
      .reply(200, envelope('Contact', 'save', [{ id: 9 }]), { 'Content-Type': 'application/json' });
    const c = client();
    const res = await c.call('Contact', 'save', { records: [] });
    expect(res.values).toEqual([{ id: 9 }]);
    expect(c.requests()).toBe(4);
  });

  // The recorded shape of a 500 with an error message, carrying the generic DB failure or a lock error.
  const dbError = (message: string): [number, string, Record<string, string>] => {
    const x = recorded('Contact.create duplicate external_identifier (with view debug output)');
    return replyOf({ ...x, response: { ...x.response, body: { ...(x.response.body as object), error_message: message } } });
  };

  it.each([
    ['Contact', 'getFields', 'DB Error: unknown error'],
    ['Contact', 'get', 'DB Error: unknown error'],
    ['Contact', 'save', 'DB Error: unknown error'],
    ['GroupContact', 'save', 'Lock wait timeout exceeded; try restarting transaction'],
  ])('retries %s.%s answered 500 "%s", then succeeds', async (entity, action, message) => {
    nock(BASE)
      .post(`/civicrm/ajax/api4/${entity}/${action}`)
      .reply(...dbError(message))
      .post(`/civicrm/ajax/api4/${entity}/${action}`)
      .reply(200, envelope(entity, action, [{ id: 5 }]), { 'Content-Type': 'application/json' });
    const c = client();
    const res = await c.call(entity, action, {});
    expect(res.values).toEqual([{ id: 5 }]);
    expect(c.requests()).toBe(2);
  });

  it('reports a transient error naming the call when the DB failure persists', async () => {
    nock(BASE).post('/civicrm/ajax/api4/Contact/getFields').times(4).reply(...dbError('DB Error: unknown error'));
    const c = client();
    const e = await failure(c.call('Contact', 'getFields', {}));
    expect(e).toMatchObject({ code: 'HTTP_TRANSIENT', transient: true });
    expect(e.message).toMatch(/^Contact\.getFields: .*DB Error: unknown error/);
    expect(c.requests()).toBe(4);
  });

  it('retries a call that outlasts crm.timeout_ms', async () => {
    nock(BASE)
      .post('/civicrm/ajax/api4/Contact/getFields')
      .delay(1000)
      .reply(200, envelope('Contact', 'getFields', [{ name: 'late' }]), { 'Content-Type': 'application/json' })
      .post('/civicrm/ajax/api4/Contact/getFields')
      .reply(200, envelope('Contact', 'getFields', [{ name: 'id' }]), { 'Content-Type': 'application/json' });
    const c = client({ timeout_ms: 100 });
    const res = await c.call('Contact', 'getFields', {});
    expect(res.values).toEqual([{ name: 'id' }]);
    expect(c.requests()).toBe(2);
  });

  it('retries network errors and reports NETWORK when they persist', async () => {
    // A real refused connection on loopback: a port that was just released has no listener.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    nock.enableNetConnect('127.0.0.1');
    try {
      const c = createCiviClient(crmConfig({ base_url: `http://127.0.0.1:${port}`, retries: 1 }), { logger: capturingLogger(), retry: FAST_RETRY });
      const e = await failure(c.call('Contact', 'get', {}));
      expect(e.code).toBe('NETWORK');
      expect(e.transient).toBe(true);
      expect(e.cause).toBeUndefined(); // the axios error carries the API key header
      expect(c.requests()).toBe(2);
    } finally {
      nock.disableNetConnect();
    }
  });

  it('does not retry a 403', async () => {
    nock(BASE).post('/civicrm/ajax/api4/OptionValue/save').reply(...replyOf(recorded('OptionValue.save by sync user (lacks')));
    const c = client();
    const e = await failure(c.call('OptionValue', 'save', { records: [] }));
    expect(e.code).toBe('CRM_FORBIDDEN');
    expect(c.requests()).toBe(1);
  });
});

describe('secrets and values stay out of errors and logs', () => {
  it('never puts the API key, site key or record values into errors or log lines', async () => {
    const logger = capturingLogger();
    const sleeps: number[] = [];
    nock(BASE)
      .post('/civicrm/ajax/api4/Contact/save')
      .reply(503, 'down', { 'Content-Type': 'text/html' })
      .post('/civicrm/ajax/api4/Contact/save')
      // A server that echoes a sent value back in its message.
      .reply(500, { error_code: 0, error_message: "'Lovelace-Byron' is not valid for field last_name", status: 500 }, { 'Content-Type': 'application/json' });
    const c = client({ site_key: SITE_KEY }, sleeps, logger);
    const e = await failure(c.call('Contact', 'save', { records: [{ last_name: 'Lovelace-Byron', external_identifier: 'koha:1' }] }));
    const everything = [e.message, JSON.stringify(e), JSON.stringify(e.context), ...logger.lines].join('\n');
    expect(e.message).toMatch(/last_name/);
    for (const secret of [API_KEY, SITE_KEY, 'Lovelace-Byron']) expect(everything).not.toContain(secret);
    expect(e.cause).toBeUndefined();
  });

  it('keeps credentials in the base URL out of the error context', async () => {
    nock('https://crm.example.org').post('/civicrm/ajax/api4/Contact/get').reply(...replyOf(recorded('auth: bad API key')));
    const c = createCiviClient(crmConfig({ base_url: 'https://user:pw-Secret@crm.example.org/' }), { logger: capturingLogger(), retry: FAST_RETRY });
    const e = await failure(c.call('Contact', 'get', {}));
    expect(e.context.url).toBe('https://crm.example.org/civicrm/ajax/api4/Contact/get');
    expect(JSON.stringify(e)).not.toContain('pw-Secret');
  });
});
