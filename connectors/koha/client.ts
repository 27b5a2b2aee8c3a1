/**
 * HTTP client for Koha's REST API (HTTP only): base URL + /api/v1, Authorization injection,
 * GET with retries of transient failures, translation of failures into BridgeErrors.
 */
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import type { SourceConfig } from '../../src/config/schema.js';
import { BridgeError } from '../../src/core/errors.js';
import { makeRedactor, type Logger } from '../../src/core/logger.js';
import { createAuth, type AuthProvider } from './auth.js';
import { httpError, networkError } from './errors.js';
import { nextLink } from './link.js';
import { defaultRetryOptions, withRetry, type RetryOptions } from './retry.js';

export type Query = Record<string, string | number>;

export interface KohaResponse {
  data: unknown;
  headers: Record<string, string | undefined>;
}

/** One request, for latency metrics: the route template (no ids, no query), `ok` or the error code. */
/** What a list answer says it counts (X-Total-Count: after the query's filters), when it says so; for progress. */
export function totalOf(res: Pick<KohaResponse, 'headers'>): { total?: number } {
  const n = Number(res.headers['x-total-count']);
  return res.headers['x-total-count'] !== undefined && Number.isSafeInteger(n) && n >= 0 ? { total: n } : {};
}

export interface KohaRequestEvent {
  route: string;
  outcome: string;
  seconds: number;
}

export interface KohaClientDeps {
  logger: Logger;
  now: () => Date;
  retry?: Partial<RetryOptions>;
  /** Told of every attempt (metrics). */
  observe?: (event: KohaRequestEvent) => void;
}

/** `/patrons/42/holds` → `/patrons/{id}/holds`: a route, never an id. */
export function routeOf(path: string): string {
  return path.replace(/[?#].*$/, '').replace(/\/\d+(?=\/|$)/g, '/{id}');
}

/** Query string with every value URL-encoded ("+" becomes %2B, so Koha sees an ascending sort). */
export function encodeQuery(query: Query): string {
  const parts = Object.entries(query).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

/** `<base_url>/api/v1` without user info or trailing slash: safe to log. */
export function apiBaseUrl(baseUrl: string): string {
  const u = new URL(baseUrl);
  u.username = '';
  u.password = '';
  u.search = '';
  u.hash = '';
  return `${u.toString().replace(/\/+$/, '')}/api/v1`;
}

export class KohaClient {
  readonly apiBase: string;
  private readonly http: AxiosInstance;
  private readonly auth: AuthProvider;
  private readonly retry: RetryOptions;
  private readonly staticSecrets: string[];

  constructor(
    source: Pick<SourceConfig, 'base_url' | 'auth' | 'timeout_ms'>,
    private readonly deps: KohaClientDeps,
  ) {
    this.apiBase = apiBaseUrl(source.base_url);
    this.http = axios.create({ baseURL: this.apiBase, timeout: source.timeout_ms, headers: { Accept: 'application/json' } });
    this.retry = { ...defaultRetryOptions, ...deps.retry };
    this.staticSecrets = source.auth.type === 'basic' ? [source.auth.password] : [source.auth.client_secret];
    this.auth = createAuth(source.auth, {
      http: this.http,
      tokenUrl: `${this.apiBase}/oauth/token`,
      logger: deps.logger,
      now: deps.now,
      redact: (t) => this.redact(t),
    });
  }

  /** Removes our secrets and tokens from a text (server messages may echo request parts). */
  redact(text: string): string {
    return makeRedactor([...this.staticSecrets, ...this.auth.secrets()])(text);
  }

  /** GET `path` (relative to /api/v1) with retries; resolves only on 2xx. */
  async get(path: string, opts: { query?: Query; headers?: Record<string, string> } = {}): Promise<KohaResponse> {
    const target = `${path}${encodeQuery(opts.query ?? {})}`;
    return withRetry(() => this.attempt(path, target, opts.headers ?? {}), this.retry, this.deps.logger);
  }

  private async attempt(path: string, target: string, headers: Record<string, string>): Promise<KohaResponse> {
    const observe = this.deps.observe;
    if (!observe) return this.attemptOnce(path, target, headers);
    const started = Date.now();
    const observed = (outcome: string) => observe({ route: routeOf(path), outcome, seconds: (Date.now() - started) / 1000 });
    try {
      const res = await this.attemptOnce(path, target, headers);
      observed('ok');
      return res;
    } catch (err) {
      observed(err instanceof BridgeError ? err.code : 'ERROR');
      throw err;
    }
  }

  private async attemptOnce(path: string, target: string, headers: Record<string, string>): Promise<KohaResponse> {
    const ctx = { method: 'GET', url: `${this.apiBase}${target}` };
    const used = await this.auth.header();
    let res = await this.send(target, headers, used, ctx);
    if (res.status === 401 && this.auth.kind === 'oauth2' && this.auth.invalidate(used)) {
      // Tokens can be revoked or expire early (server restart, clock skew): renew once.
      this.deps.logger.info('koha rejected the token, renewing once', { system: 'koha', ...ctx, status: 401 });
      res = await this.send(target, headers, await this.auth.header(), ctx);
    }
    if (res.status >= 200 && res.status < 300) {
      return { data: res.data, headers: res.headers as Record<string, string | undefined> };
    }
    throw httpError(
      { status: res.status, body: res.data, retryAfter: res.headers['retry-after'] as string | undefined },
      { ...ctx, path, auth: this.auth.kind, nowMs: this.deps.now().getTime(), redact: (t) => this.redact(t) },
    );
  }

  private async send(target: string, headers: Record<string, string>, authorization: string, ctx: { method: string; url: string }): Promise<AxiosResponse> {
    try {
      return await this.http.get(target, { headers: { ...headers, Authorization: authorization }, validateStatus: () => true });
    } catch (err) {
      throw networkError(err, ctx, (t) => this.redact(t));
    }
  }

  /** GET every page of a small list route, following `Link: <…>; rel="next"`. */
  async getAll(path: string, query: Query = {}): Promise<unknown[]> {
    const out: unknown[] = [];
    let next: string | null = `${path}${encodeQuery({ _per_page: 100, ...query })}`;
    for (let pages = 0; next !== null; pages += 1) {
      if (pages >= 1000) throw new BridgeError('SOURCE_HTTP', `Koha kept returning Link rel=next for ${path}`, { context: { system: 'koha', method: 'GET', url: `${this.apiBase}${path}` } });
      const target: string = next;
      const res = await withRetry(() => this.attempt(path, target, {}), this.retry, this.deps.logger);
      if (!Array.isArray(res.data)) {
        throw new BridgeError('SOURCE_HTTP', `Koha returned a non-array for ${path}`, { context: { system: 'koha', method: 'GET', url: `${this.apiBase}${target}` } });
      }
      out.push(...res.data);
      next = nextLink(res.headers.link, this.apiBase);
    }
    return out;
  }

  /** Libraries (library_id, name, …) for group titles; needs permission `catalogue`. */
  listLibraries(): Promise<unknown[]> {
    return this.getAll('/libraries');
  }

  /** Patron categories (patron_category_id, name, …); needs parameters:manage_patron_categories. */
  listCategories(): Promise<unknown[]> {
    return this.getAll('/patron_categories');
  }
}
