/**
 * Secrets never reach what the CLI prints: with known, distinctive credentials (CRM API and site
 * key, Koha password and OAuth secret, Redis password; and wrong ones the servers refuse), every
 * command's stdout and stderr at debug level, text and JSON, is searched for each of them: as
 * written, URL-encoded, base64-encoded, and as the Basic header value they travel in.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../../src/config/schema.js';
import type { SandboxEnvironment } from '../../src/sandbox/environment.js';
import { patronsOnlyMapping } from './patrons-only.js';
import { sandboxConfig } from '../../src/sandbox/sandbox-config.js';
import { ensureBuilt, runCli, spawnCli, writeConfig } from './cli-process.js';
import { endWithin, RAW_ERROR, startBootstrapped, until } from './cli-fixtures.js';
import { startPrivateRedis, type PrivateRedis } from './private-redis.js';

// Characters that URL and base64 encodings change, so each form is a different string.
const S = {
  crmKey: 'crm-key-Qx7/+=Lm9',
  crmAdminKey: 'crm-admin-Wq4/+=Zt2',
  siteKey: 'site-key-Jr5&?=Hn1',
  kohaPassword: 'koha-pw-#Tf3 &Kd8',
  oauthSecret: 'oauth-secret-%Vb6!Np0',
  redisPassword: 'redis-pw-@Gh2:/Ys4',
  wrongKohaPassword: 'wrong-koha-pw-#Mc1',
  wrongCrmKey: 'wrong-crm-key-/Pe7',
  wrongRedisPassword: 'wrong-redis-pw-@Ux9',
};
const KOHA_USER = 'sync-user';
const CLIENT_ID = 'bridge-client';

const b64 = (s: string) => Buffer.from(s).toString('base64');
/** Each secret in every form it could leak in, labelled for the failure message. */
const NEEDLES: [string, string][] = [
  ...Object.entries(S).flatMap(([name, v]): [string, string][] => [[name, v], [`${name} (URL-encoded)`, encodeURIComponent(v)], [`${name} (base64)`, b64(v)]]),
  ['Koha Basic header', b64(`${KOHA_USER}:${S.kohaPassword}`)],
  ['wrong Koha Basic header', b64(`${KOHA_USER}:${S.wrongKohaPassword}`)],
  ['OAuth client Basic header', b64(`${CLIENT_ID}:${S.oauthSecret}`)],
];

function leaks(output: string): string[] {
  return NEEDLES.filter(([, needle]) => output.includes(needle)).map(([label]) => label);
}

let redis: PrivateRedis;
let env: SandboxEnvironment;
let dir: string;

beforeAll(async () => {
  ensureBuilt();
  dir = await mkdtemp(path.join(os.tmpdir(), 'pb-secrets-'));
  redis = await startPrivateRedis({ password: S.redisPassword });
  env = await startBootstrapped({
    patrons: 300,
    seed: 3,
    credentials: {
      koha: { username: KOHA_USER, password: S.kohaPassword, client_id: CLIENT_ID, client_secret: S.oauthSecret },
      civicrm: { sync: S.crmKey, admin: S.crmAdminKey },
      siteKey: S.siteKey,
    },
  });
}, 120_000);
afterAll(async () => {
  await env?.stop();
  await redis?.stop();
});

type Variant = { auth?: 'basic' | 'oauth2'; kohaPassword?: string; crmKey?: string; redisUrl?: string; format?: 'text' | 'json' };

async function config(name: string, v: Variant = {}): Promise<string> {
  const { config: c } = sandboxConfig(env, { redisUrl: v.redisUrl ?? redis.url, prefix: 'pb-test', mapping: patronsOnlyMapping(), pageSize: 100, batchSize: 100, ...(v.auth ? { auth: v.auth } : {}) });
  const source = c.sources[0]!;
  const cfg: Config = {
    ...c,
    crm: { ...c.crm, api_key: v.crmKey ?? S.crmKey, site_key: S.siteKey, retries: 0 },
    sources: [{
      ...source,
      auth: v.auth === 'oauth2'
        ? { type: 'oauth2', client_id: CLIENT_ID, client_secret: S.oauthSecret }
        : { type: 'basic', username: KOHA_USER, password: v.kohaPassword ?? S.kohaPassword },
    }],
    sync: { ...c.sync, attempts: 1 },
    logging: { level: 'debug', format: v.format ?? 'text', progress_seconds: 30 },
  };
  return writeConfig(path.join(dir, `${name}.yaml`), cfg);
}

async function run(args: string[], file: string) {
  const r = await runCli([...args, '--config', file], { timeoutMs: 60_000 });
  expect(r.hung).toBe(false);
  expect(leaks(r.output)).toEqual([]);
  expect(r.output).not.toMatch(RAW_ERROR);
  return r;
}

describe('no secret in any output, at debug level', () => {
  it('a full sync with Koha basic auth (text logs)', async () => {
    const r = await run(['sync', '--once', '--full', '--log-level', 'debug'], await config('basic'));
    expect([0, 3]).toContain(r.code);
    expect(r.stdout).toMatch(/^Run \S+ \(full\): DONE/);
    expect(r.stderr).toContain(' debug ');
  }, 90_000);

  it('a full sync with Koha OAuth2 (JSON logs)', async () => {
    const r = await run(['sync', '--once', '--full', '--log-level', 'debug'], await config('oauth', { auth: 'oauth2', format: 'json' }));
    expect([0, 3]).toContain(r.code);
    expect(r.stderr).toContain('"level":"debug"');
  }, 90_000);

  it('Koha refuses the password', async () => {
    const r = await run(['sync', '--once', '--full', '--log-level', 'debug'], await config('kohapw', { kohaPassword: S.wrongKohaPassword }));
    expect(r.code).toBe(1);
    expect(r.output).toContain('SOURCE_AUTH');
    expect(r.stderr.match(/ error stream failed /g)).toHaveLength(1);
  }, 90_000);

  it('the CRM refuses the API key', async () => {
    const r = await run(['sync', '--once', '--full', '--log-level', 'debug'], await config('crmkey', { crmKey: S.wrongCrmKey }));
    expect(r.code).toBe(1);
    expect(r.output).toContain('CRM_AUTH');
  }, 90_000);

  it('Redis refuses the password (neither the refused one nor the right one is printed)', async () => {
    const wrong = redis.url.replace(encodeURIComponent(S.redisPassword), encodeURIComponent(S.wrongRedisPassword));
    const r = await run(['sync', '--once', '--full', '--log-level', 'debug'], await config('redispw', { redisUrl: wrong }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('refused the user name or password in redis.url (WRONGPASS)');
  }, 90_000);

  it('a long-lived worker taking a run, then SIGTERM', async () => {
    const file = await config('worker');
    const worker = spawnCli(['worker', '--log-level', 'debug', '--config', file]);
    try {
      await until(() => worker.output().includes('workers started'), 30_000, 'worker did not start');
      const enqueued = await run(['sync', '--full'], file);
      expect(enqueued.code).toBe(0);
      await until(() => /"pageNo":3[,}]/.test(worker.output()), 60_000, 'worker did not take the run');
    } finally {
      worker.child.kill('SIGTERM');
    }
    const done = await endWithin(worker, 40_000);
    expect(done.hung).toBe(false);
    expect(done.code).toBe(0);
    expect(leaks(done.output)).toEqual([]);
    expect(done.output).not.toMatch(RAW_ERROR);
  }, 120_000);

  it('report, failures list, config check and mapping validate', async () => {
    const file = await config('read');
    for (const args of [['report', '--last', '10'], ['report', '--json'], ['failures', 'list'], ['failures', 'list', '--json'], ['config', 'check'], ['mapping', 'validate']]) {
      const r = await run(args, file);
      expect({ args, code: r.code }).toEqual({ args, code: 0 });
    }
  }, 90_000);
});
