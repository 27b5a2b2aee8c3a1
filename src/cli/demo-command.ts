/**
 * `patron-bridge demo` (npm run demo): sandbox Koha + CiviCRM with generated patrons, custom fields
 * bootstrapped, one full sync through the BullMQ queues, the report and a few resulting contacts.
 */
import { randomBytes } from 'node:crypto';
import { bootstrapCustomFields, createCiviClient } from '../../connectors/civicrm/index.js';
import { createApp } from '../app.js';
import { createLogger, nullLogger } from '../core/logger.js';
import { SANDBOX_CREDENTIALS, startSandboxes } from '../sandbox/environment.js';
import { sandboxConfig } from '../sandbox/sandbox-config.js';
import { connectRedis } from '../state/index.js';
import { formatReport } from './format-report.js';
import { EXIT } from './run-cli.js';

export interface DemoOptions {
  patrons: number;
  seed: number;
  redis: string;
}

const SHOWN_FIELDS = ['id', 'external_identifier', 'display_name', 'email_primary.email', 'address_primary.city', 'address_primary.country_id:name', 'Library_Patron.Card_Number', 'Library_Patron.Home_Branch', 'Library_Patron.Patron_Category'];

export async function demoCommand(opts: DemoOptions): Promise<number> {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const env = await startSandboxes({ patrons: opts.patrons, seed: opts.seed });
  const prefix = `patron-bridge-demo-${randomBytes(3).toString('hex')}`;
  const loaded = sandboxConfig(env, { redisUrl: opts.redis, prefix });
  const logger = createLogger({ level: 'warn', secrets: loaded.secrets });
  out(`Sandbox Koha at ${env.koha.url} with ${env.dataset.patrons.length} generated patrons; sandbox CiviCRM at ${env.civi.url}`);
  const app = await createApp(loaded, logger);
  try {
    const admin = createCiviClient({ ...loaded.config.crm, api_key: SANDBOX_CREDENTIALS.civicrm.admin }, { logger });
    const mapping = app.deps.sources.get('koha')!.mapping;
    const summary = await bootstrapCustomFields(admin, mapping.customGroups);
    out(`CiviCRM bootstrapped: ${summary.groups} custom group(s), ${summary.fields} custom field(s)`);

    app.startWorkers();
    const runId = await app.enqueueRun('full');
    out(`Run ${runId} enqueued; workers are syncing…\n`);
    const outcome = await app.waitForRun(runId);
    if (!('report' in outcome)) {
      out(`run did not finish: ${'failedToStart' in outcome ? outcome.failedToStart : outcome.stopped}`);
      return EXIT.failed;
    }
    out(formatReport(outcome.report, { maxRejections: 8 }));

    const sample = await admin.call('Contact', 'get', {
      select: SHOWN_FIELDS,
      where: [['external_identifier', 'LIKE', 'koha:%']],
      orderBy: { id: 'ASC' },
      limit: 5,
    });
    out('\nA few contacts now in CiviCRM:');
    for (const c of sample.values) out(`  ${JSON.stringify(c)}`);
    return outcome.report.status === 'done' ? EXIT.ok : EXIT.failed;
  } finally {
    await app.close();
    await dropKeys(opts.redis, prefix);
    await env.stop();
  }
}

/** The demo leaves nothing behind in Redis. */
async function dropKeys(url: string, prefix: string): Promise<void> {
  const redis = connectRedis(url, nullLogger, { maxRetriesPerRequest: 1 }); // errors safe, never raw
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 500);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
