/**
 * Prometheus metrics on a registry of their own. Request latencies are observed as requests happen
 * (hooks in the CRM and Koha clients); runs, records, last success, queue depths and the watchdog are
 * read when scraped, from Redis, so every process (worker, status page) shows the same, whoever ran
 * the run. Labels carry source ids, stream names, routes and outcomes: never record ids or values.
 */
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { CrmRequestEvent } from '../../connectors/civicrm/client.js';
import type { KohaRequestEvent } from '../../connectors/koha/client.js';
import type { QueueDepth } from '../../queues/index.js';
import type { SyncState } from '../state/ports.js';
import { summariseRuns } from './run-summary.js';

/** Kept run reports read per scrape (newest first): the window of `patron_bridge_runs` and of the last success. */
export const RUN_LOOKBACK = 50;

/** Record outcomes of a stream's row in the run report, as metric label values. */
export const RECORD_OUTCOMES = {
  created: 'created', updated: 'updated', unchanged: 'unchanged', linked: 'linked', rejected: 'rejected',
  skipped: 'skipped', held: 'held', deleted: 'deleted', retried: 'retried', withWarnings: 'with_warnings',
} as const;

const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export interface MetricsOptions {
  /** Watchdog state per source (the schedules' status); without it no watchdog gauge is shown. */
  watchdog?: () => Promise<Array<{ sourceId: string; watchdog: string }>>;
}

/** What scrapes read; bound once the app (its Redis state and queues) exists. */
export interface MetricsSources {
  state: Pick<SyncState, 'listRuns' | 'lastSuccess'>;
  sourceIds: readonly string[];
  queueDepths?: () => Promise<QueueDepth[]>;
}

export interface Metrics {
  readonly registry: Registry;
  readonly contentType: string;
  /** Hooks for the clients (see createApp's `observe`). */
  readonly observe: { crm(event: CrmRequestEvent): void; koha(sourceId: string, event: KohaRequestEvent): void };
  bind(sources: MetricsSources): void;
  /** The exposition text, with what is read from Redis refreshed first. */
  text(): Promise<string>;
}

export function createMetrics(opts: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const crmLatency = new Histogram({
    name: 'patron_bridge_crm_request_duration_seconds', help: 'CiviCRM API requests (each HTTP attempt) by Entity.action and outcome (ok or error code)',
    labelNames: ['action', 'outcome'], buckets: LATENCY_BUCKETS, registers,
  });
  const kohaLatency = new Histogram({
    name: 'patron_bridge_koha_request_duration_seconds', help: 'Koha REST requests (each attempt) by source, route and outcome (ok or error code)',
    labelNames: ['source', 'route', 'outcome'], buckets: LATENCY_BUCKETS, registers,
  });
  const runs = new Gauge({
    name: 'patron_bridge_runs', help: `Runs of the source among the last ${RUN_LOOKBACK} kept run reports, by the source's status`,
    labelNames: ['source', 'status'], registers,
  });
  const records = new Gauge({
    name: 'patron_bridge_last_run_records', help: "Records of the source's latest finished run, by stream and outcome",
    labelNames: ['source', 'stream', 'outcome'], registers,
  });
  const read = new Gauge({
    name: 'patron_bridge_last_run_read', help: "Records read by the source's latest finished run, by stream", labelNames: ['source', 'stream'], registers,
  });
  const lastSuccess = new Gauge({
    name: 'patron_bridge_last_success_timestamp_seconds', help: "When the source's newest successful run finished (what the watchdog goes by; replays do not count), Unix time",
    labelNames: ['source'], registers,
  });
  const depth = new Gauge({ name: 'patron_bridge_queue_jobs', help: 'Jobs in each queue by state', labelNames: ['queue', 'state'], registers });
  const late = opts.watchdog
    ? new Gauge({ name: 'patron_bridge_watchdog_late', help: 'Whether the watchdog finds the source late or never successful (1) or not (0)', labelNames: ['source'], registers })
    : null;
  let bound: MetricsSources | null = null;
  let inFlight: Promise<void> | null = null;

  async function refresh(): Promise<void> {
    if (!bound) return;
    const state = bound.state;
    const [kept, successes, depths, watch] = await Promise.all([
      state.listRuns(RUN_LOOKBACK), Promise.all(bound.sourceIds.map((id) => state.lastSuccess(id))),
      bound.queueDepths?.() ?? Promise.resolve(null), opts.watchdog?.() ?? Promise.resolve(null),
    ]);
    for (const g of [runs, records, read, lastSuccess]) g.reset();
    for (const s of summariseRuns(kept, bound.sourceIds)) {
      for (const [status, n] of Object.entries(s.runs)) runs.set({ source: s.sourceId, status }, n);
      for (const row of s.lastFinished?.streams ?? []) {
        read.set({ source: s.sourceId, stream: row.stream }, row.read);
        for (const [field, outcome] of Object.entries(RECORD_OUTCOMES)) records.set({ source: s.sourceId, stream: row.stream, outcome }, row[field as keyof typeof RECORD_OUTCOMES]);
      }
    }
    bound.sourceIds.forEach((source, i) => {
      const at = successes[i]!.at;
      if (at) lastSuccess.set({ source }, Date.parse(at) / 1000);
    });
    if (depths) {
      depth.reset();
      for (const d of depths) depth.set({ queue: d.queue, state: d.state }, d.count);
    }
    if (late && watch) {
      late.reset();
      for (const w of watch) late.set({ source: w.sourceId }, w.watchdog === 'late' || w.watchdog === 'never' ? 1 : 0);
    }
  }

  return {
    registry,
    contentType: registry.contentType,
    observe: {
      crm: (e) => crmLatency.observe({ action: e.method, outcome: e.outcome }, e.seconds),
      koha: (sourceId, e) => kohaLatency.observe({ source: sourceId, route: e.route, outcome: e.outcome }, e.seconds),
    },
    bind(sources) {
      bound = sources;
    },
    async text() {
      // Scrapes at the same moment share one read (each would reset the gauges under the other).
      inFlight ??= refresh().finally(() => {
        inFlight = null;
      });
      await inFlight;
      return registry.metrics();
    },
  };
}
