/**
 * What the sink reads of the CRM before a page is decided, against the sandbox CiviCRM: contacts under
 * their keys, ones whose key was cleared, merged or trashed, candidates by e-mail or by the site's dedupe
 * rule, and memberships of managed groups only.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createCiviClient, createCiviCrmSink } from '../../connectors/civicrm/index.js';
import { nullLogger } from '../../src/core/logger.js';
import type { DesiredContact } from '../../src/core/types.js';
import { startCiviSandbox, type CiviSandbox } from '../../src/sandbox/civicrm/index.js';

let civi: CiviSandbox;
const ids: Record<string, number> = {};

const sinkAs = (key: string) =>
  createCiviCrmSink({ type: 'civicrm', base_url: civi.url, api_key: key, batch_size: 50, timeout_ms: 5000, retries: 0 }, { logger: nullLogger, retry: { minDelayMs: 1, maxDelayMs: 2 } });
const patron = (n: number, first: string, last: string, email: string): DesiredContact => ({
  externalId: `koha:${n}`, sourceId: 'koha', sourceRecordId: String(n), groups: [],
  values: { contact_type: 'Individual', external_identifier: `koha:${n}`, first_name: first, last_name: last, 'email_primary.email': email },
});
const request = (desired: DesiredContact[], known: Array<[string, number]> = [], more = {}) => ({
  desired, known: new Map(known), matchFields: ['email_primary.email', 'first_name', 'last_name'], chosen: [], managedGroup: (n: string) => n.startsWith('Koha_'), ...more,
});

beforeAll(async () => {
  civi = await startCiviSandbox();
  const made = civi.addContacts([
    { contact_type: 'Individual', first_name: 'Ada', last_name: 'Lovelace', external_identifier: 'koha:1', 'email_primary.email': 'ada@example.org' },
    { contact_type: 'Individual', first_name: 'Grace', last_name: 'Hopper', 'email_primary.email': 'grace@example.org' },
    { contact_type: 'Individual', first_name: 'Alan', last_name: 'Turing', external_identifier: 'koha:3' },
    { contact_type: 'Individual', first_name: 'Kurt', last_name: 'Godel', external_identifier: 'donor:9' },
    { contact_type: 'Individual', first_name: 'Emmy', last_name: 'Noether', external_identifier: 'koha:5' },
    { contact_type: 'Individual', first_name: 'Edsger', last_name: 'Dijkstra' },
  ]);
  ['ada', 'grace', 'alan', 'kurt', 'emmy', 'edsger'].forEach((name, i) => (ids[name] = made[i]!));
  const admin = createCiviClient({ type: 'civicrm', base_url: civi.url, api_key: civi.keys.admin, batch_size: 50, timeout_ms: 5000, retries: 0 }, { logger: nullLogger });
  await admin.call('Group', 'save', { records: ['Koha_Category_ADULT', 'Donors', 'Koha_Branch_CPL'].map((name) => ({ name, title: name })), match: ['name'] });
  civi.addToGroup(ids.ada!, 'Koha_Category_ADULT');
  civi.addToGroup(ids.ada!, 'Donors');
  civi.addToGroup(ids.ada!, 'Koha_Branch_CPL');
  civi.removeFromGroup(ids.ada!, 'Koha_Branch_CPL');
  civi.mergeContacts(ids.alan!, ids.kurt!); // survivor has its own key: koha:3 stays on the trashed loser
  civi.trashContact(ids.emmy!);
  civi.editContact(ids.edsger!, { external_identifier: null });
}, 30_000);
afterAll(async () => civi?.stop());

describe('the CRM snapshot of a page', () => {
  it('finds contacts under their keys with the mapped fields and managed memberships only', async () => {
    const snap = await sinkAs(civi.keys.sync).readContacts(request([patron(1, 'Ada', 'Lovelace', 'ada@example.org')]));
    expect(snap.byKey.get('koha:1')).toMatchObject({
      kind: 'found',
      contact: { id: ids.ada, externalId: 'koha:1', values: { first_name: 'Ada', 'email_primary.email': 'ada@example.org' }, groups: ['Koha_Category_ADULT'], removedGroups: ['Koha_Branch_CPL'] },
    });
  });

  it('follows a contact last written whose key a CRM user cleared, and tells a trashed or merged-away one as gone to the sync user', async () => {
    const snap = await sinkAs(civi.keys.sync).readContacts(request(
      [patron(3, 'Alan', 'Turing', 'a@x.org'), patron(5, 'Emmy', 'Noether', 'e@x.org'), patron(6, 'Edsger', 'Dijkstra', 'd@x.org')],
      [['koha:3', ids.alan!], ['koha:5', ids.emmy!], ['koha:6', ids.edsger!]],
    ));
    expect(snap.byKey.get('koha:6')).toMatchObject({ kind: 'found', contact: { id: ids.edsger, externalId: null } });
    expect(snap.byKey.get('koha:5')).toEqual({ kind: 'gone', contactId: ids.emmy });
    expect(snap.byKey.get('koha:3')).toEqual({ kind: 'gone', contactId: ids.alan }); // getMergedTo needs "administer CiviCRM"
  });

  it('with "administer CiviCRM", a merged-away contact is followed to its survivor', async () => {
    const snap = await sinkAs(civi.keys.admin).readContacts(request([patron(3, 'Alan', 'Turing', 'a@x.org')], [['koha:3', ids.alan!]]));
    expect(snap.byKey.get('koha:3')).toMatchObject({ kind: 'merged', from: ids.alan, survivor: { id: ids.kurt, externalId: 'donor:9' } });
  });

  it('offers candidates for unlinked patrons: by e-mail in one search, or by the site\'s dedupe rule', async () => {
    const grace = patron(2, 'Grace', 'Hopper', 'Grace@Example.org');
    const byEmail = await sinkAs(civi.keys.sync).readContacts(request([grace]));
    expect(byEmail.candidates.map((c) => c.id)).toEqual([ids.grace]);
    const byRule = await sinkAs(civi.keys.admin).readContacts(request([grace], [], { dedupeRule: 'Individual.Unsupervised' }));
    expect(byRule.candidates.map((c) => c.id)).toEqual([ids.grace]);
    await expect(sinkAs(civi.keys.sync).readContacts(request([grace], [], { dedupeRule: 'Individual.Unsupervised' }))).rejects.toMatchObject({
      code: 'CRM_FORBIDDEN', message: expect.stringContaining('match.dedupe_rule needs an API user with "administer CiviCRM"'),
    });
  });

  it('a placeholder e-mail many contacts share does not crowd out a new patron\'s candidate', async () => {
    // 60 contacts share the library's placeholder e-mail; one of them carries patron 20's key (the state knows none: a first sync)
    const shared = civi.addContacts(Array.from({ length: 60 }, (_, i) => ({ contact_type: 'Individual', first_name: `P${i}`, last_name: 'Placeholder', 'email_primary.email': 'noemail@library.example', ...(i === 0 ? { external_identifier: 'koha:20' } : {}) })));
    const [lin] = civi.addContacts([{ contact_type: 'Individual', first_name: 'Lin', last_name: 'Ostrom', 'email_primary.email': 'lin@example.org' }]);
    const snap = await sinkAs(civi.keys.sync).readContacts(request([patron(20, 'P0', 'Placeholder', 'noemail@library.example'), patron(21, 'Lin', 'Ostrom', 'lin@example.org')]));
    expect(snap.byKey.get('koha:20')).toMatchObject({ kind: 'found', contact: { id: shared[0] } });
    expect(snap.candidates.map((c) => c.id)).toContain(lin);
  });
});
