import { describe, it, expect } from '@jest/globals';
import nock from 'nock';
import { createKohaConnector, findOffsetMismatch } from '../../connectors/koha/index.js';
import { BridgeError } from '../../src/core/errors.js';
import { BASE, capturingLogger, fastRetry, isolateNock, kohaSource, patronRow } from './koha-fixtures.js';

isolateNock();

describe('findOffsetMismatch (offsets Koha renders vs sources[].timezone)', () => {
  it.each([
    ['Berlin winter offset, Berlin configured', 'Europe/Berlin', ['2025-01-31T11:00:00+01:00'], null],
    ['Berlin summer offset, Berlin configured', 'Europe/Berlin', ['2025-07-01T11:00:00+02:00'], null],
    ['both fall-back 02:30s, Berlin configured', 'Europe/Berlin', ['2025-10-26T02:30:00+02:00', '2025-10-26T02:30:00+01:00'], null],
    ['both sides of spring forward, Berlin configured', 'Europe/Berlin', ['2025-03-30T01:59:59+01:00', '2025-03-30T03:00:00+02:00'], null],
    ['UTC offsets and Z, UTC configured', 'UTC', ['2025-07-01T11:00:00+00:00', '2025-07-01T11:00:00Z'], null],
    ['naive values carry no offset and pass', 'UTC', ['2025-07-01 11:00:00', '2025-07-01T11:00:00'], null],
    ['Berlin server, UTC configured', 'UTC', ['2025-01-31T11:00:00+01:00'], { field: 'updated_on', seen: '+01:00', expected: '+00:00', recordId: '1' }],
    ['UTC server, Berlin configured (summer)', 'Europe/Berlin', ['2025-07-01T11:00:00Z'], { field: 'updated_on', seen: '+00:00', expected: '+02:00', recordId: '1' }],
    ['winter offset just after spring forward', 'Europe/Berlin', ['2025-03-30T03:30:00+01:00'], { field: 'updated_on', seen: '+01:00', expected: '+02:00', recordId: '1' }],
    ['New York server, Berlin configured', 'Europe/Berlin', ['2025-01-31T05:00:00-05:00'], { field: 'updated_on', seen: '-05:00', expected: '+01:00', recordId: '1' }],
    ['the first contradicting row is named', 'UTC', ['2025-01-31T11:00:00Z', '2025-01-31 11:00:00', '2025-07-01T11:00:00+02:00'], { field: 'updated_on', seen: '+02:00', expected: '+00:00', recordId: '3' }],
    ['unreadable values are left to the page parser', 'UTC', ['sometime', '2025-02-30T10:00:00+01:00'], null],
  ])('%s', (_name, zone, values, expected) => {
    const rows = values.map((v, i) => patronRow(i + 1, v));
    expect(findOffsetMismatch(rows, zone)).toEqual(expected);
  });

  it('skips rows that are not objects or lack updated_on, and names no id it cannot read', () => {
    expect(findOffsetMismatch([null, 'x', { surname: 'a' }], 'UTC')).toBeNull();
    expect(findOffsetMismatch([{ patron_id: 'abc', updated_on: '2025-01-31T11:00:00+01:00' }], 'UTC')).toEqual({
      field: 'updated_on', seen: '+01:00', expected: '+00:00', recordId: null,
    });
  });
});

describe('Koha patron stream guards', () => {
  const request = { since: null, until: '2025-08-01T00:00:00Z', after: null, limit: 2 };

  it('stops on an offset that contradicts sources[].timezone, naming the setting, the value and the offsets only', async () => {
    nock(BASE).get('/api/v1/patrons').query(true).reply(200, [patronRow(1, '2025-01-31T10:00:00Z'), patronRow(2, '2025-07-01T12:00:00+02:00')]);
    const connector = createKohaConnector(kohaSource({ timezone: 'UTC' }), { logger: capturingLogger(), retry: fastRetry() });
    const err = await connector.streams.get('patrons')!.read(request).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BridgeError);
    expect(err).toMatchObject({ code: 'CONFIG_INVALID', transient: false, context: { system: 'koha', path: 'sources.koha.timezone', recordId: '2' } });
    expect((err as BridgeError).message).toBe(
      'source "koha": Koha returned updated_on with offset +02:00, but sources[].timezone is "UTC" (offset +00:00 at that time); ' +
        "set sources[].timezone to the Koha server's zone (an IANA name such as Europe/Berlin)",
    );
    expect((err as BridgeError).message).not.toContain('Surname');
    expect((err as BridgeError).message).not.toContain('example.org');
  });

  it('reads a page whose offsets match, across a DST change', async () => {
    nock(BASE).get('/api/v1/patrons').query(true).reply(200, [patronRow(1, '2025-03-30T01:59:59+01:00'), patronRow(2, '2025-03-30T03:00:00+02:00')]);
    const connector = createKohaConnector(kohaSource({ timezone: 'Europe/Berlin' }), { logger: capturingLogger(), retry: fastRetry() });
    const page = await connector.streams.get('patrons')!.read(request);
    expect(page.records.map((r) => [r.id, r.updatedAt])).toEqual([
      ['1', '2025-03-30T00:59:59.000Z'],
      ['2', '2025-03-30T01:00:00.000Z'],
    ]);
  });

  it('stops when Koha answers a page that does not move past the keyset position (q ignored)', async () => {
    // A server ignoring q answers the first rows again for the second page.
    const firstRows = [patronRow(1, '2025-01-31T11:00:00+01:00'), patronRow(2, '2025-01-31T11:00:00+01:00')];
    nock(BASE).get('/api/v1/patrons').query(true).times(2).reply(200, firstRows);
    const connector = createKohaConnector(kohaSource({ timezone: 'Europe/Berlin' }), { logger: capturingLogger(), retry: fastRetry() });
    const first = await connector.streams.get('patrons')!.read(request);
    expect(first.last).toEqual({ updatedAt: '2025-01-31T10:00:00.000Z', id: '2' });
    const err = await connector.streams.get('patrons')!.read({ ...request, after: first.last }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'SOURCE_HTTP', transient: false });
    expect((err as Error).message).toBe(
      'source "koha": Koha answered a keyset page whose last row (patron_id 2) is not after the requested position (patron_id 2); ' +
        'the server ignores the q filter, or sources[].timezone is not its zone. Stopping instead of reading the same rows again',
    );
  });
});
