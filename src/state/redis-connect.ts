/**
 * Redis connections with errors turned into one clear, credential-free message each: a raw
 * ioredis error carries the AUTH command's arguments (the password), so none is ever printed.
 */
import { randomBytes } from 'node:crypto';
import { Redis, type RedisOptions } from 'ioredis';
import { BridgeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

/** redis://host:port/db without user or password: safe for messages. */
export function redisTarget(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname && u.pathname !== '/' ? u.pathname : ''}`;
  } catch {
    return 'the configured Redis';
  }
}

/** What to tell the user about a Redis error (never its message verbatim, never arguments). */
export function explainRedisError(err: unknown, url: string): string {
  const target = redisTarget(url);
  const text = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  if (/^WRONGPASS/.test(text)) return `Redis at ${target} refused the user name or password in redis.url (WRONGPASS); check them`;
  if (/^NOAUTH/.test(text)) return `Redis at ${target} requires a password; put it in redis.url (redis://:PASSWORD@host:port, best through \${REDIS_PASSWORD})`;
  if (/^NOPERM/.test(text)) return `the Redis user in redis.url lacks a permission patron-bridge needs (NOPERM); allow it all commands on its key prefix`;
  if (code === 'ECONNREFUSED') return `cannot connect to Redis at ${target} (connection refused); check redis.url and that Redis is running`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot resolve the Redis host of ${target}; check redis.url`;
  if (code === 'ETIMEDOUT' || /timeout/i.test(text)) return `Redis at ${target} did not answer in time; check redis.url, the network and the server`;
  if (/LOADING/.test(text)) return `Redis at ${target} is loading its data; try again in a moment`;
  return `Redis at ${target} failed (${typeof code === 'string' ? code : (text.split(' ')[0] ?? 'error').replace(/[^A-Za-z_-]/g, '')}); check redis.url and the server`;
}

/**
 * Connects once and pings, giving up after `timeoutMs`; throws a REDIS BridgeError that says what
 * to check. Used before anything else, so a stopped Redis or a wrong password fails at once.
 */
export async function probeRedis(url: string, timeoutMs = 5000): Promise<void> {
  let last: unknown;
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutMs, enableOfflineQueue: false });
  probe.on('error', (err) => {
    last = err;
  });
  // connectTimeout ends at the TCP connect: a stopped (paused) Redis accepts it and then never answers.
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
  });
  const attempt = probe.connect().then(() => probe.ping());
  attempt.catch(() => {}); // after the deadline, its late failure is no news
  try {
    await Promise.race([attempt, deadline]);
  } catch (err) {
    throw new BridgeError('REDIS', explainRedisError(last ?? err, url), { context: { system: 'redis' }, transient: false });
  } finally {
    clearTimeout(timer);
    probe.disconnect();
  }
}

/** A connection whose errors are logged as one safe line, at most once per kind until it recovers. */
export function connectRedis(url: string, logger: Logger, opts: RedisOptions = {}): Redis {
  const redis = new Redis(url, opts);
  let lastSaid = '';
  redis.on('error', (err) => {
    const said = explainRedisError(err, url);
    if (said !== lastSaid) logger.error('redis error', { error: said });
    lastSaid = said;
  });
  redis.on('ready', () => {
    if (lastSaid) logger.info('redis connection is back', { redis: redisTarget(url) });
    lastSaid = '';
  });
  return redis;
}

/**
 * Notices a Redis that came back without its data (restarted without persistence, flushed): a
 * marker key written at start is missing after a reconnect. `onLost` is told once per loss.
 */
export async function watchForDataLoss(redis: Redis, prefix: string, onLost: () => void): Promise<void> {
  const key = `${prefix}:state:epoch`;
  await redis.set(key, randomBytes(6).toString('hex'), 'NX');
  let epoch = await redis.get(key);
  redis.on('ready', () => {
    void (async () => {
      const now = await redis.get(key);
      if (now !== null && now === epoch) return;
      await redis.set(key, randomBytes(6).toString('hex'), 'NX');
      epoch = await redis.get(key);
      onLost();
    })().catch(() => {});
  });
}
