/**
 * The per-record benchmark baseline (src/bench/baseline.ts) on the sandboxes: one contact per
 * writable patron, one activity per loan of those patrons, and a second run that only updates.
 * Expected counts come from the generated dataset, by hand (dataset-rules.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { bootstrapCrm, createCiviClient } from '../../connectors/civicrm/index.js';
import { runBaseline, type BaselineOptions } from '../../src/bench/baseline.js';
import { crmNeedsOf } from '../../src/cli/crm-setup.js';
import { nullLogger } from '../../src/core/logger.js';
import { bundledMapping } from '../../src/core/paths.js';
import { loadMapping } from '../../src/mapping/index.js';
import { SANDBOX_CREDENTIALS, startSandboxes, type SandboxEnvironment } from '../../src/sandbox/environment.js';
import { isWritable } from './dataset-rules.js';

describe('per-record baseline', () => {
  let env: SandboxEnvironment;
  let opts: BaselineOptions;
  beforeAll(async () => {
    env = await startSandboxes({ patrons: 40, seed: 3 });
    const admin = createCiviClient({ type: 'civicrm', base_url: env.civi.url, api_key: env.civi.keys.admin, batch_size: 50, timeout_ms: 10_000, retries: 0 }, { logger: nullLogger });
    await bootstrapCrm(admin, crmNeedsOf([await loadMapping(bundledMapping(), 'koha')], {}));
    opts = {
      koha: { url: env.koha.url, username: SANDBOX_CREDENTIALS.koha.username, password: SANDBOX_CREDENTIALS.koha.password },
      crm: { url: env.civi.url, apiKey: env.civi.keys.sync },
      timezone: env.civi.timezone,
      loans: true,
    };
  }, 60_000);
  afterAll(async () => env?.stop());

  const patronContacts = () => env.civi.rows('Contact').filter((c) => typeof c['external_identifier'] === 'string' && /^\d+$/.test(c['external_identifier'] as string));
  const loanActivities = () => env.civi.rows('Activity').filter((a) => typeof a['Library_Loan.Loan_ID'] === 'string');

  it('creates one contact per writable patron and one activity per loan of those patrons; a second run creates nothing', async () => {
    const writable = env.dataset.patrons.filter(isWritable);
    const writableIds = new Set(writable.map((p) => p.patron_id));
    const loans = env.dataset.checkouts.filter((c) => c.patron_id !== null && writableIds.has(c.patron_id));
    expect(writable.length).toBeGreaterThan(30);
    expect(loans.length).toBeGreaterThan(0);

    const first = await runBaseline(opts);
    expect(first).toMatchObject({
      patrons: writable.length, contactsCreated: writable.length, contactsUpdated: 0,
      skipped: env.dataset.patrons.length - writable.length,
      loans: loans.length, activitiesCreated: loans.length, activitiesUpdated: 0,
    });
    expect(patronContacts().map((c) => Number(c['external_identifier'])).sort((a, b) => a - b)).toEqual([...writableIds].sort((a, b) => a - b));
    expect(loanActivities().map((a) => a['Library_Loan.Loan_ID']).sort()).toEqual(loans.map((c) => `koha:checkout:${c.checkout_id}`).sort());
    // per record: at least a get and a write per contact and per loan
    expect(first.requests).toBeGreaterThanOrEqual(2 * (writable.length + loans.length));
    expect(first.wallMs).toBeGreaterThan(0);

    const contactRows = env.civi.rows('Contact').length;
    const activityRows = env.civi.rows('Activity').length;
    const locationRows = ['Email', 'Phone', 'Address'].map((e) => env.civi.rows(e).length);
    const second = await runBaseline(opts);
    expect(second).toMatchObject({
      patrons: writable.length, contactsCreated: 0, contactsUpdated: writable.length,
      loans: loans.length, activitiesCreated: 0, activitiesUpdated: loans.length, refused: first.refused,
    });
    expect(second.requests).toBe(first.requests);
    expect(env.civi.rows('Contact').length).toBe(contactRows);
    expect(env.civi.rows('Activity').length).toBe(activityRows);
    expect(['Email', 'Phone', 'Address'].map((e) => env.civi.rows(e).length)).toEqual(locationRows);
  });
});

describe('the baseline against the cost model', () => {
  let env: SandboxEnvironment;
  afterAll(async () => env?.stop());

  it('every request it sends is served by the pool and accounted at least its overhead', async () => {
    env = await startSandboxes({ patrons: 8, seed: 5, civiCost: { workers: 2, scale: 0 } });
    const admin = createCiviClient({ type: 'civicrm', base_url: env.civi.url, api_key: env.civi.keys.admin, batch_size: 50, timeout_ms: 10_000, retries: 0 }, { logger: nullLogger });
    await bootstrapCrm(admin, crmNeedsOf([await loadMapping(bundledMapping(), 'koha')], {}));
    env.civi.resetStats();
    const r = await runBaseline({
      koha: { url: env.koha.url, username: SANDBOX_CREDENTIALS.koha.username, password: SANDBOX_CREDENTIALS.koha.password },
      crm: { url: env.civi.url, apiKey: env.civi.keys.sync }, loans: false,
    });
    expect(r.loans).toBe(0);
    const pool = env.civi.stats.pool!;
    expect(pool.requests).toBe(r.requests);
    expect(env.civi.stats.requests).toBe(r.requests);
    expect(pool.costMs).toBeGreaterThanOrEqual(93 * r.requests);
    expect(pool.busyMs).toBe(0);
  }, 60_000);
});
