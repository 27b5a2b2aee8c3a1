import { describe, expect, it } from '@jest/globals';
import { formatReport } from '../../src/cli/format-report.js';
import type { RunReport, SourceReport } from '../../src/state/ports.js';

const noWarnings = { withWarnings: 0, deleted: 0, warnings: [], warningCounts: [] };

const report: RunReport = {
  runId: 'r1', mode: 'incremental', status: 'failed', startedAt: '2026-11-23T00:00:00.000Z', finishedAt: '2026-11-23T00:00:12.500Z', durationMs: 12500,
  sources: [{
    sourceId: 'koha', stream: 'patrons', status: 'failed', read: 250, created: 200, updated: 30, unchanged: 15, rejected: 3, skipped: 2, retried: 0, linked: 4, held: 1, conflicts: 2, pages: 2, durationMs: 12500,
    error: 'page 2: CRM_AUTH: Invalid credential',
    rejections: [1, 2, 3].map((i) => ({ recordId: String(i), code: 'RECORD_INVALID', reason: 'last_name: required, but surname has no value' })),
    ...noWarnings,
  }],
};

const warned: SourceReport = {
  sourceId: 'koha', stream: 'patrons', status: 'done', read: 10, created: 8, updated: 2, unchanged: 0, rejected: 0, skipped: 0, retried: 0, linked: 0, held: 0, conflicts: 0, pages: 1, durationMs: 900, rejections: [],
  withWarnings: 3, deleted: 0,
  warnings: [
    { recordId: '17', field: 'phone_primary.phone', rule: 'too_long' },
    { recordId: '17', field: 'last_name', rule: 'truncated' },
    { recordId: '18', field: 'last_name', rule: 'truncated' },
    { recordId: '19', field: 'birth_date', rule: 'invalid' },
  ],
  warningCounts: [
    { field: 'last_name', rule: 'truncated', count: 2 },
    { field: 'birth_date', rule: 'invalid', count: 1 },
    { field: 'phone_primary.phone', rule: 'too_long', count: 1 },
  ],
};

describe('run report text', () => {
  it('shows status, duration, every count per source, the failure and the rejected records', () => {
    const text = formatReport(report, { maxRejections: 2 });
    expect(text).toContain('Run r1 (incremental): FAILED in 12.5 s');
    expect(text).toMatch(/koha\s+patrons\s+failed\s+250\s+200\s+4\s+30\s+15\s+3\s+2\s+1\s+2\s+12\.5/);
    expect(text).toContain('koha: 2 conflict(s) logged, 1 record(s) held for a person (see `patron-bridge conflicts list`)');
    expect(text).toContain('koha: failed: page 2: CRM_AUTH: Invalid credential');
    expect(text).toContain('record 1: RECORD_INVALID: last_name: required, but surname has no value');
    expect(text).not.toContain('record 3:');
    expect(text).toContain('… and 1 more (see --json)');
    expect(text).not.toContain('warnings');
  });

  it('shows how many records were written with warnings, the count per field and rule, and the fields of each record', () => {
    const text = formatReport({ ...report, status: 'done', sources: [warned] }, { maxRejections: 2 });
    expect(text.split('\n').slice(3)).toEqual([
      'koha: written with warnings: 3',
      '  last_name: truncated to fit: 2',
      '  birth_date: invalid, left out: 1',
      '  phone_primary.phone: too long, left out: 1',
      '  record 17: phone_primary.phone too long, left out; last_name truncated to fit',
      '  record 18: last_name truncated to fit',
      '  … and 1 more (see --json)',
    ]);
  });

  it('says when a run was interrupted and how to continue it, and what is kept for retry', () => {
    const src = { ...warned, status: 'running' as const, withWarnings: 0, warnings: [], warningCounts: [], failures: { open: 4, parked: 1 } };
    const text = formatReport({ ...report, status: 'running', interrupted: true, sources: [src] });
    expect(text.split('\n')[0]).toBe('Run r1 (incremental): INTERRUPTED (no process is working on it: `patron-bridge sync --once` continues it)');
    expect(text).toContain('koha: kept for retry: 4 record(s), parked: 1 (see `patron-bridge failures list`)');
  });
});
