/**
 * The error taxonomy. Every error the program raises on purpose is a BridgeError with a stable
 * `code`, a compact context (never personal data, never secrets) and an optional `cause`.
 */

export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'MAPPING_INVALID'
  | 'RECORD_INVALID' // a source record failed validation
  | 'VALUE_INVALID' // a mapped value does not fit the CRM field (type, length, date)
  | 'SOURCE_AUTH' // library system refused our credentials
  | 'SOURCE_HTTP' // library system answered with an unexpected status
  | 'SOURCE_INCOMPLETE' // a full read found too many records gone: the sweep refuses to act
  | 'CRM_AUTH' // CiviCRM 401 (text/plain)
  | 'CRM_FORBIDDEN' // CiviCRM 403: the API user lacks a permission
  | 'CRM_NO_DEBUG' // error_code "1": the API user lacks `view debug output`
  | 'CRM_DUPLICATE' // "DB Error: already exists"
  | 'CRM_CONSTRAINT' // "DB Error: constraint violation"
  | 'CRM_MANDATORY' // "Mandatory values missing …"
  | 'CRM_API' // any other APIv4 error envelope
  | 'CRM_SERVER' // 5xx page that is not an APIv4 envelope (PHP fatal, proxy)
  | 'HTTP_TRANSIENT' // 408, 429, 502, 503, 504 and similar
  | 'NETWORK' // connection refused/reset, DNS, timeout
  | 'RUN_CONFLICT' // another run holds the source, or this run lost it
  | 'REDIS' // Redis unreachable, refusing our credentials, or restarted without its data
  | 'INTERNAL';

export interface ErrorContext {
  system?: 'koha' | 'civicrm' | 'redis' | 'config' | 'mapping' | string;
  method?: string;
  /** URL without query secrets. */
  url?: string;
  status?: number;
  /** Source record id (not personal data). */
  recordId?: string;
  /** Where in a file (path inside YAML) or which field. */
  path?: string;
  file?: string;
  [key: string]: unknown;
}

export class BridgeError extends Error {
  readonly code: ErrorCode;
  readonly context: ErrorContext;
  /** Whether trying again later can succeed. */
  readonly transient: boolean;
  /** Server-requested delay before retrying (429/503 Retry-After), in ms. */
  readonly retryAfterMs?: number;

  constructor(
    code: ErrorCode,
    message: string,
    opts: { context?: ErrorContext; cause?: unknown; transient?: boolean; retryAfterMs?: number } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'BridgeError';
    this.code = code;
    this.context = opts.context ?? {};
    this.transient = opts.transient ?? TRANSIENT_CODES.has(code);
    if (opts.retryAfterMs !== undefined) this.retryAfterMs = opts.retryAfterMs;
  }

  /** A compact, log-safe object (no stack, no cause internals). */
  toJSON(): Record<string, unknown> {
    return { code: this.code, message: this.message, transient: this.transient, ...this.context };
  }
}

const TRANSIENT_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['HTTP_TRANSIENT', 'NETWORK', 'CRM_SERVER']);

/** HTTP statuses worth retrying. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Parse a Retry-After header (seconds or HTTP date) into ms, relative to `nowMs`. */
export function parseRetryAfter(value: string | undefined | null, nowMs: number): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED', 'EHOSTUNREACH', 'ENETUNREACH',
  'ERR_SOCKET_CONNECTION_TIMEOUT', 'UND_ERR_SOCKET',
]);

/**
 * Why a request got no answer and what to check, for messages: `connection refused (ECONNREFUSED);
 * check crm.base_url and that CiviCRM is running`. `keys` name the configuration of the server.
 */
export function networkHint(code: string, server: string, keys: { url: string; timeout: string }): string {
  if (code === 'ECONNREFUSED') return `connection refused (${code}); check ${keys.url} and that ${server} is running`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `host not found (${code}); check ${keys.url}`;
  if (code === 'ETIMEDOUT' || code === 'ECONNABORTED' || code === 'ERR_SOCKET_CONNECTION_TIMEOUT') {
    return `no answer in time (${code}); check that ${server} is up and reachable, or raise ${keys.timeout}`;
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET') return `connection cut (${code}); check that ${server} is up and the network to it`;
  return `${code}; check ${keys.url} and the network`;
}

/** Classify anything thrown into the taxonomy: a BridgeError is returned as is. */
export function classifyError(err: unknown): BridgeError {
  if (err instanceof BridgeError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) {
    return new BridgeError('NETWORK', `network error (${code})`, { cause: err });
  }
  // ioredis, while the connection is down: worth retrying once Redis is back.
  const name = (err as { name?: unknown } | null)?.name;
  if (name === 'MaxRetriesPerRequestError' || (err instanceof Error && /^Connection is closed\.?$/.test(err.message))) {
    return new BridgeError('REDIS', 'the Redis connection is down', { transient: true, context: { system: 'redis' } }); // no cause: it quotes AUTH arguments
  }
  const message = err instanceof Error ? err.message : String(err);
  return new BridgeError('INTERNAL', message, { cause: err });
}

/** A one-line, log-safe description of any error. */
export function describeError(err: unknown): string {
  const e = classifyError(err);
  const where = [e.context.system, e.context.method, e.context.url, e.context.status].filter((x) => x !== undefined);
  return `${e.code}: ${e.message}${where.length ? ` [${where.join(' ')}]` : ''}`;
}
