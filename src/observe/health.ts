/**
 * Is everything patron-bridge talks to reachable with its credentials? Redis (PING), the CRM with the
 * sync key (one Contact.get of one id) and each source (one patron, authenticated), side by side, each
 * bounded in time and without retries. An error is one safe line: no secret, no record.
 */
import { createCiviClient } from '../../connectors/civicrm/client.js';
import { KohaClient } from '../../connectors/koha/client.js';
import type { LoadedConfig } from '../config/load.js';
import { describeError } from '../core/errors.js';
import { makeRedactor, type Logger } from '../core/logger.js';
import { probeRedis } from '../state/index.js';

export interface HealthCheck {
  /** 'redis' | 'crm' | 'source:<id>' */
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}

export interface HealthReport {
  ok: boolean;
  checks: HealthCheck[];
}

/** Each check gives up after this long (or the configured request timeout, when shorter). */
export const HEALTH_TIMEOUT_MS = 5000;

export async function checkHealth(opts: { loaded: LoadedConfig; logger: Logger }): Promise<HealthReport> {
  const { config, secrets } = opts.loaded;
  const redact = makeRedactor(secrets);
  const timed = async (name: string, probe: () => Promise<unknown>): Promise<HealthCheck> => {
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${HEALTH_TIMEOUT_MS} ms`)), HEALTH_TIMEOUT_MS);
    });
    try {
      await Promise.race([probe(), deadline]);
      return { name, ok: true, ms: Date.now() - started };
    } catch (err) {
      return { name, ok: false, ms: Date.now() - started, error: redact(describeError(err)) };
    } finally {
      clearTimeout(timer);
    }
  };
  const crm = createCiviClient({ ...config.crm, timeout_ms: Math.min(config.crm.timeout_ms, HEALTH_TIMEOUT_MS) }, { logger: opts.logger });
  const checks = await Promise.all([
    timed('redis', () => probeRedis(config.redis.url, HEALTH_TIMEOUT_MS)),
    timed('crm', () => crm.call('Contact', 'get', { select: ['id'], limit: 1 }, { retries: 0 })),
    ...config.sources.map((src) =>
      timed(`source:${src.id}`, () => {
        const koha = new KohaClient(
          { ...src, timeout_ms: Math.min(src.timeout_ms, HEALTH_TIMEOUT_MS) },
          { logger: opts.logger, now: () => new Date(), retry: { retries: 0 } },
        );
        return koha.get('/patrons', { query: { _per_page: 1 } });
      }),
    ),
  ]);
  return { ok: checks.every((c) => c.ok), checks };
}
