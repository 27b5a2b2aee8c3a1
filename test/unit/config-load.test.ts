import { describe, expect, it } from '@jest/globals';
import { parseConfig, collectSecrets } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema.js';
import { BridgeError } from '../../src/core/errors.js';

const GOOD = `
redis: { url: "redis://127.0.0.1:6379", prefix: pb }
crm:
  base_url: http://127.0.0.1:8091
  api_key: \${CIVI_KEY}
  site_key: \${SITE_KEY:-the-site-key}
sources:
  - id: koha
    type: koha
    base_url: http://127.0.0.1:8081
    auth: { type: basic, username: sync, password: "\${KOHA_PW}" }
    mapping: ../mappings/koha-to-civicrm.yaml
`;

const env = { CIVI_KEY: 'civi-secret-123', KOHA_PW: 'koha-secret-456' };

function errorOf(text: string, e: Record<string, string> = env): BridgeError {
  try {
    parseConfig(text, '/etc/pb/config.yaml', e);
  } catch (err) {
    if (err instanceof BridgeError) return err;
    throw err;
  }
  throw new Error('expected the config to be rejected');
}

describe('configuration loading', () => {
  it('interpolates ${VAR} and ${VAR:-default}, fills defaults and collects every secret', () => {
    const { config, secrets } = parseConfig(GOOD, 'c.yaml', env);
    expect(config.crm.api_key).toBe('civi-secret-123');
    expect(config.crm.site_key).toBe('the-site-key');
    expect(config.crm.batch_size).toBe(50);
    expect(config.sources[0]!.page_size).toBe(200);
    expect(config.sync.attempts).toBe(5);
    expect(secrets.sort()).toEqual(['civi-secret-123', 'koha-secret-456', 'the-site-key']);
  });

  it('names the file, the path, the line and what was expected', () => {
    const bad = GOOD.replace('page_size', 'x').replace('mapping: ../mappings', 'page_size: 0\n    mapping: ../mappings');
    const err = errorOf(bad);
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toContain('/etc/pb/config.yaml');
    expect(err.message).toMatch(/^\/etc\/pb\/config\.yaml:12: sources\[0\]\.page_size: .*>=1/);
  });

  it.each([
    ['an unknown key (typo)', GOOD.replace('prefix: pb', 'prefx: pb'), /config\.yaml:2: redis\.prefx: unknown key "prefx"; did you mean "prefix"\?/],
    ['an unknown key far from any known one', GOOD.replace('prefix: pb', 'colour: blue'), /config\.yaml:2: redis\.colour: unknown key "colour"; expected one of url, prefix/],
    ['a bad URL', GOOD.replace('http://127.0.0.1:8081', 'not a url'), /config\.yaml:10: sources\[0\]\.base_url: expected an http\(s\) URL/],
    ['a Redis URL of another scheme', GOOD.replace('redis://127.0.0.1:6379', 'http://127.0.0.1:6379'), /config\.yaml:2: redis\.url: expected a redis:\/\/ or rediss:\/\/ URL/],
    ['a Redis URL with an impossible port', GOOD.replace('redis://127.0.0.1:6379', 'redis://127.0.0.1:99999'), /config\.yaml:2: redis\.url: expected a redis:\/\/ or rediss:\/\/ URL/],
    ['a list where a map belongs', GOOD.replace(/^crm:[\s\S]*?(?=^sources:)/m, 'crm: [a, b]\n'), /config\.yaml:3: crm: expected a map \(key: value lines\) with keys such as type, base_url, api_key, .*, got a list/],
    ['an unknown auth type', GOOD.replace('type: basic', 'type: digest'), /sources\[0\]\.auth\.type/],
    ['a source id that cannot namespace ids', GOOD.replace('id: koha', 'id: "Koha Main!"'), /sources\[0\]\.id/],
    ['no sources', GOOD.replace(/sources:[\s\S]*/, 'sources: []\n'), /sources.*at least one source/],
  ])('rejects %s', (_name, text, pattern) => {
    expect(errorOf(text).message).toMatch(pattern);
  });

  it('names a missing environment variable without printing any secret', () => {
    const err = errorOf(GOOD, { KOHA_PW: 'koha-secret-456' });
    expect(err.message).toMatch(/config\.yaml:5: crm\.api_key: environment variable CIVI_KEY is not set/);
    expect(err.message).not.toContain('koha-secret-456');
  });

  it('never puts a secret value into a validation message', () => {
    const err = errorOf(GOOD.replace('api_key: ${CIVI_KEY}', 'api_key: ${CIVI_KEY}\n  bogus: ${KOHA_PW}'));
    expect(err.message).toContain('bogus');
    expect(err.message).not.toContain('koha-secret-456');
    expect(err.message).not.toContain('civi-secret-123');
  });

  it('reports YAML syntax errors with the line', () => {
    expect(errorOf('crm: [unclosed\nsources: 1\n').message).toMatch(/^\/etc\/pb\/config\.yaml:2:\d+: YAML syntax error: /);
  });

  it('lists every unset environment variable, each at its place', () => {
    const err = errorOf(GOOD, {});
    expect(err.message.split('\n')).toEqual([
      '/etc/pb/config.yaml:5: crm.api_key: environment variable CIVI_KEY is not set; set it, or give a default: ${CIVI_KEY:-…}',
      '  /etc/pb/config.yaml:11: sources[0].auth.password: environment variable KOHA_PW is not set; set it, or give a default: ${KOHA_PW:-…}',
    ]);
  });

  it.each([
    ['Europe/Berlin', true],
    ['UTC', true],
    ['America/Argentina/Buenos_Aires', true],
    ['Europe/Berlinn', false],
    ['Mars/Olympus', false],
    ['UTC+3', false],
    ['+01:00', false],
    ['', false],
  ])('sources[].timezone %j is accepted: %s', (zone, valid) => {
    const text = GOOD.replace('mapping: ../mappings', `timezone: "${zone}"\n    mapping: ../mappings`);
    if (valid) expect(parseConfig(text, 'c.yaml', env).config.sources[0]!.timezone).toBe(zone);
    else expect(errorOf(text).message).toBe(`/etc/pb/config.yaml:12: sources[0].timezone: unknown time zone ${JSON.stringify(zone)}; expected an IANA zone name such as Europe/Berlin or UTC`);
  });

  it('collects the password of a Redis URL as a secret', () => {
    const { config } = parseConfig(GOOD.replace('redis://127.0.0.1:6379', 'redis://:r3dis-pass@127.0.0.1:6379'), 'c.yaml', env);
    expect(collectSecrets(configSchema, config)).toContain('r3dis-pass');
  });
});
