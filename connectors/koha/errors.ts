/**
 * Translate Koha HTTP outcomes into BridgeErrors. Messages carry the server's error text (which
 * names fields, never our credentials) passed through a redactor of our own secrets, and never
 * a raw axios error: its config holds the Authorization header.
 */
import { BridgeError, isTransientStatus, networkHint, parseRetryAfter, type ErrorContext } from '../../src/core/errors.js';

export type AuthKind = 'basic' | 'oauth2';

export interface HttpFailure {
  status: number;
  body: unknown;
  retryAfter?: string | undefined;
}

/** Permission a Koha route needs (x-koha-authorization in the spec), for 403 messages. */
export function permissionFor(path: string): string {
  if (path.startsWith('/patron_categories')) return 'parameters:manage_patron_categories';
  if (path.startsWith('/libraries')) return 'catalogue';
  return 'borrowers:list_borrowers';
}

/** The server's own explanation from `{error}` or `{errors:[{message,path}]}`, shortened. */
export function serverText(body: unknown, redact: (s: string) => string): string {
  let text = '';
  if (body && typeof body === 'object') {
    const b = body as { error?: unknown; errors?: unknown };
    if (typeof b.error === 'string') text = b.error;
    else if (Array.isArray(b.errors)) {
      text = b.errors
        .map((e) => {
          const { message, path } = (e ?? {}) as { message?: unknown; path?: unknown };
          return [typeof path === 'string' ? path : '', typeof message === 'string' ? message : ''].filter(Boolean).join(': ');
        })
        .filter(Boolean)
        .join('; ');
    }
  } else if (typeof body === 'string') {
    // Non-JSON bodies are usually HTML error pages: keep only a hint, not the page.
    text = body.trim().startsWith('<') ? '' : body.trim();
  }
  const short = text.length > 300 ? `${text.slice(0, 300)}…` : text;
  return redact(short);
}

function authMessage(status: number, auth: AuthKind, path: string, said: string): string {
  const suffix = said ? ` Server said: "${said}"` : '';
  const switchName = auth === 'basic' ? 'RESTBasicAuth' : 'RESTOAuth2ClientCredentials';
  const creds = auth === 'basic' ? 'username/password' : 'client_id/client_secret';
  if (status === 401) {
    return `Koha refused authentication (401): bad ${creds}, or the system preference ${switchName} is disabled.${suffix}`;
  }
  const perm = permissionFor(path);
  const likelyPermission = /permission/i.test(said);
  return likelyPermission
    ? `Koha denied access (403): the API user is missing permission ${perm}.${suffix}`
    : `Koha denied access (403): the API user is missing permission ${perm}, or bad ${creds} (${switchName} must be enabled).${suffix}`;
}

/** A non-2xx response → BridgeError (transient for 408, 429, 5xx). */
export function httpError(
  failure: HttpFailure,
  ctx: { method: string; url: string; path: string; auth: AuthKind; nowMs: number; redact: (s: string) => string },
): BridgeError {
  const { status } = failure;
  const context: ErrorContext = { system: 'koha', method: ctx.method, url: ctx.url, status };
  const said = serverText(failure.body, ctx.redact);
  if (status === 401 || status === 403) {
    return new BridgeError('SOURCE_AUTH', authMessage(status, ctx.auth, ctx.path, said), { context });
  }
  if (isTransientStatus(status)) {
    const retryAfterMs = parseRetryAfter(failure.retryAfter, ctx.nowMs);
    return new BridgeError('HTTP_TRANSIENT', `Koha answered ${status}${said ? `: ${said}` : ''}`, {
      context,
      transient: true,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    });
  }
  if (status === 404) {
    return new BridgeError('SOURCE_HTTP', `Koha route not found (404): ${ctx.path}${said ? `: ${said}` : ''}`, { context });
  }
  return new BridgeError('SOURCE_HTTP', `Koha rejected the request (${status})${said ? `: ${said}` : ''}`, { context });
}

/** A request that got no HTTP answer (refused, reset, DNS, timeout) → transient NETWORK error. */
export function networkError(err: unknown, ctx: { method: string; url: string }, redact: (s: string) => string): BridgeError {
  const code = (err as { code?: unknown } | null)?.code;
  const codeText = typeof code === 'string' ? code : 'unknown';
  const message = err instanceof Error ? redact(err.message) : 'request failed';
  // The cause is rebuilt from code and message only: the axios error would carry our headers.
  const cause = Object.assign(new Error(message), { code: codeText });
  const hint = networkHint(codeText, 'Koha', { url: 'sources[].base_url', timeout: 'sources[].timeout_ms' });
  return new BridgeError('NETWORK', `Koha unreachable: ${hint}`, {
    context: { system: 'koha', method: ctx.method, url: ctx.url },
    cause,
    transient: true,
  });
}
