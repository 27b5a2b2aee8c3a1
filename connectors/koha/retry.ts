/**
 * Retries inside one call (seconds), for transient Koha failures only; BullMQ retries cover
 * minutes. Retry-After from 429/503 is honoured on top of the exponential backoff.
 */
import pRetry, { AbortError } from 'p-retry';
import { BridgeError } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';

export interface RetryOptions {
  /** Retries after the first attempt. */
  retries: number;
  minTimeoutMs: number;
  maxTimeoutMs: number;
  /** Upper bound for a server's Retry-After, so a hostile value cannot stall a worker. */
  maxRetryAfterMs: number;
  /** Injected in tests to observe Retry-After waits without sleeping. */
  sleep: (ms: number) => Promise<void>;
}

export const defaultRetryOptions: RetryOptions = {
  retries: 3,
  minTimeoutMs: 500,
  maxTimeoutMs: 5000,
  maxRetryAfterMs: 60_000,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Run `fn`, retrying BridgeErrors marked transient; anything else fails at once. */
export async function withRetry<T>(fn: () => Promise<T>, opts: RetryOptions, logger: Logger): Promise<T> {
  return pRetry(
    async () => {
      try {
        return await fn();
      } catch (err) {
        if (err instanceof BridgeError && err.transient) throw err;
        throw new AbortError(err instanceof Error ? err : new Error(String(err)));
      }
    },
    {
      retries: opts.retries,
      minTimeout: opts.minTimeoutMs,
      maxTimeout: opts.maxTimeoutMs,
      factor: 2,
      onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
        if (!(error instanceof BridgeError) || retriesLeft <= 0) return;
        const waitMs = Math.min(error.retryAfterMs ?? 0, opts.maxRetryAfterMs);
        logger.warn('koha request failed, retrying', {
          code: error.code,
          ...error.context,
          attempt: attemptNumber,
          retriesLeft,
          ...(waitMs > 0 ? { retryAfterMs: waitMs } : {}),
        });
        if (waitMs > 0) await opts.sleep(waitMs);
      },
    },
  );
}
