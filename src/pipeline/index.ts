export { startRun } from './run-handler.js';
export { processPage, failSource } from './page-handler.js';
export type { PageOutcome } from './page-handler.js';
export type { PageJobData, PipelineDeps, RunJobData, SourceBinding } from './types.js';
