/**
 * Scheduled runs as BullMQ Job Schedulers on a queue of their own. One scheduler per source and
 * kind, with a deterministic id (`sync.<source>.<kind>`): upserting one is atomic in Redis, so
 * workers starting at the same moment leave exactly one. A fired job carries only the source id and
 * the kind; the handler starts (or joins) the run. Its jobs are processed one at a time across all
 * workers (global concurrency 1), so two firings never start two runs of a source side by side.
 */
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { z } from 'zod';

export const SCHEDULE_QUEUE = 'schedules';
/** Only schedulers under this id prefix are ours to change or remove. */
const ID_PREFIX = 'sync.';

export type ScheduleKind = 'incremental' | 'full';

export interface ScheduleSpec {
  sourceId: string;
  kind: ScheduleKind;
  /** Cron expression (5 fields, or 6 with seconds first). */
  pattern: string;
  tz: string;
}

export const scheduleJobSchema = z.object({ sourceId: z.string().min(1), kind: z.enum(['incremental', 'full']) }).strict();
export type ScheduleJobData = z.infer<typeof scheduleJobSchema>;

/** BullMQ ids must not contain ":". */
export const schedulerId = (sourceId: string, kind: ScheduleKind) => `${ID_PREFIX}${sourceId}.${kind}`;

/** Bounded history of fired jobs; a failed start is retried (Redis hiccups) a few times. */
const TEMPLATE_OPTS = { attempts: 3, backoff: { type: 'exponential', delay: 5000 }, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } };

export interface InstallResult {
  added: string[];
  changed: string[];
  removed: string[];
  unchanged: string[];
}

/**
 * Makes the schedulers on Redis those of `specs`: adds missing ones, updates changed ones and removes
 * ours that are no longer configured. An unchanged scheduler is left alone, so its pending firing
 * (perhaps overdue while no worker ran) is kept rather than moved to the next one.
 */
export async function installSchedules(connection: Redis, prefix: string, specs: readonly ScheduleSpec[]): Promise<InstallResult> {
  const queue = new Queue<ScheduleJobData>(SCHEDULE_QUEUE, { connection, prefix });
  queue.on('error', () => {}); // failed calls reject to the caller; connection errors are the connection's to log
  const out: InstallResult = { added: [], changed: [], removed: [], unchanged: [] };
  try {
    await queue.setGlobalConcurrency(1);
    const wanted = new Set<string>();
    for (const spec of specs) {
      const id = schedulerId(spec.sourceId, spec.kind);
      wanted.add(id);
      const data: ScheduleJobData = { sourceId: spec.sourceId, kind: spec.kind };
      const existing = await queue.getJobScheduler(id);
      const same = existing && existing.pattern === spec.pattern && existing.tz === spec.tz && existing.template?.data?.sourceId === data.sourceId && existing.template?.data?.kind === data.kind;
      if (same) {
        out.unchanged.push(id);
        continue;
      }
      await queue.upsertJobScheduler(id, { pattern: spec.pattern, tz: spec.tz }, { name: 'scheduled-run', data, opts: TEMPLATE_OPTS });
      (existing ? out.changed : out.added).push(id);
    }
    for (const s of await queue.getJobSchedulers(0, -1)) {
      if (!s.key.startsWith(ID_PREFIX) || wanted.has(s.key)) continue;
      if (await queue.removeJobScheduler(s.key)) out.removed.push(s.key);
    }
    return out;
  } finally {
    await queue.close().catch(() => {});
  }
}

export interface ScheduleWorker {
  /** Stop taking fired jobs; false when the one in hand did not finish within `graceMs`. */
  close(graceMs: number): Promise<boolean>;
}

/**
 * Processes fired jobs: parse the data, hand it to `start` (which starts or joins the source's run).
 * `onError` hears of a fired job that failed (with its data) and of the worker's own errors (without).
 */
export function createScheduleWorker(
  connection: Redis,
  prefix: string,
  start: (job: ScheduleJobData) => Promise<void>,
  onError: (err: unknown, job?: ScheduleJobData) => void,
): ScheduleWorker {
  const worker = new Worker<ScheduleJobData>(SCHEDULE_QUEUE, async (job) => start(scheduleJobSchema.parse(job.data)), { connection, prefix, concurrency: 1 });
  worker.on('error', (err) => onError(err));
  worker.on('failed', (job, err) => {
    const data = scheduleJobSchema.safeParse(job?.data);
    onError(err, data.success ? data.data : undefined);
  });
  return {
    async close(graceMs) {
      let timer: NodeJS.Timeout | undefined;
      const closed = worker.close().then(() => true, () => true);
      const inTime = await Promise.race([closed, new Promise<boolean>((r) => { timer = setTimeout(() => r(false), graceMs); })]);
      clearTimeout(timer);
      return inTime;
    },
  };
}

export interface InstalledSchedule {
  id: string;
  pattern: string | null;
  tz: string | null;
  data: ScheduleJobData | null;
  /** When it fires next (ms), as BullMQ holds it. */
  next: number | null;
}

/** Our schedulers as Redis holds them, and how many of their jobs wait to fire (one per scheduler, normally). */
export async function listSchedules(connection: Redis, prefix: string): Promise<{ schedules: InstalledSchedule[]; pending: number }> {
  const queue = new Queue<ScheduleJobData>(SCHEDULE_QUEUE, { connection, prefix });
  queue.on('error', () => {});
  try {
    const schedules = (await queue.getJobSchedulers(0, -1))
      .filter((s) => s.key.startsWith(ID_PREFIX))
      .map((s) => ({ id: s.key, pattern: s.pattern ?? null, tz: s.tz ?? null, data: s.template?.data ?? null, next: s.next ?? null }))
      .sort((a, b) => a.id.localeCompare(b.id));
    const pending = (await queue.getJobs(['delayed', 'waiting', 'prioritized'])).filter((j) => j.id?.startsWith(`repeat:${ID_PREFIX}`)).length;
    return { schedules, pending };
  } finally {
    await queue.close().catch(() => {});
  }
}
