/**
 * State ports: what the pipeline remembers between pages and runs. Redis implements them
 * (redis-state.ts); an in-memory version (memory-state.ts) serves handler tests and dry runs.
 */
import type { WarningRule } from '../core/field-policy.js';
import type { Conflict, ConflictEntry, Resolution } from '../core/conflicts.js';
import type { FailureEntry } from './failure-log.js';
import type { Cursor, PageRequest, RunMode, SentState } from '../core/types.js';

export interface Rejection {
  /** Source record id (e.g. Koha patron_id); never personal data. */
  recordId: string;
  code: string;
  reason: string;
}

/** A field of a written record that was cut to fit or left out (see core/field-policy.ts); never the value. */
export interface RecordWarning {
  recordId: string;
  field: string;
  rule: WarningRule;
}

export interface WarningCount {
  field: string;
  rule: WarningRule;
  count: number;
}

/** What one page did; stored per page so a retried page overwrites rather than double-counts. */
export interface PageResult {
  read: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  skipped: number;
  /** Records re-read because an earlier run could not write them (see FailureEntry). */
  retried: number;
  /** Patrons linked to a contact already in the CRM (matched, or followed after a merge). */
  linked: number;
  /** Records (or parts of them) not written until a person decides a conflict. */
  held: number;
  /** Conflicts logged (decided by policy, or held). */
  conflicts: number;
  /** Created or updated records that carry at least one warning. */
  withWarnings: number;
  /** Records whose CRM copy was deleted (loans Koha anonymised, or the privacy rules no longer allow). */
  deleted: number;
  /**
   * Records the source counted when the stream's window (or a part of it) began, on that first page
   * only; summed over the pages, what the stream will read (progress: time left). Absent when unknown.
   */
  expected?: number;
  rejections: Rejection[];
  warnings: RecordWarning[];
}

export type RunStatus = 'running' | 'done' | 'failed';

/** One source's stream in a run (patrons, checkouts, …). */
export interface SourceReport extends PageResult {
  sourceId: string;
  stream: string;
  status: RunStatus;
  pages: number;
  /** Warnings summed per field and rule, most frequent first. */
  warningCounts: WarningCount[];
  error?: string;
  finishedAt?: string;
  /** From the run's start to this source's last page. */
  durationMs?: number;
  /** Failures kept for this source when it finished: retried by the next run, or parked. */
  failures?: { open: number; parked: number };
}

export interface RunReport {
  runId: string;
  mode: RunMode;
  status: RunStatus;
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  sources: SourceReport[];
  /** A running run that no process has worked on for the lease time (its process died): resumable. */
  interrupted?: boolean;
}

export type { FailureEntry } from './failure-log.js';

/** What a page still writing touches (see SyncState.markWritten): patron keys and CRM contact ids. */
export interface PageTouch {
  keys: string[];
  contacts: number[];
}

export interface PageCommit {
  runId: string;
  sourceId: string;
  /** The source's stream (see src/core/streams.ts unitOf): its pages, cursor and last-synced state. */
  unit: string;
  /** Stream of the source the page belongs to (e.g. "patrons"). */
  stream: string;
  pageNo: number;
  result: PageResult;
  /** Fingerprints of what was just written, keyed by external id. */
  sent: ReadonlyMap<string, SentState>;
  /** The source cursor after this page; null leaves it alone (pages read by id, not by window). */
  cursor: Cursor | null;
  /** The request for the following page, or null when this was the last one. */
  next: PageRequest | null;
  /** After the last page: kept failures are retried in pages of their own. */
  retryNext: boolean;
  /** Records whose failure is recorded (or counted once more). */
  failed: readonly Rejection[];
  /** Records this page wrote, found unchanged or skipped: their failure entries are cleared. */
  cleared: readonly string[];
  /** Runs after which a failing record is parked. */
  parkAfterRuns: number;
  /** Conflicts found by this page (decided by policy, or held for a person). */
  conflicts: readonly Conflict[];
  /** Keys of conflicts this page closed: answers it applied, and open ones it no longer finds. */
  applied: readonly string[];
  at: string;
}

/** What a committed page left behind, so a retried page job does not redo its writes. */
export interface CommittedPage {
  result: PageResult;
  next: PageRequest | null;
  /** No next window page, but kept failures to retry. */
  retryNext?: boolean;
}

export type LeaseResult = { ok: true } | { ok: false; holder: string };

/** Thrown by commitPage when the run no longer holds its source's lease: nothing was written. */
export class LeaseLostError extends Error {
  constructor(readonly sourceId: string, readonly runId: string, readonly holder: string | null) {
    super(
      holder
        ? `run ${runId} lost source "${sourceId}" to run ${holder}; its page was not committed`
        : `run ${runId} lost its lease on source "${sourceId}" (expired); its page was not committed`,
    );
    this.name = 'LeaseLostError';
  }
}

/**
 * `unit` arguments name one source's stream (src/core/streams.ts); leases, failures and conflicts
 * are per source.
 */
export interface SyncState extends IndexState {
  getCursor(unit: string): Promise<Cursor>;
  /** Forget a stream's cursor and last-synced state (next run re-reads and re-sends everything). */
  resetSource(unit: string): Promise<void>;
  getSent(unit: string, externalIds: readonly string[]): Promise<Map<string, SentState>>;
  /**
   * Atomically, and only while `runId` holds the source's lease: page result, fingerprints,
   * failures and cursor (which never moves backwards). Called only after the CRM writes are done.
   * A page committed before is left as it was. Throws LeaseLostError when the lease is gone.
   */
  commitPage(commit: PageCommit): Promise<void>;
  getCommittedPage(runId: string, unit: string, pageNo: number): Promise<CommittedPage | null>;
  /**
   * Whether a page waiting for its turn may go: 'go' when page `pageNo` of the stream is committed,
   * 'ended' when the stream has finished (or the run is gone), else 'wait'. Cheap: it reads no report.
   */
  turnState(runId: string, unit: string, pageNo: number): Promise<'go' | 'ended' | 'wait'>;
  /**
   * A page that lets the next one write beside it (patrons) has its contacts in the CRM: what it
   * touches (its patrons' keys, the contacts it writes) until it commits, which drops the mark.
   */
  markWritten(runId: string, unit: string, pageNo: number, touch: PageTouch): Promise<void>;
  /**
   * Whether page `pageNo` may write: 'go' / 'ended' / 'wait' as turnState of the page before, or,
   * while that one has not committed, what it touches once it has marked its contacts written and
   * the page before it has committed (at most two pages of a stream write at once).
   */
  writeTurn(runId: string, unit: string, pageNo: number): Promise<'go' | 'ended' | 'wait' | PageTouch>;
  /** The highest committed page of a run's stream, or null. */
  lastCommittedPage(runId: string, unit: string): Promise<(CommittedPage & { pageNo: number }) | null>;

  /** One run per source: take the lease (or renew it when `runId` holds it already). */
  acquireLease(sourceId: string, runId: string, ttlMs: number): Promise<LeaseResult>;
  releaseLease(sourceId: string, runId: string): Promise<void>;
  leaseHolder(sourceId: string): Promise<string | null>;

  /** Kept failures of a source (every stream), parked ones included. */
  listFailures(sourceId: string): Promise<FailureEntry[]>;

  /** The conflict log of a source, newest first (`status`: only those). */
  listConflicts(sourceId: string, opts?: { status?: ConflictEntry['status']; limit?: number }): Promise<ConflictEntry[]>;
  getConflict(sourceId: string, id: string): Promise<ConflictEntry | null>;
  /** Records a person's answer; the next run that meets the record applies it. */
  resolveConflict(sourceId: string, id: string, resolution: Resolution, at: string): Promise<ConflictEntry | null>;
  /** Answers waiting to be applied for these external ids, by conflict key. */
  getResolutions(sourceId: string, externalIds: readonly string[]): Promise<Map<string, Resolution>>;
  /** Keys of the open conflicts of these external ids (a page that no longer finds them closes them). */
  getOpenConflicts(sourceId: string, externalIds: readonly string[]): Promise<Set<string>>;

  /** `units`: the sources' streams the run covers, in the order they run. */
  createRun(run: { runId: string; mode: RunMode; units: string[]; startedAt: string; recordIds?: string[] }): Promise<void>;
  /** The first page request of a run's stream, kept so a crashed run can be resumed. */
  setFirstRequest(runId: string, unit: string, request: PageRequest): Promise<void>;
  getFirstRequest(runId: string, unit: string): Promise<PageRequest | null>;
  /**
   * False only when the run's record is gone although its jobs live on: Redis lost its data (restarted
   * without persistence, or flushed) and a process still working on the run enqueued a page again.
   * Such pages are dropped: taking the source's lease for them would lock out the next run.
   */
  runKept(runId: string): Promise<boolean>;
  /** A run's mode, start and status, without its report (cheap). */
  getRunInfo(runId: string): Promise<{ mode: RunMode; startedAt: string; status: RunStatus } | null>;
  /** Record ids a replay run was asked for (empty: every kept failure). */
  getRunRecordIds(runId: string): Promise<string[]>;
  /**
   * Marks one stream of a run finished (done or failed); releases the source's lease when it was the
   * source's last unfinished stream, and finishes the run when it was the last. A stream already
   * finished keeps its first outcome.
   */
  finishSource(runId: string, unit: string, outcome: { status: 'done' | 'failed'; error?: string; at: string }): Promise<void>;
  getRun(runId: string): Promise<RunReport | null>;
  /** Newest first; runs older than the kept history (`sync.keep_runs_days`) are gone. */
  listRuns(limit: number): Promise<RunReport[]>;

  /**
   * When a run last finished every stream of this source done (replays of kept failures aside), and
   * the last such full run; noted by finishSource, kept beyond the run history.
   */
  lastSuccess(sourceId: string): Promise<SourceSuccess>;
  /** A worker installed this schedule (`key` names it as configured; null: the source has none now). Kept while the key stays. */
  noteSchedule(sourceId: string, key: string | null, at: string): Promise<void>;
  /** Since when the schedule named `key` has been installed, or null (never, or installed as configured otherwise). */
  scheduleSince(sourceId: string, key: string): Promise<string | null>;
}

export interface SourceSuccess {
  at: string | null;
  fullAt: string | null;
}

/** A patron whose engagement is due, and when (epoch ms; 0: since one of their loans changed). */
export interface DueEngagement {
  patronKey: string;
  atMs: number;
}

/**
 * Indexes beside the last-synced state: who owns which loan (loan key → patron key and day), for
 * engagement, with the time each patron's engagement is next due; and the record ids a full run
 * saw, so what the source no longer has can be found. All writes are idempotent.
 */
export interface IndexState {
  /** Notes each loan's owner (null: nobody) and day; patrons who gained or lost a loan become due now. */
  noteLoanOwners(unit: string, loans: ReadonlyArray<{ loanKey: string; patronKey: string | null; day: string | null }>): Promise<void>;
  /** The loan days of each patron. */
  loanDaysOf(unit: string, patronKeys: readonly string[]): Promise<Map<string, string[]>>;
  /** Each noted loan's owner and day (loans without an owner are left out); a dry run lays its own notes over these. */
  loanOwnersOf(unit: string, loanKeys: readonly string[]): Promise<Map<string, { patronKey: string; day: string }>>;
  /** Each patron's loans, by loan key, with their days. */
  loansOf(unit: string, patronKeys: readonly string[]): Promise<Map<string, Map<string, string>>>;
  /**
   * Patrons whose engagement is due at or before `untilMs`, soonest first (then by key), strictly after
   * `after` in that order when given: pages of due patrons that do not depend on the pages before them.
   */
  dueEngagements(unit: string, untilMs: number, limit: number, after?: DueEngagement | null): Promise<DueEngagement[]>;
  /** When each patron's engagement is next due (null: not until one of their loans changes). */
  scheduleEngagements(unit: string, due: ReadonlyArray<{ patronKey: string; atMs: number | null }>): Promise<void>;
  /** Record ids a run read in a stream (full runs). */
  markSeen(runId: string, unit: string, ids: readonly string[]): Promise<void>;
  seenIds(runId: string, unit: string): Promise<Set<string>>;
  /**
   * The last-synced states of a stream that `pick` chooses, walking them in chunks (each state is
   * offered once): a full run's sweep finds the few that are gone without holding a library's states.
   */
  pickSent(unit: string, pick: (key: string, state: SentState) => boolean): Promise<Map<string, SentState>>;
  /** Sets last-synced states of another stream than the page's (a full run's sweep of what Koha no longer has). */
  putSent(unit: string, states: ReadonlyMap<string, SentState>): Promise<void>;
}

export const emptyCursor = (): Cursor => ({ updatedAt: null, lastId: null });

export const emptyPageResult = (): PageResult => ({
  read: 0, created: 0, updated: 0, linked: 0, unchanged: 0, rejected: 0, skipped: 0, held: 0, conflicts: 0, retried: 0, withWarnings: 0, deleted: 0, rejections: [], warnings: [],
});

/** A page result as stored; pages committed before warnings and retries existed have none. */
type Later = 'withWarnings' | 'warnings' | 'retried' | 'linked' | 'held' | 'conflicts' | 'deleted';
export type StoredPageResult = Omit<PageResult, Later> & Partial<Pick<PageResult, Later>>;

/** Sum page results into a source report's counters. */
export function sumPages(pages: Iterable<StoredPageResult>): PageResult & Pick<SourceReport, 'pages' | 'warningCounts'> {
  const total = { ...emptyPageResult(), pages: 0 };
  for (const p of pages) {
    total.pages += 1;
    total.read += p.read;
    total.created += p.created;
    total.updated += p.updated;
    total.unchanged += p.unchanged;
    total.rejected += p.rejected;
    total.skipped += p.skipped;
    total.retried += p.retried ?? 0;
    total.linked += p.linked ?? 0;
    total.held += p.held ?? 0;
    total.conflicts += p.conflicts ?? 0;
    total.withWarnings += p.withWarnings ?? 0;
    total.deleted += p.deleted ?? 0;
    if (p.expected !== undefined) total.expected = (total.expected ?? 0) + p.expected;
    total.rejections.push(...p.rejections);
    total.warnings.push(...(p.warnings ?? []));
  }
  return { ...total, warningCounts: countWarnings(total.warnings) };
}

function countWarnings(warnings: readonly RecordWarning[]): WarningCount[] {
  const counts = new Map<string, WarningCount>();
  for (const { field, rule } of warnings) {
    const key = `${field}\u0000${rule}`;
    const c = counts.get(key) ?? { field, rule, count: 0 };
    c.count += 1;
    counts.set(key, c);
  }
  const byName = (a: WarningCount, b: WarningCount) => (`${a.field} ${a.rule}` < `${b.field} ${b.rule}` ? -1 : 1);
  return [...counts.values()].sort((a, b) => b.count - a.count || byName(a, b));
}

/** A source's status in one run (its streams' rows): failed when a stream failed, running while one runs, else done. */
export function sourceStatus(streams: readonly Pick<SourceReport, 'status'>[]): RunStatus {
  if (streams.some((s) => s.status === 'failed')) return 'failed';
  if (streams.some((s) => s.status === 'running')) return 'running';
  return 'done';
}

/** True when a running run's unfinished sources are all without its lease: nobody is working on it. */
export function isInterrupted(report: Pick<RunReport, 'status' | 'sources' | 'runId'>, holders: ReadonlyMap<string, string | null>): boolean {
  const open = report.sources.filter((s) => s.status === 'running');
  return report.status === 'running' && open.length > 0 && open.every((s) => holders.get(s.sourceId) !== report.runId);
}

/** A source's finish fields, derived from its outcome and the run's start. */
export function finishFields(
  fin: { error?: string; at: string; failures?: { open: number; parked: number } } | undefined,
  runStartedAt: string,
): Pick<SourceReport, 'error' | 'finishedAt' | 'durationMs' | 'failures'> {
  if (!fin) return {};
  return {
    ...(fin.error ? { error: fin.error } : {}),
    finishedAt: fin.at,
    durationMs: Date.parse(fin.at) - Date.parse(runStartedAt),
    ...(fin.failures ? { failures: fin.failures } : {}),
  };
}

/** A source succeeded in a run when every stream of it finished done; replays (kept failures only) do not count. */
export function sourceSucceeded(mode: RunMode | null, streams: ReadonlyArray<string | undefined>): boolean {
  return mode !== null && mode !== 'replay' && streams.length > 0 && streams.every((s) => s === 'done');
}
