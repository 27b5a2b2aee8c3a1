export { createRedisState, stateOptionsOf } from './redis-state.js';
export type { RedisStateOptions } from './redis-state.js';
export { createMemoryState } from './memory-state.js';
export { connectRedis, explainRedisError, probeRedis, redisTarget, watchForDataLoss } from './redis-connect.js';
export { emptyCursor, emptyPageResult, LeaseLostError, sumPages } from './ports.js';
export { recordFailure } from './failure-log.js';
export { conflictId, recordConflict } from './conflict-log.js';
export type { CommittedPage, FailureEntry, LeaseResult, PageCommit, PageResult, Rejection, RunReport, RunStatus, SourceReport, SyncState } from './ports.js';
