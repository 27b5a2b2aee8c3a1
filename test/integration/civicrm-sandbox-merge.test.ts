/**
 * Merges in the sandbox CiviCRM, as CRM_Dedupe_Merger does them to what the sync reads: the loser goes to the
 * trash, its external_identifier moves to a survivor without one, its emails, groups and activities follow, and
 * Contact.getMergedTo / getMergedFrom (administer CiviCRM only) read the merge back, through chains of merges.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { startCiviSandbox, type CiviSandbox } from '../../src/sandbox/civicrm/index.js';
import { civiCall } from './civicrm-sandbox-client.js';

let s: CiviSandbox;
beforeEach(async () => {
  s = await startCiviSandbox();
});
afterEach(async () => {
  await s.stop();
});

const contact = (id: number) => s.rows('Contact').find((r) => r['id'] === id)!;
const mergedTo = (contactId: number, who: 'admin' | 'sync' = 'admin') => civiCall(s, 'Contact', 'getMergedTo', { contactId }, who);
const mergedFrom = (contactId: number) => civiCall(s, 'Contact', 'getMergedFrom', { contactId }, 'admin');

describe('mergeContacts (CRM user merges a duplicate)', () => {
  it('trashes the loser and moves its external_identifier to a survivor that has none', async () => {
    const [loser, survivor] = s.addContacts([
      { first_name: 'Ada', last_name: 'Lovelace', external_identifier: 'koha:1001', 'email_primary.email': 'ada@example.org' },
      { first_name: 'Ada', last_name: 'Lovelace', 'email_primary.email': 'ada@example.org' },
    ]) as [number, number];
    s.mergeContacts(loser, survivor);
    expect({ is_deleted: contact(loser)['is_deleted'], external_identifier: contact(loser)['external_identifier'] }).toEqual({ is_deleted: true, external_identifier: null });
    const seen = await civiCall(s, 'Contact', 'get', { select: ['id'], where: [['external_identifier', '=', 'koha:1001']] });
    expect(seen.values).toEqual([{ id: survivor }]);
    expect((await civiCall(s, 'Contact', 'get', { select: ['id'], where: [['id', '=', loser]] })).values).toEqual([]);
  });

  it('keeps the survivor\'s own external_identifier; the loser keeps its one in the trash, where it still blocks the key', async () => {
    const [loser, survivor] = s.addContacts([
      { first_name: 'Grace', last_name: 'Hopper', external_identifier: 'koha:1002' },
      { first_name: 'Grace', last_name: 'Hopper', external_identifier: 'donor:77' },
    ]) as [number, number];
    s.mergeContacts(loser, survivor);
    expect([contact(loser)['external_identifier'], contact(survivor)['external_identifier']]).toEqual(['koha:1002', 'donor:77']);
    const saved = await civiCall(s, 'Contact', 'save', { records: [{ external_identifier: 'koha:1002', first_name: 'Grace' }], match: ['external_identifier'] });
    expect({ status: saved.status, message: saved.body['error_message'] }).toEqual({ status: 500, message: 'DB Error: already exists' });
  });

  it('leaves the external_identifier on the loser when the user unticks it', () => {
    const [loser, survivor] = s.addContacts([{ last_name: 'Lamarr', external_identifier: 'koha:1003' }, { last_name: 'Lamarr' }]) as [number, number];
    s.mergeContacts(loser, survivor, { moveExternalIdentifier: false });
    expect([contact(loser)['external_identifier'], contact(survivor)['external_identifier'] ?? null]).toEqual(['koha:1003', null]);
  });

  it('fills the survivor\'s empty fields from the loser and keeps its own values elsewhere', () => {
    const [loser, survivor] = s.addContacts([
      { first_name: 'Katherine', last_name: 'Johnson', birth_date: '1918-08-26', job_title: 'Mathematician' },
      { first_name: 'Kate', last_name: 'Johnson', job_title: 'Computer' },
    ]) as [number, number];
    s.mergeContacts(loser, survivor);
    const kept = contact(survivor);
    expect({ first_name: kept['first_name'], birth_date: kept['birth_date'], job_title: kept['job_title'], display_name: kept['display_name'] })
      .toEqual({ first_name: 'Kate', birth_date: '1918-08-26', job_title: 'Computer', display_name: 'Kate Johnson' });
    s.mergeContacts(s.addContacts([{ first_name: 'K.', last_name: 'Johnson' }])[0]!, survivor, { takeFromLoser: ['first_name'] });
    expect(contact(survivor)['display_name']).toBe('K. Johnson');
  });

  it('moves emails of another location type, keeps the survivor\'s where both have one of the same type', async () => {
    const [loser, survivor] = s.addContacts([
      { last_name: 'Noether', 'email_primary.email': 'emmy@home.example' },
      { last_name: 'Noether', 'email_primary.email': 'noether@home.example' },
    ]) as [number, number];
    const work = await civiCall(s, 'Email', 'create', { values: { contact_id: loser, email: 'Emmy@Work.example', location_type_id: 2 } });
    expect(work.status).toBe(200);
    s.mergeContacts(loser, survivor);
    const emails = await civiCall(s, 'Email', 'get', { select: ['email', 'is_primary', 'location_type_id'], where: [['contact_id', '=', survivor]], orderBy: { id: 'ASC' } });
    expect(emails.values).toEqual([
      { email: 'noether@home.example', is_primary: true, location_type_id: 1 },
      { email: 'emmy@work.example', is_primary: false, location_type_id: 2 },
    ]);
  });

  it('moves group memberships the survivor lacks and re-adds one it had removed', async () => {
    const [loser, survivor] = s.addContacts([{ last_name: 'Curie' }, { last_name: 'Curie' }]) as [number, number];
    for (const name of ['Readers', 'Friends']) expect((await civiCall(s, 'Group', 'create', { values: { name, title: name } })).status).toBe(200);
    s.addToGroup(loser, 'Readers');
    s.addToGroup(loser, 'Friends');
    s.addToGroup(survivor, 'Friends');
    s.removeFromGroup(survivor, 'Friends');
    s.mergeContacts(loser, survivor);
    const rows = await civiCall(s, 'GroupContact', 'get', { select: ['group_id:name', 'contact_id', 'status'], where: [['contact_id', 'IN', [loser, survivor]]], orderBy: { 'group_id:name': 'ASC' } }, 'admin');
    expect(rows.values).toEqual([
      { 'group_id:name': 'Friends', contact_id: survivor, status: 'Added' },
      { 'group_id:name': 'Readers', contact_id: survivor, status: 'Added' },
    ]);
  });

  it('records the merge as activities: "Contact Merged" on the survivor, its child "Contact Deleted by Merge" on the loser', async () => {
    const [loser, survivor] = s.addContacts([{ last_name: 'Franklin' }, { last_name: 'Franklin' }]) as [number, number];
    const { mergedActivityId, deletedActivityId } = s.mergeContacts(loser, survivor);
    const got = await civiCall(s, 'Activity', 'get', {
      select: ['id', 'activity_type_id:name', 'subject', 'status_id:name', 'target_contact_id', 'source_contact_id', 'parent_id'],
      where: [['id', 'IN', [mergedActivityId, deletedActivityId]]], orderBy: { id: 'ASC' },
    }, 'admin');
    expect(got.values).toEqual([
      { id: mergedActivityId, 'activity_type_id:name': 'Contact Merged', subject: `Contact ID ${loser} has been merged and deleted.`, 'status_id:name': 'Completed', target_contact_id: [survivor], source_contact_id: 2, parent_id: null },
      { id: deletedActivityId, 'activity_type_id:name': 'Contact Deleted by Merge', subject: `Contact ID ${loser} has been merged into Contact ID ${survivor} and deleted.`, 'status_id:name': 'Completed', target_contact_id: [loser], source_contact_id: 2, parent_id: mergedActivityId },
    ]);
  });

  it('refuses a contact in the trash, as Merger.php does', () => {
    const [loser, survivor] = s.addContacts([{ last_name: 'Meitner' }, { last_name: 'Meitner' }]) as [number, number];
    s.trashContact(loser);
    expect(() => s.mergeContacts(loser, survivor)).toThrow(`Cannot merge because one contact (ID ${loser}) has been deleted.`);
  });
});

describe('Contact.getMergedTo / getMergedFrom', () => {
  it('need "administer CiviCRM": the sync user gets 403, like getDuplicates', async () => {
    const [loser, survivor] = s.addContacts([{ last_name: 'Turing' }, { last_name: 'Turing' }]) as [number, number];
    s.mergeContacts(loser, survivor);
    const denied = await mergedTo(loser, 'sync');
    expect({ status: denied.status, message: denied.body['error_message'] }).toEqual({ status: 403, message: 'Authorization failed: CiviCRM APIv4 (Contact::getMergedTo)' });
  });

  it('answer the survivor, and [null] / [[]] for a contact never merged', async () => {
    const [loser, survivor, other] = s.addContacts([{ last_name: 'Turing' }, { last_name: 'Turing' }, { last_name: 'Babbage' }]) as [number, number, number];
    s.mergeContacts(loser, survivor);
    const to = await mergedTo(loser);
    expect({ status: to.status, values: to.body['values'], count: to.body['count'] }).toEqual({ status: 200, values: [{ id: survivor }], count: 1 });
    expect((await mergedTo(other)).body['values']).toEqual([null]);
    expect((await mergedFrom(survivor)).body['values']).toEqual([{ id: loser }]);
    expect((await mergedFrom(other)).body['values']).toEqual([[]]);
  });

  it('follow a chain of merges to the last survivor, also after the first loser was deleted from the trash', async () => {
    const [first, second, last] = s.addContacts([{ last_name: 'Hamilton' }, { last_name: 'Hamilton' }, { last_name: 'Hamilton' }]) as [number, number, number];
    s.mergeContacts(first, second);
    s.mergeContacts(second, last);
    expect((await mergedTo(first)).body['values']).toEqual([{ id: last }]);
    expect((await mergedTo(second)).body['values']).toEqual([{ id: last }]);
    expect(((await mergedFrom(last)).body['values'] as Array<{ id: number }>).map((v) => v.id).sort()).toEqual([first, second].sort());
    s.deleteContact(first);
    expect((await mergedTo(first)).body['values']).toEqual([{ id: last }]);
  });

  it('require contactId', async () => {
    const res = await civiCall(s, 'Contact', 'getMergedTo', {}, 'admin');
    expect({ status: res.status, message: res.body['error_message'] }).toEqual({ status: 500, message: 'Parameter "contactId" is required.' });
  });
});
