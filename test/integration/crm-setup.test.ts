/**
 * `crm bootstrap` on the sandbox CiviCRM: it creates what the shipped mapping needs (custom fields on
 * contacts and on activities, the loan activity type, the "Library system" contact) only where missing,
 * says so when there is nothing to create, and names the permissions the sync key lacks.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { bootstrapCrm, createCiviClient, createCiviCrmSink, missingAccess } from '../../connectors/civicrm/index.js';
import { crmNeedsOf } from '../../src/cli/crm-setup.js';
import { nullLogger } from '../../src/core/logger.js';
import { bundledMapping } from '../../src/core/paths.js';
import { loadMapping } from '../../src/mapping/index.js';
import { startCiviSandbox, type CiviSandbox } from '../../src/sandbox/civicrm/index.js';
import { startSandboxes, type SandboxEnvironment } from '../../src/sandbox/environment.js';
import { sandboxConfig } from '../../src/sandbox/sandbox-config.js';
import { ensureBuilt, runCli, writeConfig } from './cli-process.js';

const crmConfig = (url: string, key: string, siteKey?: string) => ({
  type: 'civicrm' as const, base_url: url, api_key: key, batch_size: 50, timeout_ms: 10_000, retries: 0, ...(siteKey ? { site_key: siteKey } : {}),
});

describe('bootstrap creates what is missing, once', () => {
  let civi: CiviSandbox;
  beforeAll(async () => {
    civi = await startCiviSandbox();
  });
  afterAll(async () => civi?.stop());

  it('a fresh CRM gets every field, the activity type and the Library system contact; a second run creates nothing', async () => {
    const mapping = await loadMapping(bundledMapping(), 'koha');
    const needs = crmNeedsOf([mapping], {});
    const sink = createCiviCrmSink(crmConfig(civi.url, civi.keys.sync), { logger: nullLogger });
    const loans = { activityType: 'Library_Loan', fields: mapping.loans!.targetFields, sourceContact: 'patron-bridge:library-system' };
    expect(await sink.loanSetupProblem(loans)).toBe(
      'no activity type "Library_Loan"; no Activity field "Library_Loan.Loan_ID", "Library_Loan.Due_Date", "Library_Loan.Return_Date", "Library_Loan.Branch"; ' +
        'no contact with external identifier "patron-bridge:library-system" to record loans from',
    );

    const admin = createCiviClient(crmConfig(civi.url, civi.keys.admin), { logger: nullLogger });
    const first = await bootstrapCrm(admin, needs);
    expect(first.filter((i) => !i.created)).toEqual([]);
    expect(first.map((i) => `${i.kind} ${i.name}`)).toEqual(expect.arrayContaining([
      'custom group Library_Loan', 'custom field Library_Loan.Loan_ID', 'custom group Library_Engagement', 'custom field Library_Engagement.Lapsed',
      'activity type Library_Loan', 'contact patron-bridge:library-system', 'custom field Library_Patron.Card_Number',
    ]));
    const rows = { groups: civi.rows('CustomGroup').length, fields: civi.rows('CustomField').length, contacts: civi.rows('Contact').length };
    expect(civi.rows('CustomGroup').find((g) => g.name === 'Library_Loan')?.extends).toBe('Activity');

    const second = await bootstrapCrm(admin, needs);
    expect(second.filter((i) => i.created)).toEqual([]);
    expect(second.length).toBe(first.length);
    expect({ groups: civi.rows('CustomGroup').length, fields: civi.rows('CustomField').length, contacts: civi.rows('Contact').length }).toEqual(rows);
    expect(await sink.loanSetupProblem(loans)).toBeNull();
  });

  it('names by permission what the sync key may not do', async () => {
    const needs = crmNeedsOf([await loadMapping(bundledMapping(), 'koha')], {}).access;
    expect(await missingAccess(createCiviClient(crmConfig(civi.url, civi.keys.sync), { logger: nullLogger }), needs)).toEqual([]);
    // The recording's "noguard" user may only view contacts.
    const viewer = createCiviClient(crmConfig(civi.url, civi.keys.noguard, civi.siteKey), { logger: nullLogger });
    expect((await missingAccess(viewer, needs)).map((n) => `${n.entity}.${n.action}: ${n.permission}`)).toEqual([
      'Contact.save: edit all contacts', 'GroupContact.save: edit all contacts', 'Activity.save: edit all contacts', 'Activity.delete: delete activities',
    ]);
  });
});

describe('patron-bridge crm bootstrap', () => {
  let env: SandboxEnvironment;
  let file: string;
  beforeAll(async () => {
    ensureBuilt();
    env = await startSandboxes({ patrons: 5, seed: 1 });
    file = await writeConfig(path.join(mkdtempSync(path.join(tmpdir(), 'pb-setup-')), 'config.yaml'), sandboxConfig(env, { redisUrl: 'redis://127.0.0.1:6379', prefix: 'pb-test-setup' }).config);
  }, 60_000);
  afterAll(async () => env?.stop());

  it('says what it created, then that there is nothing to create', async () => {
    const cliEnv = { CIVICRM_ADMIN_API_KEY: env.civi.keys.admin };
    const first = await runCli(['crm', 'bootstrap', '--config', file], { env: cliEnv });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^created custom group Library_Patron$/m);
    expect(first.stdout).toMatch(/^created activity type Library_Loan$/m);
    expect(first.stdout).toMatch(/^CiviCRM ready: \d+ item\(s\) created, 0 already there$/m);
    const second = await runCli(['crm', 'bootstrap', '--config', file], { env: cliEnv });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^CiviCRM ready: nothing to create, all \d+ item\(s\) already there$/m);
    expect(second.stdout).not.toMatch(/^created /m);
  }, 60_000);
});
