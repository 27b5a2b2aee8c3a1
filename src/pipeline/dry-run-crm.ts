/**
 * The CRM of a dry run: reads go to the real CRM, writes are told to the plan and answered as
 * CiviCRM would answer them, and remembered, so the run's later pages and streams read the CRM as
 * the real run would find it: a contact it would create has a (negative, never sent) id, carries its
 * key and is a candidate for look-alikes; a contact it would link carries its key; loans written and
 * deleted are counted in a contact's history. What cannot be known without writing (a key held by a
 * contact in the trash the sync user cannot see, a restore of a contact deleted for good, a CRM error)
 * is planned as the write succeeding.
 */
import { validateContactValues } from '../../connectors/civicrm/validate.js';
import type { CrmSink } from '../../connectors/civicrm/sink.js';
import type { SnapshotRequest } from '../../connectors/civicrm/snapshot.js';
import { BridgeError } from '../core/errors.js';
import type { ContactWriteResult, CrmContact, CrmLookup, CrmOperation, DesiredContact, Value } from '../core/types.js';
import { personKey } from '../reconcile/values.js';

export interface FieldChange {
  field: string;
  /** What the CRM holds now (undefined: not known, e.g. a new contact). */
  before?: Value;
  after: Value;
}

/** A write the dry run did not send. */
export type PlannedWrite =
  | { kind: 'contact'; recordId: string; externalId: string; mode: CrmOperation['mode']; contactId: number | null; changes: FieldChange[]; addGroups: string[]; removeGroups: string[] }
  | { kind: 'activity'; recordId: string; key: string; contactId: number | null; changes: FieldChange[] }
  | { kind: 'activity-delete'; keys: string[] };

interface Shadow {
  id: number;
  /** The key this run put on it (created or linked). */
  externalId?: string;
  contactType: string;
  values: Record<string, Value>;
  added: Set<string>;
  removed: Set<string>;
}

const OUTCOME = { create: 'created', update: 'updated', restore: 'updated', link: 'linked' } as const;
const isNew = (id: number) => id < 0;

export function createDryRunCrm(real: CrmSink, onWrite: (w: PlannedWrite) => void): CrmSink {
  const shadows = new Map<number, Shadow>();
  const keyed = new Map<string, number>();
  const byValue = new Map<string, Map<string, Set<number>>>();
  /** Contacts as last read (with this run's writes), for the before values of updates. */
  const seen = new Map<number, CrmContact>();
  /** Loans this run would write, per contact, and the other way round. */
  const loans = new Map<number, Set<string>>();
  const loanOwner = new Map<string, number>();
  const deletedLoans = new Set<string>();
  let lastId = 0;

  /** A contact as the CRM would show it after this run's writes so far. */
  function patched(c: CrmContact, managed: (g: string) => boolean): CrmContact {
    const s = shadows.get(c.id);
    if (!s) return c;
    const values = { ...c.values };
    for (const f of Object.keys(values)) if (f in s.values) values[f] = s.values[f]!;
    const mine = (set: Set<string>) => [...set].filter(managed);
    return {
      ...c,
      externalId: s.externalId ?? c.externalId,
      values,
      groups: [...new Set([...c.groups.filter((g) => !s.removed.has(g)), ...mine(s.added)])],
      removedGroups: [...new Set([...c.removedGroups.filter((g) => !s.added.has(g)), ...mine(s.removed)])],
    };
  }

  /** A contact only this run has (it would create it). */
  function shadowContact(s: Shadow, fields: readonly string[], managed: (g: string) => boolean): CrmContact {
    return {
      id: s.id, externalId: s.externalId ?? null,
      values: Object.fromEntries(fields.map((f) => [f, s.values[f] ?? null])),
      groups: [...s.added].filter(managed), removedGroups: [...s.removed].filter(managed), modifiedDate: null,
    };
  }

  async function readContacts(req: SnapshotRequest) {
    const newIdOf = (key: string) => {
      const id = keyed.get(key) ?? req.known.get(key);
      return id !== undefined && isNew(id) ? id : undefined;
    };
    const rest = req.desired.filter((d) => newIdOf(d.externalId) === undefined);
    const known = new Map([...req.known].filter(([, id]) => !isNew(id)));
    const chosen = req.chosen.filter((id) => !isNew(id));
    const snap = rest.length || chosen.length
      ? await real.readContacts({ ...req, desired: rest, known, chosen })
      : { byKey: new Map<string, CrmLookup>(), candidates: [] as CrmContact[] };
    const managed = (g: string) => req.managedGroup(g);
    const fields = [...new Set([...req.desired.flatMap((d) => Object.keys(d.values)), ...req.matchFields])];
    const byKey = new Map<string, CrmLookup>();
    for (const [k, l] of snap.byKey) {
      byKey.set(k, l.kind === 'found' ? { kind: 'found', contact: patched(l.contact, managed) } : l.kind === 'merged' ? { ...l, survivor: patched(l.survivor, managed) } : l);
    }
    for (const d of req.desired) {
      const id = newIdOf(d.externalId);
      if (id !== undefined) byKey.set(d.externalId, { kind: 'found', contact: shadowContact(shadows.get(id)!, fields, managed) });
    }
    const candidates = new Map(snap.candidates.map((c) => [c.id, patched(c, managed)]));
    // New contacts of this run are found by the first match field like the CRM's own search (the e-mail, whatever its case).
    const first = req.matchFields[0];
    const claimed = new Set([...byKey.values()].flatMap((l) => (l.kind === 'found' ? [l.contact.id] : l.kind === 'merged' ? [l.survivor.id] : [])));
    for (const d of rest.filter((x) => first !== undefined && !byKey.has(x.externalId))) {
      const wanted = personKey(d.values[first!]);
      if (wanted === '') continue;
      for (const id of byFirst(first!).get(wanted) ?? []) {
        const s = shadows.get(id)!;
        if (!claimed.has(id) && s.contactType === String(d.values.contact_type ?? 'Individual')) candidates.set(id, shadowContact(s, fields, managed));
      }
    }
    for (const c of [...[...byKey.values()].flatMap((l) => (l.kind === 'found' ? [l.contact] : l.kind === 'merged' ? [l.survivor] : [])), ...candidates.values()]) seen.set(c.id, c);
    return { byKey, candidates: [...candidates.values()] };
  }

  /** What the CRM holds now in the fields these operations write, for contacts no page read (engagement, sweep). */
  async function before(ops: readonly CrmOperation[]): Promise<void> {
    const unread = ops.filter((op) => op.contactId !== undefined && !isNew(op.contactId) && !seen.has(op.contactId) && Object.keys(op.values).length > 0);
    if (unread.length === 0) return;
    const desired: DesiredContact[] = unread.map((op) => ({ externalId: op.externalId, sourceId: '', sourceRecordId: op.sourceRecordId, values: op.values, groups: [] }));
    const snap = await real.readContacts({ desired, known: new Map(unread.map((op) => [op.externalId, op.contactId!])), matchFields: [], chosen: [], managedGroup: () => false });
    for (const l of snap.byKey.values()) if (l.kind === 'found') seen.set(l.contact.id, l.contact);
  }

  /** New contacts of this run by the value of a match field (as personKey compares it). */
  function byFirst(field: string): Map<string, Set<number>> {
    let m = byValue.get(field);
    if (!m) {
      m = new Map();
      byValue.set(field, m);
      for (const s of shadows.values()) if (isNew(s.id)) index(m, s.values[field], s.id, true);
    }
    return m;
  }
  function index(m: Map<string, Set<number>>, v: Value | undefined, id: number, add: boolean): void {
    const k = personKey(v);
    if (k === '') return;
    if (add) (m.get(k) ?? m.set(k, new Set()).get(k)!).add(id);
    else m.get(k)?.delete(id);
  }

  function apply(op: CrmOperation, id: number): void {
    const s = shadows.get(id) ?? { id, contactType: String(op.values.contact_type ?? 'Individual'), values: {}, added: new Set<string>(), removed: new Set<string>() };
    shadows.set(id, s);
    for (const [field, m] of isNew(id) ? byValue : []) {
      if (!(field in op.values)) continue;
      index(m, s.values[field], id, false);
      index(m, op.values[field], id, true);
    }
    Object.assign(s.values, op.values);
    if (op.mode === 'create' || op.mode === 'link') {
      s.externalId = op.externalId;
      keyed.set(op.externalId, id);
    }
    for (const g of op.addGroups) {
      s.added.add(g.name);
      s.removed.delete(g.name);
    }
    for (const g of op.removeGroups) {
      s.removed.add(g);
      s.added.delete(g);
    }
  }

  return {
    describeContactFields: (o) => real.describeContactFields(o),
    missingTargets: (t) => real.missingTargets(t),
    fitContacts: (c, p) => real.fitContacts(c, p),
    loanSetupProblem: (r) => real.loanSetupProblem(r),
    readContacts,
    async applyContacts(ops, opts = {}) {
      const specs = await real.describeContactFields();
      await before(ops);
      const results = ops.map((op): ContactWriteResult => {
        if (op.mode !== 'create' && op.contactId === undefined) throw new BridgeError('INTERNAL', `a ${op.mode} operation without a contact id`);
        const problems = validateContactValues(op.values, specs);
        if (problems.length > 0) return { externalId: op.externalId, sourceRecordId: op.sourceRecordId, outcome: 'rejected', code: 'VALUE_INVALID', reason: problems.map((p) => p.message).join('; ') };
        // Contact.save with match on the key: a page done again finds the contact it created.
        const id = op.mode === 'create' ? (keyed.get(op.externalId) ?? --lastId) : op.contactId!;
        const was = seen.get(id)?.values ?? {};
        onWrite({
          kind: 'contact', recordId: op.sourceRecordId, externalId: op.externalId, mode: op.mode, contactId: isNew(id) ? null : id,
          changes: Object.entries(op.values).map(([field, after]) => ({ field, ...(field in was && op.mode !== 'create' ? { before: was[field]! } : {}), after })),
          addGroups: op.addGroups.map((g) => g.name), removeGroups: [...op.removeGroups],
        });
        apply(op, id);
        const s = seen.get(id);
        if (s) seen.set(id, { ...s, values: { ...s.values, ...op.values } });
        return { externalId: op.externalId, sourceRecordId: op.sourceRecordId, outcome: OUTCOME[op.mode], contactId: id };
      });
      opts.onSaved?.(results.flatMap((r) => (r.outcome !== 'rejected' && r.contactId !== undefined ? [r.contactId] : [])));
      return results;
    },
    // Conflict activities are CRM writes too; the plan lists the conflicts themselves.
    noteConflicts: async () => {},
    async saveActivities(ops) {
      return ops.map((op, i) => {
        onWrite({ kind: 'activity', recordId: op.sourceRecordId, key: op.key, contactId: isNew(op.targetContactId) ? null : op.targetContactId, changes: Object.entries(op.values).map(([field, after]) => ({ field, after })) });
        loans.get(loanOwner.get(op.key)!)?.delete(op.key);
        (loans.get(op.targetContactId) ?? loans.set(op.targetContactId, new Set()).get(op.targetContactId)!).add(op.key);
        loanOwner.set(op.key, op.targetContactId);
        deletedLoans.delete(op.key);
        return { key: op.key, outcome: 'written' as const, activityId: -(i + 1) };
      });
    },
    async deleteActivities(keys) {
      if (keys.length === 0) return;
      onWrite({ kind: 'activity-delete', keys: [...keys] });
      for (const k of keys) {
        deletedLoans.add(k);
        loans.get(loanOwner.get(k)!)?.delete(k);
      }
    },
    async activitiesOfContacts(ids, opts) {
      const theirs = ids.some((id) => !isNew(id)) ? await real.activitiesOfContacts(ids.filter((id) => !isNew(id)), opts) : [];
      return [...new Set([...theirs.filter((k) => !deletedLoans.has(k)), ...ids.flatMap((id) => [...(loans.get(id) ?? [])])])];
    },
  };
}
