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
    expect(err.message).toMatch(/sources\[0\]\.page_size \(line 12\): .*>=1/);
  });

  it.each([
    ['an unknown key (typo)', GOOD.replace('prefix: pb', 'prefx: pb'), /redis \(line 2\): Unrecognized key: "prefx"/],
    ['a bad URL', GOOD.replace('http://127.0.0.1:8081', 'not a url'), /sources\[0\]\.base_url \(line 10\): expected an http\(s\) URL/],
    ['an unknown auth type', GOOD.replace('type: basic', 'type: digest'), /sources\[0\]\.auth\.type/],
    ['a source id that cannot namespace ids', GOOD.replace('id: koha', 'id: "Koha Main!"'), /sources\[0\]\.id/],
    ['no sources', GOOD.replace(/sources:[\s\S]*/, 'sources: []\n'), /sources.*at least one source/],
  ])('rejects %s', (_name, text, pattern) => {
    expect(errorOf(text).message).toMatch(pattern);
  });

  it('names a missing environment variable without printing any secret', () => {
    const err = errorOf(GOOD, { KOHA_PW: 'koha-secret-456' });
    expect(err.message).toMatch(/crm\.api_key \(line 5\): environment variable CIVI_KEY is not set/);
    expect(err.message).not.toContain('koha-secret-456');
  });

  it('never puts a secret value into a validation message', () => {
    const err = errorOf(GOOD.replace('api_key: ${CIVI_KEY}', 'api_key: ${CIVI_KEY}\n  bogus: ${KOHA_PW}'));
    expect(err.message).toContain('bogus');
    expect(err.message).not.toContain('koha-secret-456');
    expect(err.message).not.toContain('civi-secret-123');
  });

  it('reports YAML syntax errors with the line', () => {
    expect(errorOf('crm: [unclosed\nsources: 1\n').message).toMatch(/config\.yaml:\d+: YAML syntax error/);
  });

  it('collects the password of a Redis URL as a secret', () => {
    const { config } = parseConfig(GOOD.replace('redis://127.0.0.1:6379', 'redis://:r3dis-pass@127.0.0.1:6379'), 'c.yaml', env);
    expect(collectSecrets(configSchema, config)).toContain('r3dis-pass');
  });
});
