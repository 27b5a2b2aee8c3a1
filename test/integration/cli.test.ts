/** CLI commands as a library IT person meets them: bad files name where, mapping validate asks the CRM. */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bootstrapCrm, createCiviClient } from '../../connectors/civicrm/index.js';
import { crmNeedsOf } from '../../src/cli/crm-setup.js';
import { configCheckCommand } from '../../src/cli/config-command.js';
import { mappingValidateCommand } from '../../src/cli/mapping-command.js';
import { reportFatal } from '../../src/cli/run-cli.js';
import { BridgeError } from '../../src/core/errors.js';
import { nullLogger } from '../../src/core/logger.js';
import { bundledMapping } from '../../src/core/paths.js';
import { loadMapping } from '../../src/mapping/index.js';
import { startCiviSandbox, type CiviSandbox } from '../../src/sandbox/civicrm/index.js';

let dir: string;
let civi: CiviSandbox;

const configText = (crmUrl: string, mapping: string) => `
crm:
  base_url: ${crmUrl}
  api_key: \${TEST_CIVI_KEY:-sandbox-sync-key}
sources:
  - id: koha
    type: koha
    base_url: http://127.0.0.1:9
    auth: { type: basic, username: sync, password: not-used }
    mapping: ${mapping}
`;

async function capture(fn: () => Promise<number>): Promise<{ code: number; out: string }> {
  const chunks: string[] = [];
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => (chunks.push(String(c)), true));
  try {
    return { code: await fn(), out: chunks.join('') };
  } finally {
    spy.mockRestore();
  }
}

async function failure(fn: () => Promise<unknown>): Promise<BridgeError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof BridgeError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'pb-cli-'));
  civi = await startCiviSandbox();
});
afterAll(async () => civi?.stop());

describe('CLI', () => {
  it('a bad configuration stops with the file, the path, the line and exit code 2', async () => {
    const file = path.join(dir, 'bad-config.yaml');
    await writeFile(file, configText(civi.url, bundledMapping()).replace('password: not-used', 'pasword: not-used'));
    const err = await failure(() => configCheckCommand({ config: file }));
    expect(err.message).toContain(file);
    expect(err.message).toMatch(/:9: sources\[0\]\.auth\.pasword: unknown key "pasword"; did you mean "password"\?/);
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(reportFatal(err)).toBe(2);
    stderr.mockRestore();
  });

  it('a bad mapping file stops with the mapping file, the path and the line', async () => {
    const mapping = path.join(dir, 'bad-mapping.yaml');
    const text = (await readFile(bundledMapping(), 'utf8')).replace('transform: [trim, lower]', 'transform: [trim, lowr]');
    await writeFile(mapping, text);
    const line = text.split('\n').findIndex((l) => l.includes('lowr')) + 1;
    const config = path.join(dir, 'config-bad-mapping.yaml');
    await writeFile(config, configText(civi.url, mapping));
    const err = await failure(() => configCheckCommand({ config }));
    expect(err.code).toBe('MAPPING_INVALID');
    expect(err.message).toContain(`${mapping}:${line}`);
    expect(err.message).toMatch(/fields\."email_primary\.email"\.transform\[1\]: unknown transform "lowr"; expected one of trim, lower/);
  });

  it('mapping validate names target fields missing in the CRM, and passes once they are bootstrapped', async () => {
    const config = path.join(dir, 'config.yaml');
    await writeFile(config, configText(civi.url, bundledMapping()));
    const before = await capture(() => mappingValidateCommand(undefined, { config, source: 'koha' }));
    expect(before.code).toBe(2);
    expect(before.out).toMatch(/target field "Library_Patron\.Card_Number" does not exist in CiviCRM.*crm bootstrap/);

    const admin = createCiviClient({ base_url: civi.url, api_key: civi.keys.admin, type: 'civicrm', batch_size: 50, timeout_ms: 5000, retries: 0 }, { logger: nullLogger });
    await bootstrapCrm(admin, crmNeedsOf([await loadMapping(bundledMapping(), 'koha')], {}));
    const after = await capture(() => mappingValidateCommand(undefined, { config, source: 'koha' }));
    expect(after.out).toContain('every target field exists in CiviCRM');
    expect(after.code).toBe(0);
  });

  it('mapping validate of a file works offline without any configuration', async () => {
    const res = await capture(() => mappingValidateCommand(bundledMapping(), { config: path.join(dir, 'none.yaml'), source: 'koha' }));
    expect(res.code).toBe(0);
    expect(res.out).toMatch(/compiles \(\d+ target fields\)/);
  });
});
