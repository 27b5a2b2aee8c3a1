/**
 * The composition root: configuration → ports (Redis state, connectors, CRM sink, queues) →
 * pipeline handlers. Nothing else constructs clients.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Redis } from 'ioredis';
import { createKohaConnector } from '../connectors/koha/index.js';
import { createCiviCrmSink } from '../connectors/civicrm/index.js';
import { createProducer, createWorkers, newRunId, waitForRun, type Producer, type RunWait, type Workers } from '../queues/index.js';
import type { LoadedConfig } from './config/load.js';
import type { Logger } from './core/logger.js';
import type { RunMode } from './core/types.js';
import { loadMapping } from './mapping/index.js';
import type { PipelineDeps, SourceBinding } from './pipeline/types.js';
import { createRedisState } from './state/index.js';
import type { SyncState } from './state/ports.js';

export interface App {
  readonly loaded: LoadedConfig;
  readonly state: SyncState;
  readonly deps: PipelineDeps;
  readonly producer: Producer;
  /** Start workers in this process (long-lived `worker`, or `sync --once`). */
  startWorkers(): Workers;
  /** Enqueue a run; returns its id. */
  enqueueRun(mode: RunMode, sourceIds?: string[]): Promise<string>;
  waitForRun(runId: string, signal?: AbortSignal): Promise<RunWait>;
  close(): Promise<void>;
}

export async function loadSources(loaded: LoadedConfig, logger: Logger): Promise<Map<string, SourceBinding>> {
  const sources = new Map<string, SourceBinding>();
  for (const src of loaded.config.sources) {
    const mappingFile = path.resolve(path.dirname(loaded.file), src.mapping);
    sources.set(src.id, {
      connector: createKohaConnector(src, { logger }),
      mapping: await loadMapping(mappingFile, src.id),
      pageSize: src.page_size,
      overlapMs: src.overlap_seconds * 1000,
    });
  }
  return sources;
}

export async function createApp(loaded: LoadedConfig, logger: Logger): Promise<App> {
  const { config } = loaded;
  const sources = await loadSources(loaded, logger);
  // Workers need maxRetriesPerRequest: null; one connection serves queues and state.
  const redis = new Redis(config.redis.url, { maxRetriesPerRequest: null, lazyConnect: false });
  redis.on('error', () => {}); // failures surface on commands; reconnects are ioredis' job
  const prefix = config.redis.prefix;
  const state = createRedisState(redis, prefix);
  const producer = createProducer(redis, prefix, {
    attempts: config.sync.attempts,
    backoffMs: config.sync.backoff_ms,
    keepCompleted: config.sync.keep_completed_jobs,
    keepFailed: config.sync.keep_failed_jobs,
  });
  const deps: PipelineDeps = {
    sources,
    crm: createCiviCrmSink(config.crm, { logger }),
    state,
    clock: () => new Date(),
    logger,
    enqueuePage: (job) => producer.enqueuePage(job),
  };
  const workers: Workers[] = [];

  return {
    loaded,
    state,
    deps,
    producer,
    startWorkers() {
      const w = createWorkers(redis, prefix, deps, { concurrency: config.sync.concurrency });
      workers.push(w);
      return w;
    },
    async enqueueRun(mode, sourceIds) {
      const ids = sourceIds && sourceIds.length > 0 ? sourceIds : [...sources.keys()];
      const runId = newRunId(deps.clock(), randomBytes(3).toString('hex'));
      await producer.enqueueRun({ runId, mode, sourceIds: ids });
      return runId;
    },
    waitForRun(runId, signal) {
      return waitForRun(redis, prefix, state, runId, signal ? { signal } : {});
    },
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await producer.close();
      await Promise.all([...sources.values()].map((s) => s.connector.close?.()));
      redis.disconnect();
    },
  };
}
