export { QUEUES, jobOptions, newRunId, pageJobId, pageJobSchema, runJobId, runJobSchema } from './jobs.js';
export type { JobPolicy } from './jobs.js';
export { createProducer } from './producer.js';
export type { Producer } from './producer.js';
export { createWorkers } from './workers.js';
export { waitForRun } from './wait.js';
export type { RunWait } from './wait.js';
export type { Workers } from './workers.js';
