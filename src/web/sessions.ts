/**
 * Login for the status page: the configured credentials compared in constant time, random session
 * tokens kept server-side with an idle expiry, a CSRF token per session, and a little throttling of
 * repeated failed logins per client address.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export interface Session {
  csrf: string;
  expiresAt: number;
}

export interface SessionStoreOptions {
  username: string;
  password: string;
  sessionMinutes: number;
  now?: () => number;
}

/** Failed logins an address may make before it waits; how long it then waits (doubling, capped). */
const FREE_FAILURES = 5;
const FIRST_WAIT_MS = 30_000;
const LONGEST_WAIT_MS = 15 * 60_000;

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
/** Equal-length digests, so neither the length nor the first differing byte shows in the timing. */
const sameSecret = (given: string, expected: Buffer) => timingSafeEqual(digest(given), expected);
const token = () => randomBytes(32).toString('base64url');

export type LoginResult = { ok: true; token: string } | { ok: false; retryAfterSeconds?: number };

export function createSessionStore(opts: SessionStoreOptions) {
  const now = opts.now ?? Date.now;
  const ttlMs = opts.sessionMinutes * 60_000;
  const user = digest(opts.username);
  const pass = digest(opts.password);
  const sessions = new Map<string, Session>();
  const failures = new Map<string, { count: number; blockedUntil: number }>();

  const prune = () => {
    const t = now();
    for (const [k, s] of sessions) if (s.expiresAt <= t) sessions.delete(k);
    for (const [k, f] of failures) if (f.blockedUntil <= t - LONGEST_WAIT_MS) failures.delete(k);
  };

  return {
    /** Checks the credentials (both, always); a client that failed too often waits first, even with the right ones. */
    login(client: string, username: string, password: string): LoginResult {
      prune();
      const t = now();
      const f = failures.get(client);
      if (f && f.blockedUntil > t) return { ok: false, retryAfterSeconds: Math.ceil((f.blockedUntil - t) / 1000) };
      const userOk = sameSecret(username, user);
      const passOk = sameSecret(password, pass);
      if (userOk && passOk) {
        failures.delete(client);
        const id = token();
        sessions.set(id, { csrf: token(), expiresAt: t + ttlMs });
        return { ok: true, token: id };
      }
      const count = (f?.count ?? 0) + 1;
      const wait = count < FREE_FAILURES ? 0 : Math.min(FIRST_WAIT_MS * 2 ** (count - FREE_FAILURES), LONGEST_WAIT_MS);
      failures.set(client, { count, blockedUntil: t + wait });
      return { ok: false, ...(wait > 0 ? { retryAfterSeconds: Math.ceil(wait / 1000) } : {}) };
    },

    /** The live session of a token, its expiry moved on (idle timeout); null when unknown or expired. */
    touch(id: string | undefined): Session | null {
      if (!id) return null;
      const s = sessions.get(id);
      if (!s) return null;
      if (s.expiresAt <= now()) {
        sessions.delete(id);
        return null;
      }
      s.expiresAt = now() + ttlMs;
      return s;
    },

    logout(id: string): void {
      sessions.delete(id);
    },

    /** A form's CSRF token against its session's, in constant time. */
    csrfOk(session: Session, given: string | undefined): boolean {
      return given !== undefined && sameSecret(given, digest(session.csrf));
    },
  };
}

export type SessionStore = ReturnType<typeof createSessionStore>;
