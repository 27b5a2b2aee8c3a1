export { createRedisState } from './redis-state.js';
export type { RedisStateOptions } from './redis-state.js';
export { createMemoryState } from './memory-state.js';
export { connectRedis, explainRedisError, probeRedis, redisTarget, watchForDataLoss } from './redis-connect.js';
export { emptyCursor, emptyPageResult, LeaseLostError, recordFailure, sumPages } from './ports.js';
export type { CommittedPage, FailureEntry, LeaseResult, PageCommit, PageResult, Rejection, RunReport, RunStatus, SourceReport, SyncState } from './ports.js';
