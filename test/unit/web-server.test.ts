/** The status page server on 127.0.0.1 with state handed in: a Redis that does not answer still leaves a dashboard that says so. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import { createMemoryState } from '../../src/state/index.js';
import { createWebServer } from '../../src/web/index.js';

const down = async (): Promise<never> => {
  throw new Error('connect ECONNREFUSED 127.0.0.1:6379');
};
const state = { ...createMemoryState(), listRuns: down, leaseHolder: down };
const server = createWebServer({
  sourceIds: ['koha'],
  state,
  schedules: async () => [{ sourceId: 'koha', cron: '0 2 * * *', fullCron: null, timezone: 'Europe/Paris', nextRunAt: '2026-12-02T01:00:00.000Z', lastRun: null, lastSuccessAt: null, watchdog: 'never', message: 'no successful run yet' }],
  health: async () => ({ ok: false, checks: [{ name: 'redis', ok: false, ms: 5000, error: 'connect ECONNREFUSED 127.0.0.1:6379' }] }),
  credentials: { username: 'staff', password: 'pw', sessionMinutes: 5 },
});
let base: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

describe('status page server', () => {
  it('shows the dashboard with Redis down: the schedule, the failing check, and what it could not read', async () => {
    const login = await fetch(`${base}/login`, { method: 'POST', body: new URLSearchParams({ username: 'staff', password: 'pw' }), redirect: 'manual' });
    expect(login.status).toBe(303);
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const res = await fetch(`${base}/`, { headers: { cookie } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('<td>0 2 * * *</td><td>-</td><td>Europe/Paris</td><td>2026-12-02 01:00:00 UTC</td>');
    expect(text).toContain('<td class="watchdog-never">never: no successful run yet</td>');
    expect(text).toContain('<td>redis</td><td class="bad">failing</td><td>5000</td><td>connect ECONNREFUSED 127.0.0.1:6379</td>');
    expect(text).toContain('could not read the runs: ');
  });

  it('refuses a login form that is not a form, or too large', async () => {
    expect((await fetch(`${base}/login`, { method: 'POST', body: '{"username":"staff"}', headers: { 'content-type': 'application/json' } })).status).toBe(415);
    expect((await fetch(`${base}/login`, { method: 'POST', body: new URLSearchParams({ username: 'x'.repeat(10_000), password: 'pw' }) })).status).toBe(413);
  });
});
