/** The `serve` block of the configuration file: defaults, the password as a secret, and what `serve` needs to start. */
import { describe, expect, it } from '@jest/globals';
import { parseConfig } from '../../src/config/load.js';
import { nullLogger } from '../../src/core/logger.js';
import { startStatusPage } from '../../src/cli/serve-command.js';

const BASE = `
crm: { base_url: http://127.0.0.1:8091, api_key: civi-key }
sources:
  - { id: koha, type: koha, base_url: http://127.0.0.1:8081, auth: { type: basic, username: sync, password: koha-pw }, mapping: m.yaml }
`;

describe('serve configuration', () => {
  it('defaults to 127.0.0.1:8787 and 60-minute sessions, and redacts the password', () => {
    const { config, secrets } = parseConfig(`${BASE}serve: { username: staff, password: "\${SERVE_PW}" }\n`, 'c.yaml', { SERVE_PW: 'page-secret-789' });
    expect(config.serve).toEqual({ host: '127.0.0.1', port: 8787, username: 'staff', password: 'page-secret-789', session_minutes: 60 });
    expect(secrets).toContain('page-secret-789');
  });

  it('rejects unknown keys and a bad port with the path', () => {
    expect(() => parseConfig(`${BASE}serve: { username: staff, password: x, prot: 80 }\n`, 'c.yaml')).toThrow(/serve/);
    expect(() => parseConfig(`${BASE}serve: { port: 70000 }\n`, 'c.yaml')).toThrow(/c\.yaml:5: serve\.port/);
  });

  it('serve refuses to start without a username or password, before reaching Redis', async () => {
    for (const serve of ['', 'serve: { username: staff }\n', 'serve: { password: x }\n']) {
      const loaded = parseConfig(`${BASE}redis: { url: "redis://127.0.0.1:1" }\n${serve}`, '/etc/pb/c.yaml');
      await expect(startStatusPage(loaded, nullLogger)).rejects.toThrow(/\/etc\/pb\/c\.yaml.*serve: the status page needs serve\.username and serve\.password/);
    }
  });
});
