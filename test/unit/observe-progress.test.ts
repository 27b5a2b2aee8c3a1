import { describe, expect, it } from '@jest/globals';
import { createProgressTracker, figuresOf, formatDuration, formatRate, progressLine, rateOf, secondsLeft, type StreamFigures } from '../../src/observe/progress.js';
import { emptyPageResult } from '../../src/state/index.js';
import type { RunReport, SourceReport } from '../../src/state/ports.js';

const row = (stream: string, status: SourceReport['status'], f: Partial<SourceReport>): SourceReport =>
  ({ ...emptyPageResult(), sourceId: 'koha', stream, status, pages: 0, warningCounts: [], ...f });
const report = (sources: SourceReport[]): RunReport => ({ runId: 'r1', mode: 'full', status: 'running', startedAt: '2026-03-01T00:00:00Z', sources });

describe('progress figures from a run report', () => {
  it('counts created, linked, updated and deleted as written, rejected as failed; a stream without pages yet is waiting', () => {
    const figures = figuresOf(report([
      row('patrons', 'running', { pages: 3, read: 600, created: 300, linked: 20, updated: 150, unchanged: 100, deleted: 0, rejected: 5, skipped: 25 }),
      row('checkouts', 'running', {}),
      row('sweep', 'done', { pages: 1, read: 10, deleted: 4 }),
      row('engagement', 'failed', { pages: 1, read: 2, rejected: 2 }),
    ]));
    expect(figuresOf(report([row('patrons', 'running', { pages: 1, read: 200, expected: 5000 })]))[0]!.expected).toBe(5000);
    expect(figures).toEqual([
      { sourceId: 'koha', stream: 'patrons', state: 'running', read: 600, written: 470, failed: 5 },
      { sourceId: 'koha', stream: 'checkouts', state: 'waiting', read: 0, written: 0, failed: 0 },
      { sourceId: 'koha', stream: 'sweep', state: 'done', read: 10, written: 4, failed: 0 },
      { sourceId: 'koha', stream: 'engagement', state: 'failed', read: 2, written: 0, failed: 2 },
    ]);
  });
});

describe('rate', () => {
  it.each([
    ['no sample', [], null],
    ['one sample', [{ atMs: 0, read: 10 }], null],
    ['two samples 2 s apart', [{ atMs: 0, read: 0 }, { atMs: 2000, read: 100 }], 50],
    ['only the window counts', [{ atMs: 0, read: 0 }, { atMs: 50_000, read: 1000 }, { atMs: 60_000, read: 1500 }], 50],
    ['nothing read lately', [{ atMs: 0, read: 70 }, { atMs: 10_000, read: 70 }], 0],
  ])('%s', (_what, samples, expected) => {
    expect(rateOf(samples, 30_000)).toBe(expected);
  });

  it('the tracker keeps each stream\'s own samples', () => {
    const tracker = createProgressTracker(30_000);
    tracker.update(report([row('patrons', 'running', { pages: 1, read: 200 }), row('checkouts', 'running', {})]), 0);
    const later = tracker.update(report([row('patrons', 'running', { pages: 2, read: 400 }), row('checkouts', 'running', { pages: 1, read: 50 })]), 4000);
    expect(later.map((r) => r.perSecond)).toEqual([50, 12.5]);
  });
});

describe('formatting', () => {
  it.each([
    [null, '–/s'], [0, '0.0/s'], [0.44, '0.4/s'], [9.96, '10.0/s'], [12.4, '12/s'], [1250.2, '1,250/s'],
  ])('rate %p is %p', (rate, text) => {
    expect(formatRate(rate)).toBe(text);
  });

  const running: StreamFigures = { sourceId: 'koha', stream: 'patrons', state: 'running', read: 1200, written: 1150, failed: 3 };
  it.each([
    [running, 45.2, 0, 'koha/patrons running read 1,200 · written 1,150 · failed 3 · 45/s'],
    [running, null, 16, 'koha/patrons     running read 1,200 · written 1,150 · failed 3 · –/s'],
    [{ ...running, state: 'done' as const }, 45.2, 0, 'koha/patrons done    read 1,200 · written 1,150 · failed 3'],
    [{ ...running, expected: 5000 }, 40, 0, 'koha/patrons running read 1,200 of 5,000 · written 1,150 · failed 3 · 40/s · 1 min 35 s left'],
    [{ ...running, expected: 5000 }, null, 0, 'koha/patrons running read 1,200 of 5,000 · written 1,150 · failed 3 · –/s'],
    [{ ...running, state: 'done' as const, expected: 1200 }, 40, 0, 'koha/patrons done    read 1,200 of 1,200 · written 1,150 · failed 3'],
  ])('a line: %#', (figures, rate, width, text) => {
    expect(progressLine(figures, rate, width)).toBe(text);
  });
});

describe('time left', () => {
  it.each([
    ['unknown total', { read: 100 }, 10, null],
    ['no rate yet', { read: 100, expected: 1000 }, null, null],
    ['stalled', { read: 100, expected: 1000 }, 0, null],
    ['900 to go at 10/s', { read: 100, expected: 1000 }, 10, 90],
    ['a part over', { read: 1100, expected: 1000 }, 10, 0],
    ['rounded up', { read: 0, expected: 10 }, 3, 4],
  ])('%s', (_what, f, rate, seconds) => {
    expect(secondsLeft(f, rate)).toBe(seconds);
  });

  it.each([[0, '0 s'], [59, '59 s'], [60, '1 min 0 s'], [725, '12 min 5 s'], [7380, '2 h 3 min']])('%p s reads %p', (s, text) => {
    expect(formatDuration(s)).toBe(text);
  });
});
