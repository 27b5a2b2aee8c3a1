/**
 * One page of one source: read → transform (pure) → reconcile (pure) → apply to the CRM →
 * commit fingerprints, counts and cursor together → enqueue the next page or finish the source.
 */
import { advance, nextPage } from '../../connectors/connector.js';
import { addWarning, type FieldWarning } from '../core/field-policy.js';
import type { ContactWriteResult, DesiredContact, PageRequest, SentState } from '../core/types.js';
import { reconcile } from '../reconcile/index.js';
import { emptyPageResult, type PageResult } from '../state/ports.js';
import type { PageJobData, PipelineDeps } from './types.js';

export interface PageOutcome {
  result: PageResult;
  next: PageRequest | null;
}

export async function processPage(deps: PipelineDeps, job: PageJobData): Promise<PageOutcome> {
  const { runId, sourceId, pageNo } = job;
  const binding = deps.sources.get(sourceId);
  if (!binding) throw new Error(`unknown source "${sourceId}"`);

  // A retried job whose page was already committed only needs its follow-up.
  const committed = await deps.state.getCommittedPage(runId, sourceId, pageNo);
  if (committed) {
    await followUp(deps, job, committed.next);
    return committed;
  }

  const page = await binding.connector.patrons.read(job.request);
  const result = emptyPageResult();
  result.read = page.records.length + page.rejected.length;
  for (const r of page.rejected) result.rejections.push({ recordId: r.id, code: 'RECORD_INVALID', reason: r.reason });

  // Per external id: the contact to write and the warnings of its fields (mapping's, then CRM's).
  const desired = new Map<string, { contact: DesiredContact; warnings: FieldWarning[] }>();
  for (const record of page.records) {
    const t = binding.mapping.transform(record);
    if (t.kind === 'contact') desired.set(t.contact.externalId, { contact: t.contact, warnings: [...(t.warnings ?? [])] });
    else if (t.kind === 'skip') result.skipped += 1;
    else result.rejections.push({ recordId: record.id, code: t.code, reason: t.reason });
  }

  // Fitted to the CRM's fields before reconciling: the fingerprint is of what is actually sent.
  const mapped = [...desired.values()];
  const fits = mapped.length > 0 ? await deps.crm.fitContacts(mapped.map((d) => d.contact), binding.mapping.policies) : [];
  const contacts: DesiredContact[] = [];
  fits.forEach((fit, i) => {
    const { contact, warnings } = mapped[i]!;
    if (fit.kind === 'reject') {
      result.rejections.push({ recordId: contact.sourceRecordId, code: fit.code, reason: fit.reason });
      return;
    }
    for (const w of fit.warnings) addWarning(warnings, w.field, w.rule);
    contacts.push(fit.contact);
  });
  const sentBefore = await deps.state.getSent(sourceId, contacts.map((c) => c.externalId));
  const plan = reconcile(contacts, sentBefore);
  result.unchanged = plan.unchanged.length;

  const writes: ContactWriteResult[] =
    plan.upserts.length > 0
      ? await deps.crm.upsertContacts(plan.upserts.map((u) => ({ contact: u.contact, removeFromGroups: u.removeFromGroups })))
      : [];

  const at = deps.clock().toISOString();
  const sent = new Map<string, SentState>();
  writes.forEach((w, i) => {
    const { contact, fingerprint } = plan.upserts[i]!;
    if (w.outcome === 'rejected') {
      result.rejections.push({ recordId: contact.sourceRecordId, code: w.code ?? 'CRM_API', reason: w.reason ?? 'refused by the CRM' });
      return;
    }
    result[w.outcome] += 1;
    // Warnings are reported by the run that writes the record; an unchanged one was reported before.
    const warnings = desired.get(contact.externalId)?.warnings ?? [];
    if (warnings.length > 0) result.withWarnings += 1;
    for (const { field, rule } of warnings) result.warnings.push({ recordId: contact.sourceRecordId, field, rule });
    sent.set(contact.externalId, {
      fingerprint,
      groups: contact.groups.map((g) => g.name),
      ...(w.contactId !== undefined ? { contactId: w.contactId } : {}),
      at,
    });
  });
  result.rejected = result.rejections.length;

  const cursor = advance(await deps.state.getCursor(sourceId), page.last);
  const next = nextPage(job.request, page);
  await deps.state.commitPage({ runId, sourceId, pageNo, result, sent, cursor, next });
  if (result.rejected > 0) {
    deps.logger.warn('records rejected', { runId, sourceId, pageNo, rejected: result.rejected, records: result.rejections.map((r) => r.recordId) });
  }
  deps.logger.info('page done', { runId, sourceId, pageNo, read: result.read, created: result.created, updated: result.updated, unchanged: result.unchanged, rejected: result.rejected, skipped: result.skipped, withWarnings: result.withWarnings });
  await followUp(deps, job, next);
  return { result, next };
}

async function followUp(deps: PipelineDeps, job: PageJobData, next: PageRequest | null): Promise<void> {
  if (next) {
    await deps.enqueuePage({ runId: job.runId, sourceId: job.sourceId, pageNo: job.pageNo + 1, request: next });
  } else {
    await deps.state.finishSource(job.runId, job.sourceId, { status: 'done', at: deps.clock().toISOString() });
  }
}

/** Called by the queue shell when a page job has failed for good. */
export async function failSource(deps: Pick<PipelineDeps, 'state' | 'clock' | 'logger'>, job: PageJobData, error: string): Promise<void> {
  deps.logger.error('source failed', { runId: job.runId, sourceId: job.sourceId, pageNo: job.pageNo, error });
  await deps.state.finishSource(job.runId, job.sourceId, { status: 'failed', error: `page ${job.pageNo}: ${error}`, at: deps.clock().toISOString() });
}
