/**
 * The sandbox CiviCRM answers `=` / IN from indexes (src/sandbox/civicrm/store.ts). What the sync reads through
 * them must stay what a full scan would give: after edits, trash, merges and deletes, compared as the collation
 * compares (case, accents, trailing spaces), for e-mails, external identifiers, custom fields and activity contacts.
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

const ids = async (entity: string, where: unknown[][], who: 'sync' | 'admin' = 'sync') => {
  const got = await civiCall(s, entity, 'get', { select: ['id'], where }, who);
  expect(got.status).toBe(200);
  return got.values.map((v) => v['id']);
};

describe('contacts by e-mail and external identifier', () => {
  it('finds a contact by its primary e-mail whatever the case and accents, and by its new one after an edit', async () => {
    const [ada, bob] = s.addContacts([
      { first_name: 'Ada', last_name: 'L', external_identifier: 'koha:1', 'email_primary.email': 'Zoe@Example.org' },
      { first_name: 'Bob', last_name: 'M', external_identifier: 'koha:2', 'email_primary.email': 'bob@example.org' },
    ]) as [number, number];
    expect(await ids('Contact', [['email_primary.email', 'IN', ['ZOË@example.org ', 'nobody@example.org']]])).toEqual([ada]);
    s.editContact(ada, { 'email_primary.email': 'ada@example.org' });
    expect(await ids('Contact', [['email_primary.email', 'IN', ['zoe@example.org']]])).toEqual([]);
    expect(await ids('Contact', [['email_primary.email', 'IN', ['ADA@example.org', 'bob@example.org']], ['contact_type', '=', 'Individual']])).toEqual([ada, bob]);
  });

  it('matches only a primary e-mail: a second address of the contact does not count', async () => {
    const [ada] = s.addContacts([{ first_name: 'Ada', last_name: 'L', 'email_primary.email': 'ada@example.org' }]) as [number];
    const added = await civiCall(s, 'Email', 'create', { values: { contact_id: ada, email: 'other@example.org', is_primary: false } }, 'admin');
    expect(added.status).toBe(200);
    expect(await ids('Contact', [['email_primary.email', '=', 'other@example.org']])).toEqual([]);
    expect(await ids('Contact', [['email_primary.email', '=', 'ada@example.org']])).toEqual([ada]);
  });

  it('hides a trashed contact from the sync user, shows it again once restored, and forgets a deleted one', async () => {
    const [ada, bob] = s.addContacts([
      { first_name: 'Ada', last_name: 'L', external_identifier: 'koha:1', 'email_primary.email': 'ada@example.org' },
      { first_name: 'Bob', last_name: 'M', external_identifier: 'koha:2', 'email_primary.email': 'bob@example.org' },
    ]) as [number, number];
    s.trashContact(ada);
    expect(await ids('Contact', [['external_identifier', 'IN', ['koha:1', 'koha:2']]])).toEqual([bob]);
    expect(await ids('Contact', [['email_primary.email', '=', 'ada@example.org']])).toEqual([]);
    s.restoreContact(ada);
    expect(await ids('Contact', [['external_identifier', 'IN', ['KOHA:1', 'koha:2']]])).toEqual([ada, bob]);
    s.deleteContact(bob);
    expect(await ids('Contact', [['external_identifier', 'IN', ['koha:1', 'koha:2']]], 'admin')).toEqual([ada]);
    expect(await ids('Contact', [['email_primary.email', '=', 'bob@example.org']], 'admin')).toEqual([]);
  });

  it('after a merge, the key and the e-mail lead to the survivor only', async () => {
    const [loser, survivor] = s.addContacts([
      { first_name: 'Ada', last_name: 'L', external_identifier: 'koha:1', 'email_primary.email': 'ada@example.org' },
      { first_name: 'Ada', last_name: 'L', 'email_primary.email': 'ada.l@example.org' },
    ]) as [number, number];
    s.mergeContacts(loser, survivor);
    expect(await ids('Contact', [['external_identifier', '=', 'koha:1']])).toEqual([survivor]);
    expect(await ids('Contact', [['email_primary.email', 'IN', ['ada@example.org', 'ada.l@example.org']]])).toEqual([survivor]);
  });

  it('an external identifier changed by a user is found under the new key, not the old', async () => {
    const [ada] = s.addContacts([{ first_name: 'Ada', last_name: 'L', external_identifier: 'koha:1' }]) as [number];
    s.editContact(ada, { external_identifier: 'koha:100' });
    expect(await ids('Contact', [['external_identifier', '=', 'koha:1']])).toEqual([]);
    expect(await ids('Contact', [['external_identifier', '=', 'koha:100']])).toEqual([ada]);
  });
});

describe('activities by a custom field and by contact', () => {
  const loan = (id: string, contact: number, extra: Record<string, unknown> = {}) => ({
    activity_type_id: 1, subject: 'Loan', source_contact_id: contact, target_contact_id: [contact], 'Library_Loan.Loan_ID': id, ...extra,
  });
  let ada: number;
  let bob: number;
  beforeEach(async () => {
    const g = await civiCall(s, 'CustomGroup', 'save', { records: [{ name: 'Library_Loan', title: 'Library loan', extends: 'Activity', style: 'Inline' }], match: ['name'] }, 'admin');
    expect(g.status).toBe(200);
    const f = await civiCall(s, 'CustomField', 'save', {
      records: [{ 'custom_group_id:name': 'Library_Loan', name: 'Loan_ID', label: 'Loan ID', data_type: 'String', html_type: 'Text' }], match: ['custom_group_id', 'name'],
    }, 'admin');
    expect(f.status).toBe(200);
    [ada, bob] = s.addContacts([{ first_name: 'Ada', last_name: 'L' }, { first_name: 'Bob', last_name: 'M' }]) as [number, number];
  });

  it('save with match on the loan id updates the one activity, also when the id is sent in another case', async () => {
    const first = await civiCall(s, 'Activity', 'save', { records: [loan('L-1', ada), loan('L-2', bob)], match: ['Library_Loan.Loan_ID'] });
    expect(first.body['countMatched']).toBe(0);
    const again = await civiCall(s, 'Activity', 'save', { records: [loan('l-1', ada, { subject: 'Returned' })], match: ['Library_Loan.Loan_ID'] });
    expect({ matched: again.body['countMatched'], id: again.values[0]!['id'] }).toEqual({ matched: 1, id: first.values[0]!['id'] });
    const got = await civiCall(s, 'Activity', 'get', { select: ['subject'], where: [['Library_Loan.Loan_ID', 'IN', ['L-1', 'L-2']]] });
    expect(got.values).toEqual([{ subject: 'Returned' }, { subject: 'Loan' }]);
  });

  it('a loan id changed or deleted is no longer found under the old one', async () => {
    const saved = await civiCall(s, 'Activity', 'save', { records: [loan('L-1', ada), loan('L-2', bob)], match: ['Library_Loan.Loan_ID'] });
    const [a1, a2] = saved.values.map((v) => v['id']);
    await civiCall(s, 'Activity', 'update', { where: [['id', '=', a1]], values: { 'Library_Loan.Loan_ID': 'L-9' } });
    expect(await ids('Activity', [['Library_Loan.Loan_ID', '=', 'L-1']])).toEqual([]);
    expect(await ids('Activity', [['Library_Loan.Loan_ID', '=', 'L-9']])).toEqual([a1]);
    const deleted = await civiCall(s, 'Activity', 'delete', { where: [['Library_Loan.Loan_ID', 'IN', ['L-2']]] }, 'admin');
    expect(deleted.values).toEqual([{ id: a2 }]);
    expect(await ids('Activity', [['Library_Loan.Loan_ID', 'IN', ['L-2', 'L-9']]])).toEqual([a1]);
  });

  it('finds activities by target contact, and after a merge under the survivor', async () => {
    const saved = await civiCall(s, 'Activity', 'save', { records: [loan('L-1', ada), loan('L-2', bob)], match: ['Library_Loan.Loan_ID'] });
    const [a1, a2] = saved.values.map((v) => v['id']);
    expect(await ids('Activity', [['activity_type_id', '=', 1], ['target_contact_id', 'IN', [ada]]])).toEqual([a1]);
    s.mergeContacts(ada, bob);
    expect(await ids('Activity', [['activity_type_id', '=', 1], ['target_contact_id', 'IN', [bob]]])).toEqual([a1, a2]);
    expect(await ids('Activity', [['activity_type_id', '=', 1], ['target_contact_id', 'IN', [ada]]])).toEqual([]);
  });
});

describe('group memberships by contact', () => {
  it('shows the status a membership has now, and memberships moved by a merge under the survivor', async () => {
    const [ada, bob] = s.addContacts([{ first_name: 'Ada', last_name: 'L' }, { first_name: 'Bob', last_name: 'M' }]) as [number, number];
    const g = await civiCall(s, 'Group', 'save', { records: [{ name: 'Readers', title: 'Readers' }], match: ['name'] }, 'admin');
    expect(g.status).toBe(200);
    s.addToGroup(ada, 'Readers');
    s.removeFromGroup(ada, 'Readers');
    const rows = async (contacts: number[]) =>
      (await civiCall(s, 'GroupContact', 'get', { select: ['contact_id', 'group_id:name', 'status'], where: [['contact_id', 'IN', contacts]] })).values;
    expect(await rows([ada, bob])).toEqual([{ contact_id: ada, 'group_id:name': 'Readers', status: 'Removed' }]);
    s.addToGroup(ada, 'Readers');
    s.mergeContacts(ada, bob);
    expect(await rows([bob])).toEqual([{ contact_id: bob, 'group_id:name': 'Readers', status: 'Added' }]);
    expect(await rows([ada])).toEqual([]);
  });
});
