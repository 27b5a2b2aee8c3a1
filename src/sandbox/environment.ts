/**
 * Both sandbox servers with generated data and known throwaway credentials: used by the demo,
 * `patron-bridge sandbox` and the integration tests.
 */
import { startCiviSandbox, type CiviFaultOptions, type CiviSandbox, type CostModelOptions } from './civicrm/index.js';
import { SANDBOX_ANONYMOUS_PATRON_ID, describePrefill, generateKohaDataset, planCrmPrefill, type CrmPrefill, type CrmPrefillOptions, type KohaDataset } from './generator/index.js';
import { startKohaSandbox, type KohaSandbox } from './koha/index.js';

export { SANDBOX_ANONYMOUS_PATRON_ID } from './generator/index.js';

/** Throwaway keys of the sandboxes (also the defaults in config/patron-bridge.yaml). */
export const SANDBOX_CREDENTIALS = {
  koha: { username: 'sync', password: 'sandbox-koha-password', client_id: 'sandbox-client', client_secret: 'sandbox-client-secret' },
  /** `synctrash` is the sync user plus "access deleted contacts" (the recording's principal of that name) */
  civicrm: { sync: 'sandbox-sync-key', synctrash: 'sandbox-synctrash-key', admin: 'sandbox-admin-key' },
} as const;

export interface SandboxCredentials {
  koha: { username: string; password: string; client_id: string; client_secret: string };
  civicrm: { sync: string; synctrash: string; admin: string };
}

/**
 * Zone of the sandbox Koha's clock (also the sandbox configuration's `sources[].timezone`):
 * one with DST, so both offsets appear in the data and the offset check sees them.
 */
export const SANDBOX_KOHA_TIMEZONE = 'Europe/Berlin';

export interface SandboxEnvironment {
  koha: KohaSandbox;
  civi: CiviSandbox;
  dataset: KohaDataset;
  /** the contacts `civiPrefill` planted in the CRM before any sync (empty without it) */
  prefill: CrmPrefill;
  stop(): Promise<void>;
}

export async function startSandboxes(opts: {
  patrons: number;
  seed?: number;
  now?: Date;
  kohaPort?: number;
  civiPort?: number;
  /** IANA zone of the sandbox Koha's clock; default SANDBOX_KOHA_TIMEZONE. */
  kohaTimezone?: string;
  /**
   * Koha's AnonymousPatron preference: set (the patron SANDBOX_ANONYMOUS_PATRON_ID owns anonymised loans), or, by default,
   * unset (no such patron; anonymised loans lose their patron_id, as in a Koha without the preference).
   */
  anonymousPatron?: boolean;
  /** IANA zone of the sandbox CiviCRM site (values written with an offset are stored in it); default 'Europe/Berlin'. */
  civiTimezone?: string;
  /** Multiplies the generated loans (see GenerateOptions.loanFactor); default 1. */
  loanFactor?: number;
  /** Seeded faults of the CiviCRM sandbox (see src/sandbox/civicrm/faults.ts). */
  civiFaults?: CiviFaultOptions;
  /** Milliseconds the sandbox CiviCRM waits before each answer (a slower CRM, for crash tests). */
  civiLatencyMs?: number;
  /** Cost model of the sandbox CiviCRM: a pool of workers serving each request for its recorded cost (see civicrm/cost.ts). */
  civiCost?: CostModelOptions;
  /** Start the CRM with the contacts a library's CiviCRM already holds (see generator/crm-prefill.ts). */
  civiPrefill?: boolean | CrmPrefillOptions;
  /** Other credentials than SANDBOX_CREDENTIALS (secret-redaction tests), and a CiviCRM site key. */
  credentials?: { koha?: Partial<SandboxCredentials['koha']>; civicrm?: Partial<SandboxCredentials['civicrm']>; siteKey?: string };
}): Promise<SandboxEnvironment> {
  const timezone = opts.kohaTimezone ?? SANDBOX_KOHA_TIMEZONE;
  // Every generated updated_on lies before `now`, so a sync started afterwards sees all of them.
  const dataset = generateKohaDataset({
    patrons: opts.patrons, seed: opts.seed ?? 42, now: opts.now ?? new Date(), timezone,
    anonymousPatronId: opts.anonymousPatron ? SANDBOX_ANONYMOUS_PATRON_ID : null, ...(opts.loanFactor !== undefined ? { loanFactor: opts.loanFactor } : {}),
  });
  const { username, password, client_id, client_secret } = { ...SANDBOX_CREDENTIALS.koha, ...opts.credentials?.koha };
  const civiKeys = { ...SANDBOX_CREDENTIALS.civicrm, ...opts.credentials?.civicrm };
  const koha = await startKohaSandbox({
    patrons: dataset.patrons,
    libraries: dataset.libraries,
    categories: dataset.categories,
    items: dataset.items,
    biblios: dataset.biblios,
    checkouts: dataset.checkouts,
    auth: { basic: { username, password }, oauth2: { client_id, client_secret } },
    timezone,
    anonymousPatronId: dataset.anonymousPatronId,
    ...(opts.kohaPort !== undefined ? { port: opts.kohaPort } : {}),
  });
  const civi = await startCiviSandbox({
    keys: { ...civiKeys },
    timezone: opts.civiTimezone ?? 'Europe/Berlin',
    ...(opts.credentials?.siteKey !== undefined ? { siteKey: opts.credentials.siteKey } : {}),
    ...(opts.civiPort !== undefined ? { port: opts.civiPort } : {}),
    ...(opts.civiFaults ? { faults: opts.civiFaults } : {}),
    ...(opts.civiLatencyMs !== undefined ? { latencyMs: opts.civiLatencyMs } : {}),
    ...(opts.civiCost ? { cost: opts.civiCost } : {}),
  });
  const plan = opts.civiPrefill ? planCrmPrefill(dataset.patrons, dataset.traits, opts.civiPrefill === true ? {} : opts.civiPrefill) : [];
  const prefill = describePrefill(plan, civi.addContacts(plan.map((c) => c.values)));
  return {
    koha,
    civi,
    dataset,
    prefill,
    async stop() {
      await Promise.all([koha.stop(), civi.stop()]);
    },
  };
}
