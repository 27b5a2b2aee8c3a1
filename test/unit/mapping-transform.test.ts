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

  it('invalid typed value → VALUE_INVALID without the value; all problems listed', () => {
    const m = mapping({
      birth_date: { from: 'date_of_birth', type: 'date' },
      'email_primary.email': { from: 'email', type: 'email' },
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
    expect(valuesOf({ 'address_primary.country_id:name': { from: 'country', type: 'country', on_invalid: 'omit' } }, { country: 'Atlantis' }))
      .toEqual({});
  });

  it('on_invalid: omit on a required field still rejects', () => {
    const r = mapping({ birth_date: { from: 'date_of_birth', type: 'date', on_invalid: 'omit', required: true } })
      .transform(record({ date_of_birth: '0000-00-00' }));
    expect(r).toMatchObject({ kind: 'reject', code: 'VALUE_INVALID' });
  });

  it('custom field longer than its declared max_length → VALUE_INVALID', () => {
    const m = mapping({ 'LP.Card': { from: 'cardnumber' } },
      { custom_fields: { LP: { title: 'LP', fields: { Card: { label: 'Card', max_length: 4 } } } } });
    expect(m.transform(record({ cardnumber: '12345' }))).toEqual({ kind: 'reject', code: 'VALUE_INVALID', reason: 'LP.Card: cardnumber is longer than 4 characters' });
    expect(m.transform(record({ cardnumber: '李李李李' }))).toMatchObject({ kind: 'contact' }); // characters, not bytes
  });

  it.each([
    ['the record flag', { anonymised: true }, {}],
    ['Koha\'s anonymized field', {}, { anonymized: true }],
  ])('anonymised patrons are skipped (%s)', (_n, over, data) => {
    const r = mapping({ last_name: { from: 'surname', required: true } }).transform(record({ surname: 'X', ...data }, over));
    expect(r).toEqual({ kind: 'skip', reason: 'anonymised by the library' });
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
