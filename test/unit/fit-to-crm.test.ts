/** Fitting mapped values to CiviCRM's own fields: truncate at a character boundary, omit, or reject, per field policy. */
import { describe, expect, it } from '@jest/globals';
import { fitContact } from '../../connectors/civicrm/fit.js';
import type { FieldSpec } from '../../connectors/civicrm/sink.js';
import { codePointLength, truncateToLength } from '../../src/core/characters.js';
import type { FieldPolicy } from '../../src/core/field-policy.js';
import type { DesiredContact } from '../../src/core/types.js';

describe('truncateToLength cuts at a character boundary, counting code points as MySQL utf8mb4 does', () => {
  it.each([
    ['fits already', 'Ada', 5, 'Ada'],
    ['exactly the limit', 'Abcde', 5, 'Abcde'],
    ['plain text', 'Abcdef', 3, 'Abc'],
    ['no space left at the end of the cut', 'Ab cd', 3, 'Ab'],
    ['emoji count 1 each, not their 2 UTF-16 units', '🦄🦄🦄', 2, '🦄🦄'],
    ['CJK', '李'.repeat(70), 64, '李'.repeat(64)],
    ['a letter keeps its combining accent (Zoe + U+0301, 4 code points)', 'Zoe\u0301', 3, 'Zo'],
    ['two combining marks stay with their letter', 'ae\u0301\u0323x', 3, 'a'],
    ['an emoji ZWJ sequence (4 code points) is kept whole or dropped', 'ab👩🏽‍🔬', 5, 'ab'],
    ['the whole sequence when it fits', 'ab👩🏽‍🔬', 6, 'ab👩🏽‍🔬'],
    ['a flag (2 regional indicators) is never halved', '🇫🇷🇩🇪', 3, '🇫🇷'],
    ['one grapheme longer than the limit leaves nothing', '👨‍👩‍👧‍👦', 4, ''],
  ])('%s', (_n, input, max, expected) => {
    const out = truncateToLength(input, max);
    expect(out).toBe(expected);
    expect(codePointLength(out)).toBeLessThanOrEqual(max);
  });
});

const specList: FieldSpec[] = [
  { name: 'contact_type', dataType: 'String', maxLength: 64, options: ['Individual', 'Household', 'Organization'] },
  { name: 'external_identifier', dataType: 'String', maxLength: 64 },
  { name: 'first_name', dataType: 'String', maxLength: 64 },
  { name: 'last_name', dataType: 'String', maxLength: 64 },
  { name: 'birth_date', dataType: 'Date' },
  { name: 'email_primary.email', dataType: 'Email', maxLength: 254 },
  { name: 'phone_primary.phone', dataType: 'String', maxLength: 32 },
  { name: 'address_primary.street_address', dataType: 'String', maxLength: 96 },
  { name: 'address_primary.country_id:name', dataType: 'String', options: ['GB', 'FR'] },
  { name: 'Library_Patron.Card_Number', dataType: 'String', maxLength: 32 },
];
const specs = new Map(specList.map((s) => [s.name, s]));

const TRUNCATE: FieldPolicy = { onTooLong: 'truncate', onInvalid: 'omit', required: false };
const OMIT: FieldPolicy = { onTooLong: 'omit', onInvalid: 'omit', required: false };
const REJECT: FieldPolicy = { onTooLong: 'reject', onInvalid: 'reject', required: false };
const REQUIRED_OMIT: FieldPolicy = { ...OMIT, required: true };
const REQUIRED_TRUNCATE: FieldPolicy = { ...TRUNCATE, required: true };

function contact(values: DesiredContact['values']): DesiredContact {
  return { externalId: 'koha:7', sourceId: 'koha', sourceRecordId: '7', values: { contact_type: 'Individual', external_identifier: 'koha:7', ...values }, groups: [] };
}

const SURNAME_70 = 'Bartholomäus-Wilhelmina-Konstantina-Alexandrína-Leopoldine-Françoise-X'; // 70 characters
const PHONE_40 = '+44 161 496 0123 ext. 12 (evenings) 4444'; // 40 characters

describe('fitContact', () => {
  it('hand-written inputs are the lengths they claim', () => {
    expect([codePointLength(SURNAME_70), codePointLength(PHONE_40)]).toEqual([70, 40]);
  });

  it.each([
    ['a long surname is truncated to its first 64 characters', 'last_name', SURNAME_70, TRUNCATE, SURNAME_70.slice(0, 64), 'truncated'],
    ['a required surname is still truncated', 'last_name', SURNAME_70, REQUIRED_TRUNCATE, SURNAME_70.slice(0, 64), 'truncated'],
    ['a long phone is left out', 'phone_primary.phone', PHONE_40, OMIT, undefined, 'too_long'],
    ['one grapheme longer than the column cannot be cut, so it is left out', 'last_name', `e${'\u0301'.repeat(70)}`, TRUNCATE, undefined, 'too_long'],
    ['a long street line is truncated', 'address_primary.street_address', `12 ${'Rue '.repeat(30)}`, TRUNCATE, `12 ${'Rue '.repeat(23)}R`, 'truncated'],
    ['an impossible date is left out', 'birth_date', '2026-02-31', OMIT, undefined, 'invalid'],
    ['MySQL\'s zero date is left out', 'birth_date', '0000-00-00', OMIT, undefined, 'invalid'],
    ['an address CiviCRM would not take as e-mail is left out', 'email_primary.email', 'ada at example', OMIT, undefined, 'invalid'],
    ['an over-long e-mail is left out', 'email_primary.email', `${'a'.repeat(250)}@example.org`, OMIT, undefined, 'too_long'],
    ['a country CiviCRM does not know is left out', 'address_primary.country_id:name', 'XX', OMIT, undefined, 'invalid'],
  ] as const)('%s', (_n, field, value, policy, expected, rule) => {
    const fit = fitContact(contact({ first_name: 'Ada', [field]: value }), specs, new Map([[field, policy], ['first_name', TRUNCATE]]));
    if (fit.kind !== 'fit') throw new Error(`expected a fit, got ${JSON.stringify(fit)}`);
    expect(fit.contact.values[field]).toBe(expected);
    expect(field in fit.contact.values).toBe(expected !== undefined);
    expect(fit.contact.values.first_name).toBe('Ada');
    expect(fit.warnings).toEqual([{ field, rule }]);
  });

  it.each([
    ['on_too_long: reject', 'phone_primary.phone', PHONE_40, REJECT, 'phone_primary.phone is longer than 32 characters'],
    ['on_invalid: reject', 'birth_date', '2026-02-31', REJECT, 'birth_date is not a valid calendar date YYYY-MM-DD'],
    ['a required field that would be left out (too long)', 'Library_Patron.Card_Number', '9'.repeat(40), REQUIRED_OMIT, 'Library_Patron.Card_Number is longer than 32 characters'],
    ['a required field that would be left out (invalid)', 'birth_date', '1987-02-30', REQUIRED_OMIT, 'birth_date is not a valid calendar date'],
    ['a field CiviCRM does not know, whatever its policy', 'nick_nam', 'Addie', TRUNCATE, 'nick_nam is not a writable CiviCRM Contact field'],
    ['a field without a policy (set by the mapping itself)', 'contact_type', 'Robot', undefined, 'contact_type is not one of the allowed options'],
    // One grapheme of 71 code points ("zalgo" text): no cut at a boundary fits.
    ['a truncation that would leave nothing, on a required field', 'last_name', `e${'\u0301'.repeat(70)}`, REQUIRED_TRUNCATE, 'last_name is longer than 64 characters'],
  ] as const)('rejects the record: %s, naming the field and not the value', (_n, field, value, policy, reason) => {
    const policies = new Map<string, FieldPolicy>(policy ? [[field, policy]] : []);
    const fit = fitContact(contact({ [field]: value }), specs, policies);
    expect(fit).toEqual({ kind: 'reject', code: 'VALUE_INVALID', reason: expect.stringContaining(reason) });
    if (fit.kind === 'reject') expect(fit.reason).not.toContain(value);
  });

  it('keeps values that fit and null (clear the field) untouched, with no warnings', () => {
    const values = { first_name: 'a'.repeat(64), last_name: '🦄'.repeat(64), birth_date: '2024-02-29', 'phone_primary.phone': null };
    const fit = fitContact(contact(values), specs, new Map([['first_name', REJECT], ['last_name', REJECT], ['birth_date', REJECT], ['phone_primary.phone', REJECT]]));
    expect(fit).toEqual({ kind: 'fit', contact: contact(values), warnings: [] });
  });

  it('fits every field of a record and lists a warning for each, leaving the input untouched', () => {
    const input = contact({ last_name: SURNAME_70, 'phone_primary.phone': PHONE_40, birth_date: '0000-00-00', first_name: 'Ada' });
    const before = structuredClone(input);
    const policies = new Map([['last_name', REQUIRED_TRUNCATE], ['phone_primary.phone', OMIT], ['birth_date', OMIT], ['first_name', TRUNCATE]]);
    const fit = fitContact(input, specs, policies);
    expect(fit).toEqual({
      kind: 'fit',
      contact: contact({ last_name: SURNAME_70.slice(0, 64), first_name: 'Ada' }),
      warnings: [{ field: 'last_name', rule: 'truncated' }, { field: 'phone_primary.phone', rule: 'too_long' }, { field: 'birth_date', rule: 'invalid' }],
    });
    expect(input).toEqual(before);
  });

  it('a record with one field that rejects is rejected as a whole, with every reason', () => {
    const fit = fitContact(contact({ 'phone_primary.phone': PHONE_40, birth_date: 'x' }), specs, new Map([['phone_primary.phone', REJECT], ['birth_date', REJECT]]));
    expect(fit).toMatchObject({ kind: 'reject', reason: expect.stringMatching(/phone_primary\.phone .*; birth_date/) });
  });
});
