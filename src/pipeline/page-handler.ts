/**
 * One page of one stream of a source: read (a window page, or kept failures by id) → enqueue the
 * next window page at once (it reads while this one writes) → wait for this page's turn (the pages
 * of a stream write in order: a page sees in the CRM what the pages before it wrote, and the cursor
 * only ever moves past written records) → the stream's writer (mapping, reconcile, CRM writes) →
 * commit last-synced state, counts, failures, conflicts and cursor together, under the run's lease →
 * after the last page, kept failures, or the end of the stream and the source's next one.
 */
import { advance, compareKeys, nextPage, type IdPage } from '../../connectors/connector.js';
import { byRecordId } from '../core/record-ids.js';
import { BridgeError } from '../core/errors.js';
import { unitOf } from '../core/streams.js';
import type { Page, PageRequest } from '../core/types.js';
import { emptyPageResult, LeaseLostError, type CommittedPage, type FailureEntry, type PageResult, type PageTouch } from '../state/ports.js';
import { nextStream, startStream } from './stream-start.js';
import type { Beside, PageJobData, PipelineDeps, RetryPageJob, SourceBinding, StreamBinding } from './types.js';

/** How long a page that has read its records waits in its worker slot for the page before it to commit. */
const TURN_WAIT_MS = 60_000;


/**
 * The page before this one has not committed within TURN_WAIT_MS (it is slow, or waits for a retry):
 * the queue shell puts this job back for `retryInMs`, freeing its worker slot, without spending an attempt.
 */
export class NotYourTurnError extends Error {
  constructor(readonly pageNo: number, readonly retryInMs: number) {
    super(`page ${pageNo} waits for page ${pageNo - 1} to be written`);
    this.name = 'NotYourTurnError';
  }
}

export interface PageOutcome {
  result: PageResult;
  next: PageRequest | null;
}

function bindingOf(deps: PipelineDeps, job: Pick<PageJobData, 'sourceId' | 'stream'>): { binding: SourceBinding; stream: StreamBinding } {
  const binding = deps.sources.get(job.sourceId);
  const stream = binding?.streams.find((s) => s.name === job.stream);
  if (!binding || !stream) throw new BridgeError('CONFIG_INVALID', `source "${job.sourceId}" has no stream "${job.stream}" in this configuration`, { context: { system: 'config' } });
  return { binding, stream };
}

export async function processPage(deps: PipelineDeps, job: PageJobData): Promise<PageOutcome> {
  const { runId, sourceId, pageNo } = job;
  const { stream } = bindingOf(deps, job);
  const unit = unitOf(sourceId, job.stream);

  if (!(await deps.state.runKept(runId))) {
    deps.logger.warn('page of a run Redis no longer has (it lost its data), dropped', { runId, sourceId, stream: job.stream, pageNo });
    return { result: emptyPageResult(), next: null };
  }
  // A retried job whose page was already committed only needs its follow-up.
  const committed = await deps.state.getCommittedPage(runId, unit, pageNo);
  if (committed) {
    await followUp(deps, job, committed);
    return committed;
  }
  // A page of a stream that has ended (an earlier page failed for good) must not take the source's lease
  // again: nobody would give it back, and the next run would be refused until it lapsed.
  if (await streamEnded(deps, job, unit)) return dropped(deps, job);
  await holdLease(deps, job);
  const heartbeat = setInterval(() => {
    renewLease(deps, job).catch((err: unknown) => deps.logger.warn('lease renewal failed', { runId, sourceId, pageNo, error: String(err) }));
  }, Math.max(1000, Math.floor(deps.policy.leaseTtlMs / 3)));
  try {
    const read = job.phase === 'window' ? await windowPage(deps, stream, job.sourceId, job.runId, job.request) : await retryPage(deps, stream, job);
    const done = stream.overlap !== undefined && !stream.stream.next && job.phase === 'window' ? await stopAtNext(deps, job, read) : read;
    // Read ahead: the next page is read (Koha) while this one is written (CRM).
    const readAhead = stream.overlap !== undefined && job.phase === 'window' && done.next !== null;
    if (readAhead) await deps.enqueuePage(nextWindowJob(job, done.next!));
    let beside: BesideTurn | undefined;
    if (stream.overlap === 'write') {
      const turn = await waitForWriteTurn(deps, job, unit);
      if (turn === false) return dropped(deps, job);
      if (turn !== 'go') deps.logger.debug('page begins beside the page before (its contacts are in the CRM)', { runId, sourceId, stream: job.stream, pageNo });
      beside = besideTurn(deps, job, unit, turn === 'go' ? null : turn);
    }
    const outcome = await writePage(deps, stream, job, done, beside);
    if (outcome === null) return dropped(deps, job);
    await followUp(deps, job, outcome, { readAhead });
    return outcome;
  } catch (err) {
    if (err instanceof StreamEndedError) return dropped(deps, job);
    throw err;
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
  /** The first page of a window (or of one of its parts): what the source counts in it, for progress. */
  expected?: number;
  cursorAfter: Page['last'] | undefined;
  next: PageRequest | null;
  retryNext: boolean;
}

async function windowPage(deps: PipelineDeps, s: StreamBinding, sourceId: string, runId: string, request: PageRequest): Promise<ReadPage> {
  const page = await s.stream.read(request);
  if (s.trackSeen && request.since === null) {
    await deps.state.markSeen(runId, unitOf(sourceId, s.name), [...page.records.map((r) => r.id), ...page.rejected.map((r) => r.id)]);
  }
  const next = s.stream.next ? s.stream.next(request, page) : nextPage(request, page);
  // After the window, the failures kept from earlier runs get their turn (not in replay runs).
  const retryNext = next === null && (await retryCandidates(deps, sourceId, s.name, runId, { parked: false, ids: [] })).length > 0;
  const cursorAfter = s.stream.movesCursor && !s.stream.movesCursor(request) ? undefined : page.last;
  const expected = request.after === null && page.total !== undefined ? { expected: page.total } : {};
  return { records: page.records, rejected: page.rejected, missing: [], retried: 0, ...expected, cursorAfter, next, retryNext };
}

async function retryPage(deps: PipelineDeps, s: StreamBinding, job: RetryPageJob): Promise<ReadPage> {
  const ids = job.replay ? await deps.state.getRunRecordIds(job.runId) : [];
  // A replay of named records reads them whether or not they are kept failures (e.g. to apply an answer).
  const named = [...new Set(ids)].sort(byRecordId.compare);
  const candidates = named.length
    ? named.slice((job.pageNo - 1) * job.limit).map((recordId) => ({ recordId }))
    : await retryCandidates(deps, job.sourceId, s.name, job.runId, { parked: job.replay, ids });
  const chosen = candidates.slice(0, job.limit).map((f) => f.recordId);
  const page: IdPage = chosen.length ? await s.stream.readIds(chosen) : { records: [], rejected: [], missing: [] };
  if (page.missing.length) deps.logger.info('kept failures no longer in the source, dropped', { runId: job.runId, sourceId: job.sourceId, records: page.missing });
  return { ...page, retried: chosen.length, cursorAfter: undefined, next: null, retryNext: candidates.length > chosen.length };
}

/** Kept failures a run should try again: not yet tried in this run, parked ones only when asked. */
async function retryCandidates(deps: PipelineDeps, sourceId: string, stream: string, runId: string, opts: { parked: boolean; ids: string[] }): Promise<FailureEntry[]> {
  const wanted = new Set(opts.ids);
  return (await deps.state.listFailures(sourceId))
    .filter((f) => f.stream === stream && f.lastRunId !== runId && (opts.parked || !f.parked) && (wanted.size === 0 || wanted.has(f.recordId)))
    .sort((a, b) => byRecordId.compare(a.recordId, b.recordId));
}

/**
 * A page read again (its job retried, or resumed) ends where the next page, already enqueued, begins:
 * records that changed since the run started have left the window, so the same request now reaches
 * into the next page's records, which that page may be writing beside this one. For streams read in
 * keyset order of (updatedAt, id) over the whole window (patrons): a stream with pages of its own
 * (`next`: loans in parts, engagement in due order) keeps its page as read.
 */
async function stopAtNext(deps: PipelineDeps, job: PageJobData, page: ReadPage): Promise<ReadPage> {
  if (page.next === null || !deps.enqueuedRequest) return page;
  const next = await deps.enqueuedRequest({ ...job, pageNo: job.pageNo + 1 });
  const bound = next?.after;
  if (!next || !bound || (page.next.after !== null && compareKeys(page.next.after, bound) <= 0)) return page;
  const records = page.records.filter((r) => compareKeys({ updatedAt: r.updatedAt, id: r.id }, bound) <= 0);
  deps.logger.info('page read again stops where the next page begins', { runId: job.runId, sourceId: job.sourceId, stream: job.stream, pageNo: job.pageNo, left: page.records.length - records.length });
  return { ...page, records, ...(page.cursorAfter !== undefined ? { cursorAfter: bound } : {}), next };
}

function dropped(deps: PipelineDeps, job: PageJobData): PageOutcome {
  deps.logger.info('page dropped: its stream has ended without it (an earlier page failed)', { runId: job.runId, sourceId: job.sourceId, stream: job.stream, pageNo: job.pageNo });
  return { result: emptyPageResult(), next: null };
}

/** The stream ended (an earlier page failed for good) while this page waited for the page before it. */
class StreamEndedError extends Error {}

/** A page writing beside the one before: the Beside its writer is given, and the mark it leaves for the next page. */
interface BesideTurn {
  ctx: Beside;
  /** The mark of this page's contacts (written), awaited before the commit. */
  marked(): Promise<void>;
  /** Whether the page began before the page before had committed (then it commits after it). */
  waits(): boolean;
}

/** `before`: what the page before touches, while it has not committed (null: it has). */
function besideTurn(deps: PipelineDeps, job: PageJobData, unit: string, before: PageTouch | null): BesideTurn {
  let pending = before;
  const keys = new Set(before?.keys);
  const contacts = new Set(before?.contacts);
  let mark: Promise<void> = Promise.resolve();
  return {
    ctx: {
      async settle(touch) {
        if (pending === null) return false;
        const shared = (touch.keys ?? []).some((k) => keys.has(k)) || [...(touch.contacts ?? [])].some((c) => contacts.has(c));
        if (!shared) return false;
        deps.logger.debug('page waits for the page before to commit: both touch the same patrons or contacts', { runId: job.runId, sourceId: job.sourceId, stream: job.stream, pageNo: job.pageNo });
        if (!(await waitForTurn(deps, job, unit))) throw new StreamEndedError();
        pending = null;
        return true;
      },
      written(touch) {
        mark = deps.state.markWritten(job.runId, unit, job.pageNo, { keys: [...touch.keys], contacts: [...new Set(touch.contacts)] });
        // awaited before the commit; a mark that fails only makes the next page wait for the commit
        mark.catch(() => {});
      },
    },
    marked: () => mark,
    waits: () => before !== null,
  };
}

/** Writes and commits a page; null when, written side by side with earlier pages, its stream ended before its turn to commit. */
async function writePage(deps: PipelineDeps, s: StreamBinding, job: PageJobData, page: ReadPage, beside?: BesideTurn): Promise<CommittedPage | null> {
  const { runId, sourceId, pageNo } = job;
  const unit = unitOf(sourceId, job.stream);
  const result = emptyPageResult();
  result.read = page.records.length + page.rejected.length;
  result.retried = page.retried;
  if (page.expected !== undefined) result.expected = page.expected;
  for (const r of page.rejected) result.rejections.push({ recordId: r.id, code: 'RECORD_INVALID', reason: r.reason });

  const resend = job.phase === 'window' && job.resend === true;
  const written = await s.writer.write(deps, page.records, result, { runId, unit, resend, ...(beside ? { beside: beside.ctx } : {}) });
  const cleared = [...page.missing, ...written.cleared];
  result.rejected = result.rejections.length;

  // Pages written side by side commit one after another: the cursor only ever moves past written records.
  if ((s.overlap === 'commit' || beside?.waits()) && !(await waitForTurn(deps, job, unit))) return null;
  await beside?.marked().catch(() => {});
  const cursor = page.cursorAfter === undefined ? null : advance(await deps.state.getCursor(unit), page.cursorAfter);
  const outcome: CommittedPage = { result, next: page.next, ...(page.retryNext ? { retryNext: true } : {}) };
  try {
    await deps.state.commitPage({
      runId, sourceId, unit, stream: job.stream, pageNo, result, sent: written.sent, cursor, next: outcome.next, retryNext: page.retryNext,
      failed: [...result.rejections, ...written.held], cleared, parkAfterRuns: deps.policy.parkAfterRuns,
      conflicts: written.conflicts, applied: written.applied, at: deps.clock().toISOString(),
    });
  } catch (err) {
    if (err instanceof LeaseLostError) throw new BridgeError('RUN_CONFLICT', err.message, { context: { system: 'redis' }, transient: false });
    throw err;
  }
  if (result.rejected > 0) {
    deps.logger.warn('records rejected', { runId, sourceId, stream: job.stream, pageNo, rejected: result.rejected, records: result.rejections.map((r) => r.recordId) });
  }
  deps.logger.info('page done', {
    runId, sourceId, stream: job.stream, pageNo, phase: job.phase, read: result.read, created: result.created, updated: result.updated, linked: result.linked,
    unchanged: result.unchanged, rejected: result.rejected, skipped: result.skipped, held: result.held, conflicts: result.conflicts, withWarnings: result.withWarnings,
  });
  return outcome;
}

const nextWindowJob = (job: PageJobData, request: PageRequest): PageJobData => ({
  runId: job.runId, sourceId: job.sourceId, stream: job.stream, pageNo: job.pageNo + 1, phase: 'window', request,
  ...(job.phase === 'window' && job.resend ? { resend: true } : {}),
});

/**
 * Waits until the page before this one (same run and stream) has committed: true. Page 1 and retry
 * pages go at once. False when the stream has ended meanwhile (an earlier page failed for good):
 * this page is not to be written.
 */
async function waitForTurn(deps: PipelineDeps, job: PageJobData, unit: string): Promise<boolean> {
  if (job.pageNo === 1 || job.phase === 'retry') return true;
  return (await pollTurn(deps, job, () => deps.state.turnState(job.runId, unit, job.pageNo - 1))) === 'go';
}

/**
 * A patron page's turn to write (SyncState.writeTurn): 'go' once the page before has committed, or
 * what the page before touches as soon as it has its contacts in the CRM; false when the stream ended.
 */
async function waitForWriteTurn(deps: PipelineDeps, job: PageJobData, unit: string): Promise<false | 'go' | PageTouch> {
  if (job.pageNo === 1 || job.phase === 'retry') return 'go';
  const turn = await pollTurn(deps, job, () => deps.state.writeTurn(job.runId, unit, job.pageNo));
  return turn === 'ended' ? false : turn;
}

/** Asks `turn` until it is no longer 'wait'. */
async function pollTurn<T>(deps: PipelineDeps, job: PageJobData, turn: () => Promise<T | 'wait'>): Promise<T> {
  const until = Date.now() + TURN_WAIT_MS;
  // A short steady poll (one cheap read): the turn comes as soon as the page before commits (the CRM
  // waits on nobody); a stream that has ended without this page ends the wait too.
  for (let polls = 1; ; polls++) {
    const t = await turn();
    if (t !== 'wait') return t;
    // The page before sits in the queue behind this one (put back after a crash, every slot taken by
    // pages waiting for it): give the slot up now rather than after TURN_WAIT_MS.
    if (polls % 100 === 0 && (await deps.pageQueued?.({ ...job, pageNo: job.pageNo - 1 }))) throw new NotYourTurnError(job.pageNo, 500);
    if (Date.now() > until) throw new NotYourTurnError(job.pageNo, 2_000);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Takes or renews the run's lease on the source; another run holding it fails this page for good. */
async function holdLease(deps: PipelineDeps, job: PageJobData): Promise<void> {
  const lease = await deps.state.acquireLease(job.sourceId, job.runId, deps.policy.leaseTtlMs);
  if (!lease.ok) {
    throw new BridgeError('RUN_CONFLICT', `run ${job.runId} lost source "${job.sourceId}" to run ${lease.holder}`, { context: { system: 'redis' }, transient: false });
  }
}

/** Whether the page's stream has finished (or its run is gone): page 0 is never committed, so turnState says only that. */
async function streamEnded(deps: PipelineDeps, job: PageJobData, unit: string): Promise<boolean> {
  return (await deps.state.turnState(job.runId, unit, 0)) === 'ended';
}

/**
 * The heartbeat of a page in hand: renews the lease, but never for a run Redis no longer has (it lost
 * its data while the page was being written; processPage checked the run when the page began), nor
 * once its stream has ended (a page beside it failed for good; the source's lease was given back).
 */
async function renewLease(deps: PipelineDeps, job: PageJobData): Promise<void> {
  if (!(await deps.state.runKept(job.runId))) {
    throw new BridgeError('RUN_CONFLICT', `run ${job.runId} is no longer kept in Redis (it lost its data); its page is not written`, { context: { system: 'redis' }, transient: false });
  }
  if (await streamEnded(deps, job, unitOf(job.sourceId, job.stream))) return;
  await holdLease(deps, job);
}

/** After a committed page: the next window page, the first retry page, or the stream's end (then the source's next stream). */
export async function followUp(deps: PipelineDeps, job: PageJobData, page: CommittedPage, opts: { readAhead?: boolean } = {}): Promise<void> {
  const base = { runId: job.runId, sourceId: job.sourceId, stream: job.stream, pageNo: job.pageNo + 1 };
  const limit = job.phase === 'window' ? job.request.limit : job.limit;
  if (page.next) {
    // Enqueued already when this job read ahead; a retried or resumed job enqueues it again (job ids are deterministic).
    if (!opts.readAhead) await deps.enqueuePage(nextWindowJob(job, page.next));
  } else if (page.retryNext) await deps.enqueuePage({ ...base, phase: 'retry', limit, replay: job.phase === 'retry' && job.replay });
  else await finishStream(deps, job);
}

async function finishStream(deps: PipelineDeps, job: Pick<PageJobData, 'runId' | 'sourceId' | 'stream'>): Promise<void> {
  const next = nextStream(deps.sources.get(job.sourceId)!, job.stream);
  const run = next ? await deps.state.getRunInfo(job.runId) : null;
  // The next stream is enqueued before this one is marked done, so the source's lease is never free in between.
  if (next && run) await startStream(deps, { runId: job.runId, ...run }, job.sourceId, next);
  await deps.state.finishSource(job.runId, unitOf(job.sourceId, job.stream), { status: 'done', at: deps.clock().toISOString() });
}

/**
 * Called by the queue shell when a page job has failed for good: the stream fails, and the source's
 * later streams with it (loans without their patrons' contacts would only wait).
 */
export async function failSource(deps: Pick<PipelineDeps, 'state' | 'clock' | 'logger' | 'sources'>, job: Pick<PageJobData, 'runId' | 'sourceId' | 'stream' | 'pageNo'>, error: string): Promise<void> {
  deps.logger.error('stream failed', { runId: job.runId, sourceId: job.sourceId, stream: job.stream, pageNo: job.pageNo, error });
  const at = deps.clock().toISOString();
  const binding = deps.sources.get(job.sourceId);
  const later = binding ? binding.streams.slice(binding.streams.findIndex((s) => s.name === job.stream) + 1).map((s) => s.name) : [];
  for (const stream of later) await deps.state.finishSource(job.runId, unitOf(job.sourceId, stream), { status: 'failed', error: `not run: ${job.stream} failed`, at });
  await deps.state.finishSource(job.runId, unitOf(job.sourceId, job.stream), { status: 'failed', error: `page ${job.pageNo}: ${error}`, at });
}
