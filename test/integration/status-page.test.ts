/**
 * The status page (`patron-bridge serve`) in headless Chromium, on the state a real small sync left
 * in Redis: the sandbox CRM holds two contacts for some patrons (entered twice), so the run holds
 * those patrons as conflicts. A run written through the state carries `<script>` in its error, a
 * conflict reason and a failure reason, and a conflict whose values must never be shown.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { LoadedConfig } from '../../src/config/load.js';
import { nullLogger } from '../../src/core/logger.js';
import { emptyPageResult, type PageCommit, type PageResult, type RunReport } from '../../src/state/ports.js';
import { startStatusPage, type StatusPage } from '../../src/cli/serve-command.js';
import { parsePromText, sampleValue } from '../unit/prom-text.js';
import { startSyncHarness, type SyncHarness } from './sync-harness.js';

const CHROMIUM_ARGS = ['--no-sandbox', '--headless', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const USER = 'it-staff';
const PASSWORD = 'correct horse battery staple';
const SCRIPTED_RUN = '20261201T120000Z-scripted';
const LIVE_RUN = '20261201T130000Z-live';
const INJECTED = '<script>window.__pwned = 1</script>';

let harness: SyncHarness;
let first: RunReport;
let twins: number[];
let web: StatusPage;
let browser: Browser;
let context: BrowserContext;
let page: Page;

const withServe = (loaded: LoadedConfig, serve: NonNullable<LoadedConfig['config']['serve']> | undefined): LoadedConfig => ({ ...loaded, config: { ...loaded.config, serve } });

/** A page committed by hand for a run holding source "koha": counts, failures and conflicts only (no cursor, no writes). */
function commit(runId: string, pageNo: number, result: Partial<PageResult>, extra: Partial<PageCommit> = {}): PageCommit {
  return {
    runId, sourceId: 'koha', unit: 'koha', stream: 'patrons', pageNo, result: { ...emptyPageResult(), ...result }, sent: new Map(), cursor: null, next: null,
    retryNext: false, failed: [], cleared: [], parkAfterRuns: 5, conflicts: [], applied: [], at: new Date().toISOString(), ...extra,
  };
}

async function seedScriptedRun(): Promise<void> {
  const state = harness.app.state;
  const at = new Date().toISOString();
  expect(await state.acquireLease('koha', SCRIPTED_RUN, 60_000)).toEqual({ ok: true });
  await state.createRun({ runId: SCRIPTED_RUN, mode: 'incremental', units: ['koha'], startedAt: at });
  await state.commitPage(commit(SCRIPTED_RUN, 1, { read: 2, rejected: 1, conflicts: 1, held: 1, rejections: [{ recordId: '999998', code: 'CRM_REFUSED', reason: `CiviCRM refused last_name ${INJECTED}` }] }, {
    failed: [{ recordId: '999998', code: 'CRM_REFUSED', reason: `CiviCRM refused last_name ${INJECTED}` }],
    conflicts: [{
      kind: 'field', sourceId: 'koha', recordId: '999999', externalId: 'koha:999999', contactId: 4242, field: 'first_name',
      lastWritten: 'SECRET-LAST-WRITTEN', crm: 'SECRET-CRM-VALUE', source: 'SECRET-SOURCE-VALUE', decision: 'review',
      reason: `first_name changed in the CRM and in the source ${INJECTED}`,
    }],
  }));
  await state.finishSource(SCRIPTED_RUN, 'koha', { status: 'failed', error: `Koha answered 500 ${INJECTED}`, at: new Date().toISOString() });
}

async function logIn(password: string): Promise<void> {
  await page.goto(web.url + 'login');
  await page.fill('input[name=username]', USER);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForLoadState('load'), page.click('button[type=submit]')]);
}

const mainText = () => page.textContent('main').then((t) => t ?? '');
const cell = (key: string) => page.textContent(`[data-cell="${key}"]`);

beforeAll(async () => {
  harness = await startSyncHarness({ patrons: 120, seed: 9, pageSize: 50, civiPrefill: { seed: 4, twins: 2, samePerson: 3, housemates: 0, otherExternalIds: 0, donors: 3 } });
  twins = [...harness.env.prefill.byPatron].filter(([, cs]) => cs.some((c) => c.kind === 'twin')).map(([id]) => id);
  first = await harness.sync('full');
  await seedScriptedRun();
  // what the metrics server plugs in: it answers its own paths, without a login
  const extra = (req: IncomingMessage, res: ServerResponse) => {
    if (req.url !== '/healthz') return false;
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
    return true;
  };
  web = await startStatusPage(withServe(harness.loaded, { host: '127.0.0.1', port: 0, username: USER, password: PASSWORD, session_minutes: 30 }), nullLogger, { extra });
  browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  context = await browser.newContext();
  page = await context.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await web?.close();
  await harness?.stop();
});

describe('patron-bridge serve', () => {
  it('sends a browser without a session to the login page, and answers API calls 401', async () => {
    expect(twins).toHaveLength(2);
    await page.goto(`${web.url}runs/${encodeURIComponent(first.runId)}`);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await mainText()).not.toContain(first.runId);
    const api = await context.request.get(`${web.url}api/runs/${encodeURIComponent(first.runId)}`);
    expect(api.status()).toBe(401);
    for (const path of ['conflicts', 'failures', '']) {
      const res = await context.request.get(web.url + path, { maxRedirects: 0 });
      expect([path, res.status(), res.headers().location]).toEqual([path, 303, '/login']);
    }
  });

  it('hands the paths of a plugged-in handler (/healthz) to it, without a login', async () => {
    const res = await context.request.get(web.url + 'healthz');
    expect([res.status(), await res.json()]).toEqual([200, { ok: true }]);
    expect((await context.request.get(web.url + 'healthz/x', { maxRedirects: 0 })).status()).toBe(303);
  });

  it('answers /metrics itself without a login, in Prometheus text, with the kept runs and last success', async () => {
    const res = await context.request.get(web.url + 'metrics');
    expect(res.status()).toBe(200);
    const samples = parsePromText(await res.text());
    expect(sampleValue(samples, 'patron_bridge_last_success_timestamp_seconds', { source: 'koha' })).toBeGreaterThan(0);
    expect(sampleValue(samples, 'patron_bridge_watchdog_late', { source: 'koha' })).toBe(0);
  });

  it('refuses a wrong password', async () => {
    await logIn('wrong password');
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await mainText()).toContain('Wrong username or password.');
    expect((await context.request.get(`${web.url}api/runs`)).status()).toBe(401);
  });

  it('logs in; the dashboard lists the runs, the sources and the health of Redis, with strict security headers', async () => {
    await logIn(PASSWORD);
    expect(new URL(page.url()).pathname).toBe('/');
    const cookie = (await context.cookies()).find((c) => c.name === 'pb_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', expires: -1 }); // a browser-session cookie; the server ends idle sessions
    const text = await mainText();
    expect(text).toContain(first.runId);
    expect(text).toContain(SCRIPTED_RUN);
    expect(await page.textContent('td.watchdog-unscheduled')).toBe('unscheduled: no schedule (sources[].schedule): runs start only by `patron-bridge sync`');
    for (const check of ['redis', 'crm', 'source:koha']) {
      expect([check, await page.locator('tr', { hasText: check }).locator('td').nth(1).textContent()]).toEqual([check, 'ok']);
    }
    const res = await context.request.get(web.url);
    expect(res.headers()).toMatchObject({
      'content-security-policy': expect.stringContaining("script-src 'self'"),
      'x-frame-options': 'DENY',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });
    expect(res.headers()['content-security-policy']).toContain("default-src 'none'");
  });

  it("opens a finished run's report from the dashboard and sees its counts", async () => {
    await Promise.all([page.waitForLoadState('load'), page.click(`a[href="/runs/${encodeURIComponent(first.runId)}"] >> nth=0`)]);
    expect(await page.textContent('h1')).toBe(`Run ${first.runId}`);
    expect(await cell('koha/patrons/read')).toBe('120');
    expect(await cell('koha/patrons/status')).toBe('done');
    expect(Number(await cell('koha/patrons/held'))).toBeGreaterThanOrEqual(2);
    const patrons = first.sources.find((s) => s.stream === 'patrons')!;
    expect(await cell('koha/patrons/created')).toBe(String(patrons.created));
    expect(await cell('koha/patrons/pages')).toBe('3');
  });

  it('lists the conflicts the run held with record id and kind, and a field conflict without its values', async () => {
    await page.goto(web.url + 'conflicts');
    const rows = page.locator('main tr');
    for (const id of twins) {
      const row = rows.filter({ has: page.locator('td:nth-child(2)', { hasText: new RegExp(`^${id}$`) }) });
      expect(await row.locator('td:nth-child(4)').textContent()).toBe('match');
      expect(await row.locator('td:nth-child(5)').textContent()).toBe('open');
    }
    const field = rows.filter({ has: page.locator('td:nth-child(2)', { hasText: /^999999$/ }) });
    expect(await field.locator('td:nth-child(3)').textContent()).toBe('first_name');
    expect(await field.locator('td:nth-child(4)').textContent()).toBe('field');
    expect(await field.locator('td.reason').textContent()).toBe(`first_name changed in the CRM and in the source ${INJECTED}`);
    const id = await field.locator('td:nth-child(1)').textContent();
    expect(await field.locator('td:last-child').textContent()).toContain(`values: patron-bridge conflicts show ${id} --source koha`);
    expect(await field.locator('td:last-child').textContent()).toContain(`patron-bridge conflicts resolve ${id} --source koha --take crm`);
    const html = await page.content();
    expect(html).not.toMatch(/SECRET-/);
    expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
    expect(await page.locator('main script').count()).toBe(0);
  });

  it('shows an injected error and failure reason as text, never as markup', async () => {
    await page.goto(`${web.url}runs/${SCRIPTED_RUN}`);
    expect(await page.textContent('span.error')).toBe(`Koha answered 500 ${INJECTED}`);
    expect(await page.locator('tr', { hasText: '999998' }).first().textContent()).toContain(`CiviCRM refused last_name ${INJECTED}`);
    await page.goto(web.url + 'failures');
    const row = page.locator('tr', { hasText: '999998' });
    expect(await row.locator('td.reason').textContent()).toBe(`CiviCRM refused last_name ${INJECTED}`);
    expect(await row.locator('td:last-child').textContent()).toContain('patron-bridge failures replay --source koha --id 999998');
    expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
    expect(await page.locator('main script').count()).toBe(0);
  });

  it('shows a running run live: its counts follow the committed pages, and the page shows the end', async () => {
    const state = harness.app.state;
    expect(await state.acquireLease('koha', LIVE_RUN, 60_000)).toEqual({ ok: true });
    await state.createRun({ runId: LIVE_RUN, mode: 'incremental', units: ['koha'], startedAt: new Date().toISOString() });
    await state.commitPage(commit(LIVE_RUN, 1, { read: 50, unchanged: 50 }));
    await page.goto(web.url);
    expect(await page.locator('tr', { hasText: 'no schedule (sources[].schedule)' }).locator('td:last-child').textContent()).toBe(`${LIVE_RUN} (live)`);
    await page.goto(`${web.url}runs/${LIVE_RUN}`);
    expect(await cell('koha/patrons/read')).toBe('50');
    expect(await page.textContent('[data-run-status]')).toBe('running');
    await state.commitPage(commit(LIVE_RUN, 2, { read: 20, unchanged: 19, updated: 1 }));
    await page.locator('[data-cell="koha/patrons/read"]', { hasText: /^70$/ }).waitFor();
    expect(await cell('koha/patrons/updated')).toBe('1');
    expect(await cell('koha/patrons/pages')).toBe('2');
    await Promise.all([page.waitForEvent('load'), state.finishSource(LIVE_RUN, 'koha', { status: 'done', at: new Date().toISOString() })]);
    expect(await page.textContent('[data-run-status]')).toBe('done');
    expect(await cell('koha/patrons/status')).toBe('done');
  });

  it('answers a conflict and replays a failure with its buttons, as the CLI does: the answer is kept and a replay run follows', async () => {
    await page.goto(web.url + 'conflicts');
    const field = page.locator('main tr').filter({ has: page.locator('td:nth-child(2)', { hasText: /^999999$/ }) });
    const id = (await field.locator('td:nth-child(1)').textContent())!;
    await Promise.all([page.waitForURL(/\/runs\//), field.locator('form.action', { hasText: 'keep CRM' }).locator('button').click()]);
    const answerRun = decodeURIComponent(new URL(page.url()).pathname.split('/')[2]!);
    expect(await harness.app.state.getConflict('koha', id)).toMatchObject({ status: 'resolved', resolution: { take: 'crm' } });
    // The harness's workers take the replay runs (Koha has no record 999999 or 999998: nothing to write).
    const answered = await harness.app.waitForRun(answerRun, { timeoutMs: 30_000 });
    expect('report' in answered ? answered.report : answered).toMatchObject({ mode: 'replay', status: 'done' });
    expect(await harness.app.state.getRunRecordIds(answerRun)).toEqual(['999999']);

    await page.goto(web.url + 'failures');
    await Promise.all([page.waitForURL(/\/runs\//), page.locator('tr', { hasText: '999998' }).locator('form.action button').click()]);
    const replayRun = decodeURIComponent(new URL(page.url()).pathname.split('/')[2]!);
    const replayed = await harness.app.waitForRun(replayRun, { timeoutMs: 30_000 });
    expect('report' in replayed ? replayed.report : replayed).toMatchObject({ mode: 'replay', status: 'done' });
    expect(await harness.app.state.getRunRecordIds(replayRun)).toEqual(['999998']);
  });

  it('logs out: the session is gone on the server too', async () => {
    const token = (await context.cookies()).find((c) => c.name === 'pb_session')!.value;
    await page.goto(web.url);
    await Promise.all([page.waitForURL(/\/login$/), page.click('form.logout button')]);
    await page.goto(web.url + 'conflicts');
    expect(new URL(page.url()).pathname).toBe('/login');
    const res = await fetch(`${web.url}api/runs`, { headers: { cookie: `pb_session=${token}` } });
    expect(res.status).toBe(401);
  });

  it('refuses a state-changing form without its CSRF token', async () => {
    await logIn(PASSWORD);
    const res = await context.request.post(web.url + 'logout', { form: { csrf: 'forged' }, maxRedirects: 0 });
    expect(res.status()).toBe(403);
    await page.goto(web.url);
    expect(new URL(page.url()).pathname).toBe('/');
  });
});
