/**
 * Desired contacts vs what the CRM holds now and what was last synced → the writes worth doing, as
 * CrmOperation data, and the conflicts found on the way. Pure: the page handler reads the inputs
 * and applies the result (a dry run is the same plan, not applied).
 */
import { conflictKey, type Conflict, type ConflictPolicy, type Resolution } from '../core/conflicts.js';
import type { CrmContact, CrmOperation, CrmSnapshot, DesiredContact, FieldState, SentState, Value } from '../core/types.js';
import { decideField } from './fields.js';
import { decideGroups } from './groups.js';
import { matchContact } from './match.js';
import { personKey, type Comparison } from './values.js';

export interface SyncPolicy {
  /** Per CRM field: who wins when the CRM and the source both changed it. */
  fieldPolicy(field: string): ConflictPolicy;
  /** The same for memberships of managed groups a CRM user took the contact out of. */
  groupPolicy: ConflictPolicy;
  /** Fields that must all be equal for an existing contact to be the patron (never the e-mail alone). */
  matchFields: readonly string[];
  /** The contact last written is gone (trash or deleted for good): restore it, or a conflict. */
  onTrashed: 'conflict' | 'restore';
  /** ... and when it was deleted for good: create it again, or a conflict. */
  onDeleted: 'conflict' | 'recreate';
  /** Search candidates with this CiviCRM dedupe rule instead of by the first match field. */
  dedupeRule?: string;
}

export interface ReconcileInput {
  desired: readonly DesiredContact[];
  sent: ReadonlyMap<string, SentState>;
  snapshot: CrmSnapshot;
  /** Answers to held conflicts, by conflict key. */
  resolutions: ReadonlyMap<string, Resolution>;
  /** How each CRM field's values compare (from its data type); text when absent. */
  comparisons: ReadonlyMap<string, Comparison>;
  policy: SyncPolicy;
  /** `sync --resend`: every source value counts as changed. */
  resend: boolean;
}

export type PlannedOutcome = 'created' | 'updated' | 'linked' | 'unchanged' | 'held' | 'excluded';

export interface ContactPlan {
  contact: DesiredContact;
  op: CrmOperation | null;
  /** What the report counts once the write (if any) succeeds. */
  outcome: PlannedOutcome;
  conflicts: Conflict[];
  /** Something of this record waits for a person (an open conflict): it is kept for retry. */
  held: boolean;
  /** The state to keep once the write succeeds (the contact id comes from the write when new). */
  next: Omit<SentState, 'at'>;
  /** Keys of the conflicts whose answer this plan applies. */
  resolved: string[];
}

type Target = { contact: CrmContact; mode: 'update' | 'link' | 'restore'; last: SentState | undefined };

export function reconcile(input: ReconcileInput): ContactPlan[] {
  const latest = new Map<string, DesiredContact>();
  for (const c of input.desired) {
    latest.delete(c.externalId); // one write per contact and page; the later record wins
    latest.set(c.externalId, c);
  }
  const claimed = new Set<number>();
  for (const l of input.snapshot.byKey.values()) if (l.kind === 'found') claimed.add(l.contact.id);
  const creating = new Map<string, string>();
  return [...latest.values()].map((c) => planContact(input, c, claimed, creating));
}

/** The patron's match key (its match fields, normalised), or null when one is blank or there is no matching. */
function matchKey(contact: DesiredContact, fields: readonly string[]): string | null {
  const parts = fields.map((f) => personKey(contact.values[f]));
  return parts.length === 0 || parts.some((p) => p === '') ? null : parts.join('\u0000');
}

/**
 * `creating`: match keys of the page's new contacts → their record ids, so two patrons of one page
 * that look like one person are treated as they would be on two pages (the later one waits).
 */
function planContact(input: ReconcileInput, contact: DesiredContact, claimed: Set<number>, creating: Map<string, string>): ContactPlan {
  const key = contact.externalId;
  const sent = input.sent.get(key);
  const conflicts: Conflict[] = [];
  const resolved: string[] = [];
  const base = { sourceId: contact.sourceId, recordId: contact.sourceRecordId, externalId: key };
  const answer = (kind: Conflict['kind'], field?: string) => {
    const k = conflictKey({ kind, externalId: key, ...(field !== undefined ? { field } : {}) });
    const r = input.resolutions.get(k);
    if (r) resolved.push(k);
    return r;
  };
  const hold = (c: Omit<Conflict, 'sourceId' | 'recordId' | 'externalId'>, next: Omit<SentState, 'at'> = sent ?? { groups: [] }): ContactPlan => ({
    contact, op: null, outcome: 'held', conflicts: [{ ...base, ...c }], held: true, next, resolved,
  });
  if (sent?.excluded) return { contact, op: null, outcome: 'excluded', conflicts, held: false, next: sent, resolved };

  const lookup = input.snapshot.byKey.get(key) ?? { kind: 'absent' as const };
  let target: Target | null = null;
  let recreate = false;
  switch (lookup.kind) {
    case 'found': {
      const other = lookup.contact.externalId;
      if (other !== null && other !== key) {
        return hold({ kind: 'linked_elsewhere', contactId: lookup.contact.id, candidates: [lookup.contact.id], decision: 'review', reason: `CRM contact ${lookup.contact.id}, last written for this patron, now carries another external identifier` });
      }
      target = { contact: lookup.contact, mode: other === key ? 'update' : 'link', last: sent };
      break;
    }
    case 'merged': {
      const other = lookup.survivor.externalId;
      if (other !== null && other !== key) {
        return hold({ kind: 'merged_linked', contactId: lookup.survivor.id, candidates: [lookup.from, lookup.survivor.id], decision: 'review', reason: `contact ${lookup.from} was merged into ${lookup.survivor.id}, which carries another external identifier` });
      }
      claimed.add(lookup.survivor.id);
      target = { contact: lookup.survivor, mode: 'link', last: sent };
      break;
    }
    case 'gone': {
      const r = answer('gone');
      if (r && 'take' in r && r.take === 'crm') {
        return { contact, op: null, outcome: 'excluded', conflicts, held: false, next: { ...(sent ?? { groups: [] }), excluded: true }, resolved };
      }
      const bringBack = r !== undefined;
      if (input.policy.onTrashed === 'restore' || bringBack) {
        target = { contact: { id: lookup.contactId, externalId: key, values: {}, groups: [], removedGroups: [] }, mode: 'restore', last: undefined };
        recreate = input.policy.onDeleted === 'recreate' || bringBack;
      } else if (input.policy.onDeleted !== 'recreate') {
        return hold({ kind: 'gone', contactId: lookup.contactId, decision: 'review', reason: `CRM contact ${lookup.contactId}, last written for this patron, is in the trash or was deleted; nothing written (on_trashed: conflict)` });
      }
      break;
    }
    case 'absent': {
      const r = answer('match') ?? answer('linked_elsewhere');
      const chosen = r && 'link' in r ? input.snapshot.candidates.find((c) => c.id === r.link) : undefined;
      if (chosen) {
        claimed.add(chosen.id);
        target = { contact: chosen, mode: 'link', last: undefined };
        break;
      }
      if (r && 'link' in r) return hold({ kind: 'match', candidates: [r.link], decision: 'review', reason: `CRM contact ${r.link}, chosen for this patron, is not visible to the sync user` }, { groups: [] });
      if (r) break; // take source: a new contact of its own
      const m = matchContact(contact, input.snapshot.candidates, input.policy.matchFields, claimed);
      if (m.kind === 'conflict') return hold({ ...m.conflict, ...(m.conflict.candidates ? { candidates: m.conflict.candidates } : {}) }, { groups: [] });
      if (m.kind === 'one') {
        claimed.add(m.contact.id);
        target = { contact: m.contact, mode: 'link', last: undefined };
        break;
      }
      const mk = matchKey(contact, input.policy.matchFields);
      const twin = mk === null || r ? undefined : creating.get(mk);
      if (twin !== undefined) {
        return hold({ kind: 'linked_elsewhere', decision: 'review', reason: `patron ${twin}, new in the CRM in this same page, has the same ${input.policy.matchFields.join(', ')}; nothing written until a person decides` }, { groups: [] });
      }
      if (mk !== null) creating.set(mk, contact.sourceRecordId);
      break;
    }
  }
  return target ? planWrite(input, contact, target, conflicts, resolved, recreate) : planCreate(input, contact, conflicts, resolved);
}

function planCreate(input: ReconcileInput, contact: DesiredContact, conflicts: Conflict[], resolved: string[]): ContactPlan {
  const fields: Record<string, FieldState> = {};
  for (const [f, v] of Object.entries(contact.values)) fields[f] = decideField(fieldInput(input, f, v, undefined, undefined)).next!;
  const op: CrmOperation = { kind: 'upsertContact', mode: 'create', externalId: contact.externalId, sourceRecordId: contact.sourceRecordId, values: { ...contact.values }, addGroups: [...contact.groups], removeGroups: [] };
  return { contact, op, outcome: 'created', conflicts, held: false, next: { fields, groups: contact.groups.map((g) => g.name) }, resolved };
}

function planWrite(input: ReconcileInput, contact: DesiredContact, t: Target, conflicts: Conflict[], resolved: string[], recreate: boolean): ContactPlan {
  const key = contact.externalId;
  const base = { sourceId: contact.sourceId, recordId: contact.sourceRecordId, externalId: key, contactId: t.contact.id };
  const restoring = t.mode === 'restore';
  const values: Record<string, Value> = {};
  const fields: Record<string, FieldState> = { ...(t.last?.fields ?? {}) };
  let held = false;
  for (const [f, v] of Object.entries(contact.values)) {
    const k = conflictKey({ kind: 'field', externalId: key, field: f });
    const resolution = input.resolutions.get(k);
    if (resolution) resolved.push(k);
    const crm = restoring ? undefined : (t.contact.values[f] ?? null);
    const d = decideField(fieldInput(input, f, v, crm, t.last?.fields?.[f], resolution));
    if (d.write) values[f] = v;
    if (d.next) fields[f] = d.next;
    if (d.conflict) {
      conflicts.push({ ...base, ...d.conflict });
      held ||= d.conflict.decision === 'review';
    }
  }
  if (t.mode === 'link') values.external_identifier = key; // the key moves onto the contact, whatever was synced before
  const groupAnswers = new Map<string, Resolution>();
  for (const g of contact.groups) {
    const k = conflictKey({ kind: 'group', externalId: key, field: g.name });
    const r = input.resolutions.get(k);
    if (r) {
      groupAnswers.set(g.name, r);
      resolved.push(k);
    }
  }
  const groups = decideGroups({
    desired: contact.groups,
    crm: restoring ? undefined : t.contact,
    last: t.mode === 'link' && t.last === undefined ? undefined : t.last?.groups,
    declined: t.last?.declinedGroups ?? [],
    policy: input.policy.groupPolicy,
    resolutions: groupAnswers,
  });
  for (const c of groups.conflicts) {
    conflicts.push({ ...base, ...c });
    held ||= c.decision === 'review';
  }
  const changes = Object.keys(values).length > 0 || groups.add.length > 0 || groups.remove.length > 0 || t.mode !== 'update';
  const op: CrmOperation | null = changes
    ? {
        kind: 'upsertContact', mode: t.mode, externalId: key, sourceRecordId: contact.sourceRecordId, contactId: t.contact.id,
        values, addGroups: groups.add, removeGroups: groups.remove, ...(recreate ? { recreateIfDeleted: true } : {}),
        ...(t.contact.modifiedDate !== undefined ? { seen: t.contact.modifiedDate } : {}),
      }
    : null;
  const outcome: PlannedOutcome = t.mode === 'link' ? 'linked' : t.mode === 'restore' || op ? 'updated' : held ? 'held' : 'unchanged';
  return {
    contact, op, outcome, conflicts, held,
    next: { fields, groups: groups.next, ...(groups.declined.length ? { declinedGroups: groups.declined } : {}), contactId: t.contact.id },
    resolved,
  };
}

function fieldInput(input: ReconcileInput, field: string, desired: Value, crm: Value | undefined, last: FieldState | undefined, resolution?: Resolution) {
  return {
    field, desired, crm, last, resolution,
    policy: input.policy.fieldPolicy(field),
    how: input.comparisons.get(field) ?? ('text' as const),
    resend: input.resend,
  };
}
