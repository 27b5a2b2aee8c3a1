import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import nock from 'nock';
import { BridgeError } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';
import type { CrmOperation, DesiredContact, GroupRef } from '../../src/core/types.js';
import { createCiviCrmSink } from '../../connectors/civicrm/civicrm-sink.js';
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
  opts: {
    existing?: Record<string, number>; trashed?: string[]; groups?: string[]; saveStatus?: number; failAfterWrite?: string[]; failBeforeWrite?: string[];
    /** existing contacts that Contact.update can take out of the trash */
    restorable?: string[];
    /** groups another process creates at the same moment: this Group.save fails on the unique name */
    racedGroups?: string[];
  } = {},
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
          const [field, , wanted] = (params.where as unknown[][])[0]! as [string, string, unknown[]];
          const rows = [...contacts].filter(([x, id]) => (field === 'id' ? wanted.includes(id) : wanted.includes(x)))
            .map(([x, id]) => ({ id, external_identifier: x, modified_date: modified.get(x) }));
          return [200, envelope('Contact', 'get', rows), json];
        }
        case 'Contact.update': {
          const id = (params.where as unknown[][])[0]![2] as number;
          const ext = (opts.restorable ?? []).find((x) => contacts.get(x) === id);
          return [200, envelope('Contact', 'update', ext ? [{ id }] : []), json];
        }
        case 'Contact.save': {
          if (opts.saveStatus) return [opts.saveStatus, 'unavailable', { 'Content-Type': 'text/html' }];
          // CiviCRM writes row by row without a transaction, then fails on the trashed duplicate.
          const out: unknown[] = [];
          let failed = false;
          for (const r of records) {
            const ext = r.id === undefined ? (r.external_identifier as string) : [...contacts].find(([, id]) => id === r.id)![0];
            if (trashed.has(ext)) return replyOf(recorded('trash: Contact.save same external_identifier (sync user'));
            if (opts.failBeforeWrite?.includes(ext)) return hidden500;
            if (!contacts.has(ext)) contacts.set(ext, nextId++);
            modified.set(ext, `2026-02-01 10:00:${String(++writes).padStart(2, '0')}`);
            failed ||= opts.failAfterWrite?.includes(ext) ?? false;
            out.push({ id: contacts.get(ext), external_identifier: r.id === undefined ? ext : (r.external_identifier ?? ext) });
          }
          return failed ? hidden500 : [200, envelope('Contact', 'save', out), json];
        }
        case 'Group.save':
          if (records.some((r) => opts.racedGroups?.includes(r.name as string))) {
            for (const r of records) groups.add(r.name as string);
            return [500, { error_code: 'already exists', error_message: 'DB Error: already exists', status: 500 }, json];
          }
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

function patron(n: number, over: Partial<DesiredContact> = {}, values: DesiredContact['values'] = {}): { contact: DesiredContact } {
  return {
    contact: {
      externalId: `koha:${n}`,
      sourceId: 'koha',
      sourceRecordId: String(n),
      values: { contact_type: 'Individual', first_name: `Given${n}`, last_name: `Family${n}`, 'email_primary.email': `patron${n}@example.org`, ...values },
      groups: [],
      ...over,
    },
  };
}

/** A new contact: every mapped value, the key written by the sink. */
function create(n: number, values: DesiredContact['values'] = {}, addGroups: GroupRef[] = []): CrmOperation {
  return { kind: 'upsertContact', mode: 'create', externalId: `koha:${n}`, sourceRecordId: String(n), values: patron(n, {}, values).contact.values, addGroups, removeGroups: [] };
}

/** A known contact: only the fields that changed. */
function update(n: number, contactId: number, values: DesiredContact['values'], more: Partial<CrmOperation> = {}): CrmOperation {
  return { kind: 'upsertContact', mode: 'update', externalId: `koha:${n}`, sourceRecordId: String(n), contactId, values, addGroups: [], removeGroups: [], ...more };
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

describe('applyContacts: contacts', () => {
  it('writes new contacts in chunks with save + match on external_identifier, and known ones by id with only their changed fields', async () => {
    const civi = fakeCivi({ existing: { 'koha:2': 42 } });
    const results = await sink({ batch_size: 2 }).applyContacts([create(1), update(2, 42, { last_name: 'Renamed' }), create(3), create(4), create(5)]);

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
    expect(saves[2]!.params.match).toBeUndefined();
    expect(saves[2]!.params.records).toEqual([{ id: 42, last_name: 'Renamed' }]);
    // Decided before: no read of its own.
    expect(civi.of('Contact.get')).toHaveLength(0);
  });

  it('links a contact by writing the key onto it, and writes nothing for a known contact with only memberships to change', async () => {
    const civi = fakeCivi({ existing: { 'koha:7': 70, 'koha:8': 80 }, groups: ['G'] });
    const results = await sink().applyContacts([
      { ...update(7, 70, { external_identifier: 'koha:7' }), mode: 'link' },
      update(8, 80, {}, { addGroups: [{ name: 'G', title: 'G' }] }),
    ]);
    expect(results.map((r) => [r.outcome, r.contactId])).toEqual([['linked', 70], ['updated', 80]]);
    expect(civi.of('Contact.save').map((s) => s.params.records)).toEqual([[{ id: 70, external_identifier: 'koha:7' }]]);
    expect(civi.of('GroupContact.save')[0]!.params.records).toEqual([{ 'group_id:name': 'G', contact_id: 80, status: 'Added' }]);
  });

  it('rejects records whose values do not fit, naming the field, and still writes the others', async () => {
    const civi = fakeCivi();
    const results = await sink().applyContacts([
      create(1),
      create(2, { birth_date: '2026-02-31', first_name: 'x'.repeat(65) }),
      create(3, { 'address_primary.country_id:name': 'XX' }),
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
    const results = await sink({}, logger).applyContacts([create(1), create(2), create(3)]);

    expect(results.map((r) => r.outcome)).toEqual(['created', 'rejected', 'created']);
    expect(results[1]!.code).toBe('CRM_DUPLICATE');
    expect(results[1]!.reason).toMatch(/trash/);
    expect(results[1]!.reason).toMatch(/access deleted contacts/);
    // koha:1 was written by the failed chunk before the error and is matched again, not duplicated.
    expect(results[0]!.contactId).toBe(100);
    expect(civi.contacts.size).toBe(2);
    expect(civi.of('Contact.save').map((s) => (s.params.records as unknown[]).length)).toEqual([3, 1, 1, 1]);
    // The refusal says why, so the record is not re-read.
    expect(civi.of('Contact.get')).toHaveLength(0);
    const all = [...logger.lines, ...results.map((r) => r.reason ?? '')].join('\n');
    for (const leak of ['Given2', 'Family2', 'patron2@example.org', API_KEY]) expect(all).not.toContain(leak);
  });

  it('re-reads records refused without a reason and reports those the CRM holds as written', async () => {
    // koha:1 new and koha:3 known are written before the error; koha:2 new and koha:4 known are not.
    const civi = fakeCivi({ existing: { 'koha:3': 42, 'koha:4': 43 }, failAfterWrite: ['koha:1', 'koha:3'], failBeforeWrite: ['koha:2', 'koha:4'] });
    const seen = { seen: '2026-01-05 10:00:00' };
    const results = await sink().applyContacts([create(1), create(2), update(3, 42, { last_name: 'A' }, seen), update(4, 43, { last_name: 'B' }, seen), create(5)]);

    expect(results.map((r) => [r.externalId, r.outcome, r.code, r.contactId])).toEqual([
      ['koha:1', 'created', undefined, 100],
      ['koha:2', 'rejected', 'CRM_NO_DEBUG', undefined],
      ['koha:3', 'updated', undefined, 42],
      ['koha:4', 'rejected', 'CRM_NO_DEBUG', undefined],
      ['koha:5', 'created', undefined, 101],
    ]);
    // One batched re-read per kind of the refused records: new ones by key, known ones by id (batches go out side by side, in any order).
    const rereads = civi.of('Contact.get').map((c) => c.params.where);
    expect(rereads).toHaveLength(2);
    expect(rereads).toEqual(expect.arrayContaining([
      [['external_identifier', 'IN', ['koha:1', 'koha:2']]],
      [['id', 'IN', [42, 43]]],
    ]));
    expect(civi.contacts.size).toBe(4);
  });

  it('restores a contact from the trash, then writes it; one that is not there is a CRM_GONE refusal, or created again when asked', async () => {
    const civi = fakeCivi({ existing: { 'koha:1': 10, 'koha:2': 20 }, restorable: ['koha:1'] });
    const restore = (n: number, id: number, more: Partial<CrmOperation> = {}) => ({ ...update(n, id, patron(n).contact.values), mode: 'restore' as const, ...more });
    const results = await sink().applyContacts([restore(1, 10), restore(2, 20), restore(3, 30, { recreateIfDeleted: true })]);
    expect(results.map((r) => [r.outcome, r.code, r.contactId])).toEqual([['updated', undefined, 10], ['rejected', 'CRM_GONE', undefined], ['created', undefined, 100]]);
    expect(civi.of('Contact.update').map((c) => c.params)).toEqual([10, 20, 30].map((id) => ({ where: [['id', '=', id]], values: { is_deleted: false } })));
  });

  it('throws a transient error when CiviCRM stays unavailable, so the caller retries the page', async () => {
    fakeCivi({ saveStatus: 503 });
    const s = sink({ retries: 1 });
    await expect(s.applyContacts([create(1)])).rejects.toMatchObject({ code: 'HTTP_TRANSIENT', transient: true });
    expect(s.requests()).toBeGreaterThan(0);
  });

  it('stops at once on a 403 instead of trying every record', async () => {
    const json = { 'Content-Type': 'application/json' };
    nock(BASE)
      .persist()
      .post(/getFields$/)
      .reply((uri, body) => [200, getFieldsReply(uri.split('/')[4]!, paramsOf(body)), json]);
    const forbidden = { error_code: 0, error_message: 'Authorization failed: CiviCRM APIv4 (Contact::save)', status: 403 };
    const save = nock(BASE).post('/civicrm/ajax/api4/Contact/save').reply(403, forbidden, json);
    const err = await sink().applyContacts([create(1), create(2)]).catch((e: unknown) => e);
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

describe('applyContacts: groups', () => {
  it('ensures groups once per process and saves memberships, with Removed rows only for groups that exist', async () => {
    const civi = fakeCivi({ groups: ['Old_Branch'] });
    const s = sink();
    const ops = (ns: number[]) => ns.map((n) => ({ ...create(n, {}, [{ name: 'Library_Patrons', title: 'Library patrons' }]), removeGroups: ['Old_Branch', 'Never_Created'] }));
    const first = await s.applyContacts(ops([1, 2]));
    await s.applyContacts(ops([3]));

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

  it('tells once that every contact is saved (the next page may look for them), before its memberships are all written', async () => {
    const civi = fakeCivi({ existing: { 'koha:8': 80 }, groups: ['G'] });
    const G = [{ name: 'G', title: 'G' }];
    const told: Array<{ ids: number[]; saves: number }> = [];
    let done = false;
    const results = await sink({ batch_size: 2 }).applyContacts([create(1, {}, G), create(2, {}, G), create(3, {}, G), update(8, 80, {}, { addGroups: G })], {
      onSaved: (ids) => {
        expect(done).toBe(false);
        told.push({ ids: [...ids].sort((a, b) => a - b), saves: civi.of('Contact.save').length });
      },
    });
    done = true;
    expect(results.map((r) => r.outcome)).toEqual(['created', 'created', 'created', 'updated']);
    // after both Contact.save chunks; contact 80 only gets a membership, and is named too
    expect(told).toEqual([{ ids: [80, 100, 101, 102], saves: 2 }]);
    expect(civi.of('GroupContact.save').length).toBeGreaterThan(0);
  });

  it('never tells the contacts are saved when a chunk could not be written (the page is tried again)', async () => {
    fakeCivi({ saveStatus: 503 });
    let told = 0;
    await expect(sink({ batch_size: 1 }).applyContacts([create(1), create(2)], { onSaved: () => void (told += 1) })).rejects.toMatchObject({ transient: true });
    expect(told).toBe(0);
  });

  it('a group another worker process created at the same moment is used, not a failure', async () => {
    const civi = fakeCivi({ racedGroups: ['Branch_New'] });
    const results = await sink().applyContacts([create(1, {}, [{ name: 'Branch_New', title: 'New branch' }])]);
    expect(results.map((r) => r.outcome)).toEqual(['created']);
    expect(civi.of('GroupContact.save').flatMap((c) => c.params.records as unknown[])).toEqual([{ 'group_id:name': 'Branch_New', contact_id: 100, status: 'Added' }]);
  });

  it('marks a contact whose membership CiviCRM refuses as rejected, keeping its contact id, and writes the other rows', async () => {
    const civi = fakeCivi();
    const results = await sink().applyContacts([
      create(1, {}, [{ name: 'Library_Patrons', title: 'Library patrons' }]),
      create(2, {}, [{ name: 'Broken', title: 'Broken' }]),
    ]);
    expect(results[0]).toMatchObject({ outcome: 'created', contactId: 100 });
    expect(results[1]).toMatchObject({ outcome: 'rejected', contactId: 101, code: 'CRM_MANDATORY' });
    expect(results[1]!.reason).toMatch(/contact written, but its membership of group Broken/);
    expect(civi.of('GroupContact.save').map((c) => (c.params.records as unknown[]).length)).toEqual([2, 1, 1]);
  });

  it('sends no group calls for rejected records or contacts without groups', async () => {
    const civi = fakeCivi();
    await sink().applyContacts([create(1), create(2, { birth_date: 'bad' }, [{ name: 'G', title: 'G' }])]);
    expect(civi.of('Group.save')).toHaveLength(0);
    expect(civi.of('GroupContact.save')).toHaveLength(0);
  });
});
