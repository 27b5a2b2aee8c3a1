export { startRun } from './run-handler.js';
export { processPage, failSource } from './page-handler.js';
export { resumeRun } from './resume-handler.js';
export type { PageOutcome } from './page-handler.js';
export type { ResumeResult } from './resume-handler.js';
export { PATRON_STREAM } from './types.js';
export type { PageJobData, PipelineDeps, RetryPageJob, RunJobData, RunPolicy, SourceBinding, WindowPageJob } from './types.js';
