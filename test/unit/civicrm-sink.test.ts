import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { BridgeError } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';
import type { DesiredContact } from '../../src/core/types.js';
import { createCiviCrmSink } from '../../connectors/civicrm/civicrm-sink.js';
import type { ContactUpsert } from '../../connectors/civicrm/sink.js';
import { API_KEY, BASE, crmConfig, envelope, FAST_RETRY, getFieldsReply, paramsOf, recorded, replyOf } from './civicrm-fixtures.js';

interface Call {
  path: string;
  params: Record<string, unknown>;
}

/**
 * A small CiviCRM stand-in behind nock: contacts keyed by external_identifier, some of them in the trash.
 * `failAfterWrite` / `failBeforeWrite`: a save holding that record answers the 500 a user without
 * 'view debug output' gets (the cause is hidden), after or before writing it.
 */
function fakeCivi(
  opts: { existing?: Record<string, number>; trashed?: string[]; groups?: string[]; saveStatus?: number; failAfterWrite?: string[]; failBeforeWrite?: string[] } = {},
) {
  const contacts = new Map(Object.entries(opts.existing ?? {}));
  // modified_date changes on every write, like CiviCRM's column.
  const modified = new Map([...contacts.keys()].map((x) => [x, '2026-01-05 10:00:00']));
  let writes = 0;
  const trashed = new Set(opts.trashed ?? []);
  const hidden500 = replyOf(recorded('Contact.create duplicate external_identifier (without view debug output)'));
  const groups = new Set(opts.groups ?? []);
  const calls: Call[] = [];
  let nextId = 100;
  const json = { 'Content-Type': 'application/json' };
  nock(BASE)
    .persist()
    .post(/\/civicrm\/ajax\/api4\/\w+\/\w+$/)
    .reply(function (uri, body) {
      const [, , , , entity, action] = uri.split('/');
      const params = paramsOf(body);
      const path = `${entity}.${action}`;
      if (action === 'getFields') return [200, getFieldsReply(entity!, params), json];
      calls.push({ path, params });
      const records = (params.records ?? []) as Array<Record<string, unknown>>;
      switch (path) {
        case 'Contact.get': {
          const ids = ((params.where as unknown[][])[0]![2] ?? []) as string[];
          const rows = ids.filter((x) => contacts.has(x)).map((x) => ({ id: contacts.get(x), external_identifier: x, modified_date: modified.get(x) }));
          return [200, envelope('Contact', 'get', rows), json];
        }
        case 'Contact.save': {
          if (opts.saveStatus) return [opts.saveStatus, 'unavailable', { 'Content-Type': 'text/html' }];
          // CiviCRM writes row by row without a transaction, then fails on the trashed duplicate.
          const out: unknown[] = [];
          let failed = false;
          for (const r of records) {
            const ext = r.external_identifier as string;
            if (trashed.has(ext)) return replyOf(recorded('trash: Contact.save same external_identifier (sync user'));
            if (opts.failBeforeWrite?.includes(ext)) return hidden500;
            if (!contacts.has(ext)) contacts.set(ext, nextId++);
            modified.set(ext, `2026-02-01 10:00:${String(++writes).padStart(2, '0')}`);
            failed ||= opts.failAfterWrite?.includes(ext) ?? false;
            out.push({ id: contacts.get(ext), external_identifier: ext });
          }
          return failed ? hidden500 : [200, envelope('Contact', 'save', out), json];
        }
        case 'Group.save':
          for (const r of records) groups.add(r.name as string);
          return [200, envelope('Group', 'save', records.map((r, i) => ({ id: i + 1, name: r.name }))), json];
        case 'Group.get': {
          const names = ((params.where as unknown[][])[0]![2] ?? []) as string[];
          return [200, envelope('Group', 'get', names.filter((n) => groups.has(n)).map((name) => ({ name }))), json];
        }
        case 'GroupContact.save':
          if (records.some((r) => r['group_id:name'] === 'Broken')) {
            return [500, { error_code: 0, error_message: 'Mandatory values missing from Api4 GroupContact::create: group_id', status: 500 }, json];
          }
          return [200, envelope('GroupContact', 'save', records.map((r, i) => ({ id: i + 1, ...r }))), json];
        default:
          return [500, { error_code: 0, error_message: `API (${entity}, ${action}) does not exist`, status: 500 }, json];
      }
    });
  return { calls, contacts, of: (path: string) => calls.filter((c) => c.path === path) };
}

function capturingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const push = (message: string, meta?: Record<string, unknown>) => void lines.push(`${message} ${JSON.stringify(meta ?? {})}`);
  return { lines, debug: push, info: push, warn: push, error: push };
}

function patron(n: number, over: Partial<DesiredContact> = {}, values: DesiredContact['values'] = {}): ContactUpsert {
  return {
    contact: {
      externalId: `koha:${n}`,
      sourceId: 'koha',
      sourceRecordId: String(n),
      values: { contact_type: 'Individual', first_name: `Given${n}`, last_name: `Family${n}`, 'email_primary.email': `patron${n}@example.org`, ...values },
      groups: [],
      ...over,
    },
    removeFromGroups: [],
  };
}

function sink(over = {}, logger: Logger = capturingLogger()) {
  return createCiviCrmSink(crmConfig(over), { logger, retry: FAST_RETRY });
}

beforeAll(() => nock.disableNetConnect());
// Each test file loads its own nock; release the http interceptor for the next file in this worker.
afterAll(() => nock.restore());
afterEach(() => {
  nock.cleanAll();
});

describe('upsertContacts: contacts', () => {
  it('writes valid records in chunks of batch_size with save + match on external_identifier', async () => {
    const civi = fakeCivi({ existing: { 'koha:2': 42 } });
    const results = await sink({ batch_size: 2 }).upsertContacts([1, 2, 3, 4, 5].map((n) => patron(n)));

    expect(results.map((r) => [r.externalId, r.outcome, r.contactId])).toEqual([
      ['koha:1', 'created', 100],
      ['koha:2', 'updated', 42],
      ['koha:3', 'created', 101],
      ['koha:4', 'created', 102],
      ['koha:5', 'created', 103],
    ]);
    const saves = civi.of('Contact.save');
    expect(saves.map((s) => (s.params.records as unknown[]).length)).toEqual([2, 2, 1]);
    expect(saves[0]!.params.match).toEqual(['external_identifier']);
    expect(saves[0]!.params.reload).toEqual(['id', 'external_identifier']);
    expect((saves[0]!.params.records as unknown[])[0]).toMatchObject({ external_identifier: 'koha:1', contact_type: 'Individual', first_name: 'Given1' });
    const gets = civi.of('Contact.get');
    expect(gets).toHaveLength(3);
    expect(gets[0]!.params.where).toEqual([['external_identifier', 'IN', ['koha:1', 'koha:2']]]);
    expect(gets[0]!.params.select).toEqual(['id', 'external_identifier', 'modified_date']);
  });

  it('rejects records whose values do not fit, naming the field, and still writes the others', async () => {
    const civi = fakeCivi();
    const results = await sink().upsertContacts([
      patron(1),
      patron(2, {}, { birth_date: '2026-02-31', first_name: 'x'.repeat(65) }),
      patron(3, {}, { 'address_primary.country_id:name': 'XX' }),
    ]);
    expect(results[0]).toMatchObject({ outcome: 'created' });
    expect(results[1]).toMatchObject({ outcome: 'rejected', code: 'VALUE_INVALID', sourceRecordId: '2' });
    expect(results[1]!.reason).toMatch(/birth_date/);
    expect(results[1]!.reason).toMatch(/first_name is longer than 64/);
    expect(results[1]!.reason).not.toContain('2026-02-31');
    expect(results[2]).toMatchObject({ outcome: 'rejected', code: 'VALUE_INVALID' });
    expect(results[2]!.reason).toMatch(/address_primary\.country_id:name/);
    const sent = civi.of('Contact.save').flatMap((s) => s.params.records as Array<{ external_identifier: string }>);
    expect(sent.map((r) => r.external_identifier)).toEqual(['koha:1']);
  });

  it('when one record of a chunk is refused (trashed duplicate), writes the others and explains the refusal', async () => {
    const logger = capturingLogger();
    const civi = fakeCivi({ trashed: ['koha:2'] });
    const results = await sink({}, logger).upsertContacts([patron(1), patron(2), patron(3)]);

    expect(results.map((r) => r.outcome)).toEqual(['created', 'rejected', 'created']);
    expect(results[1]!.code).toBe('CRM_DUPLICATE');
    expect(results[1]!.reason).toMatch(/trash/);
    expect(results[1]!.reason).toMatch(/access deleted contacts/);
    // koha:1 was written by the failed chunk before the error and is matched again, not duplicated.
    expect(results[0]!.contactId).toBe(100);
    expect(civi.contacts.size).toBe(2);
    expect(civi.of('Contact.save').map((s) => (s.params.records as unknown[]).length)).toEqual([3, 1, 1, 1]);
    // The refusal says why, so the record is not re-read.
    expect(civi.of('Contact.get')).toHaveLength(1);
    const all = [...logger.lines, ...results.map((r) => r.reason ?? '')].join('\n');
    for (const leak of ['Given2', 'Family2', 'patron2@example.org', API_KEY]) expect(all).not.toContain(leak);
  });

  it('re-reads records refused without a reason and reports those the CRM holds as written', async () => {
    // koha:1 new and koha:3 existing are written before the error; koha:2 new and koha:4 existing are not.
    const civi = fakeCivi({ existing: { 'koha:3': 42, 'koha:4': 43 }, failAfterWrite: ['koha:1', 'koha:3'], failBeforeWrite: ['koha:2', 'koha:4'] });
    const results = await sink().upsertContacts([1, 2, 3, 4, 5].map((n) => patron(n)));

    expect(results.map((r) => [r.externalId, r.outcome, r.code, r.contactId])).toEqual([
      ['koha:1', 'created', undefined, 100],
      ['koha:2', 'rejected', 'CRM_NO_DEBUG', undefined],
      ['koha:3', 'updated', undefined, 42],
      ['koha:4', 'rejected', 'CRM_NO_DEBUG', undefined],
      ['koha:5', 'created', undefined, 101],
    ]);
    // One batched re-read of the four refused records after the pre-read.
    expect(civi.of('Contact.get').map((c) => (c.params.where as unknown[][])[0]![2])).toEqual([
      ['koha:1', 'koha:2', 'koha:3', 'koha:4', 'koha:5'],
      ['koha:1', 'koha:2', 'koha:3', 'koha:4'],
    ]);
    expect(civi.contacts.size).toBe(4);
  });

  it('throws a transient error when CiviCRM stays unavailable, so the caller retries the page', async () => {
    fakeCivi({ saveStatus: 503 });
    const s = sink({ retries: 1 });
    await expect(s.upsertContacts([patron(1)])).rejects.toMatchObject({ code: 'HTTP_TRANSIENT', transient: true });
    expect(s.requests()).toBeGreaterThan(0);
  });

  it('stops at once on a 403 instead of trying every record', async () => {
    const json = { 'Content-Type': 'application/json' };
    nock(BASE)
      .persist()
      .post(/getFields$/)
      .reply((uri, body) => [200, getFieldsReply(uri.split('/')[4]!, paramsOf(body)), json]);
    nock(BASE).post('/civicrm/ajax/api4/Contact/get').reply(200, envelope('Contact', 'get', []), json);
    const forbidden = { error_code: 0, error_message: 'Authorization failed: CiviCRM APIv4 (Contact::save)', status: 403 };
    const save = nock(BASE).post('/civicrm/ajax/api4/Contact/save').reply(403, forbidden, json);
    const err = await sink().upsertContacts([patron(1), patron(2)]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BridgeError);
    expect(err).toMatchObject({ code: 'CRM_FORBIDDEN' });
    expect(save.isDone()).toBe(true);
  });
});

describe('fitContacts', () => {
  it('fits values to the lengths and types real CiviCRM reports (getFields), fetching them once', async () => {
    const json = { 'Content-Type': 'application/json' };
    const getFields = nock(BASE).persist().post(/getFields$/).reply((uri, body) => [200, getFieldsReply(uri.split('/')[4]!, paramsOf(body)), json]);
    let calls = 0;
    getFields.on('request', () => { calls += 1; });
    const s = sink();
    const policies = new Map([
      ['last_name', { onTooLong: 'truncate', onInvalid: 'omit', required: true }],
      ['first_name', { onTooLong: 'truncate', onInvalid: 'omit', required: false }],
      ['phone_primary.phone', { onTooLong: 'omit', onInvalid: 'omit', required: false }],
      ['birth_date', { onTooLong: 'omit', onInvalid: 'omit', required: false }],
      ['email_primary.email', { onTooLong: 'omit', onInvalid: 'omit', required: false }],
    ] as const);
    const surname = `${'Wilhelmina-'.repeat(6)}Józefa`; // 72 characters
    const [first, second] = await s.fitContacts([
      patron(1, {}, { last_name: surname, 'phone_primary.phone': '+44 161 496 0123 ext. 12 (evenings)', birth_date: '1987-02-30' }).contact,
      patron(2).contact,
    ], policies);
    expect(first).toEqual({
      kind: 'fit',
      contact: patron(1, {}, { last_name: surname.slice(0, 64) }).contact,
      warnings: [{ field: 'last_name', rule: 'truncated' }, { field: 'phone_primary.phone', rule: 'too_long' }, { field: 'birth_date', rule: 'invalid' }],
    });
    expect(second).toEqual({ kind: 'fit', contact: patron(2).contact, warnings: [] });
    const before = calls;
    expect(before).toBeGreaterThan(0);
    await s.fitContacts([patron(3).contact], policies);
    expect(calls).toBe(before);
  });
});

describe('upsertContacts: groups', () => {
  it('ensures groups once per process and saves memberships, with Removed rows for groups left', async () => {
    const civi = fakeCivi({ groups: ['Old_Branch'] });
    const s = sink();
    const patrons = (ns: number[]) =>
      ns.map((n) => {
        const p = patron(n, { groups: [{ name: 'Library_Patrons', title: 'Library patrons' }] });
        return { ...p, removeFromGroups: ['Old_Branch', 'Never_Created'] };
      });
    const first = await s.upsertContacts(patrons([1, 2]));
    await s.upsertContacts(patrons([3]));

    expect(first.map((r) => r.outcome)).toEqual(['created', 'created']);
    const groupSaves = civi.of('Group.save');
    expect(groupSaves).toHaveLength(1);
    expect(groupSaves[0]!.params).toEqual({ records: [{ name: 'Library_Patrons', title: 'Library patrons' }], match: ['name'] });
    const rows = civi.of('GroupContact.save').flatMap((c) => {
      expect(c.params.match).toEqual(['group_id', 'contact_id']);
      return c.params.records as unknown[];
    });
    expect(rows).toEqual([
      { 'group_id:name': 'Library_Patrons', contact_id: 100, status: 'Added' },
      { 'group_id:name': 'Old_Branch', contact_id: 100, status: 'Removed' },
      { 'group_id:name': 'Library_Patrons', contact_id: 101, status: 'Added' },
      { 'group_id:name': 'Old_Branch', contact_id: 101, status: 'Removed' },
      { 'group_id:name': 'Library_Patrons', contact_id: 102, status: 'Added' },
      { 'group_id:name': 'Old_Branch', contact_id: 102, status: 'Removed' },
    ]);
    // Groups known to exist are cached; only the missing one is looked up again.
    expect(civi.of('Group.get').map((c) => (c.params.where as unknown[][])[0]![2])).toEqual([['Old_Branch', 'Never_Created'], ['Never_Created']]);
  });

  it('marks a contact whose membership CiviCRM refuses as rejected, keeping its contact id, and writes the other rows', async () => {
    const civi = fakeCivi();
    const results = await sink().upsertContacts([
      patron(1, { groups: [{ name: 'Library_Patrons', title: 'Library patrons' }] }),
      patron(2, { groups: [{ name: 'Broken', title: 'Broken' }] }),
    ]);
    expect(results[0]).toMatchObject({ outcome: 'created', contactId: 100 });
    expect(results[1]).toMatchObject({ outcome: 'rejected', contactId: 101, code: 'CRM_MANDATORY' });
    expect(results[1]!.reason).toMatch(/contact written, but its membership of group Broken/);
    expect(civi.of('GroupContact.save').map((c) => (c.params.records as unknown[]).length)).toEqual([2, 1, 1]);
  });

  it('sends no group calls for rejected records or contacts without groups', async () => {
    const civi = fakeCivi();
    await sink().upsertContacts([patron(1), patron(2, { groups: [{ name: 'G', title: 'G' }] }, { birth_date: 'bad' })]);
    expect(civi.of('Group.save')).toHaveLength(0);
    expect(civi.of('GroupContact.save')).toHaveLength(0);
  });
});
