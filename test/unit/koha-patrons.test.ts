import { describe, it, expect } from '@jest/globals';
import nock from 'nock';
import { createKohaConnector } from '../../connectors/koha/index.js';
import { firstPage, nextPage } from '../../connectors/connector.js';
import { BridgeError } from '../../src/core/errors.js';
import type { PageRequest } from '../../src/core/types.js';
import { BASE, capturingLogger, isolateNock, fastRetry, kohaSource, patronRow } from './koha-fixtures.js';

isolateNock();

/** Intercept one GET /patrons, recording the raw path and headers Koha would see. */
function expectPage(rows: unknown[], seen: { path: string; embed: unknown }[]) {
  return nock(BASE)
    .get('/api/v1/patrons')
    .query(true)
    .reply(function (uri) {
      seen.push({ path: uri, embed: this.req.headers['x-koha-embed'] });
      return [200, rows];
    });
}

describe('Koha patron stream', () => {
  it('sends exactly the documented request shape', async () => {
    const seen: { path: string; embed: unknown }[] = [];
    const scope = expectPage([], seen);
    const connector = createKohaConnector(kohaSource({ timezone: 'Europe/Berlin' }), { logger: capturingLogger(), retry: fastRetry() });
    const request: PageRequest = {
      since: '2025-01-31T08:00:00.400Z',
      until: '2025-02-01T12:00:00.900Z',
      after: { updatedAt: '2025-01-31T09:00:00.000Z', id: '17' },
      limit: 3,
    };
    const page = await connector.streams.get('patrons')!.read(request);
    expect(page).toEqual({ records: [], rejected: [], last: null, hasMore: false });
    scope.done();
    const q =
      '{"-and":[{"updated_on":{">=":"2025-01-31 09:00:00","<=":"2025-02-01 13:00:00"}},' +
      '{"-or":[{"updated_on":{">":"2025-01-31 10:00:00"}},{"updated_on":"2025-01-31 10:00:00","patron_id":{">":17}}]}]}';
    expect(seen).toEqual([
      {
        path: `/api/v1/patrons?q=${encodeURIComponent(q)}&_order_by=%2Bme.updated_on%2C%2Bme.patron_id&_per_page=3&_page=1`,
        embed: 'extended_attributes',
      },
    ]);
  });

  it('pages through the window by keyset, with a rejected row kept out but not re-read', async () => {
    const seen: { path: string; embed: unknown }[] = [];
    expectPage([patronRow(1, '2025-01-31T10:00:00+01:00'), patronRow(2, '2025-01-31T10:00:00+01:00')], seen);
    expectPage([patronRow(3, '2025-01-31T10:00:00+01:00'), { ...patronRow(9, '2025-01-31T11:30:00+01:00'), email: ['x'] }], seen);
    expectPage([patronRow(4, '2025-01-31T12:00:00+01:00')], seen);
    const logger = capturingLogger();
    const connector = createKohaConnector(kohaSource({ timezone: 'Europe/Berlin' }), { logger, retry: fastRetry() });

    let request: PageRequest | null = firstPage({ updatedAt: null, lastId: null }, 'full', { overlapMs: 0, now: new Date('2025-02-01T00:00:00Z'), limit: 2 });
    const ids: string[] = [];
    const rejected: string[] = [];
    while (request) {
      const page = await connector.streams.get('patrons')!.read(request);
      ids.push(...page.records.map((r) => r.id));
      rejected.push(...page.rejected.map((r) => r.id));
      request = nextPage(request, page);
    }

    expect(ids).toEqual(['1', '2', '3', '4']);
    expect(rejected).toEqual(['9']);
    const afters = seen.map((s) => JSON.parse(new URLSearchParams(s.path.split('?')[1]).get('q') ?? '{}')['-and'][1] ?? null);
    expect(afters).toEqual([
      null,
      { '-or': [{ updated_on: { '>': '2025-01-31 10:00:00' } }, { updated_on: '2025-01-31 10:00:00', patron_id: { '>': 2 } }] },
      { '-or': [{ updated_on: { '>': '2025-01-31 11:30:00' } }, { updated_on: '2025-01-31 11:30:00', patron_id: { '>': 9 } }] },
    ]);
    // The rejection is logged by id and field count only.
    expect(logger.lines).toContainEqual({ level: 'warn', message: 'koha patrons rejected', meta: { system: 'koha', sourceId: 'koha', count: 1, ids: ['9'] } });
    expect(JSON.stringify(logger.lines)).not.toContain('example.org');
  });

  it('fails the page (not silently stops) when a full page has no usable keyset', async () => {
    expectPage([{ surname: 'a' }, { surname: 'b' }], []);
    const connector = createKohaConnector(kohaSource(), { logger: capturingLogger(), retry: fastRetry() });
    await expect(connector.streams.get('patrons')!.read({ since: null, until: '2025-02-01T00:00:00Z', after: null, limit: 2 })).rejects.toMatchObject({
      code: 'SOURCE_HTTP',
    });
  });

  it('rejects a response that is not an array', async () => {
    nock(BASE).get('/api/v1/patrons').query(true).reply(200, { error: 'nope' });
    const connector = createKohaConnector(kohaSource(), { logger: capturingLogger(), retry: fastRetry() });
    const err = await connector.streams.get('patrons')!.read({ since: null, until: '2025-02-01T00:00:00Z', after: null, limit: 2 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BridgeError);
    expect((err as BridgeError).code).toBe('SOURCE_HTTP');
  });
});
