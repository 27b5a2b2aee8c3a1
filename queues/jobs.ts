/**
 * Queue names, job-data schemas, deterministic job ids and default job options.
 * Job data carries run/source ids and cursor ranges only: never personal data.
 */
import { z } from 'zod';
import type { JobsOptions } from 'bullmq';
import type { PageJobData, RunJobData } from '../src/pipeline/types.js';

export const QUEUES = { runs: 'runs', pages: 'pages' } as const;

const keyset = z.object({ updatedAt: z.string(), id: z.string() }).strict();

export const runJobSchema = z
  .object({
    runId: z.string().regex(/^[A-Za-z0-9._-]+$/),
    mode: z.enum(['incremental', 'full', 'resend', 'replay']),
    sourceIds: z.array(z.string()).min(1),
    recordIds: z.array(z.string().regex(/^[A-Za-z0-9._-]{1,64}$/)).optional(),
  })
  .strict() satisfies z.ZodType<RunJobData>;

const pageBase = { runId: z.string(), sourceId: z.string(), stream: z.string().regex(/^[a-z][a-z_]*$/), pageNo: z.number().int().min(1) };

export const pageJobSchema = z.discriminatedUnion('phase', [
  z
    .object({
      ...pageBase,
      phase: z.literal('window'),
      request: z
        .object({ since: z.string().nullable(), until: z.string(), after: keyset.nullable(), limit: z.number().int().min(1), part: z.string().optional() })
        .strict(),
      resend: z.boolean().optional(),
    })
    .strict(),
  z.object({ ...pageBase, phase: z.literal('retry'), limit: z.number().int().min(1), replay: z.boolean() }).strict(),
]) satisfies z.ZodType<PageJobData>;

/** BullMQ job ids must not contain ":" nor be integers. */
export const runJobId = (runId: string) => `run.${runId}`;
export const pageJobId = (job: Pick<PageJobData, 'runId' | 'sourceId' | 'stream' | 'pageNo'>) => `page.${job.runId}.${job.sourceId}.${job.stream}.${job.pageNo}`;

/** A sortable run id from the start time, e.g. "20261123T021500123Z-k3f9". */
export function newRunId(now: Date, suffix: string): string {
  return `${now.toISOString().replace(/[-:]/g, '').replace('.', '')}-${suffix}`;
}

export interface JobPolicy {
  attempts: number;
  backoffMs: number;
  keepCompleted: number;
  keepFailed: number;
}

/** The job policy of the configuration's `sync` section. */
export function jobPolicyOf(sync: { attempts: number; backoff_ms: number; keep_completed_jobs: number; keep_failed_jobs: number }): JobPolicy {
  return { attempts: sync.attempts, backoffMs: sync.backoff_ms, keepCompleted: sync.keep_completed_jobs, keepFailed: sync.keep_failed_jobs };
}

export function jobOptions(policy: JobPolicy): JobsOptions {
  return {
    attempts: policy.attempts,
    backoff: { type: 'exponential', delay: policy.backoffMs },
    removeOnComplete: { count: policy.keepCompleted },
    removeOnFail: { count: policy.keepFailed },
  };
}
