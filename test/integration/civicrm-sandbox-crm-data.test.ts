/**
 * The sandbox CiviCRM holds and compares data as a real one: e-mails lower-cased on write (CRM_Core_BAO_Email),
 * strings compared as utf8mb4_unicode_ci, group memberships kept with status Added/Removed, activities of a
 * custom type with target contacts, and Contact.getDuplicates with the stock rules.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startCiviSandbox, type CiviSandbox } from '../../src/sandbox/civicrm/index.js';
import { civiCall } from './civicrm-sandbox-client.js';

let s: CiviSandbox;
beforeAll(async () => {
  s = await startCiviSandbox();
});
afterAll(async () => {
  await s.stop();
});

describe('e-mails', () => {
  it('are stored lower-cased, whether written through email_primary or Email itself', async () => {
    const saved = await civiCall(s, 'Contact', 'save', { records: [{ external_identifier: 'koha:2001', first_name: 'Ada', last_name: 'Lovelace', 'email_primary.email': 'Ada.LOVELACE@Example.ORG' }], match: ['external_identifier'] });
    const id = saved.values[0]!['id'] as number;
    await civiCall(s, 'Email', 'create', { values: { contact_id: id, email: 'ADA@WORK.example', location_type_id: 2 } });
    const read = await civiCall(s, 'Contact', 'get', { select: ['email_primary.email'], where: [['id', '=', id]] });
    expect(read.values).toEqual([{ 'email_primary.email': 'ada.lovelace@example.org' }]);
    const emails = await civiCall(s, 'Email', 'get', { select: ['email'], where: [['contact_id', '=', id]], orderBy: { id: 'ASC' } });
    expect(emails.values).toEqual([{ email: 'ada.lovelace@example.org' }, { email: 'ada@work.example' }]);
  });

  it('are found whatever the letter case of the query', async () => {
    const found = await civiCall(s, 'Contact', 'get', { select: ['external_identifier'], where: [['email_primary.email', '=', 'ADA.Lovelace@EXAMPLE.org']] });
    expect(found.values).toEqual([{ external_identifier: 'koha:2001' }]);
  });
});

describe('CRM staff editing a contact', () => {
  it('editContact writes like the contact screen: names recomputed, e-mail replaced in place, modified_date moved', async () => {
    let clock = new Date('2026-11-23T10:00:00Z');
    const own = await startCiviSandbox({ now: () => clock });
    try {
      const [id] = own.addContacts([{ first_name: 'Augusta', last_name: 'King', 'email_primary.email': 'augusta@example.org' }]) as [number];
      clock = new Date('2026-11-24T08:30:00Z');
      own.editContact(id, { first_name: 'Ada', 'email_primary.email': 'Ada@Example.org' });
      const got = await civiCall(own, 'Contact', 'get', { select: ['display_name', 'sort_name', 'email_primary.email', 'created_date', 'modified_date'], where: [['id', '=', id]] });
      expect(got.values).toEqual([{ display_name: 'Ada King', sort_name: 'King, Ada', 'email_primary.email': 'ada@example.org', created_date: '2026-11-23 10:00:00', modified_date: '2026-11-24 08:30:00' }]);
      expect(own.rows('Email').filter((e) => e['contact_id'] === id)).toHaveLength(1);
      expect(() => own.editContact(9999, { first_name: 'Nobody' })).toThrow('no contact 9999');
    } finally {
      await own.stop();
    }
  });
});

describe('names and keys compare as utf8mb4_unicode_ci', () => {
  it('finds "Zoë" stored composed or decomposed by "zoe"', async () => {
    const [composed, decomposed] = s.addContacts([{ first_name: 'Zoë', last_name: 'Ñúñez' }, { first_name: 'Zoe\u0308', last_name: 'N\u0303u\u0301n\u0303ez' }]);
    const found = await civiCall(s, 'Contact', 'get', { select: ['id'], where: [['first_name', '=', 'zoe'], ['last_name', '=', 'NUNEZ']], orderBy: { id: 'ASC' } });
    expect(found.values).toEqual([{ id: composed }, { id: decomposed }]);
  });

  it('treats external identifiers differing only in accents or case as the same key', async () => {
    s.addContacts([{ last_name: 'Key', external_identifier: 'koha:été' }]);
    const clash = await civiCall(s, 'Contact', 'create', { values: { last_name: 'Key', external_identifier: 'KOHA:ETE' } });
    expect({ status: clash.status, message: clash.body['error_message'] }).toEqual({ status: 500, message: 'DB Error: already exists' });
  });
});

describe('group memberships', () => {
  let member: number;
  beforeAll(async () => {
    expect((await civiCall(s, 'Group', 'save', { records: [{ name: 'Library_Patrons', title: 'Library patrons' }], match: ['name'] })).status).toBe(200);
    [member] = s.addContacts([{ first_name: 'Group', last_name: 'Member' }]) as [number];
    const added = await civiCall(s, 'GroupContact', 'save', { records: [{ 'group_id:name': 'Library_Patrons', contact_id: member, status: 'Added' }], match: ['group_id', 'contact_id'] });
    expect(added.status).toBe(200);
  });
  const inGroup = async () => (await civiCall(s, 'Contact', 'get', { select: ['id'], where: [['id', '=', member], ['groups:name', 'IN', ['Library_Patrons']]] })).values;

  it('removeFromGroup keeps the row with status Removed, as a CRM user removing someone does', async () => {
    s.removeFromGroup(member, 'Library_Patrons');
    const rows = await civiCall(s, 'GroupContact', 'get', { select: ['contact_id', 'status'], where: [['group_id:name', '=', 'Library_Patrons']] });
    expect(rows.values).toEqual([{ contact_id: member, status: 'Removed' }]);
    expect(await inGroup()).toEqual([]);
  });

  it('removeFromGroup refuses a contact that is not in the group; addToGroup puts it back', async () => {
    expect(() => s.removeFromGroup(member, 'Library_Patrons')).toThrow(`contact ${member} is not in group Library_Patrons`);
    s.addToGroup(member, 'Library_Patrons');
    expect(await inGroup()).toEqual([{ id: member }]);
    expect(s.rows('GroupContact').filter((r) => r['contact_id'] === member)).toHaveLength(1);
  });
});

describe('activities of a custom type', () => {
  it('an activity type made with OptionValue.save (admin) takes activities with target contacts from the sync user', async () => {
    const [target] = s.addContacts([{ first_name: 'Conflicted', last_name: 'Patron' }]) as [number];
    const type = await civiCall(s, 'OptionValue', 'save', { records: [{ 'option_group_id:name': 'activity_type', name: 'Sync_Conflict', label: 'Sync conflict', is_active: true }], match: ['option_group_id', 'name'] }, 'admin');
    expect(type.values[0]!).toMatchObject({ name: 'Sync_Conflict', label: 'Sync conflict', value: '56', option_group_id: 2 });
    const saved = await civiCall(s, 'Activity', 'save', {
      records: [{ 'activity_type_id:name': 'Sync_Conflict', subject: 'Sync conflict: first_name', details: 'koha:3001', 'status_id:name': 'Scheduled', source_contact_id: 3, target_contact_id: [target] }],
    });
    expect(saved.status).toBe(200);
    const id = saved.values[0]!['id'];
    const got = await civiCall(s, 'Activity', 'get', {
      select: ['id', 'activity_type_id:name', 'subject', 'details', 'status_id:name', 'source_contact_id', 'target_contact_id'],
      where: [['target_contact_id', '=', target], ['activity_type_id:name', '=', 'Sync_Conflict']],
    });
    expect(got.values).toEqual([{ id, 'activity_type_id:name': 'Sync_Conflict', subject: 'Sync conflict: first_name', details: 'koha:3001', 'status_id:name': 'Scheduled', source_contact_id: 3, target_contact_id: [target] }]);
    const links = await civiCall(s, 'ActivityContact', 'get', { select: ['contact_id', 'record_type_id', 'record_type_id:name'], where: [['activity_id', '=', id]], orderBy: { record_type_id: 'DESC' } });
    expect(links.values).toEqual([
      { contact_id: target, record_type_id: 3, 'record_type_id:name': 'Activity Targets' },
      { contact_id: 3, record_type_id: 2, 'record_type_id:name': 'Activity Source' },
    ]);
  });
});

describe('Contact.getDuplicates', () => {
  let grace: number;
  beforeAll(() => {
    [grace] = s.addContacts([{ first_name: 'Grace', last_name: 'Hopper', 'email_primary.email': 'grace@navy.example' }]) as [number];
  });
  const dupes = async (dedupeRule: string, values: Record<string, unknown>) => (await civiCall(s, 'Contact', 'getDuplicates', { dedupeRule, values }, 'admin')).values;

  it('is refused to the sync user (recorded 403)', async () => {
    const res = await civiCall(s, 'Contact', 'getDuplicates', { dedupeRule: 'Individual.Unsupervised', values: { 'email_primary.email': 'grace@navy.example' } });
    expect({ status: res.status, message: res.body['error_message'] }).toEqual({ status: 403, message: 'Authorization failed: CiviCRM APIv4 (Contact::getDuplicates)' });
  });

  it('Unsupervised matches the e-mail alone, in any letter case; Supervised needs names and e-mail', async () => {
    expect(await dupes('Individual.Unsupervised', { first_name: 'Someone', 'email_primary.email': 'GRACE@navy.example' })).toEqual([{ id: grace }]);
    expect(await dupes('Individual.Supervised', { first_name: 'Someone', last_name: 'Hopper', 'email_primary.email': 'grace@navy.example' })).toEqual([]);
    expect(await dupes('Individual.Supervised', { first_name: 'grace', last_name: 'HOPPER', 'email_primary.email': 'grace@navy.example' })).toEqual([{ id: grace }]);
  });

  it('takes a rule group by name or id, and never returns a contact in the trash', async () => {
    expect(await dupes('IndividualUnsupervised', { 'email_primary.email': 'grace@navy.example' })).toEqual([{ id: grace }]);
    expect(await dupes('4', { 'email_primary.email': 'grace@navy.example' })).toEqual([{ id: grace }]);
    s.trashContact(grace);
    expect(await dupes('Individual.Unsupervised', { 'email_primary.email': 'grace@navy.example' })).toEqual([]);
    s.restoreContact(grace);
  });
});
