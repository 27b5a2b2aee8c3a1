export { createRedisState } from './redis-state.js';
export { createMemoryState } from './memory-state.js';
export { emptyCursor, emptyPageResult, sumPages } from './ports.js';
export type { CommittedPage, PageCommit, PageResult, Rejection, RunReport, RunStatus, SourceReport, SyncState } from './ports.js';
