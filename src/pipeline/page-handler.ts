/**
 * One page of one source: read (a window page, or kept failures by id) → transform (pure) →
 * reconcile (pure) → apply to the CRM → commit fingerprints, counts, failures and cursor together,
 * under the run's lease → enqueue the next page or finish the source.
 */
import { advance, nextPage, type IdPage } from '../../connectors/connector.js';
import { addWarning, type FieldWarning } from '../core/field-policy.js';
import { BridgeError } from '../core/errors.js';
import type { DesiredContact, Page, PageRequest } from '../core/types.js';
import { writeContacts } from './contact-writer.js';
import { emptyPageResult, LeaseLostError, type CommittedPage, type FailureEntry, type PageResult } from '../state/ports.js';
import { PATRON_STREAM, type PageJobData, type PipelineDeps, type RetryPageJob, type SourceBinding } from './types.js';

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
    await followUp(deps, job, committed);
    return committed;
  }
  await holdLease(deps, job);
  const heartbeat = setInterval(() => {
    holdLease(deps, job).catch((err: unknown) => deps.logger.warn('lease renewal failed', { runId, sourceId, pageNo, error: String(err) }));
  }, Math.max(1000, Math.floor(deps.policy.leaseTtlMs / 3)));
  try {
    const done = job.phase === 'window' ? await windowPage(deps, binding, job.runId, job.request) : await retryPage(deps, binding, job);
    const outcome = await writePage(deps, binding, job, done);
    await followUp(deps, job, outcome);
    return outcome;
  } finally {
    clearInterval(heartbeat);
  }
}

/** What was read, and where the run goes after this page. */
interface ReadPage {
  records: Page['records'];
  rejected: Page['rejected'];
  /** Ids the source no longer has (retry pages): their failures are dropped. */
  missing: string[];
  retried: number;
  cursorAfter: Page['last'] | undefined;
  next: PageRequest | null;
  retryNext: boolean;
}

async function windowPage(deps: PipelineDeps, binding: SourceBinding, runId: string, request: PageRequest): Promise<ReadPage> {
  const page = await binding.connector.patrons.read(request);
  const next = nextPage(request, page);
  // After the window, the failures kept from earlier runs get their turn (not in replay runs).
  const retryNext = next === null && (await retryCandidates(deps, binding.connector.sourceId, runId, { parked: false, ids: [] })).length > 0;
  return { records: page.records, rejected: page.rejected, missing: [], retried: 0, cursorAfter: page.last, next, retryNext };
}

async function retryPage(deps: PipelineDeps, binding: SourceBinding, job: RetryPageJob): Promise<ReadPage> {
  const ids = job.replay ? await deps.state.getRunRecordIds(job.runId) : [];
  // A replay of named records reads them whether or not they are kept failures (e.g. to apply an answer).
  const named = [...new Set(ids)].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const candidates = named.length
    ? named.slice((job.pageNo - 1) * job.limit).map((recordId) => ({ recordId }))
    : await retryCandidates(deps, job.sourceId, job.runId, { parked: job.replay, ids });
  const chosen = candidates.slice(0, job.limit).map((f) => f.recordId);
  const page: IdPage = chosen.length ? await binding.connector.patrons.readIds(chosen) : { records: [], rejected: [], missing: [] };
  if (page.missing.length) deps.logger.info('kept failures no longer in the source, dropped', { runId: job.runId, sourceId: job.sourceId, records: page.missing });
  return { ...page, retried: chosen.length, cursorAfter: undefined, next: null, retryNext: candidates.length > chosen.length };
}

/** Kept failures a run should try again: not yet tried in this run, parked ones only when asked. */
async function retryCandidates(deps: PipelineDeps, sourceId: string, runId: string, opts: { parked: boolean; ids: string[] }): Promise<FailureEntry[]> {
  const wanted = new Set(opts.ids);
  return (await deps.state.listFailures(sourceId))
    .filter((f) => f.stream === PATRON_STREAM && f.lastRunId !== runId && (opts.parked || !f.parked) && (wanted.size === 0 || wanted.has(f.recordId)))
    .sort((a, b) => a.recordId.localeCompare(b.recordId, 'en', { numeric: true }));
}

async function writePage(deps: PipelineDeps, binding: SourceBinding, job: PageJobData, page: ReadPage): Promise<CommittedPage> {
  const { runId, sourceId, pageNo } = job;
  const result = emptyPageResult();
  result.read = page.records.length + page.rejected.length;
  result.retried = page.retried;
  for (const r of page.rejected) result.rejections.push({ recordId: r.id, code: 'RECORD_INVALID', reason: r.reason });

  const cleared = [...page.missing];
  // Per external id: the contact to write and the warnings of its fields (mapping's, then CRM's).
  const desired = new Map<string, { contact: DesiredContact; warnings: FieldWarning[] }>();
  for (const record of page.records) {
    const t = binding.mapping.transform(record);
    if (t.kind === 'contact') desired.set(t.contact.externalId, { contact: t.contact, warnings: [...(t.warnings ?? [])] });
    else if (t.kind === 'skip') {
      result.skipped += 1;
      cleared.push(record.id);
    } else result.rejections.push({ recordId: record.id, code: t.code, reason: t.reason });
  }

  // Fitted to the CRM's fields before reconciling: the fingerprint is of what is actually sent.
  const mapped = [...desired.values()];
  const fits = mapped.length > 0 ? await deps.crm.fitContacts(mapped.map((d) => d.contact), binding.mapping.policies) : [];
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
  const written = await writeContacts(deps, binding, contacts, result, { resend: job.phase === 'window' && job.resend === true });
  cleared.push(...written.cleared);
  result.rejected = result.rejections.length;

  const cursor = page.cursorAfter === undefined ? null : advance(await deps.state.getCursor(sourceId), page.cursorAfter);
  const outcome: CommittedPage = { result, next: page.next, ...(page.retryNext ? { retryNext: true } : {}) };
  try {
    await deps.state.commitPage({
      runId, sourceId, stream: PATRON_STREAM, pageNo, result, sent: written.sent, cursor, next: outcome.next, retryNext: page.retryNext,
      failed: [...result.rejections, ...written.held], cleared, parkAfterRuns: deps.policy.parkAfterRuns,
      conflicts: written.conflicts, applied: written.applied, at: deps.clock().toISOString(),
    });
  } catch (err) {
    if (err instanceof LeaseLostError) throw new BridgeError('RUN_CONFLICT', err.message, { context: { system: 'redis' }, transient: false });
    throw err;
  }
  if (result.rejected > 0) {
    deps.logger.warn('records rejected', { runId, sourceId, pageNo, rejected: result.rejected, records: result.rejections.map((r) => r.recordId) });
  }
  deps.logger.info('page done', {
    runId, sourceId, pageNo, phase: job.phase, read: result.read, created: result.created, updated: result.updated, linked: result.linked,
    unchanged: result.unchanged, rejected: result.rejected, skipped: result.skipped, held: result.held, conflicts: result.conflicts, withWarnings: result.withWarnings,
  });
  return outcome;
}

/** Takes or renews the run's lease on the source; another run holding it fails this page for good. */
async function holdLease(deps: PipelineDeps, job: PageJobData): Promise<void> {
  const lease = await deps.state.acquireLease(job.sourceId, job.runId, deps.policy.leaseTtlMs);
  if (!lease.ok) {
    throw new BridgeError('RUN_CONFLICT', `run ${job.runId} lost source "${job.sourceId}" to run ${lease.holder}`, { context: { system: 'redis' }, transient: false });
  }
}

/** After a committed page: the next window page, the first retry page, or the source's end. */
export async function followUp(deps: PipelineDeps, job: PageJobData, page: CommittedPage): Promise<void> {
  const base = { runId: job.runId, sourceId: job.sourceId, pageNo: job.pageNo + 1 };
  const limit = job.phase === 'window' ? job.request.limit : job.limit;
  if (page.next) await deps.enqueuePage({ ...base, phase: 'window', request: page.next, ...(job.phase === 'window' && job.resend ? { resend: true } : {}) });
  else if (page.retryNext) await deps.enqueuePage({ ...base, phase: 'retry', limit, replay: job.phase === 'retry' && job.replay });
  else await deps.state.finishSource(job.runId, job.sourceId, { status: 'done', at: deps.clock().toISOString() });
}

/** Called by the queue shell when a page job has failed for good. */
export async function failSource(deps: Pick<PipelineDeps, 'state' | 'clock' | 'logger'>, job: Pick<PageJobData, 'runId' | 'sourceId' | 'pageNo'>, error: string): Promise<void> {
  deps.logger.error('source failed', { runId: job.runId, sourceId: job.sourceId, pageNo: job.pageNo, error });
  await deps.state.finishSource(job.runId, job.sourceId, { status: 'failed', error: `page ${job.pageNo}: ${error}`, at: deps.clock().toISOString() });
}
