/** startCiviSandbox: a fresh in-memory CiviCRM 6.17.2 look-alike on 127.0.0.1. */
import type { Server } from 'node:http';
import { DateTime } from 'luxon';
import type { PrincipalName } from './auth.js';
import { DEFAULT_CIVI_KEYS, DEFAULT_SITE_KEY } from './auth.js';
import { buildEntityDefs } from './entities.js';
import { crmUser, type CrmUser } from './crm-user.js';
import { createFaultPlan, FAULT_KINDS, type CiviFaultOptions, type FaultKind } from './faults.js';
import { createStore } from './seed.js';
import type { Row } from './store.js';
import { startHttpServer } from './server.js';
import { attachWorkerPool, createWorkerPool, type CostModelOptions, type PoolReport, type PoolSpan, type PoolStats } from './cost.js';

export interface CiviSandboxOptions {
  keys?: Partial<Record<PrincipalName, string>>;
  siteKey?: string;
  latencyMs?: number;
  /** clock for created/modified dates (defaults to the wall clock) */
  now?: () => Date;
  /** randomness for hashes and error ids (defaults to Math.random) */
  random?: () => number;
  /** Seeded faults on API calls (503, 429, timeouts, 500 before/after the write); none by default. */
  faults?: CiviFaultOptions;
  /** the site's time zone (IANA, default 'UTC'): a datetime written with an offset or Z is stored as its wall clock there */
  timezone?: string;
  /**
   * Cost model (cost.ts): a pool of `workers` that serves each request for what it would cost the
   * recorded CiviCRM (times `scale`). None by default: requests are answered at once, as before.
   */
  cost?: CostModelOptions;
}

export interface CiviSandboxStats {
  requests: number;
  /** The most requests in flight at once (HTTP layer) since the start or the last resetStats. */
  maxInFlight: number;
  /** Calls executed, per "Entity.action" (a call failed by a fault before it ran is not counted). */
  byAction: Record<string, number>;
  /** Faults injected, per kind. */
  faults: Record<FaultKind, number>;
  /** With the `cost` option: the worker pool's accounted figures (reset by resetStats). */
  pool?: PoolStats;
}

const noFaults = (): Record<FaultKind, number> => Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;

/** The server, and what CRM staff do in its screens (crm-user.ts) for tests to set the scene. */
export interface CiviSandbox extends CrmUser {
  /** base URL; endpoint = url + '/civicrm/ajax/api4/{Entity}/{action}' */
  url: string;
  keys: Record<PrincipalName, string>;
  siteKey: string;
  /** the site's time zone (IANA) */
  timezone: string;
  stop(): Promise<void>;
  stats: CiviSandboxStats;
  resetStats(): void;
  /** With the `cost` option: busy time, wall time since the start or resetStats, utilisation; undefined without it. */
  poolReport(): PoolReport | undefined;
  /** With the `cost` option: the requests the pool served since the start or resetStats (see PoolSpan). */
  poolTimeline(): readonly PoolSpan[];
  /** rows per entity, including trashed contacts (copies) */
  rows(entity: string): ReadonlyArray<Record<string, unknown>>;
}

export async function startCiviSandbox(opts: CiviSandboxOptions & { port?: number } = {}): Promise<CiviSandbox> {
  const defs = buildEntityDefs();
  const store = createStore(defs);
  const keys = { ...DEFAULT_CIVI_KEYS, ...opts.keys };
  const siteKey = opts.siteKey ?? DEFAULT_SITE_KEY;
  const stats: CiviSandboxStats = { requests: 0, maxInFlight: 0, byAction: {}, faults: noFaults() };
  const faults = opts.faults ? createFaultPlan(opts.faults) : undefined;
  const now = opts.now ?? (() => new Date());
  const random = opts.random ?? Math.random;
  const timezone = opts.timezone ?? 'UTC';
  if (!DateTime.now().setZone(timezone).isValid) throw new RangeError(`unknown time zone ${timezone}`);
  const pool = opts.cost ? createWorkerPool(opts.cost) : undefined;
  if (pool) stats.pool = pool.stats;
  const { server, url } = await startHttpServer(
    { store, defs, keys, siteKey, latencyMs: opts.latencyMs ?? 0, now, random, timezone, stats, faults },
    opts.port ?? 0,
  );
  if (pool) attachWorkerPool(server, pool);
  return {
    ...crmUser({ store, defs, now, random, timezone }),
    url,
    timezone,
    keys,
    siteKey,
    stats,
    resetStats() {
      stats.requests = 0;
      stats.maxInFlight = 0;
      for (const k of Object.keys(stats.byAction)) delete stats.byAction[k];
      Object.assign(stats.faults, noFaults());
      pool?.reset();
    },
    poolReport: () => pool?.report(),
    poolTimeline: () => pool?.timeline() ?? [],
    rows: (entity) => store.table(entity).all().map((r: Row) => ({ ...r })),
    stop: () => closeServer(server),
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.closeAllConnections();
    server.close((err) => (err ? reject(err) : resolve()));
  });
}
