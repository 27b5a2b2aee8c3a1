import { describe, expect, it } from '@jest/globals';
import { compileWhere } from '../../src/sandbox/civicrm/index.js';

type Row = Record<string, unknown>;
const rows: Row[] = [
  { id: 1, last_name: 'Lovelace', ext: 'koha:1', deleted: false, targets: [7, 8], birth: '1815-12-10' },
  { id: 2, last_name: 'Hopper', ext: 'KOHA:2', deleted: true, targets: null, birth: null },
  { id: 3, last_name: null, ext: 'folio:x', deleted: false, targets: [9], birth: '1906-12-09' },
];
const ids = (where: unknown): unknown[] => rows.filter(compileWhere<Row>(where, (f) => (r) => r[f])).map((r) => r['id']);

describe('sandbox where evaluation (APIv4 operators over rows)', () => {
  it.each([
    ['= is case-insensitive like MySQL _ci', [['ext', '=', 'koha:2']], [2]],
    ['!= never matches NULL', [['last_name', '!=', 'Hopper']], [1]],
    ['IN / NOT IN', [['id', 'IN', [1, 3]]], [1, 3]],
    ['NOT IN skips NULL', [['last_name', 'NOT IN', ['Hopper']]], [1]],
    ['LIKE with % and _', [['ext', 'LIKE', 'koha:_']], [1, 2]],
    ['IS NULL / IS NOT NULL', [['last_name', 'IS NULL']], [3]],
    ['BETWEEN on dates', [['birth', 'BETWEEN', ['1800-01-01', '1900-01-01']]], [1]],
    ['< and >= compare numbers numerically', [['id', '>=', '2'], ['id', '<', 3]], [2]],
    ['booleans match 0/1', [['deleted', '=', 1]], [2]],
    ['= on a multi-valued field means contains', [['targets', '=', 8]], [1]],
    ['OR / NOT groups', [['OR', [['id', '=', 1], ['NOT', [['deleted', '=', false]]]]]], [1, 2]],
  ])('%s', (_name, where, expected) => {
    expect(ids(where)).toEqual(expected);
  });

  // utf8mb4_unicode_ci, the collation of CiviCRM's tables on MariaDB
  const names: Row[] = [
    { id: 1, name: 'Zoë' },
    { id: 2, name: 'Zoe\u0308' },
    { id: 3, name: 'ZOE' },
    { id: 4, name: 'Straße' },
    { id: 5, name: 'Zoey' },
  ];
  const named = (where: unknown): unknown[] => names.filter(compileWhere<Row>(where, (f) => (r) => r[f])).map((r) => r['id']);
  it.each([
    ['= ignores accents, composed or decomposed, and case', [['name', '=', 'zoe']], [1, 2, 3]],
    ['= ignores trailing spaces (PAD SPACE)', [['name', '=', 'Zoë  ']], [1, 2, 3]],
    ['ß equals ss', [['name', '=', 'STRASSE']], [4]],
    ['LIKE folds accents but keeps trailing spaces significant', [['name', 'LIKE', 'zoe']], [1, 2, 3]],
    ['LIKE with a trailing space in the pattern', [['name', 'LIKE', 'zoe ']], []],
    ['IN uses the same comparison', [['name', 'IN', ['ZOË', 'zoey']]], [1, 2, 3, 5]],
    ['CONTAINS folds too', [['name', 'CONTAINS', 'OË']], [1, 2, 3, 5]],
  ])('collation: %s', (_name, where, expected) => {
    expect(named(where)).toEqual(expected);
  });

  it('rejects an unknown operator with the recorded message', () => {
    expect(() => ids([['id', 'LIKEY', 1]])).toThrow('Illegal operator');
  });

  it('reports an unknown field through the resolver', () => {
    const resolve = (f: string) => {
      if (f !== 'id') throw new Error(`Invalid field '${f}'`);
      return (r: Row) => r['id'];
    };
    expect(() => compileWhere<Row>([['no_such_field', '=', 1]], resolve)).toThrow("Invalid field 'no_such_field'");
  });
});
