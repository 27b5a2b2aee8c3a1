import { describe, expect, it } from '@jest/globals';
import type { FieldSpec } from '../../connectors/civicrm/sink.js';
import { codePointLength, isCalendarDate, isTimestamp, validateContactValues } from '../../connectors/civicrm/validate.js';

const specList: FieldSpec[] = [
  { name: 'first_name', dataType: 'String', maxLength: 64 },
  { name: 'external_identifier', dataType: 'String', maxLength: 64 },
  { name: 'birth_date', dataType: 'Date' },
  { name: 'Library_Patron.Last_Seen', dataType: 'Timestamp' },
  { name: 'employer_id', dataType: 'Integer' },
  { name: 'do_not_email', dataType: 'Boolean' },
  { name: 'email_primary.email', dataType: 'Email', maxLength: 254 },
  { name: 'address_primary.country_id:name', dataType: 'String', options: ['GB', 'ES', 'HK'] },
  { name: 'contact_type', dataType: 'String', maxLength: 64, options: ['Individual', 'Household', 'Organization'] },
];
const specs = new Map(specList.map((s) => [s.name, s]));

describe('codePointLength counts characters as MySQL utf8mb4 does', () => {
  it.each([
    ['Ada', 3],
    ['Zoë Ñúñez', 9],
    ['李小龙', 3],
    ['🦄🦄', 2], // 4 UTF-16 units
    ['👩‍💻', 3], // woman + ZWJ + laptop: 3 code points
  ])('%s → %i', (s, n) => expect(codePointLength(s)).toBe(n));
});

describe('dates', () => {
  it.each([
    ['2026-03-01', true],
    ['2024-02-29', true],
    ['2000-02-29', true],
    ['1900-02-29', false],
    ['2026-02-31', false],
    ['0000-00-00', false],
    ['2026-13-01', false],
    ['2026-3-1', false],
    ['01/03/2026', false],
    ['2026-03-01 10:00:00', false],
  ])('isCalendarDate(%s) = %s', (s, ok) => expect(isCalendarDate(s)).toBe(ok));

  it.each([
    ['2026-03-01 14:05:00', true],
    ['2026-03-01 24:00:00', false],
    ['2026-02-30 10:00:00', false],
    ['2026-03-01T14:05:00', false],
    ['2026-03-01', false],
  ])('isTimestamp(%s) = %s', (s, ok) => expect(isTimestamp(s)).toBe(ok));
});

describe('validateContactValues', () => {
  const ok: Array<[string, unknown]> = [
    ['first_name', 'a'.repeat(64)],
    ['first_name', '🦄'.repeat(64)], // 128 UTF-16 units but 64 characters
    ['first_name', '李'.repeat(64)],
    ['first_name', null],
    ['birth_date', '1815-12-10'],
    ['birth_date', null],
    ['Library_Patron.Last_Seen', '2026-03-01 14:05:00'],
    ['employer_id', 12],
    ['employer_id', '12'],
    ['do_not_email', true],
    ['do_not_email', 0],
    ['do_not_email', '1'],
    ['email_primary.email', 'ada@example.org'],
    ['address_primary.country_id:name', 'GB'],
    ['contact_type', 'Individual'],
  ];
  it.each(ok)('accepts %s = %j', (field, value) => {
    expect(validateContactValues({ [field]: value as string }, specs)).toEqual([]);
  });

  const bad: Array<[string, unknown, string]> = [
    ['first_name', 'a'.repeat(65), 'max_length'],
    ['first_name', '🦄'.repeat(65), 'max_length'],
    ['first_name', true, 'type'],
    ['birth_date', '2026-02-31', 'date'],
    ['birth_date', '0000-00-00', 'date'],
    ['birth_date', 'not-a-date', 'date'],
    ['Library_Patron.Last_Seen', '2026-03-01', 'timestamp'],
    ['employer_id', 'abc', 'integer'],
    ['employer_id', 1.5, 'integer'],
    ['do_not_email', 'maybe', 'boolean'],
    ['email_primary.email', 'ada at example', 'email'],
    ['email_primary.email', `${'a'.repeat(250)}@example.org`, 'max_length'],
    ['address_primary.country_id:name', 'XX', 'option'],
    ['contact_type', 'Nonsense', 'option'],
    ['no_such_field', 'x', 'unknown_field'],
  ];
  it.each(bad)('rejects %s = %j (%s) naming the field, not the value', (field, value, rule) => {
    const problems = validateContactValues({ [field]: value as string }, specs);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ field, rule });
    expect(problems[0]!.message).toContain(field);
    if (typeof value === 'string' && value.length > 2) expect(problems[0]!.message).not.toContain(value);
  });

  it('reports every bad field of a record', () => {
    const problems = validateContactValues({ first_name: 'Ada', birth_date: '2026-02-31', no_such_field: 1, employer_id: 'x' }, specs);
    expect(problems.map((p) => p.field).sort()).toEqual(['birth_date', 'employer_id', 'no_such_field']);
  });
});
