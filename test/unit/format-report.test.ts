import { describe, expect, it } from '@jest/globals';
import { formatReport } from '../../src/cli/format-report.js';
import type { RunReport } from '../../src/state/ports.js';

const report: RunReport = {
  runId: 'r1', mode: 'incremental', status: 'failed', startedAt: '2026-11-23T00:00:00.000Z', finishedAt: '2026-11-23T00:00:12.500Z', durationMs: 12500,
  sources: [{
    sourceId: 'koha', status: 'failed', read: 250, created: 200, updated: 30, unchanged: 15, rejected: 3, skipped: 2, retried: 0, pages: 2, durationMs: 12500,
    error: 'page 2: CRM_AUTH: Invalid credential',
    rejections: [1, 2, 3].map((i) => ({ recordId: String(i), code: 'VALUE_INVALID', reason: 'last_name is longer than 64 characters' })),
  }],
};

describe('run report text', () => {
  it('shows status, duration, every count per source, the failure and the rejected records', () => {
    const text = formatReport(report, { maxRejections: 2 });
    expect(text).toContain('Run r1 (incremental): FAILED in 12.5 s');
    expect(text).toMatch(/koha\s+failed\s+250\s+200\s+30\s+15\s+3\s+2\s+2\s+12\.5/);
    expect(text).toContain('koha: failed: page 2: CRM_AUTH: Invalid credential');
    expect(text).toContain('record 1: VALUE_INVALID: last_name is longer than 64 characters');
    expect(text).not.toContain('record 3:');
    expect(text).toContain('… and 1 more (see --json)');
  });
});
