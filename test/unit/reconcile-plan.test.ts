import { describe, expect, it } from '@jest/globals';
import type { DesiredContact, SentState } from '../../src/core/types.js';
import { fingerprint, reconcile } from '../../src/reconcile/index.js';

function contact(id: string, values: DesiredContact['values'] = {}, groups: string[] = []): DesiredContact {
  return {
    externalId: `koha:${id}`, sourceId: 'koha', sourceRecordId: id,
    values: { contact_type: 'Individual', external_identifier: `koha:${id}`, ...values },
    groups: groups.map((name) => ({ name, title: `Title of ${name}` })),
  };
}

function sentFor(c: DesiredContact, groups = c.groups.map((g) => g.name)): SentState {
  return { fingerprint: fingerprint(c), groups, contactId: 7, at: '2026-03-27T10:00:00Z' };
}

describe('fingerprint', () => {
  const a = contact('1', { first_name: 'Ada', last_name: 'Lovelace' }, ['G1', 'G2']);

  it('is a sha256 hex digest and ignores key and group order', () => {
    expect(fingerprint(a)).toMatch(/^[0-9a-f]{64}$/);
    const reordered = { ...a, values: { last_name: 'Lovelace', first_name: 'Ada', ...a.values }, groups: [...a.groups].reverse() };
    expect(fingerprint(reordered)).toBe(fingerprint(a));
  });

  it.each<[string, DesiredContact, DesiredContact?]>([
    ['a changed value', { ...a, values: { ...a.values, first_name: 'Augusta' } }],
    ['an added value', { ...a, values: { ...a.values, 'email_primary.email': 'ada@example.org' } }],
    ['a value cleared to null', { ...a, values: { ...a.values, first_name: null } }],
    ['a value type change (1 vs "1")', { ...a, values: { ...a.values, x: 1 } }, { ...a, values: { ...a.values, x: '1' } }],
    ['a group left', { ...a, groups: a.groups.slice(0, 1) }],
  ])('changes on %s', (_n, changed, other = a) => {
    expect(fingerprint(changed)).not.toBe(fingerprint(other));
  });

  it('ignores group titles (membership is by name)', () => {
    expect(fingerprint({ ...a, groups: a.groups.map((g) => ({ ...g, title: 'renamed' })) })).toBe(fingerprint(a));
  });
});

describe('reconcile', () => {
  const ada = contact('1', { first_name: 'Ada' }, ['Koha_Category_ADULT', 'Koha_Branch_CPL']);
  const bob = contact('2', { first_name: 'Bob' }, ['Koha_Category_CHILD']);

  it('new contacts are upserted, not previously sent, with nothing to remove', () => {
    const r = reconcile([ada], new Map());
    expect(r).toEqual({ upserts: [{ contact: ada, removeFromGroups: [], previouslySent: false, fingerprint: fingerprint(ada) }], unchanged: [] });
  });

  it('a contact identical to what was last sent is unchanged (no write)', () => {
    const r = reconcile([ada, bob], new Map([[ada.externalId, sentFor(ada)]]));
    expect(r.unchanged).toEqual([ada]);
    expect(r.upserts.map((u) => u.contact)).toEqual([bob]);
  });

  it('a changed contact is upserted as previously sent', () => {
    const changed = { ...ada, values: { ...ada.values, first_name: 'Augusta' } };
    const r = reconcile([changed], new Map([[ada.externalId, sentFor(ada)]]));
    expect(r.upserts).toEqual([{ contact: changed, removeFromGroups: [], previouslySent: true, fingerprint: fingerprint(changed) }]);
  });

  it.each([
    ['moved category', ['Koha_Category_STAFF', 'Koha_Branch_CPL'], ['Koha_Category_ADULT', 'Koha_Branch_CPL'], ['Koha_Category_ADULT']],
    ['left every group', [], ['Koha_Category_ADULT', 'Koha_Branch_CPL'], ['Koha_Category_ADULT', 'Koha_Branch_CPL']],
    ['joined a group', ['Koha_Category_ADULT', 'Koha_Branch_CPL', 'New'], ['Koha_Category_ADULT', 'Koha_Branch_CPL'], []],
  ])('removeFromGroups = last sent minus current (%s)', (_n, now, before, removed) => {
    const current = contact('1', { first_name: 'Ada' }, now);
    const r = reconcile([current], new Map([[current.externalId, { ...sentFor(ada, before), fingerprint: 'old' }]]));
    expect(r.upserts[0]?.removeFromGroups).toEqual(removed);
  });

  it('the same external id twice in one batch gives one write, the later record', () => {
    const newer = { ...ada, values: { ...ada.values, first_name: 'Augusta' } };
    const r = reconcile([ada, bob, newer], new Map());
    expect(r.upserts.map((u) => u.contact)).toEqual([bob, newer]);
  });
});
