import { describe, expect, it } from '@jest/globals';
import { coerceValue, ellipsify, parseLenientDate, toDateTimeValue, toDateValue } from '../../src/sandbox/civicrm/index.js';

const NOW = new Date(Date.UTC(2026, 10, 23, 0, 18, 6));
const FIRST_NAME = { n: 'first_name', t: 'String', max: 64 };

describe('sandbox leniency: what CiviCRM 6.17.2 stores instead of rejecting', () => {
  it('cuts a 70-char first_name to 61 chars + "..." (recorded)', () => {
    const stored = ellipsify('A'.repeat(70), 64);
    expect(stored).toBe('A'.repeat(61) + '...');
    expect(stored).toHaveLength(64);
  });

  it('leaves strings that fit alone and counts characters, not bytes', () => {
    expect(ellipsify('Zoë Ñúñez', 9)).toBe('Zoë Ñúñez');
    expect(ellipsify('李'.repeat(10), 8)).toBe('李'.repeat(5) + '...');
  });

  it('trims and truncates through coerceValue using the schema maxlength', () => {
    expect(coerceValue(FIRST_NAME, `  ${'B'.repeat(80)} `, NOW)).toBe('B'.repeat(61) + '...');
  });

  it('turns an object into a PHP-style fatal error for string fields', () => {
    expect(() => coerceValue(FIRST_NAME, { a: 1 }, NOW)).toThrow('trim(): Argument #1 ($string) must be of type string, array given');
  });

  it('stores an unparseable date as 1970-01-01 and rolls impossible days over', () => {
    expect(toDateValue('not-a-date', NOW)).toBe('1970-01-01');
    expect(toDateValue('2026-02-31', NOW)).toBe('2026-03-03');
    expect(toDateValue('2028-02-30', NOW)).toBe('2028-03-01');
    expect(toDateValue('2026-03-29 17:30:00', NOW)).toBe('2026-03-29');
  });

  it('parses the datetime shapes clients send', () => {
    expect(toDateTimeValue('2026-03-01 14:05:00', NOW)).toBe('2026-03-01 14:05:00');
    expect(toDateTimeValue('20260301140500', NOW)).toBe('2026-03-01 14:05:00');
    expect(toDateTimeValue('2026-03-01T14:05', NOW)).toBe('2026-03-01 14:05:00');
    expect(parseLenientDate('soonish', NOW)).toBeNull();
  });

  it('coerces wrong types the way the recording shows', () => {
    expect(coerceValue({ n: 'do_not_email', t: 'Boolean' }, 'maybe', NOW)).toBe(false);
    expect(coerceValue({ n: 'do_not_email', t: 'Boolean' }, '1', NOW)).toBe(true);
    expect(() => coerceValue({ n: 'employer_id', t: 'Integer', fk: 'Contact' }, 'abc', NOW)).toThrow('DB Error: constraint violation');
    expect(coerceValue({ n: 'gender_id', t: 'Integer' }, '2', NOW)).toBe(2);
    expect(coerceValue({ n: 'group_type', t: 'String', ser: 'SEPARATOR_BOOKEND' }, 2, NOW)).toEqual(['2']);
  });
});
