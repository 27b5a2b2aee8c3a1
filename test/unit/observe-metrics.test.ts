import { describe, expect, it } from '@jest/globals';
import { createMetrics } from '../../src/observe/metrics.js';
import { summariseRuns } from '../../src/observe/run-summary.js';
import { emptyPageResult } from '../../src/state/index.js';
import type { RunReport, SourceReport } from '../../src/state/ports.js';
import { parsePromText, sampleValue } from './prom-text.js';

function row(sourceId: string, stream: string, status: SourceReport['status'], figures: Partial<SourceReport> = {}): SourceReport {
  return { ...emptyPageResult(), sourceId, stream, status, pages: 1, warningCounts: [], ...figures };
}

function run(runId: string, status: RunReport['status'], sources: SourceReport[], finishedAt?: string): RunReport {
  return { runId, mode: 'incremental', status, startedAt: '2026-03-01T01:00:00.000Z', ...(finishedAt ? { finishedAt } : {}), sources };
}

// Newest first, as listRuns gives them: a running run, a failed one, then the successful one before.
const RUNS: RunReport[] = [
  run('r3', 'running', [row('koha', 'patrons', 'running', { read: 5 })]),
  run('r2', 'failed', [
    row('koha', 'patrons', 'done', { read: 40, created: 3, updated: 7, unchanged: 28, rejected: 2, finishedAt: '2026-03-02T01:10:00.000Z' }),
    row('koha', 'checkouts', 'failed', { read: 10, created: 9, held: 1, error: 'NETWORK: …', finishedAt: '2026-03-02T01:12:00.000Z' }),
    row('west', 'patrons', 'done', { read: 4, updated: 4, finishedAt: '2026-03-02T01:05:00.000Z' }),
  ], '2026-03-02T01:12:00.000Z'),
  run('r1', 'done', [
    row('koha', 'patrons', 'done', { read: 100, created: 100, finishedAt: '2026-03-01T01:20:00.000Z' }),
    row('koha', 'checkouts', 'done', { read: 50, created: 50, deleted: 2, finishedAt: '2026-03-01T01:30:00.000Z' }),
  ], '2026-03-01T01:30:00.000Z'),
];

describe('run summary per source', () => {
  it('counts runs by the source\'s own status, keeps the newest finished run', () => {
    const [koha, west, east] = summariseRuns(RUNS, ['koha', 'west', 'east']);
    expect(koha!.runs).toEqual({ running: 1, done: 1, failed: 1 });
    expect(koha!.lastFinished?.runId).toBe('r2');
    expect(koha!.lastFinished?.status).toBe('failed');
    // west succeeded in r2 although the run as a whole failed (koha's loans did).
    expect(west!.runs).toEqual({ running: 0, done: 1, failed: 0 });
    expect(east).toEqual({ sourceId: 'east', runs: { running: 0, done: 0, failed: 0 }, lastFinished: null });
  });
});

describe('metrics text', () => {
  async function scrape(watchdog?: Array<{ sourceId: string; watchdog: string }>) {
    const metrics = createMetrics(watchdog ? { watchdog: async () => watchdog } : {});
    metrics.bind({
      state: {
        listRuns: async () => RUNS,
        // As the state notes it when a source's streams all finish done (koha: r1; west: r2).
        lastSuccess: async (id: string) => ({ koha: { at: '2026-03-01T01:30:00.000Z', fullAt: null }, west: { at: '2026-03-02T01:05:00.000Z', fullAt: null } })[id] ?? { at: null, fullAt: null },
      },
      sourceIds: ['koha', 'west'],
      queueDepths: async () => [{ queue: 'pages', state: 'waiting', count: 7 }, { queue: 'runs', state: 'active', count: 1 }],
    });
    metrics.observe.crm({ method: 'Contact.save', outcome: 'ok', seconds: 0.2 });
    metrics.observe.crm({ method: 'Contact.save', outcome: 'CRM_DUPLICATE', seconds: 0.03 });
    metrics.observe.koha('koha', { route: '/patrons', outcome: 'ok', seconds: 1.5 });
    return { text: await metrics.text(), contentType: metrics.contentType };
  }

  it('is valid Prometheus text with HELP and TYPE for every family, in the text content type', async () => {
    const { text, contentType } = await scrape();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(() => parsePromText(text)).not.toThrow();
    for (const family of ['patron_bridge_runs', 'patron_bridge_last_run_records', 'patron_bridge_last_success_timestamp_seconds', 'patron_bridge_queue_jobs']) {
      expect(text).toContain(`# TYPE ${family} gauge`);
    }
    expect(text).toContain('# TYPE patron_bridge_crm_request_duration_seconds histogram');
    expect(text).toContain('# TYPE patron_bridge_koha_request_duration_seconds histogram');
  });

  it('shows runs by status, the latest finished run\'s records by stream and outcome, last success and queue depths', async () => {
    const s = parsePromText((await scrape()).text);
    expect(sampleValue(s, 'patron_bridge_runs', { source: 'koha', status: 'failed' })).toBe(1);
    expect(sampleValue(s, 'patron_bridge_runs', { source: 'koha', status: 'running' })).toBe(1);
    expect(sampleValue(s, 'patron_bridge_last_run_records', { source: 'koha', stream: 'patrons', outcome: 'created' })).toBe(3);
    expect(sampleValue(s, 'patron_bridge_last_run_records', { source: 'koha', stream: 'patrons', outcome: 'unchanged' })).toBe(28);
    expect(sampleValue(s, 'patron_bridge_last_run_records', { source: 'koha', stream: 'patrons', outcome: 'rejected' })).toBe(2);
    expect(sampleValue(s, 'patron_bridge_last_run_records', { source: 'koha', stream: 'checkouts', outcome: 'held' })).toBe(1);
    expect(sampleValue(s, 'patron_bridge_last_run_read', { source: 'koha', stream: 'checkouts' })).toBe(10);
    expect(sampleValue(s, 'patron_bridge_last_success_timestamp_seconds', { source: 'koha' })).toBe(Date.UTC(2026, 2, 1, 1, 30) / 1000);
    expect(sampleValue(s, 'patron_bridge_last_success_timestamp_seconds', { source: 'west' })).toBe(Date.UTC(2026, 2, 2, 1, 5) / 1000);
    expect(sampleValue(s, 'patron_bridge_queue_jobs', { queue: 'pages', state: 'waiting' })).toBe(7);
  });

  it('times CRM requests by Entity.action and outcome, Koha requests by source and route', async () => {
    const s = parsePromText((await scrape()).text);
    expect(sampleValue(s, 'patron_bridge_crm_request_duration_seconds_count', { action: 'Contact.save', outcome: 'ok' })).toBe(1);
    expect(sampleValue(s, 'patron_bridge_crm_request_duration_seconds_bucket', { action: 'Contact.save', outcome: 'CRM_DUPLICATE', le: '0.05' })).toBe(1);
    expect(sampleValue(s, 'patron_bridge_crm_request_duration_seconds_bucket', { action: 'Contact.save', outcome: 'ok', le: '0.1' })).toBe(0);
    expect(sampleValue(s, 'patron_bridge_koha_request_duration_seconds_sum', { source: 'koha', route: '/patrons', outcome: 'ok' })).toBe(1.5);
  });

  it('shows the watchdog as 1 for a late or never successful source and 0 otherwise, only when it is given', async () => {
    const s = parsePromText((await scrape([{ sourceId: 'koha', watchdog: 'late' }, { sourceId: 'west', watchdog: 'ok' }, { sourceId: 'east', watchdog: 'never' }])).text);
    expect(sampleValue(s, 'patron_bridge_watchdog_late', { source: 'east' })).toBe(1);
    expect(sampleValue(s, 'patron_bridge_watchdog_late', { source: 'koha' })).toBe(1);
    expect(sampleValue(s, 'patron_bridge_watchdog_late', { source: 'west' })).toBe(0);
    expect((await scrape()).text).not.toContain('patron_bridge_watchdog_late');
  });
});
