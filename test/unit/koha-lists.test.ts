import { describe, it, expect } from '@jest/globals';
import nock from 'nock';
import { apiBaseUrl, createKohaConnector } from '../../connectors/koha/index.js';
import { BASE, capturingLogger, isolateNock, fastRetry, kohaSource } from './koha-fixtures.js';

isolateNock();

describe('Koha small lists', () => {
  it('listLibraries follows Link rel=next until it is absent', async () => {
    nock(BASE)
      .get('/api/v1/libraries')
      .query({ _per_page: '100' })
      .reply(200, [{ library_id: 'CPL', name: 'Centerville' }], {
        Link: `<${BASE}/api/v1/libraries?_page=1&_per_page=100>; rel="first", <${BASE}/api/v1/libraries?_page=2&_per_page=100>; rel="next"`,
      });
    nock(BASE)
      .get('/api/v1/libraries')
      .query({ _page: '2', _per_page: '100' })
      .reply(200, [{ library_id: 'FPL', name: 'Fairview' }], { Link: `<${BASE}/api/v1/libraries?_page=1&_per_page=100>; rel="first"` });
    const connector = createKohaConnector(kohaSource(), { logger: capturingLogger(), retry: fastRetry() });
    await expect(connector.client.listLibraries()).resolves.toEqual([
      { library_id: 'CPL', name: 'Centerville' },
      { library_id: 'FPL', name: 'Fairview' },
    ]);
    expect(nock.pendingMocks()).toEqual([]);
  });

  it('listCategories names the admin permission Koha requires when refused', async () => {
    nock(BASE).get('/api/v1/patron_categories').query(true).reply(403, { error: 'Authorization failure. Missing required permission(s).' });
    const connector = createKohaConnector(kohaSource(), { logger: capturingLogger(), retry: fastRetry() });
    await expect(connector.client.listCategories()).rejects.toMatchObject({
      code: 'SOURCE_AUTH',
      message: expect.stringContaining('parameters:manage_patron_categories') as unknown as string,
    });
  });

  it('listCategories returns every category', async () => {
    nock(BASE).get('/api/v1/patron_categories').query(true).reply(200, [{ patron_category_id: 'PT', name: 'Patron' }]);
    const connector = createKohaConnector(kohaSource(), { logger: capturingLogger(), retry: fastRetry() });
    await expect(connector.client.listCategories()).resolves.toEqual([{ patron_category_id: 'PT', name: 'Patron' }]);
  });
});

describe('apiBaseUrl', () => {
  it.each([
    ['plain host', 'https://koha.example', 'https://koha.example/api/v1'],
    ['trailing slash', 'https://koha.example/', 'https://koha.example/api/v1'],
    ['path prefix kept', 'https://lib.example/koha/', 'https://lib.example/koha/api/v1'],
    ['user info dropped so it never reaches a log', 'https://user:pw@koha.example', 'https://koha.example/api/v1'],
  ])('%s', (_name, input, expected) => {
    expect(apiBaseUrl(input)).toBe(expected);
  });
});
