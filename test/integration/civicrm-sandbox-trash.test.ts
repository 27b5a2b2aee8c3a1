/**
 * Trashed and deleted contacts in the sandbox CiviCRM, as the recording's "trash: …" exchanges show them
 * (real CiviCRM 6.17.2): invisible to a user without "access deleted contacts", matched and restorable by
 * one with it (principal synctrash), and the CRM-user helpers trash/restore/delete.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startCiviSandbox, type CiviSandbox } from '../../src/sandbox/civicrm/index.js';
import { SANDBOX_CREDENTIALS, startSandboxes } from '../../src/sandbox/environment.js';
import { sandboxConfig } from '../../src/sandbox/sandbox-config.js';
import { civiCall } from './civicrm-sandbox-client.js';

const PATRON = { external_identifier: 'koha:9001', contact_type: 'Individual', first_name: 'Trashy', last_name: 'Patron', 'email_primary.email': 'trashy@example.org' };
const SELECT = ['id', 'display_name', 'is_deleted'];

describe('sandbox CiviCRM: trashed contacts', () => {
  let s: CiviSandbox;
  let id: number;
  beforeAll(async () => {
    s = await startCiviSandbox();
    const saved = await civiCall(s, 'Contact', 'save', { records: [PATRON], match: ['external_identifier'] });
    id = saved.values[0]!['id'] as number;
    const deleted = await civiCall(s, 'Contact', 'delete', { where: [['id', '=', id]] });
    expect(deleted.values).toEqual([{ id }]);
  });
  afterAll(async () => {
    await s.stop();
  });

  it.each([
    ['by id', () => [['id', '=', id]]],
    ['by external_identifier', () => [['external_identifier', '=', 'koha:9001']]],
    ['with an explicit is_deleted IN [true,false]', () => [['external_identifier', '=', 'koha:9001'], ['is_deleted', 'IN', [true, false]]]],
  ])('hides the trashed contact from the sync user %s', async (_how, where) => {
    const got = await civiCall(s, 'Contact', 'get', { select: SELECT, where: where() });
    expect({ status: got.status, values: got.values, count: got.body['count'] }).toEqual({ status: 200, values: [], count: 0 });
  });

  it('shows it to a user with "access deleted contacts" by a unique key, not by another filter', async () => {
    const byKey = await civiCall(s, 'Contact', 'get', { select: SELECT, where: [['external_identifier', '=', 'koha:9001']] }, 'synctrash');
    expect(byKey.values).toEqual([{ id, display_name: 'Trashy Patron', is_deleted: true }]);
    const byName = await civiCall(s, 'Contact', 'get', { select: SELECT, where: [['last_name', '=', 'Patron']] }, 'synctrash');
    expect(byName.values).toEqual([]);
  });

  it("hides the trashed contact's email from the sync user too (the contact ACL reaches Email)", async () => {
    const where = [['contact_id', '=', id]];
    expect((await civiCall(s, 'Email', 'get', { select: ['email'], where })).values).toEqual([]);
    expect((await civiCall(s, 'Email', 'get', { select: ['email'], where }, 'synctrash')).values).toEqual([{ email: 'trashy@example.org' }]);
  });

  it('save+match by the sync user misses the trashed row and the insert fails on the unique key', async () => {
    const saved = await civiCall(s, 'Contact', 'save', { records: [PATRON], match: ['external_identifier'] });
    expect({ status: saved.status, message: saved.body['error_message'] }).toEqual({ status: 500, message: 'DB Error: already exists' });
  });

  it('save+match by synctrash matches the trashed row and leaves it in the trash until is_deleted:false', async () => {
    const matched = await civiCall(s, 'Contact', 'save', { records: [PATRON], match: ['external_identifier'] }, 'synctrash');
    expect({ countMatched: matched.body['countMatched'], id: matched.values[0]!['id'], is_deleted: matched.values[0]!['is_deleted'] }).toEqual({ countMatched: 1, id, is_deleted: true });
    const restored = await civiCall(s, 'Contact', 'save', { records: [{ external_identifier: 'koha:9001', is_deleted: false }], match: ['external_identifier'] }, 'synctrash');
    expect(restored.values[0]!['is_deleted']).toBe(false);
    const seen = await civiCall(s, 'Contact', 'get', { select: SELECT, where: [['external_identifier', '=', 'koha:9001']] });
    expect(seen.values).toEqual([{ id, display_name: 'Trashy Patron', is_deleted: false }]);
  });

  it('Contact.update by id reaches a row the sync user cannot see (recorded: it restores it)', async () => {
    s.trashContact(id);
    const updated = await civiCall(s, 'Contact', 'update', { where: [['id', '=', id]], values: { is_deleted: false } });
    expect({ count: updated.body['count'], is_deleted: updated.values[0]!['is_deleted'] }).toEqual({ count: 1, is_deleted: false });
    expect((await civiCall(s, 'Contact', 'get', { select: ['id'], where: [['id', '=', id]] })).values).toEqual([{ id }]);
  });

  it('restoreContact takes a trashed contact out of the trash', async () => {
    s.trashContact(id);
    expect((await civiCall(s, 'Contact', 'get', { select: ['id'], where: [['id', '=', id]] })).values).toEqual([]);
    s.restoreContact(id);
    expect((await civiCall(s, 'Contact', 'get', { select: ['id', 'is_deleted'], where: [['id', '=', id]] })).values).toEqual([{ id, is_deleted: false }]);
  });

  it('deleteContact removes the contact and its emails for good; its external_identifier can be used again', async () => {
    s.deleteContact(id);
    const gone = await civiCall(s, 'Contact', 'get', { select: ['id'], where: [['external_identifier', '=', 'koha:9001'], ['is_deleted', 'IN', [true, false]]] }, 'admin');
    expect(gone.values).toEqual([]);
    expect(s.rows('Email').filter((e) => e['contact_id'] === id)).toEqual([]);
    const again = await civiCall(s, 'Contact', 'create', { values: { first_name: 'Trashy', last_name: 'Patron', external_identifier: 'koha:9001' } });
    expect(again.status).toBe(200);
    expect(again.values[0]!['id']).not.toBe(id);
  });
});

describe('sandbox credentials with "access deleted contacts"', () => {
  it('startSandboxes serves the synctrash key, and sandboxConfig can give it to the sync', async () => {
    const env = await startSandboxes({ patrons: 0 });
    try {
      expect(env.civi.keys.synctrash).toBe(SANDBOX_CREDENTIALS.civicrm.synctrash);
      const config = sandboxConfig(env, { redisUrl: 'redis://127.0.0.1:6379', prefix: 'unused', crmUser: 'synctrash' }).config;
      expect(config.crm.api_key).toBe('sandbox-synctrash-key');
      const id = env.civi.addContacts([{ first_name: 'In', last_name: 'Trash' }])[0]!;
      env.civi.trashContact(id);
      const got = await civiCall(env.civi, 'Contact', 'get', { select: ['id', 'is_deleted'], where: [['id', '=', id]] }, 'synctrash');
      expect(got.values).toEqual([{ id, is_deleted: true }]);
    } finally {
      await env.stop();
    }
  });
});
