/**
 * Reading the CRM side of one page before deciding, in a few batched calls: the contacts under
 * the page's keys, those last written but no longer under their key (moved, merged into another,
 * or gone), the candidates for patrons not linked yet, and their memberships of managed groups.
 */
import type { CrmContact, CrmLookup, CrmSnapshot, DesiredContact, Value } from '../../src/core/types.js';
import { BridgeError } from '../../src/core/errors.js';
import type { CiviClient } from './client.js';

export interface SnapshotRequest {
  desired: readonly DesiredContact[];
  /** Contact id last written per key (from the state). */
  known: ReadonlyMap<string, number>;
  /** Fields that must all match for a candidate; the first is searched by (e.g. the e-mail). */
  matchFields: readonly string[];
  /** Contacts a person chose for a patron (answers to match conflicts): read as candidates. */
  chosen: readonly number[];
  /** Search candidates with this dedupe rule (Contact.getDuplicates, one call per patron). */
  dedupeRule?: string;
  managedGroup(name: string): boolean;
}

type Row = Record<string, unknown> & { id: number; external_identifier: string | null; modified_date?: string | null };

const toValue = (v: unknown): Value => (v === undefined ? null : (v as Value));

export async function readSnapshot(client: CiviClient, req: SnapshotRequest): Promise<CrmSnapshot> {
  const keys = [...new Set(req.desired.map((d) => d.externalId))];
  const fields = [...new Set([...req.desired.flatMap((d) => Object.keys(d.values)), ...req.matchFields])].filter((f) => f !== 'id');
  const select = ['id', 'external_identifier', 'modified_date', ...fields.filter((f) => f !== 'external_identifier')];
  const get = async (where: unknown[][], limit: number): Promise<Row[]> =>
    limit === 0 ? [] : (await client.call<Row>('Contact', 'get', { select, where, orderBy: { id: 'ASC' }, limit })).values;

  // Candidates for patrons the state knows no contact of: one search by the first match field, side by
  // side with the lookup by key (those the key finds are dropped from the candidates below).
  const [first] = req.matchFields;
  /** Up to 25 candidates per searched value; `full`: the limit was reached (some may be missing). */
  const search = async (among: readonly DesiredContact[]): Promise<{ rows: Row[]; full: boolean }> => {
    if (req.dedupeRule || first === undefined) return { rows: [], full: false };
    const wanted = [...new Set(among.map((d) => d.values[first]).filter((v): v is string => typeof v === 'string' && v.trim() !== '').map((v) => (first.startsWith('email') ? v.trim().toLowerCase() : v.trim())))];
    const limit = 25 * wanted.length;
    const rows = await get([[first, 'IN', wanted], ['contact_type', '=', String(among[0]?.values.contact_type ?? 'Individual')]], limit);
    return { rows, full: limit > 0 && rows.length >= limit };
  };
  const unknown = req.desired.filter((d) => !req.known.has(d.externalId));
  const [underKey, searched] = await Promise.all([get([['external_identifier', 'IN', keys]], keys.length), search(unknown)]);

  const byKey = new Map<string, CrmLookup>();
  const rows: Row[] = [];
  for (const r of underKey) {
    rows.push(r);
    byKey.set(String(r.external_identifier), { kind: 'found', contact: { id: r.id } as CrmContact });
  }
  // Last written, no longer under its key: a CRM user changed the key, merged the contact, or removed it.
  const lost = keys.filter((k) => !byKey.has(k) && req.known.has(k));
  const lostIds = lost.map((k) => req.known.get(k)!);
  const visible = new Map((await get([['id', 'IN', lostIds]], lostIds.length)).map((r) => [r.id, r]));
  const survivors = new Map<string, { from: number; to: number }>();
  for (const k of lost) {
    const id = req.known.get(k)!;
    const r = visible.get(id);
    if (r) {
      rows.push(r);
      byKey.set(k, { kind: 'found', contact: { id } as CrmContact });
      continue;
    }
    const to = await mergedTo(client, id);
    if (to !== null && to !== id) survivors.set(k, { from: id, to });
    else byKey.set(k, { kind: 'gone', contactId: id });
  }
  const survivorIds = [...new Set([...survivors.values()].map((s) => s.to))];
  const survivorRows = new Map((await get([['id', 'IN', survivorIds]], survivorIds.length)).map((r) => [r.id, r]));
  for (const [k, s] of survivors) {
    const r = survivorRows.get(s.to);
    if (r) rows.push(r);
    byKey.set(k, r ? { kind: 'merged', from: s.from, survivor: { id: r.id } as CrmContact } : { kind: 'gone', contactId: s.from });
  }

  // Candidates for patrons the CRM does not know under their key yet (the search above, or the dedupe rule's).
  // A search that reached its limit with values of patrons the key found (a shared placeholder e-mail) is
  // asked again for the others alone, so none of their candidates is cut off.
  const unlinked = req.desired.filter((d) => !byKey.has(d.externalId));
  const bySearch = searched.full && unlinked.length < unknown.length ? (await search(unlinked)).rows : searched.rows;
  const byRule = req.dedupeRule ? await duplicatesOf(client, req.dedupeRule, unlinked) : [];
  const candidateRows = [...bySearch, ...(await get([['id', 'IN', [...new Set([...req.chosen, ...byRule])]]], req.chosen.length + byRule.length))];

  const all = [...rows, ...candidateRows];
  const memberships = await readMemberships(client, [...new Set(all.map((r) => r.id))], req.managedGroup);
  const contactOf = (r: Row): CrmContact => ({
    id: r.id,
    externalId: r.external_identifier ? String(r.external_identifier) : null,
    values: Object.fromEntries(fields.map((f) => [f, toValue(r[f])])),
    groups: memberships.get(r.id)?.added ?? [],
    removedGroups: memberships.get(r.id)?.removed ?? [],
    modifiedDate: r.modified_date ?? null,
  });
  const byId = new Map(all.map((r) => [r.id, contactOf(r)]));
  for (const [k, l] of byKey) {
    if (l.kind === 'found') byKey.set(k, { kind: 'found', contact: byId.get(l.contact.id)! });
    else if (l.kind === 'merged') byKey.set(k, { ...l, survivor: byId.get(l.survivor.id)! });
  }
  const linkedIds = new Set([...byKey.values()].flatMap((l) => (l.kind === 'found' ? [l.contact.id] : l.kind === 'merged' ? [l.survivor.id] : [])));
  const candidates = [...new Map(candidateRows.filter((r) => !linkedIds.has(r.id)).map((r) => [r.id, byId.get(r.id)!])).values()];
  return { byKey, candidates };
}

/** Fields a dedupe rule compares (sent when the patron has them). */
const RULE_FIELDS = ['contact_type', 'first_name', 'last_name', 'middle_name', 'birth_date', 'email_primary.email', 'phone_primary.phone', 'address_primary.postal_code', 'address_primary.street_address', 'address_primary.city'];

/** Candidate ids by the site's dedupe rule: one Contact.getDuplicates per patron (it takes one record). */
async function duplicatesOf(client: CiviClient, rule: string, unlinked: readonly DesiredContact[]): Promise<number[]> {
  const ids = new Set<number>();
  for (const d of unlinked) {
    const values = Object.fromEntries(RULE_FIELDS.filter((f) => d.values[f] !== undefined && d.values[f] !== null).map((f) => [f, d.values[f]]));
    try {
      for (const r of (await client.call<{ id: number }>('Contact', 'getDuplicates', { dedupeRule: rule, values })).values) ids.add(r.id);
    } catch (err) {
      if (err instanceof BridgeError && err.code === 'CRM_FORBIDDEN') {
        throw new BridgeError('CRM_FORBIDDEN', `${err.message}; match.dedupe_rule needs an API user with "administer CiviCRM" (or leave it out: the default search needs only the sync user's permissions)`, { context: err.context });
      }
      throw err;
    }
  }
  return [...ids];
}

/**
 * The contact a merged-away contact ended in (CiviCRM follows chains of merges), or null. The action
 * needs "administer CiviCRM": for a sync user without it a merge cannot be told from a deletion.
 */
async function mergedTo(client: CiviClient, id: number): Promise<number | null> {
  try {
    const res = await client.call<{ id?: number } | null>('Contact', 'getMergedTo', { contactId: id });
    const to = res.values[0]?.id;
    return typeof to === 'number' ? to : null;
  } catch (err) {
    if (err instanceof BridgeError && (err.code === 'CRM_FORBIDDEN' || err.code === 'CRM_NO_DEBUG')) return null;
    throw err;
  }
}

async function readMemberships(client: CiviClient, ids: number[], managed: (name: string) => boolean): Promise<Map<number, { added: string[]; removed: string[] }>> {
  const out = new Map<number, { added: string[]; removed: string[] }>();
  if (ids.length === 0) return out;
  const res = await client.call<{ contact_id: number; 'group_id:name': string; status: string }>('GroupContact', 'get', {
    select: ['contact_id', 'group_id:name', 'status'],
    where: [['contact_id', 'IN', ids]],
    limit: 0,
  });
  for (const row of res.values) {
    const name = row['group_id:name'];
    if (!managed(name)) continue;
    const entry = out.get(row.contact_id) ?? { added: [], removed: [] };
    if (row.status === 'Added') entry.added.push(name);
    else if (row.status === 'Removed') entry.removed.push(name);
    out.set(row.contact_id, entry);
  }
  return out;
}
