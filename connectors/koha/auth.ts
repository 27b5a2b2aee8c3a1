/**
 * Authorization for Koha's REST API: HTTP Basic, or OAuth2 client credentials with a cached
 * token renewed before it expires and once on a 401. One token request is shared by all
 * concurrent callers (single flight). Tokens and secrets never reach a message or a log line.
 */
import type { AxiosInstance } from 'axios';
import { z } from 'zod';
import { BridgeError } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';
import type { KohaAuth } from '../../src/config/schema.js';
import { httpError, networkError, serverText, type AuthKind } from './errors.js';

export interface AuthProvider {
  readonly kind: AuthKind;
  /** The Authorization header value to send now. */
  header(): Promise<string>;
  /** Drop `used` if it is still the cached credential; returns true when a renewal can help. */
  invalidate(used: string): boolean;
  /** Values to redact from any text (secrets and tokens currently known). */
  secrets(): string[];
}

export function basicAuth(username: string, password: string): AuthProvider {
  const header = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  return {
    kind: 'basic',
    header: async () => header,
    invalidate: () => false,
    secrets: () => [password, header.slice('Basic '.length)],
  };
}

const tokenResponse = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().positive().optional(),
});

/** Assumed lifetime when a server omits expires_in: short, so a stale token is replaced soon. */
const DEFAULT_LIFETIME_S = 300;

export interface OAuth2Deps {
  http: AxiosInstance;
  /** Log-safe URL of the token endpoint, for error context. */
  tokenUrl: string;
  logger: Logger;
  now: () => Date;
  redact: (text: string) => string;
}

export function oauth2Auth(clientId: string, clientSecret: string, deps: OAuth2Deps): AuthProvider {
  let cached: { header: string; token: string; renewAtMs: number } | null = null;
  let inflight: Promise<string> | null = null;
  const seenTokens: string[] = [];

  async function fetchToken(): Promise<string> {
    const ctx = { method: 'POST', url: deps.tokenUrl };
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });
    let res;
    try {
      res = await deps.http.post('/oauth/token', form.toString(), {
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: undefined },
        validateStatus: () => true,
      });
    } catch (err) {
      throw networkError(err, ctx, deps.redact);
    }
    const nowMs = deps.now().getTime();
    if (res.status === 400 || res.status === 401 || res.status === 403) {
      // Koha answers 400 "Unimplemented grant type" when RESTOAuth2ClientCredentials is off, 403 for a bad client.
      const said = serverText(res.data, deps.redact);
      throw new BridgeError(
        'SOURCE_AUTH',
        `Koha refused the OAuth2 client credentials (${res.status}): bad client_id/client_secret, or the system preference RESTOAuth2ClientCredentials is disabled.${said ? ` Server said: "${said}"` : ''}`,
        { context: { system: 'koha', ...ctx, status: res.status } },
      );
    }
    if (res.status < 200 || res.status >= 300) {
      const retryAfter = res.headers['retry-after'] as string | undefined;
      throw httpError({ status: res.status, body: res.data, retryAfter }, { ...ctx, path: '/oauth/token', auth: 'oauth2', nowMs, redact: deps.redact });
    }
    const parsed = tokenResponse.safeParse(res.data);
    if (!parsed.success) {
      throw new BridgeError('SOURCE_AUTH', 'Koha token response lacks access_token/expires_in', {
        context: { system: 'koha', ...ctx, status: res.status },
      });
    }
    const lifetimeMs = (parsed.data.expires_in ?? DEFAULT_LIFETIME_S) * 1000;
    // Renew a little before expiry so a request never leaves with a token about to lapse.
    const marginMs = Math.min(60_000, lifetimeMs / 10);
    const token = parsed.data.access_token;
    seenTokens.push(token);
    if (seenTokens.length > 5) seenTokens.shift();
    cached = { header: `Bearer ${token}`, token, renewAtMs: nowMs + lifetimeMs - marginMs };
    deps.logger.debug('koha oauth2 token obtained', { system: 'koha', expiresInSeconds: lifetimeMs / 1000 });
    return cached.header;
  }

  return {
    kind: 'oauth2',
    header() {
      if (cached && deps.now().getTime() < cached.renewAtMs) return Promise.resolve(cached.header);
      inflight ??= fetchToken().finally(() => {
        inflight = null;
      });
      return inflight;
    },
    invalidate(used) {
      if (cached?.header === used) cached = null;
      return true;
    },
    secrets: () => [clientSecret, ...seenTokens],
  };
}

export function createAuth(config: KohaAuth, deps: OAuth2Deps): AuthProvider {
  return config.type === 'basic'
    ? basicAuth(config.username, config.password)
    : oauth2Auth(config.client_id, config.client_secret, deps);
}
