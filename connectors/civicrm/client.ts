/**
 * CiviCRM APIv4 over REST: one POST per call with the form field `params` (a JSON body would be
 * silently ignored and turn a get into "every row"). Transient failures are retried with p-retry.
 */
import axios, { type AxiosInstance } from 'axios';
import pRetry, { AbortError } from 'p-retry';
import { BridgeError, classifyError, networkHint } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';
import type { CrmConfig } from '../../src/config/schema.js';
import { translateResponse, type CallSite, type CiviResponse } from './errors.js';
import type { CrmLimiter } from './limiter.js';

/** The success envelope (values as an array; `index` is not used by this client). */
export interface ApiResult<T = Record<string, unknown>> {
  values: T[];
  entity: string;
  action: string;
  count: number;
  countFetched?: number;
  /** save/replace: records that matched an existing row; get: only with select row_count. */
  countMatched?: number;
}

export type ApiParams = Record<string, unknown>;

export interface CallOptions {
  /** Override the configured retry count for this call (e.g. 0 for a probe). */
  retries?: number;
}

export interface CiviClient {
  call<T = Record<string, unknown>>(entity: string, action: string, params: ApiParams, opts?: CallOptions): Promise<ApiResult<T>>;
  /** HTTP requests sent so far, retries included. */
  requests(): number;
}

export interface RetryTuning {
  /** First backoff delay (p-retry minTimeout). */
  minDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for inside the call: the error goes to the caller (BullMQ backoff). */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY: RetryTuning = { minDelayMs: 500, maxDelayMs: 10_000, maxRetryAfterMs: 60_000 };

/** One HTTP attempt, for latency metrics: `Entity.action`, `ok` or the error code; never ids or values. */
export interface CrmRequestEvent {
  method: string;
  outcome: string;
  seconds: number;
}

export interface ClientDeps {
  logger: Logger;
  /** Injected axios instance (tests); default: a fresh one. */
  http?: AxiosInstance;
  retry?: Partial<RetryTuning>;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Permits for each HTTP attempt (global limiter on Redis, or a local one); none: no limit. */
  limiter?: CrmLimiter;
  /** Told of every HTTP attempt (metrics). */
  observe?: (event: CrmRequestEvent) => void;
}

/** Base URL without credentials, query or trailing slash: safe for messages and logs. */
function safeBase(baseUrl: string): string {
  const u = new URL(baseUrl);
  u.username = '';
  u.password = '';
  u.search = '';
  u.hash = '';
  return u.toString().replace(/\/+$/, '');
}

/** String values of the records being written, so error messages can be scrubbed of them. */
function sentValuesOf(params: ApiParams): string[] {
  const out: string[] = [];
  const rows = [params.values, params.defaults, ...(Array.isArray(params.records) ? params.records : [])];
  for (const row of rows) {
    if (row === null || typeof row !== 'object') continue;
    for (const v of Object.values(row as Record<string, unknown>)) if (typeof v === 'string') out.push(v);
  }
  return out;
}

/** Actions that only read (get, getFields, getDuplicates, checkAccess, …): they take the limiter's queue ahead of writes. */
const READS = /^(get|checkAccess)/;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createCiviClient(cfg: CrmConfig, deps: ClientDeps): CiviClient {
  const http = deps.http ?? axios.create();
  const fromConfig: Partial<RetryTuning> = {
    ...(cfg.retry_min_delay_ms === undefined ? {} : { minDelayMs: cfg.retry_min_delay_ms }),
    ...(cfg.retry_max_delay_ms === undefined ? {} : { maxDelayMs: cfg.retry_max_delay_ms }),
  };
  const tuning = { ...DEFAULT_RETRY, ...fromConfig, ...deps.retry };
  const sleep = deps.sleep ?? defaultSleep;
  const now = deps.now ?? Date.now;
  const base = cfg.base_url.replace(/\/+$/, '');
  const shownBase = safeBase(cfg.base_url);
  const headers: Record<string, string> = {
    'Content-Type': 'application/x-www-form-urlencoded',
    Accept: 'application/json',
    'X-Civi-Auth': `Bearer ${cfg.api_key}`,
    // Belt and braces against the CSRF gate if the auth flow ever changes.
    'X-Requested-With': 'XMLHttpRequest',
  };
  if (cfg.site_key) headers['X-Civi-Key'] = cfg.site_key;
  let requests = 0;

  /** One HTTP attempt under a permit of the limiter (reads queue ahead of writes), given back when the answer is in (never held while retries sleep). */
  async function once(site: CallSite, body: string): Promise<unknown> {
    const limiter = deps.limiter;
    if (!limiter) return attempt(site, body);
    const release = await limiter.acquire({ read: READS.test(site.action) });
    try {
      return await attempt(site, body, limiter);
    } finally {
      await release();
    }
  }

  async function attempt(site: CallSite, body: string, limiter?: CrmLimiter): Promise<unknown> {
    requests += 1;
    let res: CiviResponse;
    const started = Date.now();
    const observed = (outcome: string) => deps.observe?.({ method: `${site.entity}.${site.action}`, outcome, seconds: (Date.now() - started) / 1000 });
    try {
      const r = await http.post<string>(`${base}/civicrm/ajax/api4/${site.entity}/${site.action}`, body, {
        headers,
        timeout: cfg.timeout_ms,
        responseType: 'text',
        transformResponse: [(d: unknown) => d],
        validateStatus: () => true,
        maxRedirects: 0,
      });
      const contentType = String(r.headers['content-type'] ?? '');
      const text = typeof r.data === 'string' ? r.data : String(r.data ?? '');
      let parsed: unknown = text;
      if (/json/i.test(contentType)) {
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = text;
        }
      }
      res = { status: r.status, contentType, body: parsed, retryAfter: r.headers['retry-after'] as string | undefined };
      limiter?.onResponse({ status: r.status, latencyMs: Date.now() - started, kind: `${site.entity}.${site.action}` });
    } catch (err) {
      limiter?.onResponse({ latencyMs: Date.now() - started, kind: `${site.entity}.${site.action}` });
      // Never keep the axios error: its config carries the API key header.
      const code = (err as { code?: unknown }).code;
      const network = classifyError({ code }).code === 'NETWORK';
      const what = network
        ? `CiviCRM unreachable: ${networkHint(code as string, 'CiviCRM', { url: 'crm.base_url', timeout: 'crm.timeout_ms' })}`
        : `request failed (${typeof code === 'string' ? code : 'no error code'})`;
      observed(network ? 'NETWORK' : 'HTTP_TRANSIENT');
      throw new BridgeError(network ? 'NETWORK' : 'HTTP_TRANSIENT', `${site.entity}.${site.action}: ${what}`, {
        context: { system: 'civicrm', method: `${site.entity}.${site.action}`, url: site.url },
        transient: true,
      });
    }
    const error = translateResponse(res, site, now());
    observed(error?.code ?? 'ok');
    if (error) throw error.transient ? error : new AbortError(error);
    return res.body;
  }

  return {
    requests: () => requests,
    async call<T>(entity: string, action: string, params: ApiParams, opts: CallOptions = {}): Promise<ApiResult<T>> {
      const site: CallSite = { entity, action, url: `${shownBase}/civicrm/ajax/api4/${entity}/${action}`, sentValues: sentValuesOf(params) };
      const body = new URLSearchParams({ params: JSON.stringify(params) }).toString();
      const result = await pRetry(() => once(site, body), {
        retries: opts.retries ?? cfg.retries,
        minTimeout: tuning.minDelayMs,
        maxTimeout: tuning.maxDelayMs,
        randomize: true,
        onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
          const e = classifyError(error);
          if (retriesLeft <= 0) return;
          if (e.retryAfterMs !== undefined && e.retryAfterMs > tuning.maxRetryAfterMs) throw e;
          deps.logger.warn('CiviCRM call failed, retrying', { method: `${entity}.${action}`, code: e.code, status: e.context.status, attempt: attemptNumber, retriesLeft });
          if (e.retryAfterMs) await sleep(e.retryAfterMs);
        },
      });
      return result as ApiResult<T>;
    },
  };
}
