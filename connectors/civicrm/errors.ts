/**
 * Translates a CiviCRM APIv4 HTTP answer into a BridgeError (see recorded/transcript.json for
 * every shape: text/plain 401, JSON envelopes with error_code 0 or "1", text/html 500 pages).
 * Messages name the entity, action and rule; never the API key, site key or record values.
 */
import { BridgeError, parseRetryAfter, type ErrorContext } from '../../src/core/errors.js';

/** What the client saw, already decoded (body is parsed JSON for application/json, else text). */
export interface CiviResponse {
  status: number;
  contentType: string;
  body: unknown;
  retryAfter?: string | undefined;
}

export interface CallSite {
  entity: string;
  action: string;
  /** Endpoint URL without credentials or query secrets. */
  url: string;
  /** String values sent in the call's records, scrubbed from any message CiviCRM echoes back. */
  sentValues?: readonly string[];
}

interface Envelope {
  error_code?: unknown;
  error_message?: unknown;
  status_code?: unknown;
  status_message?: unknown;
}

const MAX_MESSAGE = 300;

/** Remove echoed record values and cut overly long messages. */
export function scrubMessage(message: string, sentValues: readonly string[] = []): string {
  let out = message;
  const needles = [...new Set(sentValues.filter((v) => v.length >= 3))].sort((a, b) => b.length - a.length);
  for (const v of needles) if (out.includes(v)) out = out.split(v).join('<value>');
  out = out.replace(/\s+/g, ' ').trim();
  return out.length > MAX_MESSAGE ? `${out.slice(0, MAX_MESSAGE)}…` : out;
}

function envelopeOf(body: unknown): Envelope | undefined {
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Envelope) : undefined;
}

/**
 * Retryable server-side trouble that is not the request's fault: MySQL deadlocks and lock waits under
 * concurrent writes, and "DB Error: unknown error", the generic PEAR DB failure CiviCRM gives for
 * lost connections and lock errors it has no code for. Every recorded deterministic refusal (already
 * exists, constraint violation, mandatory values missing, unknown field/entity/parameter) names its
 * cause, so it stays permanent. Retrying is safe: reads are harmless and writes are save + match.
 */
const TRANSIENT_DB_PATTERN = /Deadlock|Lock wait timeout|^DB Error: unknown error$|server has gone away|Lost connection to/i;

/**
 * Returns the BridgeError for a failed answer, or undefined when the answer is a success envelope.
 * `nowMs` resolves HTTP-date Retry-After values.
 */
export function translateResponse(res: CiviResponse, site: CallSite, nowMs: number): BridgeError | undefined {
  const method = `${site.entity}.${site.action}`;
  const context: ErrorContext = { system: 'civicrm', method, url: site.url, status: res.status };
  const env = envelopeOf(res.body);
  const isJson = /json/i.test(res.contentType);
  const apiMessage = typeof env?.error_message === 'string' ? scrubMessage(env.error_message, site.sentValues) : undefined;
  const retryAfterMs = parseRetryAfter(res.retryAfter, nowMs);
  const transient = (message: string) =>
    new BridgeError('HTTP_TRANSIENT', message, { context, transient: true, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });

  if (res.status >= 200 && res.status < 300) {
    if (env && Array.isArray((env as { values?: unknown }).values)) return undefined;
    if (env && 'values' in env) return undefined; // index form: values is an object
    return new BridgeError('CRM_API', `${method}: expected an APIv4 JSON envelope but got ${res.contentType || 'no content type'}; check crm.base_url`, { context });
  }
  if (res.status >= 300 && res.status < 400) {
    return new BridgeError('CRM_API', `${method}: CiviCRM redirected (HTTP ${res.status}), probably to a login page; use the front-end URL of the site as crm.base_url`, { context });
  }
  if (res.status === 401) {
    const reason = typeof res.body === 'string' ? scrubMessage(res.body.replace(/^HTTP 401\s*/, '')) : 'unauthorized';
    const hint = /guard/i.test(reason)
      ? "grant the API user the permission 'authenticate with api key' or configure crm.site_key"
      : 'check crm.api_key (sent as X-Civi-Auth: Bearer)';
    return new BridgeError('CRM_AUTH', `${method}: CiviCRM refused the credentials (${reason}); ${hint}`, { context });
  }
  if (res.status === 403) {
    const detail = apiMessage && !/Sorry an error occurred/.test(apiMessage) ? ` (${apiMessage})` : '';
    return new BridgeError('CRM_FORBIDDEN', `the CiviCRM API user is not allowed to call ${method}${detail}`, { context });
  }
  if (res.status === 408 || res.status === 429) return transient(`${method}: CiviCRM answered HTTP ${res.status}; will retry`);
  if (res.status === 503 && (env?.status_code === 503 || /maintenance/i.test(String(env?.status_message ?? res.body)))) {
    return transient(`${method}: CiviCRM is in maintenance mode (HTTP 503); will retry`);
  }
  if (res.status === 502 || res.status === 503 || res.status === 504) return transient(`${method}: CiviCRM is unavailable (HTTP ${res.status}); will retry`);

  if (isJson && env && env.error_code !== undefined) {
    if (env.error_code === '1' || (apiMessage !== undefined && /^Sorry an error occurred/.test(apiMessage))) {
      return new BridgeError(
        'CRM_NO_DEBUG',
        `${method} failed, but the CiviCRM API user lacks the 'view debug output' permission, so CiviCRM hides the real error; grant it to see the cause`,
        { context },
      );
    }
    const msg = apiMessage ?? 'unknown error';
    if (TRANSIENT_DB_PATTERN.test(msg)) return transient(`${method}: transient database failure (${msg}); will retry`);
    if (/already exists/i.test(msg)) return new BridgeError('CRM_DUPLICATE', `${method}: ${msg}`, { context });
    if (/constraint violation/i.test(msg)) return new BridgeError('CRM_CONSTRAINT', `${method}: ${msg}`, { context });
    if (/Mandatory values missing/i.test(msg)) return new BridgeError('CRM_MANDATORY', `${method}: ${msg}`, { context });
    if (/^SECURITY ALERT/.test(msg)) {
      return new BridgeError('CRM_API', `${method}: CiviCRM rejected the request as not coming from a web-service client (send X-Requested-With)`, { context });
    }
    return new BridgeError('CRM_API', `${method}: ${msg}`, { context });
  }
  if (res.status >= 500) {
    // A PHP fatal error page may quote request data, so only its kind is reported.
    const kind = /html/i.test(res.contentType) ? 'an HTML error page (PHP error; see the CiviCRM log)' : `HTTP ${res.status}`;
    return new BridgeError('CRM_SERVER', `${method}: CiviCRM answered ${res.status} with ${kind}`, { context, transient: true });
  }
  if (res.status === 404) return new BridgeError('CRM_API', `${method}: endpoint not found (HTTP 404); check crm.base_url`, { context });
  return new BridgeError('CRM_API', `${method}: unexpected HTTP ${res.status}${apiMessage ? ` (${apiMessage})` : ''}`, { context });
}
