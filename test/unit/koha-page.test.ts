import { describe, it, expect } from '@jest/globals';
import { parsePatronPage } from '../../connectors/koha/patron-page.js';
import { patronRow } from './koha-fixtures.js';

const ctx = { sourceId: 'koha', limit: 4, timeZone: 'Europe/Berlin' };

describe('parsePatronPage', () => {
  it('turns valid rows into SourceRecords with ISO UTC updatedAt and the validated data', () => {
    const page = parsePatronPage(
      [patronRow(1, '2025-01-31T11:00:00+01:00', { some_future_field: { x: 1 } }), patronRow(2, '2025-01-31 12:00:00', { anonymized: true })],
      ctx,
    );
    expect(page.rejected).toEqual([]);
    expect(page.records.map((r) => [r.id, r.updatedAt, r.anonymised])).toEqual([
      ['1', '2025-01-31T10:00:00.000Z', false],
      ['2', '2025-01-31T11:00:00.000Z', true],
    ]);
    // New Koha versions add fields: they pass through instead of failing the record.
    expect(page.records[0]?.data.some_future_field).toEqual({ x: 1 });
    expect(page.records[0]?.sourceId).toBe('koha');
    expect(page.records[0]?.kind).toBe('patron');
    expect(page.last).toEqual({ updatedAt: '2025-01-31T11:00:00.000Z', id: '2' });
    expect(page.hasMore).toBe(false);
  });

  it('rejects malformed rows by field and expectation, never by value, and keeps the rest of the page', () => {
    const rows = [
      patronRow(1, '2025-01-31T10:00:00Z'),
      patronRow(2, '2025-01-31T10:00:01Z', { email: 12345, date_of_birth: '31.12.1980' }),
      { ...patronRow(3, 'x'), patron_id: 'abc', updated_on: 'sometime' },
      patronRow(4, '2025-01-31T10:00:02Z', { extended_attributes: [{ type: 'STUDENTID', value: 99 }] }),
    ];
    const page = parsePatronPage(rows, ctx);
    expect(page.records.map((r) => r.id)).toEqual(['1']);
    expect(page.rejected).toEqual([
      { sourceId: 'koha', id: '2', reason: 'email: expected string, got integer; date_of_birth: expected a date YYYY-MM-DD' },
      {
        sourceId: 'koha',
        id: 'page position 3',
        reason: 'patron_id: expected an integer, got string; updated_on: expected an RFC 3339 date-time',
      },
      { sourceId: 'koha', id: '4', reason: 'extended_attributes[0].value: expected string, got integer' },
    ]);
    const reasons = JSON.stringify(page.rejected);
    for (const value of ['12345', '31.12.1980', 'abc', 'sometime', '99']) expect(reasons).not.toContain(value);
    // A rejected row still moves the keyset: it must not be read again on the next page.
    expect(page.last).toEqual({ updatedAt: '2025-01-31T10:00:02.000Z', id: '4' });
    expect(page.hasMore).toBe(true);
  });

  it('keeps the last usable keyset when the final row has none', () => {
    const page = parsePatronPage([patronRow(5, '2025-01-31T10:00:00Z'), { surname: 'x' }], ctx);
    expect(page.rejected).toEqual([
      { sourceId: 'koha', id: 'page position 2', reason: 'patron_id: expected an integer, got nothing (missing); updated_on: expected an RFC 3339 date-time string, got nothing (missing)' },
    ]);
    expect(page.last).toEqual({ updatedAt: '2025-01-31T10:00:00.000Z', id: '5' });
  });

  it('rejects non-object rows and an impossible updated_on', () => {
    const page = parsePatronPage([null, patronRow(6, '2025-02-30T10:00:00Z')], ctx);
    expect(page.rejected.map((r) => [r.id, r.reason])).toEqual([
      ['page position 1', 'expected a patron object'],
      ['6', 'updated_on: expected an existing date-time'],
    ]);
    expect(page.last).toBeNull();
  });

  it('accepts nulls where the spec allows them and rejects null where it does not', () => {
    const page = parsePatronPage(
      [patronRow(7, '2025-01-31T10:00:00Z', { surname: null, date_of_birth: null, sms_provider_id: null }), patronRow(8, '2025-01-31T10:00:00Z', { library_id: null })],
      ctx,
    );
    expect(page.records.map((r) => r.id)).toEqual(['7']);
    expect(page.rejected).toEqual([{ sourceId: 'koha', id: '8', reason: 'library_id: expected string, got null' }]);
  });

  it('an empty page has no position and no more rows', () => {
    expect(parsePatronPage([], ctx)).toEqual({ records: [], rejected: [], last: null, hasMore: false });
  });
});
