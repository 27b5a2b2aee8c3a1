/**
 * The patrons stream's writer: each patron through the mapping (pure), fitted to the CRM's fields,
 * then reconciled with what the CRM holds and written (contact-writer.ts).
 */
import { addWarning, type FieldWarning } from '../core/field-policy.js';
import type { DesiredContact } from '../core/types.js';
import { describeError } from '../core/errors.js';
import type { CompiledMapping } from '../mapping/types.js';
import { writeContacts } from './contact-writer.js';
import type { StreamWriter } from './types.js';

export interface PatronWriterOptions {
  /** Koha's AnonymousPatron: the placeholder owning anonymised loans, never a contact. */
  anonymousPatronId?: number | undefined;
}

export function createPatronWriter(mapping: CompiledMapping, opts: PatronWriterOptions = {}): StreamWriter {
  const anonymous = opts.anonymousPatronId === undefined ? null : String(opts.anonymousPatronId);
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
      for (const record of records) {
        if (record.id === anonymous) {
          result.skipped += 1;
          skippedIds.push(record.id);
          continue;
        }
        const t = mapping.transform(record);
        if (t.kind === 'contact' && typeof record.data.privacy === 'number') privacy.set(t.contact.externalId, record.data.privacy);
        if (t.kind === 'contact') desired.set(t.contact.externalId, { contact: t.contact, warnings: [...(t.warnings ?? [])] });
        else if (t.kind === 'skip') {
          result.skipped += 1;
          skippedIds.push(record.id);
        } else result.rejections.push({ recordId: record.id, code: t.code, reason: t.reason });
      }
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
      const written = await writeContacts(deps, mapping, ctx.unit, contacts, result, { resend: ctx.resend });
      // The patron's privacy preference rules their loans (see loan-writer.ts).
      for (const [key, state] of written.sent) {
        const p = privacy.get(key);
        if (p !== undefined) written.sent.set(key, { ...state, privacy: p });
      }
      return { ...written, cleared: [...skippedIds, ...written.cleared] };
    },
  };
}
