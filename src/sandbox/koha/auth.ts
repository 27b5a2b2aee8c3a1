/**
 * The sandbox's authentication: HTTP Basic (RESTBasicAuth) and OAuth2 client-credentials tokens
 * (RESTOAuth2ClientCredentials). With neither configured every request is let in.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';

export interface KohaAuthOptions {
  basic?: { username: string; password: string };
  oauth2?: { client_id: string; client_secret: string; token_ttl_seconds?: number };
}

export interface TokenResponse {
  status: number;
  body: Record<string, unknown>;
}

const DEFAULT_TTL_SECONDS = 3600;

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export class SandboxAuth {
  /** token → expiry (epoch ms). */
  private readonly tokens = new Map<string, number>();

  constructor(private readonly opts: KohaAuthOptions, private readonly now: () => Date) {}

  get required(): boolean {
    return this.opts.basic !== undefined || this.opts.oauth2 !== undefined;
  }

  /** True when the Authorization header lets the request in. */
  allows(authorization: string | undefined): boolean {
    if (!this.required) return true;
    const [scheme, value = ''] = (authorization ?? '').trim().split(/\s+/, 2);
    if (scheme?.toLowerCase() === 'basic' && this.opts.basic) {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const { username, password } = this.opts.basic;
      return same(decoded, `${username}:${password}`);
    }
    if (scheme?.toLowerCase() === 'bearer' && this.opts.oauth2) {
      const expiry = this.tokens.get(value);
      return expiry !== undefined && this.now().getTime() < expiry;
    }
    return false;
  }

  /** POST /oauth/token with a form-encoded body. */
  issueToken(form: URLSearchParams): TokenResponse {
    const cfg = this.opts.oauth2;
    if (form.get('grant_type') !== 'client_credentials' || !cfg) {
      return { status: 400, body: { error: 'Unimplemented grant type' } };
    }
    const id = form.get('client_id') ?? '';
    const secret = form.get('client_secret') ?? '';
    if (!same(id, cfg.client_id) || !same(secret, cfg.client_secret)) {
      return { status: 403, body: { error: 'unauthorized_client' } };
    }
    const ttl = cfg.token_ttl_seconds ?? DEFAULT_TTL_SECONDS;
    const token = randomBytes(24).toString('hex');
    this.tokens.set(token, this.now().getTime() + ttl * 1000);
    return { status: 200, body: { access_token: token, token_type: 'Bearer', expires_in: ttl } };
  }

  /** Makes every token issued so far invalid, as if its lifetime had run out. */
  expireTokens(): void {
    for (const t of this.tokens.keys()) this.tokens.set(t, 0);
  }
}
