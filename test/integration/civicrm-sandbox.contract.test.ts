/**
 * Replays the 165 exchanges recorded against a real CiviCRM 6.17.2 (test/contracts/civicrm/transcript.json,
 * a verbatim copy of the recording)
 * against one fresh sandbox, in recorded order, and compares status, content type, envelope and values.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startCiviSandbox } from '../../src/sandbox/civicrm/index.js';
import type { CiviSandbox, PrincipalName } from '../../src/sandbox/civicrm/index.js';

interface Exchange {
  name: string;
  principal: PrincipalName | 'anonymous';
  request: {
    method: string;
    path: string;
    headers: Record<string, string>;
    params: unknown;
    calls?: unknown;
    extraForm?: Record<string, string>;
    rawBody?: string;
  };
  response: { status: number; contentType: string; body: unknown };
}

const TRANSCRIPT = new URL('../contracts/civicrm/transcript.json', import.meta.url);
const exchanges = JSON.parse(readFileSync(TRANSCRIPT, 'utf8')) as Exchange[];

/** Recorded exchanges this sandbox does not replay, with the reason. */
const NOT_COVERED: Record<string, string> = {
  'DedupeRuleGroup.get (site default rules)': 'DedupeRuleGroup entity is not emulated (read-only admin metadata, not used by the sync)',
  'DedupeRule.get for Individual rules': 'DedupeRule entity is not emulated (read-only admin metadata, not used by the sync)',
};

/** Values that differ on every run (clock, random hash, error ids): checked for presence only. */
const VOLATILE = new Set(['created_date', 'modified_date', 'hash', 'error_id']);

function buildRequest(ex: Exchange, sandbox: CiviSandbox): { url: string; init: RequestInit } {
  const key = ex.principal === 'anonymous' ? '' : sandbox.keys[ex.principal];
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(ex.request.headers)) {
    headers[k] = v
      .replace('<BASE64(username:API_KEY)>', Buffer.from(`user:${key}`).toString('base64'))
      .replace('<API_KEY>', key)
      .replace('<SITE_KEY>', sandbox.siteKey);
  }
  let body: string | undefined;
  if (ex.request.rawBody !== undefined) body = ex.request.rawBody;
  else if (ex.request.method === 'POST') {
    const form = new URLSearchParams();
    if (ex.request.params !== null) form.set('params', JSON.stringify(ex.request.params));
    if (ex.request.calls !== undefined) form.set('calls', JSON.stringify(ex.request.calls));
    for (const [k, v] of Object.entries(ex.request.extraForm ?? {})) form.set(k, v);
    body = form.toString();
  }
  return { url: sandbox.url + ex.request.path, init: { method: ex.request.method, headers, body } };
}

const mediaType = (ct: string): string => ct.replace(/\s+/g, '').toLowerCase();
const sorryMessage = /^Sorry an error occurred and your request was not completed\. \(Error ID: [\w-]{14}\)$/;

/** Every recorded key must be present with an equal value; on `get` no extra keys either. */
function expectRow(recorded: unknown, actual: unknown, strictKeys: boolean, where: string): void {
  if (recorded === null || typeof recorded !== 'object') {
    expect({ where, value: actual }).toEqual({ where, value: recorded });
    return;
  }
  if (Array.isArray(recorded)) {
    expect({ where, length: Array.isArray(actual) ? actual.length : actual }).toEqual({ where, length: recorded.length });
    recorded.forEach((r, i) => expectRow(r, (actual as unknown[])[i], strictKeys, `${where}[${i}]`));
    return;
  }
  expect({ where, isObject: actual !== null && typeof actual === 'object' }).toEqual({ where, isObject: true });
  const rec = recorded as Record<string, unknown>;
  const act = actual as Record<string, unknown>;
  if (strictKeys) expect({ where, keys: Object.keys(act).sort() }).toEqual({ where, keys: Object.keys(rec).sort() });
  for (const [k, v] of Object.entries(rec)) {
    expect({ where, key: k, present: k in act }).toEqual({ where, key: k, present: true });
    if (VOLATILE.has(k)) continue;
    if (v !== null && typeof v === 'object') expectRow(v, act[k], strictKeys, `${where}.${k}`);
    else expect({ where, key: k, value: act[k] }).toEqual({ where, key: k, value: v });
  }
}

function expectEnvelope(recorded: Record<string, unknown>, actual: Record<string, unknown>, where: string): void {
  expect({ where, keys: Object.keys(actual).sort() }).toEqual({ where, keys: Object.keys(recorded).sort() });
  if ('error_message' in recorded) {
    expect(actual['error_code']).toEqual(recorded['error_code']);
    expect(actual['status']).toEqual(recorded['status']);
    if (sorryMessage.test(String(recorded['error_message']))) expect(String(actual['error_message'])).toMatch(sorryMessage);
    else expect(actual['error_message']).toEqual(recorded['error_message']);
    if (recorded['debug']) expect(Object.keys(actual['debug'] as object).sort()).toEqual(Object.keys(recorded['debug'] as object).sort());
    return;
  }
  for (const k of ['entity', 'action', 'version', 'count', 'countFetched', 'countMatched']) {
    expect({ where, key: k, value: actual[k] }).toEqual({ where, key: k, value: recorded[k] });
  }
  expectRow(recorded['values'], actual['values'], recorded['action'] === 'get', `${where}.values`);
}

const replayed = exchanges.filter((ex) => !(ex.name in NOT_COVERED));

describe('CiviCRM sandbox replays the recorded 6.17.2 transcript', () => {
  let sandbox: CiviSandbox;
  beforeAll(async () => {
    sandbox = await startCiviSandbox();
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  it('accounts for every recorded exchange (replayed or listed in NOT_COVERED)', () => {
    const names = new Set(exchanges.map((e) => e.name));
    for (const n of Object.keys(NOT_COVERED)) expect(names.has(n)).toBe(true);
    expect(replayed.length + Object.keys(NOT_COVERED).length).toBe(exchanges.length);
    expect(exchanges.length).toBe(165);
  });

  it.each(replayed.map((ex, i) => [`#${exchanges.indexOf(ex)} ${ex.name}`, i] as const))('%s', async (_label, i) => {
    const ex = replayed[i]!;
    const { url, init } = buildRequest(ex, sandbox);
    const res = await fetch(url, init);
    const text = await res.text();
    expect({ status: res.status, type: mediaType(res.headers.get('content-type') ?? '') }).toEqual({
      status: ex.response.status,
      type: mediaType(ex.response.contentType),
    });
    const recorded = ex.response.body;
    if (typeof recorded === 'string') {
      if (ex.response.contentType.startsWith('text/html') && recorded.includes('crm-error-message')) {
        const message = /crm-error-message">\s*([^<]+?)\s*</.exec(recorded)![1]!;
        expect(text).toContain(message.replace(/&/g, '&amp;'));
      } else {
        expect(text).toBe(recorded);
      }
      return;
    }
    const actual = JSON.parse(text) as Record<string, unknown>;
    const body = recorded as Record<string, unknown>;
    if (ex.request.path === '/civicrm/ajax/api4' && res.status !== 405) {
      expect(Object.keys(actual).sort()).toEqual(Object.keys(body).sort());
      for (const [k, env] of Object.entries(body)) expectEnvelope(env as Record<string, unknown>, actual[k] as Record<string, unknown>, k);
    } else {
      expectEnvelope(body, actual, 'body');
    }
  });
});

describe('CiviCRM sandbox behaviour the sync relies on beyond the transcript', () => {
  let sandbox: CiviSandbox;
  const call = async (entity: string, action: string, params: unknown, who: PrincipalName = 'sync') => {
    const res = await fetch(`${sandbox.url}/civicrm/ajax/api4/${entity}/${action}`, {
      method: 'POST',
      headers: { 'X-Civi-Auth': `Bearer ${sandbox.keys[who]}`, 'X-Requested-With': 'XMLHttpRequest', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ params: JSON.stringify(params) }).toString(),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  beforeAll(async () => {
    sandbox = await startCiviSandbox();
  });
  afterAll(async () => {
    await sandbox.stop();
  });

  it('writes a save record by record: a failure at record k keeps records before k', async () => {
    await call('Contact', 'create', { values: { first_name: 'Taken', last_name: 'Key', external_identifier: 'koha:taken' } });
    const records = [
      { external_identifier: 'koha:b1', first_name: 'First', last_name: 'Batch' },
      { first_name: 'Clash', last_name: 'Batch', external_identifier: 'KOHA:TAKEN', 'email_primary.email': 'x@example.org' },
      { external_identifier: 'koha:b3', first_name: 'Third', last_name: 'Batch' },
    ];
    const res = await call('Contact', 'save', { records, match: ['first_name', 'last_name'] });
    expect(res.body['error_message']).toBe('DB Error: already exists');
    const ext = sandbox.rows('Contact').map((r) => r['external_identifier']);
    expect(ext).toContain('koha:b1');
    expect(ext).not.toContain('koha:b3');
  });

  it('trashContact hides the row from the sync user and makes save+match fail on the unique key', async () => {
    const created = await call('Contact', 'create', { values: { first_name: 'Soon', last_name: 'Trashed', external_identifier: 'koha:trash-me' } });
    const id = (created.body['values'] as Array<Record<string, number>>)[0]!['id']!;
    sandbox.trashContact(id);
    const got = await call('Contact', 'get', { where: [['id', '=', id]] });
    expect(got.body['count']).toBe(0);
    const saved = await call('Contact', 'save', { records: [{ external_identifier: 'koha:trash-me', first_name: 'Soon' }], match: ['external_identifier'] });
    expect(saved.status).toBe(500);
    expect(sandbox.rows('Contact').find((r) => r['id'] === id)?.['is_deleted']).toBe(true);
  });

  it('re-saving primary email/phone/address updates rows in place and counts calls per action', async () => {
    sandbox.resetStats();
    const record = { external_identifier: 'koha:loc', first_name: 'Loc', last_name: 'Ation', 'email_primary.email': 'a@example.org', 'phone_primary.phone': '+1 555 0100', 'address_primary.country_id:name': 'FR' };
    await call('Contact', 'save', { records: [record], match: ['external_identifier'] });
    await call('Contact', 'save', { records: [{ ...record, 'email_primary.email': 'b@example.org' }], match: ['external_identifier'] });
    const id = sandbox.rows('Contact').find((r) => r['external_identifier'] === 'koha:loc')!['id'];
    expect(sandbox.rows('Email').filter((r) => r['contact_id'] === id).map((r) => r['email'])).toEqual(['b@example.org']);
    expect(sandbox.rows('Phone').filter((r) => r['contact_id'] === id)).toHaveLength(1);
    expect(sandbox.rows('Address').filter((r) => r['contact_id'] === id)).toHaveLength(1);
    expect(sandbox.stats.byAction['Contact.save']).toBe(2);
    expect(sandbox.stats.requests).toBe(2);
  });
});
