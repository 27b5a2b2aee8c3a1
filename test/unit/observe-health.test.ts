import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { parseConfig } from '../../src/config/load.js';
import { bundledMapping } from '../../src/core/paths.js';
import { nullLogger } from '../../src/core/logger.js';
import { checkHealth } from '../../src/observe/health.js';

beforeAll(() => nock.disableNetConnect());
afterEach(() => nock.cleanAll());
afterAll(() => {
  nock.enableNetConnect();
  nock.restore();
});

const SECRETS = { crm: 'crm-key-Zq81', koha: 'koha-pass-Xy72', redis: 'redis-pass-Wv63' };

// Nothing listens on port 1 of the loopback: Redis is refused at once.
const loaded = parseConfig(JSON.stringify({
  redis: { url: `redis://:${SECRETS.redis}@127.0.0.1:1` },
  crm: { base_url: 'http://crm.test', api_key: SECRETS.crm },
  sources: [
    { id: 'main', type: 'koha', base_url: 'http://main.test', auth: { type: 'basic', username: 'sync', password: SECRETS.koha }, mapping: bundledMapping() },
    { id: 'west', type: 'koha', base_url: 'http://west.test', auth: { type: 'basic', username: 'sync', password: SECRETS.koha }, mapping: bundledMapping() },
  ],
}), 'health.yaml');

describe('checkHealth', () => {
  it('asks the CRM with the sync key for one contact id and each source for one patron, and says which failed, without secrets', async () => {
    const crm = nock('http://crm.test').matchHeader('x-civi-auth', `Bearer ${SECRETS.crm}`)
      .post('/civicrm/ajax/api4/Contact/get', (body: Record<string, string>) => JSON.parse(body.params!).limit === 1)
      .reply(200, { values: [{ id: 1 }], count: 1, entity: 'Contact', action: 'get' });
    const main = nock('http://main.test').get('/api/v1/patrons').query({ _per_page: '1' }).reply(200, [{ patron_id: 1 }]);
    const west = nock('http://west.test').get('/api/v1/patrons').query(true).reply(401, { error: `Invalid password ${SECRETS.koha}` });

    const report = await checkHealth({ loaded, logger: nullLogger });
    crm.done();
    main.done();
    west.done();
    expect(report.ok).toBe(false);
    expect(report.checks.map((c) => [c.name, c.ok])).toEqual([['redis', false], ['crm', true], ['source:main', true], ['source:west', false]]);
    const text = JSON.stringify(report);
    for (const s of Object.values(SECRETS)) expect(text).not.toContain(s);
    expect(report.checks[0]!.error).toMatch(/^REDIS: .*127\.0\.0\.1:1/);
    expect(report.checks[3]!.error).toMatch(/^SOURCE_AUTH: /);
    for (const c of report.checks) expect(c.ms).toBeGreaterThanOrEqual(0);
  });

  it('is ok only when every check is', async () => {
    nock('http://crm.test').post('/civicrm/ajax/api4/Contact/get').reply(503, 'busy');
    nock('http://main.test').get('/api/v1/patrons').query(true).reply(200, []);
    nock('http://west.test').get('/api/v1/patrons').query(true).reply(200, []);
    const report = await checkHealth({ loaded, logger: nullLogger });
    // One attempt only: a health check does not retry.
    expect(nock.pendingMocks()).toEqual([]);
    expect(report.checks.find((c) => c.name === 'crm')).toMatchObject({ ok: false, error: expect.stringMatching(/^HTTP_TRANSIENT: /) });
  });
});
