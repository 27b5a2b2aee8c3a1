/**
 * The CRM half of a page: read what the CRM holds for the page's contacts (one snapshot), decide
 * with the pure reconcile, apply the operations, and turn what happened into counts, the state to
 * keep, conflicts and records held for a person. No bullmq, no HTTP: ports only.
 */
import type { FieldWarning } from '../core/field-policy.js';
import { conflictKey, type Conflict } from '../core/conflicts.js';
import type { ContactWriteResult, DesiredContact } from '../core/types.js';
import type { CompiledMapping } from '../mapping/types.js';
import { comparisonOf, reconcile, type ContactPlan } from '../reconcile/index.js';
import { conflictId } from '../state/conflict-log.js';
import type { PageResult } from '../state/ports.js';
import { describeError } from '../core/errors.js';
import { tally } from './tally.js';
import type { Beside, PipelineDeps, WriteOutcome } from './types.js';

export async function writeContacts(
  deps: PipelineDeps,
  mapping: CompiledMapping,
  unit: string,
  contacts: ReadonlyArray<{ contact: DesiredContact; warnings: readonly FieldWarning[] }>,
  result: PageResult,
  opts: {
    resend: boolean;
    /** Beside the page before (patron pages): what both would write is decided once it has committed. */
    beside?: Beside;
    /** Told once the contacts are in the CRM (their memberships may still be under way), with those written. */
    onSaved?: (contactIds: number[]) => void;
  },
): Promise<WriteOutcome> {
  const out: WriteOutcome = { sent: new Map(), cleared: [], held: [], conflicts: [], applied: [] };
  if (contacts.length === 0) return out;
  const sourceId = contacts[0]!.contact.sourceId;
  const desired = contacts.map((c) => c.contact);
  const keys = desired.map((c) => c.externalId);
  const decide = async () => {
    const [sent, resolutions, open, specs] = await Promise.all([
      deps.state.getSent(unit, keys), deps.state.getResolutions(sourceId, keys), deps.state.getOpenConflicts(sourceId, keys), deps.crm.describeContactFields(),
    ]);
    const known = new Map([...sent].flatMap(([k, s]) => (s.contactId !== undefined && !s.excluded ? [[k, s.contactId] as const] : [])));
    const chosen = [...resolutions.values()].flatMap((r) => ('link' in r ? [r.link] : []));
    const snapshot = await deps.crm.readContacts({
      desired, known, matchFields: mapping.sync.matchFields, chosen, managedGroup: (n) => mapping.managedGroup(n),
      ...(mapping.sync.dedupeRule ? { dedupeRule: mapping.sync.dedupeRule } : {}),
    });
    const comparisons = new Map([...new Set(desired.flatMap((d) => Object.keys(d.values)))].map((f) => [f, comparisonOf(specs.get(f)?.dataType, f)]));
    const plans = reconcile({ desired, sent, snapshot, resolutions, comparisons, policy: mapping.sync, resend: opts.resend });
    return { open, plans, writes: plans.filter((p): p is ContactPlan & { op: NonNullable<ContactPlan['op']> } => p.op !== null) };
  };
  let decided = await decide();
  // An existing contact the page before writes too (two patrons linked to one contact): decided again once
  // that page has committed. A look-alike it created carries its patron's key, which the snapshot shows.
  const writesTo = (d: typeof decided) => d.writes.flatMap((p) => (p.op.contactId !== undefined ? [p.op.contactId] : []));
  if (opts.beside && (await opts.beside.settle({ contacts: writesTo(decided) }))) decided = await decide();
  const { open, plans, writes } = decided;
  const saved = (ids: readonly number[]) => opts.onSaved?.([...ids, ...writesTo(decided)]);
  if (writes.length === 0) saved([]);
  const results = writes.length > 0 ? await deps.crm.applyContacts(writes.map((p) => p.op), { onSaved: saved }) : [];
  const resultOf = new Map(writes.map((p, i) => [p.contact.externalId, results[i]!]));
  const warningsOf = new Map(contacts.map((c) => [c.contact.externalId, c.warnings]));
  const at = deps.clock().toISOString();

  for (const plan of plans) {
    const { contact } = plan;
    const r = resultOf.get(contact.externalId);
    if (r?.outcome === 'rejected') {
      const conflict = conflictOfRefusal(plan, r);
      if (conflict) {
        hold(deps, out, result, plan, conflict);
        continue;
      }
      result.rejections.push({ recordId: contact.sourceRecordId, code: r.code ?? 'CRM_API', reason: r.reason ?? 'refused by the CRM' });
      continue;
    }
    if (plan.outcome === 'excluded') tally(deps, result, 'skipped', contact.sourceRecordId);
    else if (r) {
      tally(deps, result, r.outcome, contact.sourceRecordId);
      const warnings = warningsOf.get(contact.externalId) ?? [];
      // Warnings are reported by the run that writes the record; an unchanged one was reported before.
      if (warnings.length > 0) result.withWarnings += 1;
      for (const { field, rule } of warnings) result.warnings.push({ recordId: contact.sourceRecordId, field, rule });
    } else if (plan.outcome === 'unchanged') tally(deps, result, 'unchanged', contact.sourceRecordId);
    out.sent.set(contact.externalId, { ...plan.next, ...(r?.contactId !== undefined ? { contactId: r.contactId } : {}), at });
    out.conflicts.push(...plan.conflicts);
    result.conflicts += plan.conflicts.length;
    out.applied.push(...plan.resolved);
    // An open conflict the record no longer raises has settled itself (e.g. a CRM user fixed the data).
    const raised = new Set(plan.conflicts.map((c) => conflictKey(c)));
    for (const key of open) if (key.split('|')[1] === contact.externalId && !raised.has(key) && !plan.resolved.includes(key)) out.applied.push(key);
    if (plan.held) {
      tally(deps, result, 'held', contact.sourceRecordId);
      out.held.push({ recordId: contact.sourceRecordId, code: 'CONFLICT', reason: plan.conflicts.find((c) => c.decision === 'review')?.reason ?? 'held for review' });
    } else out.cleared.push(contact.sourceRecordId);
  }
  await noteConflicts(deps, sourceId, out, open);
  return out;
}

/**
 * New conflicts that wait for a person, on an existing contact, become "Sync conflict" activities
 * (when configured); the activities of settled ones are completed. Never fails the page: the log
 * in Redis is the record, the activity a courtesy to CRM users.
 */
async function noteConflicts(deps: PipelineDeps, sourceId: string, out: WriteOutcome, open: ReadonlySet<string>): Promise<void> {
  const notes = out.conflicts
    .filter((c) => c.decision === 'review' && c.contactId !== undefined && !open.has(conflictKey(c)) && (c.kind === 'field' || c.kind === 'group'))
    .map((c) => ({ conflictId: conflictId(sourceId, conflictKey(c)), contactId: c.contactId!, about: c.field ?? c.kind, reason: c.reason }));
  const settled = out.applied.map((key) => conflictId(sourceId, key));
  try {
    await deps.crm.noteConflicts(notes, settled);
  } catch (err) {
    deps.logger.warn('could not record conflicts as CRM activities', { sourceId, conflicts: notes.length, error: describeError(err) });
  }
}

/** Holds a record whose write was refused for a reason a person must settle (a trashed or vanished contact). */
function hold(deps: PipelineDeps, out: WriteOutcome, result: PageResult, plan: ContactPlan, conflict: Conflict): void {
  out.conflicts.push(conflict);
  result.conflicts += 1;
  tally(deps, result, 'held', plan.contact.sourceRecordId);
  out.held.push({ recordId: plan.contact.sourceRecordId, code: 'CONFLICT', reason: conflict.reason });
}

/** A refusal that is a conflict rather than an error: the key is held by a trashed contact, or the contact to restore is gone. */
function conflictOfRefusal(plan: ContactPlan, r: ContactWriteResult): Conflict | null {
  const base = { sourceId: plan.contact.sourceId, recordId: plan.contact.sourceRecordId, externalId: plan.contact.externalId, decision: 'review' as const };
  if (r.code === 'CRM_DUPLICATE' && plan.op?.mode === 'create') {
    return { ...base, kind: 'trashed', reason: 'a CRM contact hidden from the sync user (in the trash) holds this external identifier; restore it (or grant the sync user "access deleted contacts" and set match.on_trashed: restore), or delete it for good' };
  }
  if (r.code === 'CRM_GONE') return { ...base, kind: 'gone', ...(plan.op?.contactId !== undefined ? { contactId: plan.op.contactId } : {}), reason: r.reason ?? 'the contact could not be restored' };
  return null;
}
