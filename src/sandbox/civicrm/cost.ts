/**
 * Cost model of the sandbox CiviCRM (opt-in, `cost` option of startCiviSandbox): what a request would
 * cost a real CiviCRM 6.17.2, and a pool of workers (PHP-FPM pm.max_children) that serves requests
 * one per worker, FIFO, each holding its worker for its (scaled) cost before it is answered.
 *
 * Figures (ms, unscaled) come from test/contracts/civicrm/timings.json (php -S, MariaDB, 2 vCPU; see
 * that file's method and caveat): per-record costs are fitted on the 25- and 100-record runs, where
 * a Contact record (3 locations, 1 custom group of 2 fields) cost 61.4 ms (create) / 68.6 ms (update)
 * and an Activity record (1 custom group) 21.5 / 32.1 ms per record; fixedOverheadMs gives 78-102 ms
 * for a one-row Contact.get ("about 70-100 ms per HTTP request before any record work").
 * They are for relative sizing, not absolute SLAs.
 */
import type http from 'node:http';
import { performance } from 'node:perf_hooks';

/** Per HTTP request before any API work (timings.json fixedOverheadMs: medians 102, 78, 80, 92 ms). */
export const REQUEST_OVERHEAD_MS = 93;

/** Contact create/update/save (timings.json Contact.save runs, 1/25/100 records). */
export const CONTACT_COST = { perCallMs: 80, createMs: 18, updateMs: 29 } as const;
/** Activity create/update/save (timings.json Activity.save runs, 1/25/100 records). */
export const ACTIVITY_COST = { perCallMs: 35, createMs: 14, updateMs: 26 } as const;
/** Each location (email_primary.*, phone_primary.*, address_primary.*, …) a contact record gives. */
export const LOCATION_MS = 12;
/** Each custom group a record touches (fields `Group.Field`). */
export const CUSTOM_GROUP_MS = 6;
/** get (and the metadata reads getFields, getActions, checkAccess, …): per call and per row returned. */
export const GET_COST = { perCallMs: 2, perRowMs: 0.2 } as const;
/**
 * Not measured in timings.json (our choice): other entities' writes cost what an Activity does (the
 * lighter of the two measured writes: one row with its log), except a location entity's row (Email,
 * Phone, Address, IM, Website), which costs what one location costs inside a Contact.save.
 */
export const OTHER_WRITE_COST = { perCallMs: 35, createMs: 14, updateMs: 26 } as const;
export const LOCATION_ENTITIES: ReadonlySet<string> = new Set(['Email', 'Phone', 'Address', 'IM', 'Website']);
/** delete (our choice, not measured): a write call's per-call cost plus a created row's cost per row deleted. */
export const DELETE_COST = { perCallMs: 35, perRowMs: 14 } as const;

/** Field prefixes that are a contact's locations rather than custom groups (locations.ts). */
const LOCATION_PREFIXES = new Set([
  'email_primary', 'email_billing', 'phone_primary', 'phone_billing', 'address_primary', 'address_billing', 'im_primary', 'im_billing',
  'website_primary',
]);

export interface CostModelOptions {
  /** Workers serving requests at once (PHP-FPM pm.max_children); excess requests wait FIFO. */
  workers: number;
  /** Multiplies every cost when holding a worker (e.g. 0.1 keeps runs short); default 1. */
  scale?: number;
}

/** What a call did, as its answer tells it. */
export interface CallOutcome {
  /** the call succeeded; a refused call costs its per-call figure only (records before a failing one are not charged) */
  ok: boolean;
  /** save: records that matched an existing row (countMatched); records with an `id` are updates too */
  matched?: number;
  /** rows in the answer (get: rows returned; update/delete: rows written) */
  rows?: number;
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => Boolean(v) && typeof v === 'object' && !Array.isArray(v);

/** Locations and custom groups a record gives: distinct prefixes of its `prefix.field` keys. */
export function recordParts(record: Rec): { locations: number; customGroups: number } {
  const locations = new Set<string>();
  const groups = new Set<string>();
  for (const key of Object.keys(record)) {
    const dot = key.indexOf('.');
    if (dot <= 0) continue;
    const prefix = key.slice(0, dot);
    (LOCATION_PREFIXES.has(prefix) ? locations : groups).add(prefix);
  }
  return { locations: locations.size, customGroups: groups.size };
}

function writeFigures(entity: string): { perCallMs: number; createMs: number; updateMs: number } {
  if (entity === 'Contact') return CONTACT_COST;
  if (entity === 'Activity') return ACTIVITY_COST;
  if (LOCATION_ENTITIES.has(entity)) return { perCallMs: OTHER_WRITE_COST.perCallMs, createMs: LOCATION_MS, updateMs: LOCATION_MS };
  return OTHER_WRITE_COST;
}

function recordCost(entity: string, record: Rec, update: boolean): number {
  const f = writeFigures(entity);
  const { locations, customGroups } = recordParts(record);
  return (update ? f.updateMs : f.createMs) + (entity === 'Contact' ? locations * LOCATION_MS : 0) + customGroups * CUSTOM_GROUP_MS;
}

const countOf = (n: number | undefined): number => (typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0);

/** Cost (ms, unscaled) of one API call without the request overhead. */
export function callCost(entity: string, action: string, params: unknown, outcome: CallOutcome): number {
  const p = isRec(params) ? params : {};
  switch (action) {
    case 'create':
    case 'update':
    case 'save': {
      const f = writeFigures(entity);
      if (!outcome.ok) return f.perCallMs;
      let records: Rec[];
      let updates: number;
      if (action === 'save') {
        const defaults = isRec(p['defaults']) ? p['defaults'] : {};
        records = (Array.isArray(p['records']) ? p['records'] : []).map((r) => ({ ...defaults, ...(isRec(r) ? r : {}) }));
        const withId = records.filter((r) => r['id'] !== undefined && r['id'] !== null).length;
        updates = Math.min(records.length, withId + countOf(outcome.matched));
      } else {
        const values = isRec(p['values']) ? p['values'] : {};
        // update writes every row its where found (outcome.rows); create writes one
        const n = action === 'create' ? 1 : countOf(outcome.rows);
        records = Array.from({ length: n }, () => values);
        updates = action === 'update' ? n : 0;
      }
      // which records matched is not in the answer: the first `updates` records are charged as updates
      return f.perCallMs + records.reduce((sum, r, i) => sum + recordCost(entity, r, action === 'update' || i < updates), 0);
    }
    case 'delete':
      return DELETE_COST.perCallMs + (outcome.ok ? countOf(outcome.rows) * DELETE_COST.perRowMs : 0);
    default:
      return GET_COST.perCallMs + (outcome.ok ? countOf(outcome.rows) * GET_COST.perRowMs : 0);
  }
}

/** Cost (ms, unscaled) of one HTTP request to the single-call endpoint: overhead + the call. */
export function requestCost(entity: string, action: string, params: unknown, outcome: CallOutcome): number {
  return REQUEST_OVERHEAD_MS + callCost(entity, action, params, outcome);
}

/** The outcome an API answer (success or error envelope) tells. */
export function outcomeOf(body: unknown): CallOutcome {
  if (!isRec(body) || !('values' in body) || 'error_code' in body) return { ok: false };
  const rows = typeof body['countFetched'] === 'number' ? body['countFetched'] : Array.isArray(body['values']) ? body['values'].length : 0;
  const out: CallOutcome = { ok: true, rows };
  if (typeof body['countMatched'] === 'number') out.matched = body['countMatched'];
  return out;
}

const SINGLE_CALL = /^\/civicrm\/ajax\/api4\/([A-Za-z_]+)\/([A-Za-z]+)$/;

const parseJson = (raw: string | null): unknown => {
  if (raw === null) return {};
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
};

/**
 * Cost (ms, unscaled) of an HTTP exchange as the server saw it: the request's path, its `params` /
 * `calls` form fields, and the answer. Anything that is not an API answer (auth refused, 404, a fatal
 * page) costs the overhead only.
 */
export function exchangeCost(path: string, form: URLSearchParams, status: number, responseText: string): number {
  const single = SINGLE_CALL.exec(path);
  const body = parseJson(responseText);
  if (single) {
    const [, entity, action] = single as unknown as [string, string, string];
    if (!isRec(body) || (status >= 400 && !('error_code' in body))) return REQUEST_OVERHEAD_MS;
    return requestCost(entity, action, parseJson(form.get('params')), outcomeOf(body));
  }
  if (path !== '/civicrm/ajax/api4' || !isRec(body)) return REQUEST_OVERHEAD_MS;
  const calls = parseJson(form.get('calls'));
  let total = REQUEST_OVERHEAD_MS;
  for (const [name, call] of Object.entries(isRec(calls) ? calls : {})) {
    if (!Array.isArray(call)) continue;
    total += callCost(String(call[0]), String(call[1]), call[2] ?? {}, outcomeOf(body[name]));
  }
  return total;
}

export interface PoolStats {
  workers: number;
  /** accounted busy time (scaled cost of the requests served since the last reset) */
  busyMs: number;
  /** the same, unscaled: what the requests would cost the recorded CiviCRM */
  costMs: number;
  /** requests served since the last reset */
  requests: number;
  /** wall time requests waited for a worker (measured) */
  queuedMs: number;
  /** epoch ms of the start (or last reset) */
  startedAt: number;
  /** most workers held at once since the last reset */
  maxBusy: number;
  /** unscaled cost per "Entity.action" (the path of the request; "api4" for multi-call requests) */
  costByAction: Record<string, number>;
}

/** One served request on the pool's clock: when it took a worker (ms since the last reset), how long it held it, what it was. */
export interface PoolSpan {
  at: number;
  ms: number;
  action: string;
}

export interface PoolReport {
  workers: number;
  busyMs: number;
  costMs: number;
  wallMs: number;
  /** busyMs / (workers * wallMs) */
  utilisation: number;
  requests: number;
}

export interface WorkerPool {
  stats: PoolStats;
  report(): PoolReport;
  reset(): void;
  /** Waits for a worker (FIFO); resolves with a function that gives it back. */
  acquire(): Promise<{ acquiredAt: number; release: () => void }>;
  /** Accounts a served request (ignored if its worker was taken before the last reset). */
  account(acquiredAt: number, costMs: number, action?: string): void;
  /** The requests served since the last reset, in the order they ended (the first 100,000). */
  timeline(): readonly PoolSpan[];
  scale: number;
}

const TIMELINE_LIMIT = 100_000;

export function createWorkerPool(opts: CostModelOptions): WorkerPool {
  const workers = Math.floor(opts.workers);
  if (!(workers >= 1)) throw new RangeError('cost.workers must be at least 1');
  const scale = opts.scale ?? 1;
  if (!(scale >= 0)) throw new RangeError('cost.scale must be >= 0');
  let since = performance.now();
  const stats: PoolStats = { workers, busyMs: 0, costMs: 0, requests: 0, queuedMs: 0, startedAt: Date.now(), maxBusy: 0, costByAction: {} };
  let free = workers;
  let spans: PoolSpan[] = [];
  const waiting: Array<() => void> = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free++;
  };
  return {
    stats,
    scale,
    report() {
      const wallMs = performance.now() - since;
      return {
        workers, busyMs: stats.busyMs, costMs: stats.costMs, wallMs, requests: stats.requests,
        utilisation: wallMs > 0 ? stats.busyMs / (workers * wallMs) : 0,
      };
    },
    reset() {
      since = performance.now();
      Object.assign(stats, { busyMs: 0, costMs: 0, requests: 0, queuedMs: 0, startedAt: Date.now(), maxBusy: workers - free, costByAction: {} });
      spans = [];
    },
    timeline: () => spans,
    acquire() {
      const asked = performance.now();
      const grant = () => {
        const acquiredAt = performance.now();
        if (asked >= since) stats.queuedMs += acquiredAt - asked;
        stats.maxBusy = Math.max(stats.maxBusy, workers - free);
        let given = false;
        return { acquiredAt, release: () => { if (!given) { given = true; release(); } } };
      };
      if (free > 0) {
        free--;
        return Promise.resolve(grant());
      }
      return new Promise((resolve) => waiting.push(() => resolve(grant())));
    },
    account(acquiredAt, costMs, action) {
      if (acquiredAt < since) return;
      if (action !== undefined) stats.costByAction[action] = (stats.costByAction[action] ?? 0) + costMs;
      stats.requests++;
      stats.costMs += costMs;
      stats.busyMs += costMs * scale;
      if (spans.length < TIMELINE_LIMIT) spans.push({ at: acquiredAt - since, ms: costMs * scale, action: action ?? 'api4' });
    },
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Holds until `ms` have passed since `from` (performance.now clock; timers may fire a little early). */
async function holdUntil(from: number, ms: number): Promise<void> {
  for (let left = from + ms - performance.now(); left > 0; left = from + ms - performance.now()) await sleep(Math.ceil(left));
}

/**
 * Puts the pool in front of the server's request listener without changing it: the listener still
 * sees every request at once (stats, faults), but the request body is held back until a worker is
 * free, so the call runs on a worker; its answer is sent once the worker was held for the call's
 * scaled cost. Transport faults (503, 429, hung sockets: the web server's, not CiviCRM's) take no worker.
 */
export function attachWorkerPool(server: http.Server, pool: WorkerPool): void {
  const inner = server.listeners('request') as Array<(req: http.IncomingMessage, res: http.ServerResponse) => void>;
  server.removeAllListeners('request');
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    req.pause();
    for (const l of inner) l(req, res);
    // a transport fault resumed the request to drain it and answered (or dropped) it: no worker
    if (req.readableFlowing !== false || res.writableEnded || res.destroyed) return;
    const chunks: Buffer[] = [];
    let head: unknown[] | undefined;
    let tail: unknown[] | undefined;
    const realWriteHead = res.writeHead.bind(res) as (...a: unknown[]) => http.ServerResponse;
    const realEnd = res.end.bind(res) as (...a: unknown[]) => http.ServerResponse;
    let answered: (() => void) | undefined;
    const answer = new Promise<void>((resolve) => (answered = resolve));
    (res as unknown as { writeHead: (...a: unknown[]) => http.ServerResponse }).writeHead = (...a: unknown[]) => {
      head = a;
      return res;
    };
    (res as unknown as { end: (...a: unknown[]) => http.ServerResponse }).end = (...a: unknown[]) => {
      tail = a;
      answered?.();
      return res;
    };
    res.once('close', () => answered?.());
    void pool.acquire().then(async ({ acquiredAt, release }) => {
      try {
        req.on('data', (c: Buffer) => chunks.push(c));
        req.resume();
        await answer;
        if (tail === undefined) return; // connection gone before an answer
        const url = new URL(req.url ?? '/', 'http://sandbox');
        const form = new URLSearchParams(url.search);
        if (String(req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) {
          for (const [k, v] of new URLSearchParams(Buffer.concat(chunks).toString('utf8'))) form.set(k, v);
        }
        const status = typeof head?.[0] === 'number' ? head[0] : 200;
        const text = typeof tail[0] === 'string' ? tail[0] : Buffer.isBuffer(tail[0]) ? tail[0].toString('utf8') : '';
        const path = url.pathname.replace(/\/+$/, '');
        const cost = exchangeCost(path, form, status, text);
        await holdUntil(acquiredAt, cost * pool.scale);
        const call = SINGLE_CALL.exec(path);
        pool.account(acquiredAt, cost, call ? `${call[1]}.${call[2]}` : 'api4');
        if (head) realWriteHead(...head);
        realEnd(...tail);
      } finally {
        release();
      }
    });
  });
}
