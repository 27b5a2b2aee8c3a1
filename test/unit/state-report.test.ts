import { describe, expect, it } from '@jest/globals';
import { sumPages, type StoredPageResult } from '../../src/state/ports.js';

const page = (over: Partial<StoredPageResult> = {}): StoredPageResult => ({
  read: 3, created: 2, updated: 0, unchanged: 0, rejected: 1, skipped: 0, rejections: [{ recordId: '9', code: 'RECORD_INVALID', reason: 'r' }], ...over,
});

describe('a source report sums its pages', () => {
  it('counts warnings per field and rule, most frequent first, and keeps the list per record', () => {
    const total = sumPages([
      page({ withWarnings: 2, warnings: [
        { recordId: '1', field: 'phone_primary.phone', rule: 'too_long' },
        { recordId: '1', field: 'last_name', rule: 'truncated' },
        { recordId: '2', field: 'last_name', rule: 'truncated' },
      ] }),
      page({ withWarnings: 1, warnings: [{ recordId: '4', field: 'birth_date', rule: 'invalid' }] }),
    ]);
    expect(total).toMatchObject({ pages: 2, read: 6, created: 4, rejected: 2, withWarnings: 3 });
    expect(total.warningCounts).toEqual([
      { field: 'last_name', rule: 'truncated', count: 2 },
      { field: 'birth_date', rule: 'invalid', count: 1 },
      { field: 'phone_primary.phone', rule: 'too_long', count: 1 },
    ]);
    expect(total.warnings.map((w) => w.recordId)).toEqual(['1', '1', '2', '4']);
  });

  it('reads pages stored before warnings existed as pages without warnings', () => {
    expect(sumPages([page()])).toMatchObject({ pages: 1, withWarnings: 0, warnings: [], warningCounts: [] });
  });
});
