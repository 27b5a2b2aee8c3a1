import { describe, it, expect } from '@jest/globals';
import nock from 'nock';
import { createKohaConnector } from '../../connectors/koha/index.js';
import type { PageRequest } from '../../src/core/types.js';
import { BASE, CLIENT_SECRET, PASSWORD, TOKEN_A, TOKEN_B, capturingLogger, isolateNock, fastRetry, kohaSource, oauthAuth, patronRow } from './koha-fixtures.js';

isolateNock();

const request: PageRequest = { since: null, until: '2025-02-01T00:00:00Z', after: null, limit: 10 };
const rows = [patronRow(1, '2025-01-31T10:00:00Z')];

function tokenEndpoint(token: string, expiresIn = 3600) {
  const bodies: unknown[] = [];
  const scope = nock(BASE)
    .post('/api/v1/oauth/token', (body: unknown) => {
      bodies.push(body);
      return true;
    })
    .matchHeader('content-type', /application\/x-www-form-urlencoded/)
    .reply(200, { access_token: token, token_type: 'Bearer', expires_in: expiresIn });
  return { scope, bodies };
}

const patronsWith = (token: string, status = 200, times = 1) =>
  nock(BASE)
    .get('/api/v1/patrons')
    .query(true)
    .matchHeader('authorization', `Bearer ${token}`)
    .times(times)
    .reply(status, status === 200 ? rows : { error: 'Token expired' });

describe('Koha Basic auth', () => {
  it('sends Authorization: Basic base64(username:password)', async () => {
    const expected = `Basic ${Buffer.from(`sync:${PASSWORD}`).toString('base64')}`;
    const scope = nock(BASE).get('/api/v1/patrons').query(true).matchHeader('authorization', expected).reply(200, rows);
    const connector = createKohaConnector(kohaSource(), { logger: capturingLogger(), retry: fastRetry() });
    const page = await connector.streams.get('patrons')!.read(request);
    expect(page.records).toHaveLength(1);
    scope.done();
  });
});

describe('Koha OAuth2 client credentials', () => {
  it('fetches a token with the form-encoded grant, then reuses it', async () => {
    const { scope: tokenScope, bodies } = tokenEndpoint(TOKEN_A);
    const reads = patronsWith(TOKEN_A, 200, 2);
    const connector = createKohaConnector(kohaSource({ auth: oauthAuth }), { logger: capturingLogger(), retry: fastRetry() });
    await connector.streams.get('patrons')!.read(request);
    await connector.streams.get('patrons')!.read(request);
    tokenScope.done();
    reads.done();
    expect(bodies).toEqual([{ grant_type: 'client_credentials', client_id: 'bridge-client', client_secret: CLIENT_SECRET }]);
  });

  it('renews the token shortly before expires_in runs out', async () => {
    let now = new Date('2025-02-01T00:00:00Z');
    const clock = () => now;
    tokenEndpoint(TOKEN_A, 3600);
    patronsWith(TOKEN_A, 200, 2);
    const connector = createKohaConnector(kohaSource({ auth: oauthAuth }), { logger: capturingLogger(), now: clock, retry: fastRetry() });
    await connector.streams.get('patrons')!.read(request);
    now = new Date(now.getTime() + 3500_000); // still well inside the lifetime: reused
    await connector.streams.get('patrons')!.read(request);
    const renewed = tokenEndpoint(TOKEN_B, 3600);
    const withB = patronsWith(TOKEN_B);
    now = new Date(now.getTime() + 50_000); // inside the renewal margin before expiry
    await connector.streams.get('patrons')!.read(request);
    renewed.scope.done();
    withB.done();
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('renews once on a 401 and repeats the request with the new token', async () => {
    tokenEndpoint(TOKEN_A);
    const rejectedA = patronsWith(TOKEN_A, 401);
    const renewed = tokenEndpoint(TOKEN_B);
    const okB = patronsWith(TOKEN_B);
    const connector = createKohaConnector(kohaSource({ auth: oauthAuth }), { logger: capturingLogger(), retry: fastRetry() });
    const page = await connector.streams.get('patrons')!.read(request);
    expect(page.records.map((r) => r.id)).toEqual(['1']);
    rejectedA.done();
    renewed.scope.done();
    okB.done();
  });

  it('gives up with SOURCE_AUTH when the renewed token is refused too (no retry loop)', async () => {
    tokenEndpoint(TOKEN_A);
    patronsWith(TOKEN_A, 401);
    tokenEndpoint(TOKEN_B);
    patronsWith(TOKEN_B, 401);
    const connector = createKohaConnector(kohaSource({ auth: oauthAuth }), { logger: capturingLogger(), retry: fastRetry() });
    await expect(connector.streams.get('patrons')!.read(request)).rejects.toMatchObject({
      code: 'SOURCE_AUTH',
      message: expect.stringContaining('RESTOAuth2ClientCredentials') as unknown as string,
      context: { system: 'koha', method: 'GET', status: 401 },
    });
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('shares one token request between concurrent reads', async () => {
    const tokenScope = nock(BASE)
      .post('/api/v1/oauth/token')
      .once()
      .delay(30)
      .reply(200, { access_token: TOKEN_A, token_type: 'Bearer', expires_in: 3600 });
    const reads = patronsWith(TOKEN_A, 200, 4);
    const connector = createKohaConnector(kohaSource({ auth: oauthAuth }), { logger: capturingLogger(), retry: fastRetry() });
    const pages = await Promise.all([1, 2, 3, 4].map(() => connector.streams.get('patrons')!.read(request)));
    expect(pages.map((p) => p.records.length)).toEqual([1, 1, 1, 1]);
    tokenScope.done();
    reads.done();
  });

  it('shares one renewal when concurrent reads all hit 401 with the old token', async () => {
    tokenEndpoint(TOKEN_A);
    const connector = createKohaConnector(kohaSource({ auth: oauthAuth }), { logger: capturingLogger(), retry: fastRetry() });
    patronsWith(TOKEN_A);
    await connector.streams.get('patrons')!.read(request);
    patronsWith(TOKEN_A, 401, 3);
    const renew = nock(BASE).post('/api/v1/oauth/token').once().delay(30).reply(200, { access_token: TOKEN_B, expires_in: 3600 });
    patronsWith(TOKEN_B, 200, 3);
    await Promise.all([1, 2, 3].map(() => connector.streams.get('patrons')!.read(request)));
    renew.done();
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('explains a refused token request without echoing the client secret', async () => {
    nock(BASE).post('/api/v1/oauth/token').reply(400, { error: 'Unimplemented grant type' });
    const logger = capturingLogger();
    const connector = createKohaConnector(kohaSource({ auth: oauthAuth }), { logger, retry: fastRetry() });
    const err = (await connector.streams.get('patrons')!.read(request).catch((e: unknown) => e)) as Error & { code: string; context: unknown };
    expect(err.code).toBe('SOURCE_AUTH');
    expect(err.message).toContain('RESTOAuth2ClientCredentials');
    expect(err.message).toContain('Unimplemented grant type');
    expect(JSON.stringify({ m: err.message, c: err.context, l: logger.lines })).not.toContain(CLIENT_SECRET);
  });
});
