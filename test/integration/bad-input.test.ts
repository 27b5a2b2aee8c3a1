/**
 * Broken configurations, broken mappings and unreachable servers, as library IT staff meet them
 * through the real command: every broken file gives exit 2 and one line naming the file, the place
 * (line and path) and what was expected; every unreachable server gives exit 1 and a line naming the
 * server and what to check, in bounded time. Never a stack trace, a Node "Error:" prefix, a raw client
 * error or a secret. Child processes of the built CLI, real Redis, sandbox servers.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { bootstrapCrm, createCiviClient } from '../../connectors/civicrm/index.js';
import { crmNeedsOf } from '../../src/cli/crm-setup.js';
import { nullLogger } from '../../src/core/logger.js';
import { bundledMapping } from '../../src/core/paths.js';
import { loadMapping } from '../../src/mapping/index.js';
import { SANDBOX_CREDENTIALS, startSandboxes, type SandboxEnvironment } from '../../src/sandbox/environment.js';
import { ensureBuilt, runCli } from './cli-process.js';
import { freePort } from './ports.js';
import { REDIS_URL } from './sync-harness.js';

/** A run that outlives this is killed and counts as a hang. */
const HANG_MS = 20_000;
const UNSET_VAR = 'PB_BAD_INPUT_TEST_NEVER_SET';
const WRONG_CIVI_KEY = 'wrong-civi-key-7f3a91';
const WRONG_KOHA_PASSWORD = 'wrong-koha-pw-9c1e44';
const REDIS_PASSWORD = 'redis-pw-5b8d02';
const SECRETS = [SANDBOX_CREDENTIALS.civicrm.sync, SANDBOX_CREDENTIALS.koha.password, WRONG_CIVI_KEY, WRONG_KOHA_PASSWORD, REDIS_PASSWORD];

type Lines = Record<number, string | null>;

/** Replace (or with null, drop) lines by their 1-based number; a replacement may hold several lines. */
function edit(base: readonly string[], lines: Lines = {}): string {
  return base.flatMap((l, i) => {
    const r = lines[i + 1];
    return r === undefined ? [l] : r === null ? [] : [r];
  }).join('\n');
}

// Line numbers matter: the cases point at them.
const MAPPING = [
  'version: 1', //                                          1
  'source: koha', //                                        2
  'external_id: { from: patron_id }', //                    3
  'fields:', //                                             4
  '  last_name:', //                                        5
  '    from: surname', //                                   6
  '    required: true', //                                  7
  '  email_primary.email:', //                              8
  '    from: email', //                                     9
  '    transform: [trim, lower]', //                        10
  '  address_primary.country_id:name:', //                  11
  '    from: country', //                                   12
  '    type: country', //                                   13
  '  Library_Patron.Card_Number: { from: cardnumber }', //  14
  'custom_fields:', //                                      15
  '  Library_Patron:', //                                   16
  '    title: Library patron', //                           17
  '    fields:', //                                         18
  '      Card_Number: { label: Card number, max_length: 32 }', // 19
];

function configLines(o: { redisUrl?: string; prefix?: string; crm?: string; koha?: string; mapping: string; apiKey?: string; kohaPassword?: string }): string[] {
  return [
    'redis:', //                                                            1
    `  url: ${o.redisUrl ?? REDIS_URL}`, //                                 2
    `  prefix: ${o.prefix ?? 'pb-test-bad-input-unused'}`, //               3
    'crm:', //                                                              4
    `  base_url: ${o.crm ?? 'http://127.0.0.1:9'}`, //                      5
    `  api_key: ${o.apiKey ?? SANDBOX_CREDENTIALS.civicrm.sync}`, //        6
    '  retries: 0', //                                                      7
    'sources:', //                                                          8
    '  - id: koha', //                                                      9
    '    type: koha', //                                                    10
    `    base_url: ${o.koha ?? 'http://127.0.0.1:9'}`, //                   11
    `    auth: { type: basic, username: sync, password: ${o.kohaPassword ?? SANDBOX_CREDENTIALS.koha.password} }`, // 12
    `    mapping: ${o.mapping}`, //                                         13
    '    page_size: 50', //                                                 14
    '    timezone: Europe/Berlin', //                                       15
    'sync:', //                                                             16
    '  attempts: 1', //                                                     17
    '  backoff_ms: 100', //                                                 18
    'logging:', //                                                          19
    '  level: warn', //                                                     20
  ];
}

interface Files {
  config: string;
  mapping: string;
}

interface BadFileCase {
  name: string;
  /** Lines of the configuration to change; `text` replaces the whole file; `absent` writes none. */
  config?: Lines | { text: string } | 'absent';
  mapping?: Lines | { text: string } | 'absent';
  /** Default: `config check`. */
  command?: (f: Files) => string[];
  /** The file the message must name. */
  file: keyof Files;
  /** What follows the file name on the first error line: `:LINE: path: ` (the place). */
  place: string;
  /** What was expected, on the same line after the place. */
  expected: RegExp;
}

const configCheck = (f: Files) => ['config', 'check', '--config', f.config];
const syncOnce = (f: Files) => ['sync', '--once', '--config', f.config];
const validateOffline = (f: Files) => ['mapping', 'validate', f.mapping, '--offline', '--config', f.config];

const BAD_FILES: BadFileCase[] = [
  // The configuration file.
  { name: 'configuration file missing', config: 'absent', file: 'config', place: ': ', expected: /^cannot read the configuration file: no such file \(ENOENT\)$/ },
  { name: 'configuration YAML syntax error', config: { 12: '    auth: { type: basic, username: sync' }, file: 'config', place: ':13:', expected: /^\d+: YAML syntax error: .*\}/ },
  { name: 'configuration is not a map', config: { text: '- crm\n- sources\n' }, file: 'config', place: ':1: (top level): ', expected: /^expected a map .*with keys such as redis, crm, sources, sync, serve, logging, http, got a list$/ },
  { name: 'unknown top-level key (typo)', config: { 19: 'loging:' }, file: 'config', place: ':19: loging: ', expected: /^unknown key "loging"; did you mean "logging"\?/ },
  { name: 'unknown nested key (typo)', config: { 7: '  retrys: 0' }, file: 'config', place: ':7: crm.retrys: ', expected: /^unknown key "retrys"; did you mean "retries"\?$/ },
  { name: 'wrong type', config: { 14: '    page_size: fifty' }, file: 'config', place: ':14: sources[0].page_size: ', expected: /^expected a number, got text$/ },
  { name: 'value out of range', config: { 7: '  retries: 99' }, file: 'config', place: ':7: crm.retries: ', expected: /expected number to be <=10/ },
  { name: 'unknown option value', config: { 20: '  level: verbose' }, file: 'config', place: ':20: logging.level: ', expected: /expected one of "error"\|"warn"\|"info"\|"debug"/ },
  { name: 'missing required crm.api_key', config: { 6: null }, command: syncOnce, file: 'config', place: ':4: crm.api_key: ', expected: /^required key is missing \(expected text\)$/ },
  { name: '${VAR} not set', config: { 6: `  api_key: \${${UNSET_VAR}}` }, file: 'config', place: ':6: crm.api_key: ', expected: new RegExp(`^environment variable ${UNSET_VAR} is not set`) },
  { name: 'bad URL', config: { 5: '  base_url: civicrm.example.org' }, file: 'config', place: ':5: crm.base_url: ', expected: /^expected an http\(s\) URL$/ },
  { name: 'bad redis.url scheme', config: { 2: '  url: http://127.0.0.1:6379' }, file: 'config', place: ':2: redis.url: ', expected: /^expected a redis:\/\/ or rediss:\/\/ URL/ },
  { name: 'unknown auth type', config: { 12: '    auth: { type: digest, username: sync, password: x }' }, file: 'config', place: ':12: sources[0].auth.type: ', expected: /Expected 'basic' \| 'oauth2'/ },
  { name: 'unknown time zone (sync --once)', config: { 15: '    timezone: Mars/Olympus' }, command: syncOnce, file: 'config', place: ':15: sources[0].timezone: ', expected: /^unknown time zone "Mars\/Olympus"; expected an IANA zone name such as Europe\/Berlin/ },
  { name: 'duplicate source id', config: { 15: '    timezone: Europe/Berlin\n  - { id: koha, type: koha, base_url: "http://127.0.0.1:9", auth: { type: basic, username: u, password: p }, mapping: m.yaml }' }, file: 'config', place: ':16: sources[1].id: ', expected: /^duplicate source id "koha"$/ },
  { name: 'empty sources', config: { 8: 'sources: []', 9: null, 10: null, 11: null, 12: null, 13: null, 14: null, 15: null }, file: 'config', place: ':8: sources: ', expected: /^expected at least one source$/ },
  { name: 'mapping file missing (sync --once)', mapping: 'absent', command: syncOnce, file: 'config', place: ':13: sources[0].mapping: ', expected: /^mapping file \/.*-mapping\.yaml does not exist/ },
  { name: 'sync --source nosuch', command: (f) => ['sync', '--once', '--source', 'nosuch', '--config', f.config], file: 'config', place: ':8: sources: ', expected: /^no source with id "nosuch" \(from --source\); expected one of koha$/ },
  // The mapping file, through `config check`, `sync --once` and `mapping validate`.
  { name: 'mapping YAML syntax error', mapping: { 10: '    transform: [trim, lower' }, file: 'mapping', place: ':11:', expected: /^\d+: YAML syntax error: .*\]/ },
  { name: 'mapping is not a map', mapping: { text: '- version: 1\n- source: koha\n' }, command: validateOffline, file: 'mapping', place: ':1: (top level): ', expected: /^expected a map .*with keys such as version, source, contact_type, external_id, fields/ },
  { name: 'mapping unknown key (typo)', mapping: { 7: '    requird: true' }, command: validateOffline, file: 'mapping', place: ':7: fields.last_name.requird: ', expected: /^unknown key "requird"; did you mean "required"\?$/ },
  { name: 'mapping unknown Koha field', mapping: { 6: '    from: surnam' }, command: syncOnce, file: 'mapping', place: ':6: fields.last_name.from: ', expected: /^unknown Koha patron field "surnam"; did you mean "surname"\?$/ },
  { name: 'mapping unknown transform', mapping: { 10: '    transform: [trim, lowr]' }, file: 'mapping', place: ':10: fields."email_primary.email".transform[1]: ', expected: /^unknown transform "lowr"; expected one of trim, lower, upper, collapse_spaces$/ },
  { name: 'mapping undeclared custom field', mapping: { 14: '  Library_Patron.Card_Numbr: { from: cardnumber }' }, command: validateOffline, file: 'mapping', place: ':14: fields."Library_Patron.Card_Numbr": ', expected: /^custom field "Library_Patron.Card_Numbr" is not declared under custom_fields.Library_Patron.fields$/ },
  { name: 'mapping contradicting options', mapping: { 7: '    required: true\n    clear_when_empty: true' }, file: 'mapping', place: ':5: fields.last_name: ', expected: /^required and clear_when_empty contradict each other; use one$/ },
  { name: 'mapping: a field and its :name form write one CRM field', mapping: { 10: '    transform: [trim, lower]\n  address_primary.country_id: { value: 1, type: integer }' }, command: syncOnce, file: 'mapping', place: ':12: fields."address_primary.country_id:name": ', expected: /^also writes CiviCRM field "address_primary.country_id", like fields."address_primary.country_id" \(line 11\); expected one entry per CRM field/ },
  { name: 'mapping: gender_id and gender_id:label write one CRM field', mapping: { 14: '  gender_id: { value: "1" }\n  gender_id:label: { value: Female }\n  Library_Patron.Card_Number: { from: cardnumber }' }, command: validateOffline, file: 'mapping', place: ':15: fields."gender_id:label": ', expected: /^also writes CiviCRM field "gender_id", like fields.gender_id \(line 14\); expected one entry per CRM field/ },
  { name: 'mapping validate of a missing file', mapping: 'absent', command: validateOffline, file: 'mapping', place: ': ', expected: /^cannot read the mapping file: no such file \(ENOENT\)$/ },
];


type Result = Awaited<ReturnType<typeof runCli>> & { files: Files };

/** Runs `fn` over `items`, `size` at a time (2 cores: a few child processes at once). */
async function inGroups<T, R>(items: readonly T[], size: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map((item, j) => fn(item, i + j)))));
  return out;
}

function expectNoInternals(output: string): void {
  expect(output).not.toMatch(/^\s+at /m); // a stack trace
  expect(output).not.toMatch(/\b[A-Z]\w*Error\b:|^Error:/m); // Node's "Error:"/"TypeError:" prefix
  expect(output).not.toMatch(/AxiosError|AxiosHeaders|ReplyError|command: \{|Bearer [^\s)]|Basic [A-Za-z0-9+/=]{6}/); // a raw client error
  for (const s of SECRETS) expect(output).not.toContain(s);
}

interface ServerCase {
  name: string;
  args: () => string[];
  /** The server the message must name (URL without credentials). */
  server: () => string;
  /** What to check, on the same line. */
  check: RegExp;
}

let dir: string;
let env: SandboxEnvironment;
/** A stopped (paused) Redis: the kernel accepts the connection, nobody answers. */
let silent: net.Server;
let silentPort: number;
let ports: { redis: number; koha: number; civi: number };
const prefixes: string[] = [];
const files: Record<string, string> = {};

/** A configuration file for `sync --once` against the sandboxes unless told otherwise, with its own Redis prefix. */
async function serverConfig(name: string, o: Partial<Parameters<typeof configLines>[0]> = {}, lines: Lines = {}): Promise<string> {
  const prefix = `pb-test-bad-input-${randomBytes(3).toString('hex')}`;
  prefixes.push(prefix);
  const file = path.join(dir, `server-${name}.yaml`);
  await writeFile(file, edit(configLines({ prefix, crm: env.civi.url, koha: env.koha.url, mapping: bundledMapping(), ...o }), lines));
  return file;
}

// Default retry settings: no crm.retries, no sync section.
const DEFAULTS: Lines = { 7: null, 16: null, 17: null, 18: null };

const SERVERS: ServerCase[] = [
  {
    name: 'Redis not listening (default retry settings)',
    args: () => ['sync', '--once', '--config', files.redisDown!],
    server: () => `redis://127.0.0.1:${ports.redis}`,
    check: /connection refused\); check redis\.url and that Redis is running/,
  },
  {
    name: 'Redis stopped: it accepts connections and never answers (default retry settings)',
    args: () => ['sync', '--once', '--config', files.redisSilent!],
    server: () => `redis://127.0.0.1:${silentPort}`,
    check: /did not answer in time; check redis\.url, the network and the server/,
  },
  {
    name: 'report with Redis not listening',
    args: () => ['report', '--config', files.redisDown!],
    server: () => `redis://127.0.0.1:${ports.redis}`,
    check: /check redis\.url/,
  },
  {
    name: 'Koha not listening',
    args: () => ['sync', '--once', '--config', files.kohaDown!],
    server: () => `http://127.0.0.1:${ports.koha}/api/v1/patrons`,
    check: /Koha unreachable: connection refused \(ECONNREFUSED\); check sources\[\]\.base_url and that Koha is running/,
  },
  {
    name: 'CiviCRM not listening',
    args: () => ['sync', '--once', '--config', files.civiDown!],
    server: () => `http://127.0.0.1:${ports.civi}/civicrm/ajax/api4/`,
    check: /CiviCRM unreachable: connection refused \(ECONNREFUSED\); check crm\.base_url and that CiviCRM is running/,
  },
  {
    name: 'crm bootstrap with CiviCRM not listening',
    args: () => ['crm', 'bootstrap', '--config', files.civiDown!],
    server: () => `http://127.0.0.1:${ports.civi}/civicrm/ajax/api4/`,
    check: /check crm\.base_url/,
  },
  {
    name: 'CiviCRM answers 401 for a wrong API key',
    args: () => ['sync', '--once', '--config', files.civiKey!],
    server: () => `${env.civi.url}/civicrm/ajax/api4/`,
    check: /CiviCRM refused the credentials .*; check crm\.api_key/,
  },
  {
    name: 'Koha answers 401 for a wrong password',
    args: () => ['sync', '--once', '--config', files.kohaPassword!],
    server: () => `${env.koha.url}/api/v1/patrons`,
    check: /Koha refused authentication \(401\): bad username\/password, or the system preference RESTBasicAuth is disabled/,
  },
];

const fileResults = new Map<string, Result>();
const serverResults = new Map<string, Awaited<ReturnType<typeof runCli>>>();

async function runBadFiles(): Promise<void> {
  const results = await inGroups(BAD_FILES, 3, async (c, i) => {
    const f = { config: path.join(dir, `${i}-config.yaml`), mapping: path.join(dir, `${i}-mapping.yaml`) };
    const write = async (file: string, base: readonly string[], change: BadFileCase['config']) => {
      if (change === 'absent') return;
      await writeFile(file, change !== undefined && 'text' in change ? String(change.text) : edit(base, change as Lines | undefined));
    };
    await write(f.config, configLines({ mapping: f.mapping }), c.config);
    await write(f.mapping, MAPPING, c.mapping);
    return { ...(await runCli((c.command ?? configCheck)(f), { env: {}, timeoutMs: HANG_MS })), files: f };
  });
  BAD_FILES.forEach((c, i) => fileResults.set(c.name, results[i]!));
}

async function runServers(): Promise<void> {
  env = await startSandboxes({ patrons: 20, seed: 6 });
  const admin = createCiviClient({ base_url: env.civi.url, api_key: SANDBOX_CREDENTIALS.civicrm.admin, type: 'civicrm', batch_size: 50, timeout_ms: 5000, retries: 0 }, { logger: nullLogger });
  await bootstrapCrm(admin, crmNeedsOf([await loadMapping(bundledMapping(), 'koha')], {}));
  silent = net.createServer((socket) => socket.on('error', () => {}));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentPort = (silent.address() as AddressInfo).port;
  ports = { redis: await freePort(), koha: await freePort(), civi: await freePort() };
  files.redisDown = await serverConfig('redis-down', { redisUrl: `redis://:${REDIS_PASSWORD}@127.0.0.1:${ports.redis}` }, DEFAULTS);
  files.redisSilent = await serverConfig('redis-silent', { redisUrl: `redis://:${REDIS_PASSWORD}@127.0.0.1:${silentPort}` }, DEFAULTS);
  files.kohaDown = await serverConfig('koha-down', { koha: `http://127.0.0.1:${ports.koha}` });
  files.civiDown = await serverConfig('civi-down', { crm: `http://127.0.0.1:${ports.civi}` });
  files.civiKey = await serverConfig('civi-key', { apiKey: WRONG_CIVI_KEY });
  files.kohaPassword = await serverConfig('koha-password', { kohaPassword: WRONG_KOHA_PASSWORD });
  const runs = await inGroups(SERVERS, 3, (c) => runCli(c.args(), { env: { CIVICRM_ADMIN_API_KEY: SANDBOX_CREDENTIALS.civicrm.admin }, timeoutMs: HANG_MS }));
  SERVERS.forEach((c, i) => serverResults.set(c.name, runs[i]!));
}

// Both tables at once: the server cases mostly wait (timeouts, retries), the file cases need the cores.
beforeAll(async () => {
  ensureBuilt();
  dir = await mkdtemp(path.join(os.tmpdir(), 'pb-bad-input-'));
  await Promise.all([runBadFiles(), runServers()]);
}, 180_000);

afterAll(async () => {
  silent?.close();
  await env?.stop();
  const redis = new Redis(REDIS_URL);
  for (const prefix of prefixes) {
    const keys = await redis.keys(`${prefix}:*`);
    if (keys.length) await redis.del(...keys);
  }
  redis.disconnect();
});

describe('a broken configuration or mapping: exit 2 and one line with the file, the place and what was expected', () => {
  it.each(BAD_FILES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = fileResults.get(c.name)!;
    expect(r.hung).toBe(false);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const prefix = `error: ${r.files[c.file]}${c.place}`;
    expect(lines[0]!.startsWith(prefix)).toBe(true);
    expect(lines[0]!.slice(prefix.length)).toMatch(c.expected);
    expectNoInternals(r.output);
  });

  it('the table\'s base files are good: config check passes', async () => {
    const f = { config: path.join(dir, 'good-config.yaml'), mapping: path.join(dir, 'good-mapping.yaml') };
    await writeFile(f.config, edit(configLines({ mapping: f.mapping })));
    await writeFile(f.mapping, edit(MAPPING));
    const r = await runCli(configCheck(f), { timeoutMs: HANG_MS });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`${f.config}: OK (1 source(s): koha)\n`);
    expect(r.code).toBe(0);
  });
});

describe('an unreachable or refusing server: exit 1, a line naming the server and what to check, no hang', () => {
  it.each(SERVERS.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = serverResults.get(c.name)!;
    expect(r.hung).toBe(false);
    expect(r.code).toBe(1);
    const said = r.output.split('\n').filter((l) => l.includes(c.server()) && c.check.test(l));
    expect(said.length).toBeGreaterThan(0);
    expectNoInternals(r.output);
  });

  it('the same configuration with the servers up and the right keys syncs (the failures above come from the broken server or key only)', async () => {
    const r = await runCli(['sync', '--once', '--config', await serverConfig('good')], { timeoutMs: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^Run \S+ \(incremental\): DONE/);
    expect(r.code).toBe(0);
  }, 90_000);
});
