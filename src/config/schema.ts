/**
 * The configuration file's schema. Types are inferred from it; secrets are marked with
 * `secret()` so the loader can collect them for log redaction.
 */
import { IANAZone } from 'luxon';
import { z } from 'zod';
import { cronProblem } from '../schedule/cron.js';

/** Marks a string as secret: its value is redacted from every log line and error message. */
export const secret = () => z.string().min(1).meta({ secret: true });

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' });

/** A zone the runtime knows (luxon alone would read "UTC+3"-like names as fixed offsets): a wrong one would shift every window by hours. */
const timeZone = z.string().refine((tz) => IANAZone.isValidZone(tz), {
  error: (iss) => `unknown time zone ${JSON.stringify(iss.input)}; expected an IANA zone name such as Europe/Berlin or UTC`,
});

const cron = z.string().superRefine((expr, ctx) => {
  const problem = cronProblem(expr);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** When runs of a source start by themselves (`patron-bridge worker` installs them as BullMQ Job Schedulers). */
export const scheduleSchema = z
  .object({
    /** Incremental runs, e.g. "0 2 * * *" (every night at 02:00). */
    cron,
    /** Full runs (read everything, then sweep), e.g. "0 3 * * 0" (Sundays at 03:00). */
    full_cron: cron.optional(),
    /** Zone the cron expressions are read in; default: the source's `timezone`. */
    timezone: timeZone.optional(),
    /** A firing with no successful run this many minutes after it makes the source late (the watchdog). */
    grace_minutes: z.number().int().min(0).max(10080).default(120),
  })
  .strict();

export const kohaAuthSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('basic'), username: z.string().min(1), password: secret() }).strict(),
  z.object({ type: z.literal('oauth2'), client_id: z.string().min(1), client_secret: secret() }).strict(),
]);

export const sourceSchema = z
  .object({
    /** Namespaces external ids ("<id>:<patron_id>"), so it must be short and stable. */
    id: z.string().regex(/^[a-z][a-z0-9_-]{0,23}$/, 'expected 1-24 lowercase letters, digits, "_" or "-", starting with a letter'),
    type: z.literal('koha'),
    base_url: httpUrl,
    auth: kohaAuthSchema,
    /** Mapping file, relative to the configuration file. */
    mapping: z.string().min(1),
    page_size: z.number().int().min(1).max(1000).default(200),
    /** Incremental runs re-read this many seconds before the saved high-water mark. */
    overlap_seconds: z.number().int().min(0).max(86400).default(300),
    /** IANA time zone of the library server's clock (Koha stores local times). */
    timezone: timeZone.default('UTC'),
    timeout_ms: z.number().int().min(100).default(30000),
    /** Koha's AnonymousPatron system preference: the patron id that owns anonymised loan history (never a contact). */
    anonymous_patron_id: z.number().int().min(0).optional(),
    /** Runs started by the schedulers of `patron-bridge worker`; none: only `sync` starts runs. */
    schedule: scheduleSchema.optional(),
  })
  .strict();

export const crmSchema = z
  .object({
    type: z.literal('civicrm').default('civicrm'),
    base_url: httpUrl,
    api_key: secret(),
    site_key: secret().optional(),
    /** Records per Contact.save call (CiviCRM advice: 25-100). */
    batch_size: z.number().int().min(1).max(500).default(50),
    timeout_ms: z.number().int().min(100).default(60000),
    /** IANA zone CiviCRM stores date-times in (its site's zone): loan dates are sent as local times in it. Default UTC. */
    timezone: timeZone.optional(),
    /** Retries inside one call for transient failures (network, 408, 429, 5xx). */
    retries: z.number().int().min(0).max(10).default(4),
    /** Show conflicts that wait for a person as "Sync conflict" activities on the contact. */
    conflict_activities: z.boolean().optional(),
    /** First and longest wait between those retries (exponential, randomised); defaults in connectors/civicrm/client.ts. */
    retry_min_delay_ms: z.number().int().min(0).optional(),
    retry_max_delay_ms: z.number().int().min(0).optional(),
    /** CiviCRM HTTP requests in flight at once across every process sharing redis.prefix (default 4, connectors/civicrm/limiter.ts). */
    max_concurrency: z.number().int().min(1).max(256).optional(),
    /** Request starts per second across those processes; no limit when absent. */
    max_requests_per_second: z.number().positive().optional(),
  })
  .strict();

export const configSchema = z
  .object({
    redis: z
      .object({
        url: z.url({ protocol: /^rediss?$/, hostname: /./, error: 'expected a redis:// or rediss:// URL (percent-encode special characters of a password)' })
          .default('redis://127.0.0.1:6379'),
        prefix: z.string().regex(/^[A-Za-z0-9_-]+$/, 'expected letters, digits, "_" or "-"').default('patron-bridge'),
      })
      .strict()
      .default({ url: 'redis://127.0.0.1:6379', prefix: 'patron-bridge' }),
    crm: crmSchema,
    sources: z.array(sourceSchema).min(1, 'expected at least one source'),
    sync: z
      .object({
        /** Page jobs processed at once by one worker process (pages of one source run in order). */
        concurrency: z.number().int().min(1).max(32).default(2),
        /** BullMQ attempts for a page job before the run is marked failed. */
        attempts: z.number().int().min(1).max(50).default(5),
        backoff_ms: z.number().int().min(0).default(5000),
        keep_completed_jobs: z.number().int().min(0).default(1000),
        keep_failed_jobs: z.number().int().min(0).default(5000),
        /** One run per source: its lease lapses this long after its last renewal (a dead process's run). */
        lease_seconds: z.number().int().min(5).max(86400).default(300),
        /** A record that failed in this many runs is parked: reported, no longer retried by runs. */
        park_after_runs: z.number().int().min(1).max(1000).default(5),
        /** `sync --once` gives up waiting after this long (the run stays resumable). */
        run_timeout_seconds: z.number().int().min(1).default(21600),
        /** A job whose worker died is taken up again after about this long. */
        stall_seconds: z.number().int().min(2).max(600).default(30),
        /** Run reports (and their pages) are kept this long, then dropped from `runs` and `report`. */
        keep_runs_days: z.number().int().min(1).max(3650).default(90),
      })
      .strict()
      .default({
        concurrency: 2, attempts: 5, backoff_ms: 5000, keep_completed_jobs: 1000, keep_failed_jobs: 5000,
        lease_seconds: 300, park_after_runs: 5, run_timeout_seconds: 21600, stall_seconds: 30, keep_runs_days: 90,
      }),
    /** `patron-bridge serve`: the status page for IT staff; it refuses to start without username and password. */
    serve: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(0).max(65535).default(8787),
        username: z.string().min(1).optional(),
        password: secret().optional(),
        /** A session ends after this many minutes without a request. */
        session_minutes: z.number().int().min(1).max(1440).default(60),
      })
      .strict()
      .optional(),
    logging: z
      .object({
        level: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
        format: z.enum(['text', 'json']).default('text'),
        /** Without a terminal, `sync --once` logs a progress line this often. */
        progress_seconds: z.number().int().min(1).max(86400).default(30),
      })
      .strict()
      .default({ level: 'info', format: 'text', progress_seconds: 30 }),
    /** `worker` serves GET /healthz and /metrics here when a port is set. */
    http: z
      .object({
        host: z.string().min(1).default('127.0.0.1'),
        port: z.number().int().min(1).max(65535).optional(),
      })
      .strict()
      .default({ host: '127.0.0.1' }),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.sources.forEach((s, i) => {
      if (seen.has(s.id)) ctx.addIssue({ code: 'custom', message: `duplicate source id "${s.id}"`, path: ['sources', i, 'id'] });
      seen.add(s.id);
    });
  });

export type Config = z.infer<typeof configSchema>;
export type SourceConfig = z.infer<typeof sourceSchema>;
export type ScheduleConfig = z.infer<typeof scheduleSchema>;
export type KohaAuth = z.infer<typeof kohaAuthSchema>;
export type CrmConfig = z.infer<typeof crmSchema>;
