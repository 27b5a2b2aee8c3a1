export { startRun } from './run-handler.js';
export { processPage, failSource, NotYourTurnError } from './page-handler.js';
export { resumeRun } from './resume-handler.js';
export type { PageOutcome } from './page-handler.js';
export type { ResumeResult } from './resume-handler.js';
export { createPatronWriter } from './patron-writer.js';
export type { PageJobData, PipelineDeps, RetryPageJob, RunJobData, RunPolicy, SourceBinding, StreamBinding, StreamWriter, WindowPageJob, WriteContext, WriteOutcome } from './types.js';
