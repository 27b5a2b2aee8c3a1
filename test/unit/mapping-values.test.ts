import { describe, expect, it } from '@jest/globals';
import { parseCalendarDate } from '../../src/mapping/dates.js';
import { toCountryCode } from '../../src/mapping/countries.js';
import { isPlausibleEmail } from '../../src/mapping/email.js';
import { applyStringTransforms, isBlank } from '../../src/mapping/text.js';
import { parseTemplate, renderStrict, renderTemplate, type Template } from '../../src/mapping/template.js';
import { sanitiseGroupName } from '../../src/mapping/groups.js';
import type { SourceRef } from '../../src/mapping/source-ref.js';

describe('parseCalendarDate', () => {
  it.each([
    ['2026-03-27', '2026-03-27'],
    [' 1990-07-14 ', '1990-07-14'],
    ['2024-02-29', '2024-02-29'], // leap year
    ['2000-02-29', '2000-02-29'], // divisible by 400
    // A date-time keeps its local date: no shift to UTC, whatever the offset.
    ['2026-03-27T23:30:00+02:00', '2026-03-27'],
    ['2026-03-27T00:15:00-05:00', '2026-03-27'],
    ['2026-03-27T23:59:59.123Z', '2026-03-27'],
    ['2026-03-27 10:02:11', '2026-03-27'],
  ])('accepts %j as %s', (input, expected) => {
    expect(parseCalendarDate(input)).toBe(expected);
  });

  it.each([
    '2026-02-31', '2023-02-29', '1900-02-29', '0000-00-00', '2026-00-10', '2026-13-01', '2026-04-31',
    '2026-3-7', '27/03/2026', '20260327', '', 'not a date', '2026-03-27T25:00:00Z', '2026-03-27T10:00:00+25:00',
    '2026-03-27T10:00', '2026-03-27Tfoo',
  ])('rejects %j', (input) => {
    expect(parseCalendarDate(input)).toBeNull();
  });
});

describe('toCountryCode', () => {
  it.each([
    ['FR', 'FR'], ['fr', 'FR'], ['FRA', 'FR'], ['France', 'FR'], ['FRANCE', 'FR'], [' france ', 'FR'],
    ['United Kingdom', 'GB'], ['UK', 'GB'], ['Great Britain', 'GB'], ['GBR', 'GB'],
    ['USA', 'US'], ['United States', 'US'], ['United States of America', 'US'], ['U.S.A.', 'US'],
    ['Deutschland', 'DE'], ['Allemagne', 'DE'], ['Germany', 'DE'], ['DEU', 'DE'],
    ['Côte d\'Ivoire', 'CI'], ['Cote d’Ivoire', 'CI'], ['COTE D IVOIRE', 'CI'], ['Ivory Coast', 'CI'],
    ['España', 'ES'], ['Espana', 'ES'], ['Österreich', 'AT'], ['Schweiz', 'CH'], ['Suisse', 'CH'],
    ['日本', 'JP'], ['Россия', 'RU'], ['ישראל', 'IL'], ['Türkiye', 'TR'], ['Turkey', 'TR'],
    ['St Kitts and Nevis', 'KN'], ['Saint Kitts & Nevis', 'KN'], ['Netherlands', 'NL'], ['The Netherlands', 'NL'],
    ['Czech Republic', 'CZ'], ['Czechia', 'CZ'], ['South Korea', 'KR'], ['Hong Kong', 'HK'],
  ])('%j → %s', (input, code) => {
    expect(toCountryCode(input)).toBe(code);
  });

  it.each(['Atlantis', 'XX', 'ZZ', 'EU', 'XK', '', 'Fr ance x'])('does not guess for %j', (input) => {
    expect(toCountryCode(input)).toBeNull();
  });
});

describe('string transforms and blanks', () => {
  it.each([
    [['trim'], '  Ada  ', 'Ada'],
    [['lower'], 'ADA@Example.ORG', 'ada@example.org'],
    [['upper'], 'sw1a 1aa', 'SW1A 1AA'],
    [['collapse_spaces'], '  Jean \t  Paul\n', 'Jean Paul'],
    [['trim', 'lower'], ' ÉLODIE@EXAMPLE.FR ', 'élodie@example.fr'],
    [[], ' kept as is ', ' kept as is '],
  ] as const)('%j on %j gives %j', (ops, input, expected) => {
    expect(applyStringTransforms(input, ops)).toBe(expected);
  });

  it.each([[null, true], [undefined, true], ['', true], ['  \t', true], ['0', false], [0, false], [false, false]])(
    'isBlank(%j) is %s', (v, blank) => {
      expect(isBlank(v)).toBe(blank);
    });
});

describe('isPlausibleEmail', () => {
  it.each(['ada@example.org', 'o\'brien@example.ie', 'jürgen@bücher.de', 'a+tag@sub.example.co.uk', '用户@例子.中国'])(
    'accepts %j', (e) => expect(isPlausibleEmail(e)).toBe(true));
  it.each(['ada', 'ada@', '@example.org', 'ada@example', 'a b@example.org', 'a@b@example.org', 'ada@example..org',
    'a@example.org, b@example.org', `${'x'.repeat(65)}@example.org`])(
    'rejects %j', (e) => expect(isPlausibleEmail(e)).toBe(false));
});

describe('templates', () => {
  const values: Record<string, string | null> = { a: 'A', b: null, c: 'C', n: '12', s: 'Main St' };
  const valueOf = (ref: SourceRef) => (ref.kind === 'field' ? (values[ref.name] ?? null) : null);
  const parse = (t: string) => parseTemplate(t) as Template;

  it.each([
    ['{n} {s}', '12 Main St'],
    ['{b} {s}', 'Main St'], // blank first part takes the separator after it
    ['{a} - {b} - {c}', 'A - C'], // blank middle part takes the separator before it
    ['{a}, {b}', 'A'],
    ['Card {n}', 'Card 12'],
    ['{b}', null],
    ['Card {b}', null],
  ])('renderTemplate(%j) = %j', (t, expected) => {
    expect(renderTemplate(parse(t), valueOf)).toBe(expected);
  });

  it('renderStrict gives nothing when a part is blank, and constants as they are', () => {
    expect(renderStrict(parse('G_{a}_{c}'), valueOf)).toBe('G_A_C');
    expect(renderStrict(parse('G_{a}_{b}'), valueOf)).toBeNull();
    expect(renderStrict(parse('Library_Patrons'), valueOf)).toBe('Library_Patrons');
  });

  it('reads extended attribute placeholders', () => {
    expect(parse('{extended_attribute:STUDENTID}').refs).toEqual([{ kind: 'attribute', code: 'STUDENTID' }]);
  });

  it.each([['{a', 'unclosed'], ['a}', 'unmatched'], ['{}', 'empty'], ['{a{b}}', 'nested'], ['{extended_attribute:}', 'attribute']])(
    'syntax error in %j mentions %s', (t, word) => {
      expect(parseTemplate(t)).toEqual(expect.stringContaining(word));
    });
});

describe('sanitiseGroupName', () => {
  it.each([
    ['Koha_Category_ADULT', 'Koha_Category_ADULT'],
    ['Koha_Category_ADULT-STAFF', 'Koha_Category_ADULT_STAFF'],
    ['Koha_Branch_Bibliothèque Centrale', 'Koha_Branch_Bibliotheque_Centrale'],
    ['Koha_Branch_図書館', 'Koha_Branch__'],
  ])('%j → %j', (input, expected) => {
    expect(sanitiseGroupName(input)).toBe(expected);
  });

  it('keeps long names at 64 characters and distinct', () => {
    const a = sanitiseGroupName(`Koha_Category_${'X'.repeat(80)}A`);
    const b = sanitiseGroupName(`Koha_Category_${'X'.repeat(80)}B`);
    expect(a).toHaveLength(64);
    expect(a).toMatch(/^[A-Za-z0-9_]+$/);
    expect(a).not.toBe(b);
  });
});
