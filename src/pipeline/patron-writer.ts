/**
 * The patrons stream's writer: each patron through the mapping (pure), fitted to the CRM's fields,
 * then reconciled with what the CRM holds and written (contact-writer.ts). Patrons the privacy rules
 * withhold who are already contacts leave the sync here: erased, flagged or left (departure*).
 */
import { addWarning, type FieldWarning } from '../core/field-policy.js';
import type { CrmOperation, DesiredContact, SentState } from '../core/types.js';
import { describeError } from '../core/errors.js';
import { LOAN_FIELDS } from '../mapping/loans.js';
import type { Withheld } from '../mapping/privacy.js';
import type { CompiledMapping } from '../mapping/types.js';
import type { PageResult } from '../state/ports.js';
import { writeContacts } from './contact-writer.js';
import { tally } from './tally.js';
import type { PipelineDeps, StreamWriter, WriteOutcome } from './types.js';

export function createPatronWriter(mapping: CompiledMapping): StreamWriter {
  return {
    async preflight(deps) {
      let missing: string[];
      try {
        missing = await deps.crm.missingTargets(mapping.targetFields);
      } catch (err) {
        if ((err as { transient?: boolean }).transient) throw err; // the run job is retried with backoff
        return `the CRM's field list could not be read: ${describeError(err)}`;
      }
      if (missing.length === 0) return null;
      return `CiviCRM has no writable Contact field ${missing.map((f) => `"${f}"`).join(', ')}, which ${mapping.file} writes; ` +
        'run `patron-bridge crm bootstrap` to create the custom fields (or correct the mapping). Nothing was read or written.';
    },

    async write(deps, records, result, ctx) {
      const skippedIds: string[] = [];
      // Per external id: the contact to write and the warnings of its fields (mapping's, then CRM's).
      const desired = new Map<string, { contact: DesiredContact; warnings: FieldWarning[] }>();
      const privacy = new Map<string, number>();
      const withheld: Departure[] = [];
      const today = deps.clock().toISOString().slice(0, 10);
      for (const record of records) {
        const t = mapping.transform(record, { today });
        if (t.kind === 'contact' && typeof record.data.privacy === 'number') privacy.set(t.contact.externalId, record.data.privacy);
        const key = t.kind === 'skip' && t.withheld ? mapping.keyOf(record) : null;
        if (t.kind === 'contact') desired.set(t.contact.externalId, { contact: t.contact, warnings: [...(t.warnings ?? [])] });
        else if (t.kind === 'skip' && t.withheld && key !== null) withheld.push({ key, recordId: record.id, why: t.withheld });
        else if (t.kind === 'skip') {
          tally(deps, result, 'skipped', record.id);
          skippedIds.push(record.id);
        } else result.rejections.push({ recordId: record.id, code: t.code, reason: t.reason });
      }
      // Beside the page before: a patron it holds too (changed during the run) waits for it to commit.
      const pageKeys = [...desired.keys(), ...withheld.map((w) => w.key)];
      await ctx.beside?.settle({ keys: pageKeys });
      // The contacts of withheld patrons leave the sync after the others are written (depart); one the page
      // before still writes (linked to another patron too) waits for its commit.
      const leaving = withheld.length ? await deps.state.getSent(ctx.unit, withheld.map((w) => w.key)) : new Map<string, SentState>();
      const departing = [...leaving.values()].flatMap((st) => (st.contactId !== undefined ? [st.contactId] : []));
      if (departing.length > 0) await ctx.beside?.settle({ contacts: departing });
      // Fitted to the CRM's fields before reconciling: what is compared and kept is what is actually sent.
      const mapped = [...desired.values()];
      const fits = mapped.length > 0 ? await deps.crm.fitContacts(mapped.map((d) => d.contact), mapping.policies) : [];
      const contacts: Array<{ contact: DesiredContact; warnings: FieldWarning[] }> = [];
      fits.forEach((fit, i) => {
        const { contact, warnings } = mapped[i]!;
        if (fit.kind === 'reject') {
          result.rejections.push({ recordId: contact.sourceRecordId, code: fit.code, reason: fit.reason });
          return;
        }
        for (const w of fit.warnings) addWarning(warnings, w.field, w.rule);
        contacts.push({ contact: fit.contact, warnings });
      });
      // The next patron page may begin once this page's contacts are in the CRM (memberships and commit may
      // still be under way); a page that takes contacts out of the sync, once those are written too.
      const markWritten = (contactIds: readonly number[]) => ctx.beside?.written({ keys: pageKeys, contacts: contactIds });
      const written = await writeContacts(deps, mapping, ctx.unit, contacts, result, {
        resend: ctx.resend, ...(ctx.beside ? { beside: ctx.beside } : {}), ...(departing.length === 0 ? { onSaved: markWritten } : {}),
      });
      // The patron's privacy preference rules their loans (see loan-writer.ts); a patron written again is no longer withheld.
      for (const [key, state] of written.sent) {
        const { withheld: _was, departed: _left, privacy: _old, ...rest } = state;
        const p = privacy.get(key);
        written.sent.set(key, p === undefined ? rest : { ...rest, privacy: p });
      }
      await depart(deps, mapping, leaving, withheld, result, written);
      if (departing.length > 0) markWritten([...[...written.sent.values()].flatMap((st) => (st.contactId !== undefined ? [st.contactId] : [])), ...departing]);
      return { ...written, cleared: [...skippedIds, ...written.cleared] };
    },
  };
}

export interface Departure {
  key: string;
  recordId: string;
  why: Withheld;
}

/** What happens to the contact of a patron the privacy rules now withhold: anonymised ones by on_anonymised, the others by lifecycle.on_gone. */
function departureAction(mapping: CompiledMapping, why: Withheld): 'nothing' | 'flag' | 'clear' {
  if (why === 'anonymised' || why === 'anonymous patron') return mapping.privacy.onAnonymised === 'erase' ? 'clear' : 'flag';
  return mapping.lifecycle.onGone;
}

/** The write that takes a contact out of the sync: erase what patron-bridge wrote (fields, managed groups), or flag it. */
function departureOp(mapping: CompiledMapping, key: string, recordId: string, state: SentState, action: 'flag' | 'clear'): CrmOperation {
  const base = { kind: 'upsertContact' as const, mode: 'update' as const, externalId: key, sourceRecordId: recordId, contactId: state.contactId! };
  if (action === 'flag') return { ...base, values: {}, addGroups: [mapping.lifecycle.group], removeGroups: [] };
  const fields = Object.keys(state.fields ?? {}).filter((f) => f !== 'contact_type' && f !== 'external_identifier');
  return { ...base, values: Object.fromEntries(fields.map((f) => [f, null])), addGroups: [], removeGroups: state.groups.filter((g) => g !== mapping.lifecycle.group.name) };
}

/** The state a departed contact keeps: its id (for its loans), why it left, what patron-bridge still has there. */
function departedState(mapping: CompiledMapping, state: SentState, action: 'nothing' | 'flag' | 'clear', why: Withheld, at: string): SentState {
  const groups = action === 'flag' ? [...new Set([...state.groups, mapping.lifecycle.group.name])] : action === 'clear' ? [] : state.groups;
  return { ...state, groups, ...(action === 'clear' ? { fields: {} } : {}), withheld: why, departed: action, at };
}

/** Deletes the loan activities of these contacts (their history leaves the CRM with them). */
async function deleteLoansOf(deps: PipelineDeps, mapping: CompiledMapping, contactIds: readonly number[]): Promise<number> {
  if (!mapping.loans || contactIds.length === 0) return 0;
  const keys = await deps.crm.activitiesOfContacts(contactIds, { keyField: LOAN_FIELDS.id, activityType: mapping.loans.activityType.name });
  if (keys.length) await deps.crm.deleteActivities(keys, LOAN_FIELDS.id);
  return keys.length;
}

async function depart(deps: PipelineDeps, mapping: CompiledMapping, sent: ReadonlyMap<string, SentState>, departures: readonly Departure[], result: PageResult, out: WriteOutcome): Promise<void> {
  if (departures.length === 0) return;
  const at = deps.clock().toISOString();
  const contacts: Array<Departure & { state: SentState }> = [];
  for (const d of departures) {
    const state = sent.get(d.key);
    if (!state || state.contactId === undefined || state.excluded || state.withheld === d.why) {
      // Never a contact (or already taken out for this reason): nothing to undo; its loans are not sent either.
      tally(deps, result, 'skipped', d.recordId);
      out.cleared.push(d.recordId);
      out.sent.set(d.key, state ? { ...state, withheld: d.why } : { groups: [], at, withheld: d.why });
      continue;
    }
    contacts.push({ ...d, state });
  }
  for (const [key, left] of await takeOutOfSync(deps, mapping, contacts, result, at)) {
    out.sent.set(key, left.state);
    out.cleared.push(left.recordId);
  }
}

/**
 * Takes contacts out of the sync (their patron left the synced set, was anonymised, or is gone from
 * Koha): each as `departureAction` says, loans deleted with a cleared contact. Counts go to `result`
 * (a refusal is a rejection); returns the state each departed contact keeps, by key.
 */
export async function takeOutOfSync(
  deps: PipelineDeps, mapping: CompiledMapping, contacts: ReadonlyArray<Departure & { state: SentState }>, result: PageResult, at: string,
): Promise<Map<string, { recordId: string; state: SentState }>> {
  const todo = contacts.map((c) => ({ ...c, action: departureAction(mapping, c.why) }));
  const writes = todo.filter((t) => t.action !== 'nothing');
  const results = writes.length ? await deps.crm.applyContacts(writes.map((t) => departureOp(mapping, t.key, t.recordId, t.state, t.action as 'flag' | 'clear'))) : [];
  const refused = new Map(writes.flatMap((t, i) => (results[i]?.outcome === 'rejected' ? [[t.key, results[i]!] as const] : [])));
  await deleteLoansOf(deps, mapping, todo.filter((t) => t.action === 'clear' && !refused.has(t.key)).map((t) => t.state.contactId!));
  const left = new Map<string, { recordId: string; state: SentState }>();
  for (const t of todo) {
    const r = refused.get(t.key);
    if (r) {
      result.rejections.push({ recordId: t.recordId, code: r.code ?? 'CRM_API', reason: `could not take the contact out of the sync (${t.why}): ${r.reason ?? 'refused by the CRM'}` });
      continue;
    }
    tally(deps, result, t.action === 'clear' ? 'deleted' : t.action === 'flag' ? 'updated' : 'skipped', t.recordId);
    left.set(t.key, { recordId: t.recordId, state: departedState(mapping, t.state, t.action, t.why, at) });
  }
  if (todo.length) {
    deps.logger.info('patrons taken out of the sync', { patrons: todo.length, why: [...new Set(todo.map((t) => t.why))], erased: todo.filter((t) => t.action === 'clear').length, flagged: todo.filter((t) => t.action === 'flag').length });
  }
  return left;
}
