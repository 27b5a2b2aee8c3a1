import { describe, it, expect } from '@jest/globals';
import { buildPatronQuery, patronListQuery } from '../../connectors/koha/patrons.js';
import { encodeQuery } from '../../connectors/koha/client.js';
import { nextLink } from '../../connectors/koha/link.js';
import type { PageRequest } from '../../src/core/types.js';

const UNTIL = '2025-02-01T12:00:00.750Z';

describe('buildPatronQuery', () => {
  it.each<[string, Pick<PageRequest, 'since' | 'until' | 'after'>, string, unknown]>([
    [
      'full read, first page: only the upper bound',
      { since: null, until: UNTIL, after: null },
      'UTC',
      { '-and': [{ updated_on: { '<=': '2025-02-01 12:00:00' } }] },
    ],
    [
      'incremental first page: since floored so a row in the same second is kept',
      { since: '2025-01-31T08:00:00.999Z', until: UNTIL, after: null },
      'UTC',
      { '-and': [{ updated_on: { '>=': '2025-01-31 08:00:00', '<=': '2025-02-01 12:00:00' } }] },
    ],
    [
      'next page: strictly after the keyset (ties broken by patron_id)',
      { since: '2025-01-31T08:00:00Z', until: UNTIL, after: { updatedAt: '2025-01-31T09:15:00.000Z', id: '42' } },
      'UTC',
      {
        '-and': [
          { updated_on: { '>=': '2025-01-31 08:00:00', '<=': '2025-02-01 12:00:00' } },
          { '-or': [{ updated_on: { '>': '2025-01-31 09:15:00' } }, { updated_on: '2025-01-31 09:15:00', patron_id: { '>': 42 } }] },
        ],
      },
    ],
    [
      'non-UTC server: every timestamp is naive Berlin time',
      { since: '2025-07-01T22:00:00Z', until: '2025-07-02T06:00:00Z', after: { updatedAt: '2025-07-01T23:30:00Z', id: '7' } },
      'Europe/Berlin',
      {
        '-and': [
          { updated_on: { '>=': '2025-07-02 00:00:00', '<=': '2025-07-02 08:00:00' } },
          { '-or': [{ updated_on: { '>': '2025-07-02 01:30:00' } }, { updated_on: '2025-07-02 01:30:00', patron_id: { '>': 7 } }] },
        ],
      },
    ],
  ])('%s', (_name, request, zone, expected) => {
    expect(buildPatronQuery(request, zone)).toEqual(expected);
  });

  it('serialises the window bounds in the documented key order (>= before <=)', () => {
    const q = buildPatronQuery({ since: '2025-01-31T08:00:00Z', until: UNTIL, after: null }, 'UTC');
    expect(JSON.stringify(q)).toBe('{"-and":[{"updated_on":{">=":"2025-01-31 08:00:00","<=":"2025-02-01 12:00:00"}}]}');
  });

  it('refuses a keyset whose id is not a patron_id', () => {
    expect(() => buildPatronQuery({ since: null, until: UNTIL, after: { updatedAt: UNTIL, id: 'abc' } }, 'UTC')).toThrow(/non-integer/);
  });
});

describe('patronListQuery + encodeQuery', () => {
  it('encodes q and turns "+" of _order_by into %2B so Koha does not read a space', () => {
    const query = patronListQuery({ since: null, until: UNTIL, after: null, limit: 50 }, 'UTC');
    const qs = encodeQuery(query);
    expect(qs).toBe(
      `?q=${encodeURIComponent('{"-and":[{"updated_on":{"<=":"2025-02-01 12:00:00"}}]}')}` +
        '&_order_by=%2Bme.updated_on%2C%2Bme.patron_id&_per_page=50&_page=1',
    );
    expect(new URLSearchParams(qs).get('_order_by')).toBe('+me.updated_on,+me.patron_id');
  });
});

describe('nextLink', () => {
  const api = 'https://koha.example/api/v1';
  it.each([
    ['absent header', undefined, null],
    ['only first/last', '<https://koha.example/api/v1/libraries?_page=1>; rel="first", <https://koha.example/api/v1/libraries?_page=3>; rel="last"', null],
    [
      'next among others',
      '<https://koha.example/api/v1/libraries?_page=1&_per_page=20>; rel="first", <https://koha.example/api/v1/libraries?_page=2&_per_page=20>; rel="next"',
      '/libraries?_page=2&_per_page=20',
    ],
    ['proxy prints another scheme/host: path kept, host ignored', '<http://internal:8080/api/v1/libraries?_page=2>; rel="next"', '/libraries?_page=2'],
    ['not an API link', '<https://elsewhere.example/x?_page=2>; rel="next"', null],
  ])('%s', (_name, header, expected) => {
    expect(nextLink(header, api)).toBe(expected);
  });
});
