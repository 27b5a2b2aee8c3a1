import { describe, expect, it } from '@jest/globals';
import type { SourceRecord } from '../../src/core/types.js';
import { compileMapping } from '../../src/mapping/index.js';

const base = { version: 1, source: 'koha', external_id: { from: 'patron_id' } };

function mapping(fields: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return compileMapping({ ...base, fields, ...extra }, { file: 'inline', sourceId: 'koha' });
}

function record(data: Record<string, unknown>, over: Partial<SourceRecord> = {}): SourceRecord {
  return { sourceId: 'koha', kind: 'patron', id: String(data['patron_id'] ?? 1), updatedAt: '2026-03-27T10:00:00+01:00', anonymised: false,
    data: { patron_id: 1, ...data }, ...over };
}

function valuesOf(fields: Record<string, unknown>, data: Record<string, unknown>) {
  const r = mapping(fields).transform(record(data));
  if (r.kind !== 'contact') throw new Error(`expected a contact, got ${JSON.stringify(r)}`);
  const { contact_type, external_identifier, ...rest } = r.contact.values;
  expect(contact_type).toBe('Individual');
  expect(external_identifier).toBe(r.contact.externalId);
  return rest;
}

describe('field sources', () => {
  it.each([
    ['first non-blank of a list', { from: ['preferred_name', 'firstname'] }, { preferred_name: '  ', firstname: 'Ada' }, 'Ada'],
    ['first of a list wins', { from: ['preferred_name', 'firstname'] }, { preferred_name: 'Addie', firstname: 'Ada' }, 'Addie'],
    ['extended attribute', { from: { extended_attribute: 'STUDENTID' } },
      { extended_attributes: [{ type: 'OTHER', value: 'x' }, { type: 'STUDENTID', value: '' }, { type: 'STUDENTID', value: 'S-42' }] }, 'S-42'],
    ['template with a blank part', { template: '{street_number} {address}' }, { street_number: null, address: 'Rue de Rivoli' }, 'Rue de Rivoli'],
    ['template', { template: '{street_number} {address}' }, { street_number: '12', address: 'Rue de Rivoli' }, '12 Rue de Rivoli'],
    ['constant', { value: 'Koha' }, {}, 'Koha'],
    ['typed constant', { value: true, type: 'boolean' }, {}, true],
    ['number as text', { from: 'patron_id' }, { patron_id: 42 }, '42'],
    ['integer', { from: 'privacy', type: 'integer' }, { privacy: 1 }, 1],
    ['boolean', { from: 'patron_card_lost', type: 'boolean' }, { patron_card_lost: false }, false],
    ['unicode untouched (NFC)', { from: 'surname' }, { surname: 'Zoe\u0301 李 سارة 👩🏽‍🔬' }, 'Zoé 李 سارة 👩🏽‍🔬'],
  ])('%s', (_n, spec, data, expected) => {
    expect(valuesOf({ out: spec }, data)).toEqual({ out: expected });
  });
});

describe('blank values', () => {
  it.each([null, undefined, '', '   '])('a blank (%j) is omitted, never sent as empty', (v) => {
    expect(valuesOf({ 'email_primary.email': { from: 'email', type: 'email' } }, { email: v })).toEqual({});
  });

  it('clear_when_empty sends null to clear the CRM value', () => {
    expect(valuesOf({ 'email_primary.email': { from: 'email', clear_when_empty: true } }, { email: ' ' })).toEqual({ 'email_primary.email': null });
  });

  it('a value blank only after transforms counts as blank', () => {
    expect(valuesOf({ x: { from: 'city', transform: ['collapse_spaces'] } }, { city: ' \t ' })).toEqual({});
  });
});

describe('rejects and skips', () => {
  it('required field missing → RECORD_INVALID naming the field and source, not the value', () => {
    const r = mapping({ last_name: { from: ['surname', 'other_name'], required: true } }).transform(record({ surname: '' }));
    expect(r).toEqual({ kind: 'reject', code: 'RECORD_INVALID', reason: 'last_name: required, but surname, other_name has no value' });
  });

  it('by default an invalid typed value is left out with a warning naming the field and rule, and the record kept', () => {
    const m = mapping({
      last_name: { from: 'surname' },
      birth_date: { from: 'date_of_birth', type: 'date' },
      'email_primary.email': { from: 'email', type: 'email' },
    });
    expect(m.transform(record({ surname: 'Lee', date_of_birth: '1984-02-30', email: 'ada at example.org' }))).toEqual({
      kind: 'contact',
      contact: expect.objectContaining({ values: { contact_type: 'Individual', external_identifier: 'koha:1', last_name: 'Lee' } }),
      warnings: [{ field: 'birth_date', rule: 'invalid' }, { field: 'email_primary.email', rule: 'invalid' }],
    });
  });

  it('on_invalid: reject → VALUE_INVALID without the value; all problems listed', () => {
    const m = mapping({
      birth_date: { from: 'date_of_birth', type: 'date', on_invalid: 'reject' },
      'email_primary.email': { from: 'email', type: 'email', on_invalid: 'reject' },
    });
    const r = m.transform(record({ date_of_birth: '1984-02-30', email: 'ada at example.org' }));
    expect(r).toEqual({
      kind: 'reject', code: 'VALUE_INVALID',
      reason: 'birth_date: date_of_birth is not a calendar date (YYYY-MM-DD or an RFC 3339 date-time); '
        + 'email_primary.email: email is not an e-mail address',
    });
    expect(JSON.stringify(r)).not.toContain('1984');
  });

  it('on_invalid: omit leaves the field out and keeps the record', () => {
    const r = mapping({ 'address_primary.country_id:name': { from: 'country', type: 'country', on_invalid: 'omit' } }).transform(record({ country: 'Atlantis' }));
    expect(r).toMatchObject({ kind: 'contact', warnings: [{ field: 'address_primary.country_id:name', rule: 'invalid' }] });
    if (r.kind === 'contact') expect(r.contact.values).not.toHaveProperty(['address_primary.country_id:name']);
  });

  it('an invalid value on a required field rejects the record, whatever on_invalid says', () => {
    for (const onInvalid of [undefined, 'omit']) {
      const r = mapping({ birth_date: { from: 'date_of_birth', type: 'date', required: true, ...(onInvalid ? { on_invalid: onInvalid } : {}) } })
        .transform(record({ date_of_birth: '0000-00-00' }));
      expect(r).toMatchObject({ kind: 'reject', code: 'VALUE_INVALID' });
    }
  });

  it('a record without warnings has no warnings key', () => {
    expect(mapping({ last_name: { from: 'surname' } }).transform(record({ surname: 'Lee' }))).not.toHaveProperty('warnings');
  });

  it.each([
    ['the record flag', { anonymised: true }, {}],
    ['Koha\'s anonymized field', {}, { anonymized: true }],
  ])('anonymised patrons are skipped (%s)', (_n, over, data) => {
    const r = mapping({ last_name: { from: 'surname', required: true } }).transform(record({ surname: 'X', ...data }, over));
    expect(r).toEqual({ kind: 'skip', reason: 'withheld by the privacy rules (anonymised)', withheld: 'anonymised' });
  });

  it('external ids are namespaced and must fit 64 characters', () => {
    const m = mapping({});
    expect(m.transform(record({ patron_id: 1042 }))).toMatchObject({ kind: 'contact', contact: { externalId: 'koha:1042', sourceRecordId: '1042' } });
    expect(m.transform(record({ patron_id: 'x'.repeat(60) }))).toMatchObject({ kind: 'reject', code: 'RECORD_INVALID' });
    expect(m.transform(record({ patron_id: null }))).toEqual({ kind: 'reject', code: 'RECORD_INVALID', reason: 'external_id: patron_id is blank' });
  });

  it('a record from another source is refused', () => {
    expect(mapping({}).transform(record({}, { sourceId: 'folio' }))).toMatchObject({ kind: 'reject', code: 'RECORD_INVALID' });
  });
});

describe('values longer than the mapping\'s max_length', () => {
  const custom = { custom_fields: { LP: { title: 'LP', fields: { Card: { label: 'Card', max_length: 4 }, Note: { label: 'Note', type: 'Memo', max_length: 5 } } } } };
  const one = (target: string, spec: Record<string, unknown>, value: string) =>
    compileMapping({ ...base, fields: { [target]: { from: 'surname', ...spec } }, ...custom }, { file: 'inline', sourceId: 'koha' })
      .transform(record({ surname: value }));

  it.each([
    ['a name is truncated by default', 'last_name', { max_length: 10 }, 'Abcdefghijklmno', 'Abcdefghij', 'truncated'],
    ['a street line is truncated by default', 'address_primary.street_address', { max_length: 6 }, '12 Rue de Rivoli', '12 Rue', 'truncated'],
    ['a phone is left out by default', 'phone_primary.phone', { max_length: 10 }, '+44 161 496 0123', undefined, 'too_long'],
    ['an e-mail is left out by default', 'email_primary.email', { max_length: 10, type: 'email' }, 'ada@example.org', undefined, 'too_long'],
    ['a postal code is left out by default', 'address_primary.postal_code', { max_length: 4 }, 'SW1Y 4LB', undefined, 'too_long'],
    ['a custom String field (often a code) is left out by default', 'LP.Card', {}, '12345', undefined, 'too_long'],
    ['a custom Memo field is truncated by default', 'LP.Note', {}, 'Notes here', 'Notes', 'truncated'],
    ['on_too_long: truncate on a phone', 'phone_primary.phone', { max_length: 10, on_too_long: 'truncate' }, '+44 161 496 0123', '+44 161 49', 'truncated'],
    ['on_too_long: omit on a name', 'last_name', { max_length: 10, on_too_long: 'omit' }, 'Abcdefghijklmno', undefined, 'too_long'],
    ['the smaller of the field\'s and the custom field\'s max_length wins', 'LP.Card', { max_length: 2, on_too_long: 'truncate' }, '1234', '12', 'truncated'],
    ['the cut never splits an emoji sequence', 'first_name', { max_length: 4 }, 'Ab👩🏽‍🔬', 'Ab', 'truncated'],
    ['characters, not bytes or UTF-16 units', 'LP.Card', {}, '李李🦄🦄', '李李🦄🦄', undefined],
  ] as const)('%s', (_n, target, spec, value, expected, rule) => {
    const r = one(target, spec, value);
    if (r.kind !== 'contact') throw new Error(`expected a contact, got ${JSON.stringify(r)}`);
    expect(r.contact.values[target]).toBe(expected);
    expect(r.warnings).toEqual(rule ? [{ field: target, rule }] : undefined);
  });

  it.each([
    ['on_too_long: reject', { max_length: 10, on_too_long: 'reject' }],
    ['a required field that would be left out', { max_length: 10, on_too_long: 'omit', required: true }],
  ])('rejects the record: %s, naming the field and not the value', (_n, spec) => {
    expect(one('last_name', spec, 'Abcdefghijklmno')).toEqual({ kind: 'reject', code: 'VALUE_INVALID', reason: 'last_name: surname is longer than 10 characters' });
  });
});

describe('field policies for values that do not fit the CRM', () => {
  const targets = [
    'first_name', 'middle_name', 'last_name', 'nick_name', 'formal_title', 'job_title', 'source',
    'address_primary.street_address', 'address_primary.supplemental_address_1', 'address_primary.city',
    'email_primary.email', 'phone_primary.phone', 'address_primary.postal_code', 'legal_identifier', 'LP.Card', 'LP.Note',
  ];
  const m = mapping(Object.fromEntries(targets.map((t) => [t, { from: 'surname' }])),
    { custom_fields: { LP: { title: 'LP', fields: { Card: { label: 'Card' }, Note: { label: 'Note', type: 'Memo' } } } } });

  it.each([
    ['first_name', 'truncate'], ['middle_name', 'truncate'], ['last_name', 'truncate'], ['nick_name', 'truncate'],
    ['formal_title', 'truncate'], ['job_title', 'truncate'], ['source', 'truncate'], ['address_primary.street_address', 'truncate'],
    ['address_primary.supplemental_address_1', 'truncate'], ['address_primary.city', 'truncate'], ['LP.Note', 'truncate'],
    ['email_primary.email', 'omit'], ['phone_primary.phone', 'omit'], ['address_primary.postal_code', 'omit'],
    ['legal_identifier', 'omit'], ['LP.Card', 'omit'],
  ])('%s: on_too_long defaults to %s, on_invalid to omit', (target, onTooLong) => {
    expect(m.policies.get(target)).toEqual({ onTooLong, onInvalid: 'omit', required: false });
  });

  it('what the file says wins over the defaults', () => {
    const p = mapping({ last_name: { from: 'surname', required: true, on_too_long: 'reject', on_invalid: 'reject' } }).policies;
    expect(p.get('last_name')).toEqual({ onTooLong: 'reject', onInvalid: 'reject', required: true });
  });
});

describe('groups', () => {
  const m = mapping({}, {
    groups: [
      { name: 'Koha_Category_{category_id}', title: 'Library patrons: {category_id}' },
      { name: 'Koha_Branch_{library_id}', title: 'Branch {library_id}' },
      { name: 'Library_Patrons', title: 'All library patrons' },
      { name: 'Koha_Cat_{category_id}', title: 'dup' },
    ],
  });

  it('names are built from fields and sanitised; a group needing a blank field is left out', () => {
    const r = m.transform(record({ category_id: 'ADULT-É', library_id: null }));
    expect(r).toMatchObject({ kind: 'contact' });
    if (r.kind !== 'contact') return;
    expect(r.contact.groups).toEqual([
      { name: 'Koha_Category_ADULT_E', title: 'Library patrons: ADULT-É' },
      { name: 'Library_Patrons', title: 'All library patrons' },
      { name: 'Koha_Cat_ADULT_E', title: 'dup' },
    ]);
  });

  it('the transform is pure: same record, same result', () => {
    const rec = record({ category_id: 'ST', library_id: 'MPL', surname: 'Ø' });
    expect(m.transform(rec)).toEqual(m.transform(rec));
  });
});
