import { describe, expect, it } from '@jest/globals';
import { PATRON_FIELDS, EXTENDED_ATTRIBUTE_FIELDS } from '../../src/sandbox/koha/fields.js';
import { compileQuery, type QueryContext } from '../../src/sandbox/koha/query.js';
import { QueryError } from '../../src/sandbox/koha/values.js';
import { formatRfc3339, parseDateTime } from '../../src/sandbox/koha/zoned-time.js';

const TZ = 'Europe/Paris';
const ctx: QueryContext = { fields: PATRON_FIELDS, relations: { extended_attributes: EXTENDED_ATTRIBUTE_FIELDS }, timeZone: TZ };

type R = Record<string, unknown>;
const at = (naive: string): number => parseDateTime(naive, TZ)!;
const rows: R[] = [
  { patron_id: 1, surname: 'Ñúñez', firstname: 'Zoë', email: null, updated_on: at('2026-05-01 12:00:00'), restricted: false, date_of_birth: '0000-00-00' },
  { patron_id: 2, surname: "O'Brien", firstname: 'Sean', email: 'sean@example.org', updated_on: at('2026-05-01 12:00:00'), restricted: true, date_of_birth: '1980-02-01' },
  { patron_id: 3, surname: 'Smith', firstname: null, email: 'SMITH@example.org', updated_on: at('2026-06-01 08:30:00'), restricted: false, date_of_birth: null },
];
const ids = (q: unknown): number[] => {
  const p = compileQuery(q, ctx);
  return rows.filter((r) => p((f) => r[f])).map((r) => r.patron_id as number);
};

describe('q compiler (SQL::Abstract semantics)', () => {
  it.each([
    ['plain value is equality, case and accent insensitive', { surname: 'nunez' }, [1]],
    ['hash is AND', { restricted: false, 'me.surname': 'smith' }, [3]],
    ['array is OR', [{ patron_id: 1 }, { patron_id: 3 }], [1, 3]],
    ['field array is OR of equalities', { patron_id: [2, 3] }, [2, 3]],
    ['null is IS NULL', { email: null }, [1]],
    ['!= null is IS NOT NULL', { email: { '!=': null } }, [2, 3]],
    ['!= never matches NULL', { firstname: { '!=': 'Sean' } }, [1]],
    ['comparison ops', { patron_id: { '>': 1, '<=': 3 } }, [2, 3]],
    ['-in / -not_in', { patron_id: { '-in': [1, 3, 99] } }, [1, 3]],
    ['-not_in skips NULL rows', { firstname: { '-not_in': ['Sean'] } }, [1]],
    ['-like with % and apostrophe', { surname: { '-like': "o'%" } }, [2]],
    ['-not_like', { surname: { '-not_like': 's%' } }, [1, 2]],
    ['-between is inclusive', { patron_id: { '-between': [2, 3] } }, [2, 3]],
    ['-or / -and nesting', { '-and': [{ restricted: false }, { '-or': [{ patron_id: 1 }, { patron_id: 2 }] }] }, [1]],
    ['-not', { '-not': { patron_id: 1 } }, [2, 3]],
    ['date columns compare as text, invalid dates included', { date_of_birth: { '<': '1000-01-01' } }, [1]],
    ['naive date-time literal is server local time', { updated_on: '2026-05-01 12:00:00' }, [1, 2]],
    ['RFC 3339 literal honours its offset', { updated_on: { '>=': '2026-06-01T06:30:00Z' } }, [3]],
    ['booleans accept true/false', { restricted: true }, [2]],
  ] as const)('%s', (_name, q, want) => {
    expect(ids(q)).toEqual(want);
  });

  it('answers the sync client keyset query (updated_on, patron_id) > (T, 1)', () => {
    const q = {
      '-and': [
        { updated_on: { '>=': '2026-01-01 00:00:00', '<=': '2026-11-23 10:00:00' } },
        { '-or': [{ updated_on: { '>': '2026-05-01 12:00:00' } }, { updated_on: '2026-05-01 12:00:00', patron_id: { '>': 1 } }] },
      ],
    };
    expect(ids(q)).toEqual([2, 3]);
  });

  it.each([
    ['unknown field', { nonsense: 1 }],
    ['unknown operator', { patron_id: { '-foo': 1 } }],
    ['unknown logic keyword', { '-xor': [] }],
    ['unparsable date-time', { updated_on: { '>': 'yesterday' } }],
    ['relation field without the relation', { 'library.name': 'x' }],
    ['-between without two values', { patron_id: { '-between': [1] } }],
  ])('rejects %s with a QueryError', (_name, q) => {
    expect(() => compileQuery(q, ctx)).toThrow(QueryError);
  });
});

describe('server-zone date-times', () => {
  it.each([
    ['2026-07-01 10:00:00', '2026-07-01T10:00:00+02:00'],
    ['2026-11-20 10:00:00', '2026-11-20T10:00:00+01:00'],
    ['2026-03-29 03:30:00', '2026-03-29T03:30:00+02:00'],
  ])('reads naive %s in Europe/Paris and renders it with the offset', (naive, rendered) => {
    expect(formatRfc3339(parseDateTime(naive, TZ)!, TZ)).toBe(rendered);
  });

  it('picks the earlier instant of an ambiguous autumn hour', () => {
    expect(formatRfc3339(parseDateTime('2026-10-25 02:30:00', TZ)!, TZ)).toBe('2026-10-25T02:30:00+02:00');
  });

  it('rejects impossible calendar dates', () => {
    expect(parseDateTime('2026-02-31 00:00:00', TZ)).toBeUndefined();
    expect(parseDateTime('0000-00-00', TZ)).toBeUndefined();
  });
});
