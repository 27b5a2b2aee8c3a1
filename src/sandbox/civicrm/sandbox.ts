/** startCiviSandbox: a fresh in-memory CiviCRM 6.17.2 look-alike on 127.0.0.1. */
import type { Server } from 'node:http';
import type { PrincipalName } from './auth.js';
import { DEFAULT_CIVI_KEYS, DEFAULT_SITE_KEY } from './auth.js';
import { buildEntityDefs } from './entities.js';
import { createStore } from './seed.js';
import type { Row } from './store.js';
import { startHttpServer } from './server.js';

export interface CiviSandboxOptions {
  keys?: Partial<Record<PrincipalName, string>>;
  siteKey?: string;
  latencyMs?: number;
  /** clock for created/modified dates (defaults to the wall clock) */
  now?: () => Date;
  /** randomness for hashes and error ids (defaults to Math.random) */
  random?: () => number;
}

export interface CiviSandboxStats {
  requests: number;
  byAction: Record<string, number>;
}

export interface CiviSandbox {
  /** base URL; endpoint = url + '/civicrm/ajax/api4/{Entity}/{action}' */
  url: string;
  keys: Record<PrincipalName, string>;
  siteKey: string;
  stop(): Promise<void>;
  stats: CiviSandboxStats;
  resetStats(): void;
  /** rows per entity, including trashed contacts (copies) */
  rows(entity: string): ReadonlyArray<Record<string, unknown>>;
  /** trash a contact as a CRM user would (is_deleted = 1) */
  trashContact(id: number): void;
}

export async function startCiviSandbox(opts: CiviSandboxOptions & { port?: number } = {}): Promise<CiviSandbox> {
  const defs = buildEntityDefs();
  const store = createStore(defs);
  const keys = { ...DEFAULT_CIVI_KEYS, ...opts.keys };
  const siteKey = opts.siteKey ?? DEFAULT_SITE_KEY;
  const stats: CiviSandboxStats = { requests: 0, byAction: {} };
  const { server, url } = await startHttpServer(
    { store, defs, keys, siteKey, latencyMs: opts.latencyMs ?? 0, now: opts.now ?? (() => new Date()), random: opts.random ?? Math.random, stats },
    opts.port ?? 0,
  );
  return {
    url,
    keys,
    siteKey,
    stats,
    resetStats() {
      stats.requests = 0;
      for (const k of Object.keys(stats.byAction)) delete stats.byAction[k];
    },
    rows: (entity) => store.table(entity).all().map((r: Row) => ({ ...r })),
    trashContact(id) {
      store.table('Contact').update(id, { is_deleted: true });
    },
    stop: () => closeServer(server),
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.closeAllConnections();
    server.close((err) => (err ? reject(err) : resolve()));
  });
}
