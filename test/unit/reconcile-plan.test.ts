/** The pure reconcile: field policies, group memberships, the match ladder and the plan, as tables written by hand. */
import { describe, expect, it } from '@jest/globals';
import type { ConflictPolicy, Resolution } from '../../src/core/conflicts.js';
import type { CrmContact, CrmLookup, DesiredContact, FieldState, SentState, Value } from '../../src/core/types.js';
import { decideField, decideGroups, matchContact, reconcile, valueHash, type SyncPolicy } from '../../src/reconcile/index.js';

const st = (sourceValue: Value, written: Value = sourceValue): FieldState => ({ s: valueHash(sourceValue, 'email'), w: written });

describe('a field: write, keep the CRM value, or hold it', () => {
  // desired, crm (undefined: new contact), last synced, policy → write?, conflict decision (or none)
  it.each<[string, Value, Value | undefined, FieldState | undefined, ConflictPolicy, boolean, ConflictPolicy | null]>([
    ['a new contact gets every value', 'a@x.org', undefined, undefined, 'crm', true, null],
    ['nothing changed', 'a@x.org', 'a@x.org', st('a@x.org'), 'crm', false, null],
    ['the CRM lower-cased it: the same value', 'Ada@X.org', 'ada@x.org', st('Ada@X.org'), 'crm', false, null],
    ['the source changed, the CRM did not: written', 'new@x.org', 'a@x.org', st('a@x.org'), 'crm', true, null],
    ['a CRM user changed it, the source did not: kept, logged once', 'a@x.org', 'fixed@x.org', st('a@x.org'), 'source', false, 'crm'],
    ['a CRM user changed it, already logged: nothing', 'a@x.org', 'fixed@x.org', { ...st('a@x.org'), c: valueHash('fixed@x.org', 'email') }, 'source', false, null],
    ['both changed, policy source: written, logged', 'new@x.org', 'fixed@x.org', st('a@x.org'), 'source', true, 'source'],
    ['both changed, policy crm: kept, logged', 'new@x.org', 'fixed@x.org', st('a@x.org'), 'crm', false, 'crm'],
    ['both changed, policy review: held', 'new@x.org', 'fixed@x.org', st('a@x.org'), 'review', false, 'review'],
    ['both changed to the same value: nothing', 'new@x.org', 'NEW@x.org', st('a@x.org'), 'review', false, null],
    ['no record of the last write, CRM holds another value: a CRM edit', 'a@x.org', 'other@x.org', undefined, 'crm', false, 'crm'],
    ['no record of the last write, CRM blank: written', 'a@x.org', null, undefined, 'crm', true, null],
    ['clear_when_empty: a blank source clears a value we wrote', null, 'a@x.org', st('a@x.org'), 'crm', true, null],
    ['clear_when_empty: a blank source never clears a CRM user\'s value under crm', null, 'fixed@x.org', st('a@x.org'), 'crm', false, 'crm'],
  ])('%s', (_name, desired, crm, last, policy, write, decision) => {
    const d = decideField({ field: 'email_primary.email', desired, crm, last, policy, how: 'email', resend: false });
    expect(d.write).toBe(write);
    expect(d.conflict?.decision ?? null).toBe(decision);
    if (d.conflict) expect(d.conflict).toMatchObject({ kind: 'field', field: 'email_primary.email', crm, source: desired, reason: expect.stringContaining('email_primary.email') });
  });

  it('after keeping the CRM value, the same source value raises no new conflict; a later source change does', () => {
    const kept = decideField({ field: 'email_primary.email', desired: 'new@x.org', crm: 'fixed@x.org', last: st('a@x.org'), policy: 'crm', how: 'email', resend: false });
    const again = decideField({ field: 'email_primary.email', desired: 'new@x.org', crm: 'fixed@x.org', last: kept.next, policy: 'crm', how: 'email', resend: false });
    expect(again).toEqual({ write: false, next: undefined });
    const later = decideField({ field: 'email_primary.email', desired: 'newer@x.org', crm: 'fixed@x.org', last: kept.next, policy: 'crm', how: 'email', resend: false });
    expect(later.conflict?.decision).toBe('crm');
  });

  it('resend treats every source value as changed; answers of a person override the policy', () => {
    expect(decideField({ field: 'first_name', desired: 'Ada', crm: 'Adah', last: { s: valueHash('Ada', 'text'), w: 'Ada' }, policy: 'source', how: 'text', resend: true }).write).toBe(true);
    const take = (r: Resolution) => decideField({ field: 'first_name', desired: 'Ada', crm: 'Adah', last: { s: valueHash('Ann', 'text'), w: 'Ann' }, policy: 'review', how: 'text', resend: false, resolution: r });
    expect(take({ take: 'source' })).toMatchObject({ write: true, next: { w: 'Ada' } });
    expect(take({ take: 'crm' })).toMatchObject({ write: false, next: { w: 'Adah' } });
  });

  it('dates compare by day and numbers by value, as CiviCRM returns them', () => {
    expect(decideField({ field: 'birth_date', desired: '2001-02-03', crm: '2001-02-03 00:00:00', last: undefined, policy: 'review', how: 'date', resend: false }).write).toBe(false);
    expect(decideField({ field: 'Lib.Count', desired: 7, crm: '7', last: undefined, policy: 'review', how: 'number', resend: false }).write).toBe(false);
  });
});

describe('group memberships of managed groups', () => {
  const G = (name: string) => ({ name, title: name });
  // desired, CRM has, CRM user removed, we put it in last, policy → add, remove, conflict decision
  it.each<[string, string[], string[], string[], string[] | undefined, ConflictPolicy, string[], string[], ConflictPolicy | null]>([
    ['already a member', ['A'], ['A'], [], ['A'], 'crm', [], [], null],
    ['newly wanted: added', ['A', 'B'], ['A'], [], ['A'], 'crm', ['B'], [], null],
    ['the patron left a group we put it in: removed', ['A'], ['A', 'B'], [], ['A', 'B'], 'crm', [], ['B'], null],
    ['a CRM user added it to another managed group: left alone', ['A'], ['A', 'C'], [], ['A'], 'crm', [], [], null],
    ['a CRM user took it out, policy crm: not added again', ['A'], [], ['A'], ['A'], 'crm', [], [], 'crm'],
    ['a CRM user took it out, policy source: added again, logged', ['A'], [], ['A'], ['A'], 'source', ['A'], [], 'source'],
    ['a CRM user took it out, policy review: held', ['A'], [], ['A'], ['A'], 'review', [], [], 'review'],
    ['no record of our last write, the CRM shows a removal: a conflict', ['A'], [], ['A'], undefined, 'crm', [], [], 'crm'],
  ])('%s', (_n, desired, crmGroups, removed, last, policy, add, remove, decision) => {
    const d = decideGroups({ desired: desired.map(G), crm: { groups: crmGroups, removedGroups: removed }, last, declined: [], policy, resolutions: new Map() });
    expect(d.add.map((g) => g.name)).toEqual(add);
    expect(d.remove).toEqual(remove);
    expect(d.conflicts[0]?.decision ?? null).toBe(decision);
  });

  it('a group left out for a CRM user stays out without a new conflict, until a person answers', () => {
    const first = decideGroups({ desired: [G('A')], crm: { groups: [], removedGroups: ['A'] }, last: ['A'], declined: [], policy: 'crm', resolutions: new Map() });
    expect(first.declined).toEqual(['A']);
    const again = decideGroups({ desired: [G('A')], crm: { groups: [], removedGroups: ['A'] }, last: first.next, declined: first.declined, policy: 'crm', resolutions: new Map() });
    expect(again).toMatchObject({ add: [], conflicts: [], declined: ['A'] });
    const answered = decideGroups({ desired: [G('A')], crm: { groups: [], removedGroups: ['A'] }, last: first.next, declined: first.declined, policy: 'crm', resolutions: new Map([['A', { take: 'source' }]]) });
    expect(answered.add.map((g) => g.name)).toEqual(['A']);
  });
});

const desired = (id: string, values: Record<string, Value>, groups: string[] = []): DesiredContact => ({
  externalId: `koha:${id}`, sourceId: 'koha', sourceRecordId: id,
  values: { contact_type: 'Individual', external_identifier: `koha:${id}`, ...values },
  groups: groups.map((name) => ({ name, title: name })),
});
const crmContact = (id: number, values: Record<string, Value>, externalId: string | null = null, groups: string[] = []): CrmContact => ({
  id, externalId, values: { contact_type: 'Individual', external_identifier: externalId, ...values }, groups, removedGroups: [],
});
const FIELDS = ['email_primary.email', 'first_name', 'last_name'];
const ada = desired('1', { first_name: 'Ada', last_name: 'Lovelace', 'email_primary.email': 'ada@example.org' });

describe('the match ladder', () => {
  it.each<[string, CrmContact[], string]>([
    ['no candidate: a new contact', [], 'none'],
    ['one with the same e-mail and names: linked', [crmContact(5, { first_name: 'Ada', last_name: 'Lovelace', 'email_primary.email': 'ADA@example.org' })], 'one:5'],
    ['names in another Unicode form, case and spacing: the same person', [crmContact(5, { first_name: ' ADA ', last_name: 'Lovelace', 'email_primary.email': 'ada@example.org' })], 'one:5'],
    ['a housemate with the same e-mail only: a new contact', [crmContact(6, { first_name: 'Byron', last_name: 'Lovelace', 'email_primary.email': 'ada@example.org' })], 'none'],
    ['two with the same e-mail and names: a conflict', [crmContact(5, { first_name: 'Ada', last_name: 'Lovelace', 'email_primary.email': 'ada@example.org' }), crmContact(9, { first_name: 'Ada', last_name: 'Lovelace', 'email_primary.email': 'ada@example.org' })], 'conflict:match:5,9'],
    ['one that carries another key: a conflict, never overwritten', [crmContact(5, { first_name: 'Ada', last_name: 'Lovelace', 'email_primary.email': 'ada@example.org' }, 'donor:77')], 'conflict:linked_elsewhere:5'],
  ])('%s', (_n, candidates, expected) => {
    const m = matchContact(ada, candidates, FIELDS, new Set());
    const got = m.kind === 'one' ? `one:${m.contact.id}` : m.kind === 'conflict' ? `conflict:${m.conflict.kind}:${m.conflict.candidates!.join(',')}` : 'none';
    expect(got).toBe(expected);
  });

  it('composed and decomposed accents are one name; a patron without an e-mail is never matched', () => {
    const zoe = desired('2', { first_name: 'Zoe\u0301', last_name: 'Dupont', 'email_primary.email': 'z@example.org' });
    expect(matchContact(zoe, [crmContact(5, { first_name: 'Zoé', last_name: 'Dupont', 'email_primary.email': 'z@example.org' })], FIELDS, new Set()).kind).toBe('one');
    const noEmail = desired('3', { first_name: 'Ada', last_name: 'Lovelace' });
    expect(matchContact(noEmail, [crmContact(5, { first_name: 'Ada', last_name: 'Lovelace', 'email_primary.email': null })], FIELDS, new Set()).kind).toBe('none');
  });
});

describe('the plan of a page', () => {
  const policy: SyncPolicy = {
    fieldPolicy: (f) => (f.startsWith('email_') || f.startsWith('phone_') ? 'crm' : 'source'),
    groupPolicy: 'crm', matchFields: FIELDS, onTrashed: 'conflict', onDeleted: 'conflict',
  };
  const plan = (lookup: CrmLookup | undefined, opts: { sent?: SentState; candidates?: CrmContact[]; policy?: Partial<SyncPolicy>; resolutions?: Array<[string, Resolution]> } = {}) =>
    reconcile({
      desired: [ada],
      sent: new Map(opts.sent ? [['koha:1', opts.sent]] : []),
      snapshot: { byKey: new Map(lookup ? [['koha:1', lookup]] : []), candidates: opts.candidates ?? [] },
      resolutions: new Map(opts.resolutions ?? []),
      comparisons: new Map([['email_primary.email', 'email' as const]]),
      policy: { ...policy, ...opts.policy },
      resend: false,
    })[0]!;
  const linkedAda = crmContact(5, { first_name: 'Ada', last_name: 'Lovelace', 'email_primary.email': 'ada@example.org' }, 'koha:1');
  const synced: SentState = {
    fields: Object.fromEntries(Object.entries(ada.values).map(([f, v]) => [f, { s: valueHash(v, f.startsWith('email') ? 'email' : 'text'), w: v }])),
    groups: [], contactId: 5, at: '2026-11-01T00:00:00Z',
  };

  it('a contact under its key that matches: unchanged, nothing written', () => {
    expect(plan({ kind: 'found', contact: linkedAda }, { sent: synced })).toMatchObject({ op: null, outcome: 'unchanged', conflicts: [] });
  });

  it('a contact a CRM user deleted is not "unchanged": with policy conflict it is held, with restore it is restored', () => {
    expect(plan({ kind: 'gone', contactId: 5 }, { sent: synced })).toMatchObject({ op: null, outcome: 'held', held: true, conflicts: [{ kind: 'gone', contactId: 5, decision: 'review' }] });
    expect(plan({ kind: 'gone', contactId: 5 }, { sent: synced, policy: { onTrashed: 'restore' } }).op).toMatchObject({ mode: 'restore', contactId: 5 });
    expect(plan({ kind: 'gone', contactId: 5 }, { sent: synced, policy: { onDeleted: 'recreate' } }).op).toMatchObject({ mode: 'create' });
    const excluded = plan({ kind: 'gone', contactId: 5 }, { sent: synced, resolutions: [['gone|koha:1|', { take: 'crm' }]] });
    expect(excluded).toMatchObject({ op: null, outcome: 'excluded', next: { excluded: true } });
  });

  it('a merged contact: the key moves to the survivor, which is updated', () => {
    const survivor = crmContact(8, { first_name: 'Ada', last_name: 'Lovelace', 'email_primary.email': 'ada@example.org' });
    const p = plan({ kind: 'merged', from: 5, survivor }, { sent: synced });
    expect(p).toMatchObject({ outcome: 'linked', op: { mode: 'link', contactId: 8, values: { external_identifier: 'koha:1' } }, next: { contactId: 8 } });
    const taken = plan({ kind: 'merged', from: 5, survivor: { ...survivor, externalId: 'donor:1' } }, { sent: synced });
    expect(taken).toMatchObject({ op: null, held: true, conflicts: [{ kind: 'merged_linked', candidates: [5, 8] }] });
  });

  it('an unlinked same person is linked: the key is written onto it, its e-mail kept', () => {
    const existing = crmContact(5, { first_name: 'Ada', last_name: 'Lovelace', 'email_primary.email': 'ada@example.org', 'phone_primary.phone': '0100' });
    const p = reconcile({
      desired: [{ ...ada, values: { ...ada.values, 'phone_primary.phone': '0199' } }], sent: new Map(),
      snapshot: { byKey: new Map(), candidates: [existing] }, resolutions: new Map(), comparisons: new Map(), policy, resend: false,
    })[0]!;
    expect(p.op).toEqual({ kind: 'upsertContact', mode: 'link', externalId: 'koha:1', sourceRecordId: '1', contactId: 5, values: { external_identifier: 'koha:1' }, addGroups: [], removeGroups: [] });
    expect(p.conflicts).toEqual([expect.objectContaining({ kind: 'field', field: 'phone_primary.phone', decision: 'crm', crm: '0100', source: '0199' })]);
  });

  it('two new patrons of one page that look like one person: the first is created, the later waits (as on two pages)', () => {
    const twin = desired('2', { first_name: 'ADA', last_name: 'Lovelace ', 'email_primary.email': 'Ada@Example.org' });
    const plans = reconcile({ desired: [ada, twin], sent: new Map(), snapshot: { byKey: new Map(), candidates: [] }, resolutions: new Map(), comparisons: new Map(), policy, resend: false });
    expect(plans.map((p) => [p.contact.sourceRecordId, p.outcome, p.conflicts[0]?.kind ?? null])).toEqual([['1', 'created', null], ['2', 'held', 'linked_elsewhere']]);
    expect(plans[1]!.conflicts[0]!.reason).toContain('patron 1');
  });

  it('two candidates: held for review; a person\'s choice links the chosen one next time', () => {
    const twins = [5, 9].map((id) => crmContact(id, { first_name: 'Ada', last_name: 'Lovelace', 'email_primary.email': 'ada@example.org' }));
    expect(plan(undefined, { candidates: twins })).toMatchObject({ op: null, held: true, conflicts: [{ kind: 'match', candidates: [5, 9] }] });
    const chosen = plan(undefined, { candidates: twins, resolutions: [['match|koha:1|', { link: 9 }]] });
    expect(chosen).toMatchObject({ outcome: 'linked', op: { mode: 'link', contactId: 9 }, resolved: ['match|koha:1|'] });
    expect(plan(undefined, { candidates: twins, resolutions: [['match|koha:1|', { take: 'source' }]] }).op?.mode).toBe('create');
  });

  it('a CRM user\'s e-mail edit survives a source change of another field, and the conflict is decided crm', () => {
    const edited = { ...linkedAda, values: { ...linkedAda.values, 'email_primary.email': 'ada.fixed@example.org' } };
    const changed = { ...ada, values: { ...ada.values, 'email_primary.email': 'ada.old@example.org', last_name: 'King' } };
    const sentOld = { ...synced, fields: { ...synced.fields, 'email_primary.email': { s: valueHash('ada@example.org', 'email'), w: 'ada@example.org' } } };
    const p = reconcile({ desired: [changed], sent: new Map([['koha:1', sentOld]]), snapshot: { byKey: new Map([['koha:1', { kind: 'found', contact: edited }]]), candidates: [] }, resolutions: new Map(), comparisons: new Map([['email_primary.email', 'email' as const]]), policy, resend: false })[0]!;
    expect(p.op?.values).toEqual({ last_name: 'King' });
    expect(p.conflicts).toEqual([expect.objectContaining({ kind: 'field', field: 'email_primary.email', decision: 'crm', lastWritten: 'ada@example.org', crm: 'ada.fixed@example.org', source: 'ada.old@example.org' })]);
    expect(p.held).toBe(false);
  });
});
