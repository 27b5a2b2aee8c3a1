/**
 * Patron pages written beside each other (a page begins once the page before has its contacts in the
 * CRM) end as one page after another would: against a sandbox CiviCRM whose requests take time (the
 * cost model, 4 PHP workers), with small pages and 4 page jobs at once, look-alike patrons on different
 * pages give one contact (the first's) and the others wait for a person. Expectations come from the
 * generated data and the shipped mapping's rules, written by hand (dataset-rules.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { bootstrapCrm, createCiviClient } from '../../connectors/civicrm/index.js';
import { createApp, type App } from '../../src/app.js';
import { crmNeedsOf } from '../../src/cli/crm-setup.js';
import { createLogger, nullLogger } from '../../src/core/logger.js';
import { SANDBOX_CREDENTIALS, startSandboxes, type SandboxEnvironment } from '../../src/sandbox/environment.js';
import type { KohaPatron } from '../../src/sandbox/koha/types.js';
import { sandboxConfig } from '../../src/sandbox/sandbox-config.js';
import type { RunReport } from '../../src/state/ports.js';
import { isWritable, lookalikeGroups, lookalikeIds } from './dataset-rules.js';
import { patronsOnlyMapping } from './patrons-only.js';
import { dropPrefix, REDIS_URL } from './sync-harness.js';

const PAGE = 20;
const prefix = `pb-test-beside-${randomBytes(3).toString('hex')}`;
let env: SandboxEnvironment;
let app: App;
const logged: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  env = await startSandboxes({ patrons: 400, seed: 5, civiCost: { workers: 4, scale: 0.05 } });
  const loaded = sandboxConfig(env, { mapping: patronsOnlyMapping(), redisUrl: REDIS_URL, prefix, pageSize: PAGE, batchSize: 10 });
  loaded.config.sync.concurrency = 4;
  loaded.config.crm.max_concurrency = 4;
  const lines = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l.startsWith('{')) logged.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  app = await createApp(loaded, createLogger({ level: 'debug', format: 'json', stream: lines }));
  const admin = createCiviClient({ ...loaded.config.crm, api_key: SANDBOX_CREDENTIALS.civicrm.admin }, { logger: nullLogger });
  await bootstrapCrm(admin, crmNeedsOf([app.deps.sources.get('koha')!.mapping], loaded.config.crm));
  app.startWorkers();
}, 120_000);

afterAll(async () => {
  await app?.close();
  await env?.stop();
  await dropPrefix(prefix);
});

const inReadOrder = (): KohaPatron[] => [...env.dataset.patrons].sort((a, b) => Date.parse(a.updated_on) - Date.parse(b.updated_on) || a.patron_id - b.patron_id);

describe('patron pages beside each other', () => {
  it('write look-alikes on different pages as one page after another would: one contact, the others held', async () => {
    // The data has look-alikes whose first and later patrons fall on different pages.
    const pageOf = new Map(inReadOrder().map((p, i) => [String(p.patron_id), Math.floor(i / PAGE)]));
    const across = lookalikeGroups(env.dataset.patrons).filter((g) => new Set(g.map((id) => pageOf.get(id))).size > 1);
    expect(across.length).toBeGreaterThan(0);

    const outcome = await app.waitForRun(await app.enqueueRun('full'));
    const report = (outcome as { report: RunReport }).report;
    const patrons = report.sources.find((s) => s.stream === 'patrons')!;

    const held = new Set(lookalikeIds(env.dataset.patrons));
    const created = env.dataset.patrons.filter((p) => isWritable(p) && !held.has(String(p.patron_id))).map((p) => `koha:${p.patron_id}`).sort();
    expect(patrons).toMatchObject({ status: 'done', read: env.dataset.patrons.length, created: created.length, held: held.size, linked: 0 });
    const keys = env.civi.rows('Contact').map((c) => String(c.external_identifier ?? '')).filter((k) => k.startsWith('koha:')).sort();
    expect(keys).toEqual(created);
    // each look-alike group across pages: its first patron's contact, none for the others
    for (const [firstId, ...others] of across) {
      expect([firstId, keys.includes(`koha:${firstId}`)]).toEqual([firstId, true]);
      for (const id of others) expect([id, keys.includes(`koha:${id}`)]).toEqual([id, false]);
    }
    // and the pages did write beside each other
    expect(logged.filter((l) => l.message === 'page begins beside the page before (its contacts are in the CRM)').length).toBeGreaterThan(0);
  }, 180_000);
});
