/**
 * The composition root: configuration → ports (Redis state, connectors, CRM sink, queues) →
 * pipeline handlers. Nothing else constructs clients.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { createKohaConnector } from '../connectors/koha/index.js';
import { createCiviClient, createCiviCrmSink, createCrmLimiter, DEFAULT_LEASE_MS, DEFAULT_MAX_CONCURRENCY } from '../connectors/civicrm/index.js';
import type { CrmRequestEvent } from '../connectors/civicrm/client.js';
import type { KohaRequestEvent } from '../connectors/koha/client.js';
import { createProducer, createWorkers, jobPolicyOf, waitForRun, type Producer, type QueueDepth, type RunWait, type Workers } from '../queues/index.js';
import { configError, type LoadedConfig } from './config/load.js';
import type { Logger } from './core/logger.js';
import type { RunMode } from './core/types.js';
import { loadMapping } from './mapping/index.js';
import { createPatronWriter, resumeRun, type PipelineDeps, type ResumeResult, type SourceBinding, type StreamBinding } from './pipeline/index.js';
import { CHECKOUTS, PATRONS, unitOf } from './core/streams.js';
import { createEngagementStream, createEngagementWriter, ENGAGEMENT } from './pipeline/engagement-writer.js';
import { createSweepStream, createSweepWriter, SWEEP } from './pipeline/sweep.js';
import { createLoanWriter } from './pipeline/loan-writer.js';
import { createTitleReader } from '../connectors/koha/titles.js';
import { connectRedis, createRedisState, probeRedis, redisTarget, watchForDataLoss, stateOptionsOf } from './state/index.js';
import type { SyncState } from './state/ports.js';
import type { CrmSink } from '../connectors/civicrm/sink.js';

export interface App {
  readonly loaded: LoadedConfig;
  readonly state: SyncState;
  readonly deps: PipelineDeps;
  readonly producer: Producer;
  /** The app's Redis connections, for queue users beside the pipeline's (schedules): `blocking` for workers. */
  readonly redis: { readonly blocking: Redis; readonly control: Redis };
  /** Start workers in this process (long-lived `worker`, or `sync --once`). */
  startWorkers(): Workers;
  /** Enqueue a run; returns its id. */
  enqueueRun(mode: RunMode, sourceIds?: string[], recordIds?: string[]): Promise<string>;
  /** The newest unfinished run of any of these sources (a crashed or still running one), or null. */
  findUnfinishedRun(sourceIds?: string[]): Promise<string | null>;
  /**
   * What `sync` and a fired schedule do: continue (or join) the newest unfinished run of these
   * sources, never a second one beside it; else enqueue a new run.
   */
  startOrJoin(mode: RunMode, sourceIds?: string[]): Promise<{ runId: string; joined: false } | { runId: string; joined: true; committedPages: number }>;
  resumeRun(runId: string): Promise<ResumeResult>;
  waitForRun(runId: string, opts?: { signal?: AbortSignal; timeoutMs?: number }): Promise<RunWait>;
  /** Set once Redis came back without its data. */
  stateLost(): string | null;
  /** Jobs per queue and state. */
  queueDepths(): Promise<QueueDepth[]>;
  /** Stop workers (waiting at most `graceMs` for the jobs in hand) and connections. */
  close(opts?: { graceMs?: number }): Promise<void>;
}

/** Told of every CRM and Koha request (latency metrics). */
export interface RequestObservers {
  crm?: (event: CrmRequestEvent) => void;
  koha?: (sourceId: string, event: KohaRequestEvent) => void;
}

/** Releases the sources' connectors (tokens, sockets). */
export async function closeSources(sources: ReadonlyMap<string, SourceBinding>): Promise<void> {
  await Promise.all([...sources.values()].map((s) => s.connector.close?.()));
}

export async function loadSources(loaded: LoadedConfig, logger: Logger, observe: RequestObservers = {}): Promise<Map<string, SourceBinding>> {
  const sources = new Map<string, SourceBinding>();
  for (const [i, src] of loaded.config.sources.entries()) {
    const mappingFile = path.resolve(path.dirname(loaded.file), src.mapping);
    if (!existsSync(mappingFile)) throw configError(loaded, ['sources', i, 'mapping'], `mapping file ${mappingFile} does not exist (the path is relative to this file)`);
    const kohaObserver = observe.koha;
    const connector = createKohaConnector(src, { logger, ...(kohaObserver ? { observe: (e: KohaRequestEvent) => kohaObserver(src.id, e) } : {}) });
    const mapping = await loadMapping(mappingFile, src.id, { anonymousPatronId: src.anonymous_patron_id });
    const streams: StreamBinding[] = [{ name: PATRONS, stream: connector.streams.get(PATRONS)!, writer: createPatronWriter(mapping), trackSeen: true, overlap: 'write' }];
    if (mapping.loans) {
      const writer = createLoanWriter(mapping, mapping.loans, {
        sourceId: src.id, crmTimeZone: loaded.config.crm.timezone ?? 'UTC', kohaTimeZone: src.timezone,
        ...(mapping.privacy.historyHorizonDays !== undefined ? { historyHorizonDays: mapping.privacy.historyHorizonDays } : {}),
        titles: createTitleReader(connector.client),
      });
      streams.push({ name: CHECKOUTS, stream: connector.streams.get(CHECKOUTS)!, writer, trackSeen: true, overlap: 'commit' });
    }
    sources.set(src.id, { connector, mapping, pageSize: src.page_size, overlapMs: src.overlap_seconds * 1000, streams });
  }
  return sources;
}

/** Internal streams (read from the state, not from Koha), after a source's own: the full run's sweep, then engagement. */
export function addInternalStreams(loaded: LoadedConfig, sources: Map<string, SourceBinding>, state: SyncState): void {
  const crmTimeZone = loaded.config.crm.timezone ?? 'UTC';
  for (const [sourceId, binding] of sources) {
    const { mapping } = binding;
    const streams = binding.streams as StreamBinding[];
    streams.push({ name: SWEEP, stream: createSweepStream(sourceId), writer: createSweepWriter(mapping, { sourceId }) });
    if (mapping.engagement && mapping.loans) {
      const loansUnit = unitOf(sourceId, CHECKOUTS);
      streams.push({
        name: ENGAGEMENT, stream: createEngagementStream(state, { sourceId, loansUnit }),
        writer: createEngagementWriter(mapping, mapping.engagement, { sourceId, loansUnit, crmTimeZone }), overlap: 'commit',
      });
    }
  }
}

/**
 * What a dry run reads through (src/pipeline/dry-run.ts keeps its writes in memory): the sources
 * (without their internal streams, which must read the dry run's state), the Redis state and the CRM
 * sink. No queues, no CRM request limiter and no data-loss watch: those write to Redis.
 */
export async function createReadPorts(loaded: LoadedConfig, logger: Logger): Promise<{ sources: Map<string, SourceBinding>; state: SyncState; crm: CrmSink; close(): Promise<void> }> {
  const { config } = loaded;
  const sources = await loadSources(loaded, logger);
  await probeRedis(config.redis.url);
  const control = connectRedis(config.redis.url, logger, { maxRetriesPerRequest: 2 });
  return {
    sources,
    state: createRedisState(control, config.redis.prefix, stateOptionsOf(config.sync)),
    crm: createCiviCrmSink(config.crm, { logger }),
    async close() {
      await closeSources(sources);
      control.disconnect();
    },
  };
}

export interface AppOptions {
  /** The clock runs see (tests move it to watch time pass). */
  clock?: () => Date;
  observe?: RequestObservers;
}

export async function createApp(loaded: LoadedConfig, logger: Logger, opts: AppOptions = {}): Promise<App> {
  const { config } = loaded;
  const sources = await loadSources(loaded, logger, opts.observe);
  const url = config.redis.url;
  await probeRedis(url); // a stopped Redis or a wrong password fails here, with one clear line
  // Workers need maxRetriesPerRequest: null; state and producer fail fast while Redis is down.
  const workerConn = connectRedis(url, logger, { maxRetriesPerRequest: null });
  const control = connectRedis(url, logger, { maxRetriesPerRequest: 2 });
  const prefix = config.redis.prefix;
  const state = createRedisState(control, prefix, stateOptionsOf(config.sync));
  addInternalStreams(loaded, sources, state);
  let lost: string | null = null;
  await watchForDataLoss(control, prefix, () => {
    lost =
      `Redis at ${redisTarget(url)} came back without its data (restarted without persistence, or flushed): queued jobs, ` +
      'cursors, fingerprints and run reports are gone. The next run reads every patron again; nothing is written twice ' +
      '(contacts are matched on external_identifier).';
    logger.error('redis lost its data', { error: lost });
  });
  const producer = createProducer(control, prefix, jobPolicyOf(config.sync));
  // One limiter for every worker process on this prefix; a permit outlives the longest request (crm.timeout_ms).
  const limiter = createCrmLimiter(control, prefix, {
    maxConcurrency: config.crm.max_concurrency ?? DEFAULT_MAX_CONCURRENCY,
    ...(config.crm.max_requests_per_second !== undefined ? { maxPerSecond: config.crm.max_requests_per_second } : {}),
    leaseMs: Math.max(DEFAULT_LEASE_MS, config.crm.timeout_ms + 30_000),
    logger,
  });
  const deps: PipelineDeps = {
    sources,
    crm: createCiviCrmSink(config.crm, {
      logger,
      client: createCiviClient(config.crm, { logger, limiter, ...(opts.observe?.crm ? { observe: opts.observe.crm } : {}) }),
    }),
    state,
    clock: opts.clock ?? (() => new Date()),
    logger,
    policy: { leaseTtlMs: config.sync.lease_seconds * 1000, parkAfterRuns: config.sync.park_after_runs },
    enqueuePage: (job) => producer.enqueuePage(job),
    pageQueued: (job) => producer.pageQueued(job),
    enqueuedRequest: (job) => producer.enqueuedRequest(job),
  };
  const workers: Workers[] = [];

  const app: App = {
    loaded,
    state,
    deps,
    producer,
    redis: { blocking: workerConn, control },
    startWorkers() {
      const w = createWorkers(workerConn, prefix, deps, { concurrency: config.sync.concurrency, lockMs: config.sync.stall_seconds * 1000 });
      workers.push(w);
      return w;
    },
    async enqueueRun(mode, sourceIds, recordIds) {
      const ids = sourceIds && sourceIds.length > 0 ? sourceIds : [...sources.keys()];
      return producer.startRun(deps.clock(), { mode, sourceIds: ids, ...(recordIds && recordIds.length ? { recordIds } : {}) });
    },
    async findUnfinishedRun(sourceIds) {
      const wanted = new Set(sourceIds && sourceIds.length > 0 ? sourceIds : sources.keys());
      for (const id of wanted) {
        const holder = await state.leaseHolder(id);
        if (holder && (await state.getRun(holder))?.status === 'running') return holder;
      }
      // A run whose lease lapsed (its process died long ago) is still resumable.
      for (const run of await state.listRuns(20)) {
        if (run.status === 'running' && run.sources.some((s) => s.status === 'running' && wanted.has(s.sourceId))) return run.runId;
      }
      return null;
    },
    resumeRun: (runId) => resumeRun(deps, runId),
    async startOrJoin(mode, sourceIds) {
      const unfinished = await app.findUnfinishedRun(sourceIds);
      if (unfinished) {
        const r = await app.resumeRun(unfinished);
        if (r.resumed) return { runId: unfinished, joined: true, committedPages: r.committedPages };
      }
      return { runId: await app.enqueueRun(mode, sourceIds), joined: false };
    },
    waitForRun(runId, opts = {}) {
      return waitForRun(control, prefix, state, runId, { ...opts, stateLost: () => lost });
    },
    stateLost: () => lost,
    queueDepths: () => producer.depths(),
    async close(opts = {}) {
      const graceMs = opts.graceMs ?? 30_000;
      const inTime = await Promise.all(workers.map((w) => w.close(graceMs)));
      if (inTime.includes(false)) logger.warn('workers did not stop in time; jobs still in hand are taken up again by the next worker', { graceMs });
      await producer.close().catch(() => {});
      await closeSources(sources);
      workerConn.disconnect();
      control.disconnect();
    },
  };
  return app;
}
