/**
 * `patron-bridge mapping preview [--limit N] [--source ID] [--json]`: the first N patrons of a source
 * (as a full run reads them), each through the mapping and fitted to the CRM's fields as a run would,
 * shown field by field (source field(s) → CRM field: value), with the record's warnings, or why it
 * would be skipped or rejected. Reads Koha and the CRM's field list; writes nothing, keeps no state.
 */
import { emptyCursor } from '../state/ports.js';
import { firstPage } from '../../connectors/connector.js';
import { createCiviCrmSink } from '../../connectors/civicrm/index.js';
import type { ContactFit } from '../../connectors/civicrm/sink.js';
import { closeSources, loadSources } from '../app.js';
import { PATRONS } from '../core/streams.js';
import { describeError } from '../core/errors.js';
import type { FieldWarning } from '../core/field-policy.js';
import type { SourceRecord, Value } from '../core/types.js';
import type { CompiledMapping } from '../mapping/types.js';
import { EXIT, selectSources, withConfig, type CommonOptions } from './run-cli.js';

export interface MappingPreviewOptions extends CommonOptions {
  limit: number;
  source?: string;
  json?: boolean;
}

export type PreviewRecord =
  | { recordId: string; outcome: 'contact'; externalId: string; fields: Array<{ from: string; field: string; value: Value }>; groups: string[]; warnings: FieldWarning[] }
  | { recordId: string; outcome: 'skipped' | 'rejected'; code?: string; reason: string };

/** Pure: the records as the mapping and the CRM's fields make them (`fits`: one per contact the mapping made, in order; null without the CRM). */
export function previewRecords(mapping: CompiledMapping, records: readonly SourceRecord[], transformed: ReturnType<CompiledMapping['transform']>[], fits: ContactFit[] | null): PreviewRecord[] {
  let next = 0;
  return records.map((record, i): PreviewRecord => {
    const t = transformed[i]!;
    if (t.kind === 'skip') return { recordId: record.id, outcome: 'skipped', reason: t.reason };
    if (t.kind === 'reject') return { recordId: record.id, outcome: 'rejected', code: t.code, reason: t.reason };
    const fit = fits ? fits[next++]! : { kind: 'fit' as const, contact: t.contact, warnings: [] };
    if (fit.kind === 'reject') return { recordId: record.id, outcome: 'rejected', code: fit.code, reason: fit.reason };
    return {
      recordId: record.id, outcome: 'contact', externalId: fit.contact.externalId,
      fields: Object.entries(fit.contact.values).map(([field, value]) => ({ from: mapping.fieldSources.get(field) ?? 'privacy rules', field, value })),
      groups: fit.contact.groups.map((g) => g.name),
      warnings: [...(t.warnings ?? []), ...fit.warnings],
    };
  });
}

export function formatPreview(sourceId: string, records: readonly PreviewRecord[]): string {
  const out: string[] = [];
  for (const r of records) {
    if (r.outcome !== 'contact') {
      out.push(`${sourceId}: patron ${r.recordId}: ${r.outcome}: ${r.code ? `${r.code}: ` : ''}${r.reason}`);
      continue;
    }
    out.push(`${sourceId}: patron ${r.recordId} → contact ${r.externalId}`);
    const width = Math.max(...r.fields.map((f) => f.from.length));
    for (const f of r.fields) out.push(`  ${f.from.padEnd(width)} → ${f.field}: ${f.value === null ? '(empty)' : JSON.stringify(f.value)}`);
    if (r.groups.length) out.push(`  groups: ${r.groups.join(', ')}`);
    for (const w of r.warnings) out.push(`  warning: ${w.field}: ${w.rule}`);
  }
  return out.join('\n');
}

export async function mappingPreviewCommand(opts: MappingPreviewOptions): Promise<number> {
  return withConfig(opts, async (loaded, logger) => {
    const wanted = selectSources(loaded, opts.source ? [opts.source] : []);
    const sources = await loadSources(loaded, logger);
    const crm = createCiviCrmSink(loaded.config.crm, { logger });
    const today = new Date().toISOString().slice(0, 10);
    const all: Array<{ sourceId: string; records: PreviewRecord[]; crmChecked: boolean }> = [];
    try {
      for (const sourceId of wanted) {
        const binding = sources.get(sourceId)!;
        const stream = binding.streams.find((s) => s.name === PATRONS)!.stream;
        const page = await stream.read(firstPage(emptyCursor(), 'full', { overlapMs: 0, now: new Date(), limit: opts.limit }));
        const transformed = page.records.map((r) => binding.mapping.transform(r, { today }));
        const contacts = transformed.flatMap((t) => (t.kind === 'contact' ? [t.contact] : []));
        let fits: ContactFit[] | null = null;
        try {
          fits = contacts.length ? await crm.fitContacts(contacts, binding.mapping.policies) : [];
        } catch (err) {
          process.stderr.write(`note: CiviCRM's field list could not be read (${describeError(err)}); values are shown as the mapping makes them, not fitted to the CRM's fields\n`);
        }
        const records = [
          ...previewRecords(binding.mapping, page.records, transformed, fits),
          ...page.rejected.map((r): PreviewRecord => ({ recordId: r.id, outcome: 'rejected', code: 'RECORD_INVALID', reason: r.reason })),
        ];
        all.push({ sourceId, records, crmChecked: fits !== null });
      }
    } finally {
      await closeSources(sources);
    }
    process.stdout.write(opts.json ? `${JSON.stringify(all, null, 2)}\n` : `${all.map((s) => formatPreview(s.sourceId, s.records)).join('\n')}\n`);
    return EXIT.ok;
  });
}
