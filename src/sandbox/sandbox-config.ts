/** A configuration pointing at running sandboxes, built in memory (demo and integration tests). */
import path from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { collectSecrets } from '../config/load.js';
import { configSchema } from '../config/schema.js';
import { bundledMapping, projectRoot } from '../core/paths.js';
import { SANDBOX_CREDENTIALS, SANDBOX_KOHA_TIMEZONE, type SandboxEnvironment } from './environment.js';

export interface SandboxConfigOptions {
  redisUrl: string;
  prefix: string;
  mapping?: string;
  auth?: 'basic' | 'oauth2';
  pageSize?: number;
  batchSize?: number;
  overlapSeconds?: number;
  /** `sources[].timezone` of the Koha source; default SANDBOX_KOHA_TIMEZONE, the sandbox's own zone. */
  kohaTimezone?: string;
  logLevel?: 'error' | 'warn' | 'info' | 'debug';
  /** Whose API key `crm.api_key` holds: the sync user (default) or `synctrash`, the sync user with "access deleted contacts". */
  crmUser?: 'sync' | 'synctrash';
  /** CRM client tuning (fault tests): per-request timeout, retries inside a call (default 2) and their delays. */
  crm?: { timeoutMs?: number; retries?: number; retryMinDelayMs?: number; retryMaxDelayMs?: number; conflictActivities?: boolean };
  /** `crm.timezone`: the sandbox CiviCRM's site zone (default: what the sandbox says, else UTC). */
  crmTimezone?: string;

  /** Page-job attempts (default 3) and backoff (default 200 ms). */
  attempts?: number;
  backoffMs?: number;
}

export function sandboxConfig(env: Pick<SandboxEnvironment, 'koha' | 'civi'>, opts: SandboxConfigOptions): LoadedConfig {
  const k = SANDBOX_CREDENTIALS.koha;
  const raw = {
    redis: { url: opts.redisUrl, prefix: opts.prefix },
    crm: {
      base_url: env.civi.url,
      api_key: SANDBOX_CREDENTIALS.civicrm[opts.crmUser ?? 'sync'],
      batch_size: opts.batchSize ?? 50,
      timezone: opts.crmTimezone ?? env.civi.timezone,
      retries: opts.crm?.retries ?? 2,
      ...(opts.crm?.timeoutMs !== undefined ? { timeout_ms: opts.crm.timeoutMs } : {}),
      ...(opts.crm?.retryMinDelayMs !== undefined ? { retry_min_delay_ms: opts.crm.retryMinDelayMs } : {}),
      ...(opts.crm?.retryMaxDelayMs !== undefined ? { retry_max_delay_ms: opts.crm.retryMaxDelayMs } : {}),
      ...(opts.crm?.conflictActivities !== undefined ? { conflict_activities: opts.crm.conflictActivities } : {}),
    },
    sources: [
      {
        id: 'koha',
        type: 'koha',
        base_url: env.koha.url,
        auth: opts.auth === 'oauth2'
          ? { type: 'oauth2', client_id: k.client_id, client_secret: k.client_secret }
          : { type: 'basic', username: k.username, password: k.password },
        mapping: opts.mapping ?? bundledMapping(),
        page_size: opts.pageSize ?? 200,
        overlap_seconds: opts.overlapSeconds ?? 300,
        timezone: opts.kohaTimezone ?? SANDBOX_KOHA_TIMEZONE,
        ...(env.koha.anonymousPatronId === null ? {} : { anonymous_patron_id: env.koha.anonymousPatronId }),
      },
    ],
    sync: { concurrency: 2, attempts: opts.attempts ?? 3, backoff_ms: opts.backoffMs ?? 200 },
    logging: { level: opts.logLevel ?? 'warn' },
  };
  const config = configSchema.parse(raw);
  return { config, file: path.join(projectRoot(), 'config', 'sandbox.yaml'), secrets: collectSecrets(configSchema, config) };
}
