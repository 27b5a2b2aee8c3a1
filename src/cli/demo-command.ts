/**
 * `patron-bridge demo` (npm run demo): sandbox Koha + CiviCRM with generated patrons and their loans,
 * the CRM bootstrapped, one full sync through the BullMQ queues, the report, a few resulting contacts
 * and one contact with its loan activities and engagement.
 */
import { randomBytes } from 'node:crypto';
import { bootstrapCrm, createCiviClient } from '../../connectors/civicrm/index.js';
import { crmNeedsOf } from './crm-setup.js';
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
  const env = await startSandboxes({ patrons: opts.patrons, seed: opts.seed, anonymousPatron: true });
  const prefix = `patron-bridge-demo-${randomBytes(3).toString('hex')}`;
  const loaded = sandboxConfig(env, { redisUrl: opts.redis, prefix });
  const logger = createLogger({ level: 'warn', secrets: loaded.secrets });
  out(`Sandbox Koha at ${env.koha.url} with ${env.dataset.patrons.length} generated patrons and ${env.dataset.checkouts.length} loans; sandbox CiviCRM at ${env.civi.url} (site zone ${env.civi.timezone})`);
  const app = await createApp(loaded, logger);
  try {
    const admin = createCiviClient({ ...loaded.config.crm, api_key: SANDBOX_CREDENTIALS.civicrm.admin }, { logger });
    const mapping = app.deps.sources.get('koha')!.mapping;
    const items = await bootstrapCrm(admin, crmNeedsOf([mapping], loaded.config.crm));
    out(`CiviCRM bootstrapped: ${items.filter((i) => i.created).length} item(s) created (custom fields for patrons, loans and engagement, the loan activity type, the Library system contact)`);

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
    await showLoans(admin, out);
    return outcome.report.status === 'done' ? EXIT.ok : EXIT.failed;
  } finally {
    await app.close();
    await dropKeys(opts.redis, prefix);
    await env.stop();
  }
}

/** One borrower as a CRM user sees them: engagement on the contact, loans on the timeline. */
async function showLoans(admin: ReturnType<typeof createCiviClient>, out: (s: string) => void): Promise<void> {
  const loans = await admin.call<Record<string, unknown>>('Activity', 'get', {
    select: ['target_contact_id'], where: [['activity_type_id:name', '=', 'Library_Loan']], orderBy: { id: 'ASC' }, limit: 1,
  });
  const contactId = (loans.values[0]?.target_contact_id as number[] | undefined)?.[0];
  if (contactId === undefined) return;
  const [contact] = (await admin.call<Record<string, unknown>>('Contact', 'get', {
    select: ['id', 'display_name', 'Library_Engagement.First_Loan', 'Library_Engagement.Last_Loan', 'Library_Engagement.Loans_12_Months', 'Library_Engagement.Lapsed'],
    where: [['id', '=', contactId]],
  })).values;
  out(`\nContact ${contactId} (${String(contact?.display_name)}): first loan ${String(contact?.['Library_Engagement.First_Loan'])}, last loan ${String(contact?.['Library_Engagement.Last_Loan'])}, ` +
    `${String(contact?.['Library_Engagement.Loans_12_Months'])} loan(s) in the last 12 months${contact?.['Library_Engagement.Lapsed'] ? ', lapsed' : ''}. Its loan activities:`);
  const activities = await admin.call<Record<string, unknown>>('Activity', 'get', {
    select: ['activity_date_time', 'subject', 'status_id:label', 'Library_Loan.Due_Date', 'Library_Loan.Return_Date'],
    where: [['activity_type_id:name', '=', 'Library_Loan'], ['target_contact_id', 'IN', [contactId]]],
    orderBy: { activity_date_time: 'ASC' },
  });
  for (const a of activities.values) {
    out(`  ${String(a.activity_date_time)}  ${String(a.subject)}  ${String(a['status_id:label'])}  due ${String(a['Library_Loan.Due_Date'])}` +
      `${a['Library_Loan.Return_Date'] ? `  returned ${String(a['Library_Loan.Return_Date'])}` : ''}`);
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
