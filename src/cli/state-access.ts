/** Commands that only read or change kept state (report, failures list) get it here, Redis checked first. */
import type { LoadedConfig } from '../config/load.js';
import { nullLogger, type Logger } from '../core/logger.js';
import { connectRedis, createRedisState, probeRedis, stateOptionsOf } from '../state/index.js';
import type { SyncState } from '../state/ports.js';

export async function withState<T>(loaded: LoadedConfig, fn: (state: SyncState) => Promise<T>, logger: Logger = nullLogger): Promise<T> {
  await probeRedis(loaded.config.redis.url);
  const redis = connectRedis(loaded.config.redis.url, logger, { maxRetriesPerRequest: 1 });
  try {
    return await fn(createRedisState(redis, loaded.config.redis.prefix, stateOptionsOf(loaded.config.sync)));
  } finally {
    redis.disconnect();
  }
}
