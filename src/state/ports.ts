/**
 * State ports: what the pipeline remembers between pages and runs. Redis implements them
 * (redis-state.ts); an in-memory version (memory-state.ts) serves handler tests and dry runs.
 */
import type { WarningRule } from '../core/field-policy.js';
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
  /** Created or updated records that carry at least one warning. */
  withWarnings: number;
  rejections: Rejection[];
  warnings: RecordWarning[];
}

export type RunStatus = 'running' | 'done' | 'failed';

export interface SourceReport extends PageResult {
  sourceId: string;
  status: RunStatus;
  pages: number;
  /** Warnings summed per field and rule, most frequent first. */
  warningCounts: WarningCount[];
  error?: string;
  finishedAt?: string;
  /** From the run's start to this source's last page. */
  durationMs?: number;
}

export interface RunReport {
  runId: string;
  mode: RunMode;
  status: RunStatus;
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  sources: SourceReport[];
}

export interface PageCommit {
  runId: string;
  sourceId: string;
  pageNo: number;
  result: PageResult;
  /** Fingerprints of what was just written, keyed by external id. */
  sent: ReadonlyMap<string, SentState>;
  /** The source cursor after this page (already advanced by the pure reducer). */
  cursor: Cursor;
  /** The request for the following page, or null when this was the last one. */
  next: PageRequest | null;
}

/** What a committed page left behind, so a retried page job does not redo its writes. */
export interface CommittedPage {
  result: PageResult;
  next: PageRequest | null;
}

export interface SyncState {
  getCursor(sourceId: string): Promise<Cursor>;
  /** Forget a source's cursor and fingerprints (next run re-reads and re-sends everything). */
  resetSource(sourceId: string): Promise<void>;
  getSent(sourceId: string, externalIds: readonly string[]): Promise<Map<string, SentState>>;
  /** Atomically: page result, fingerprints and cursor. Called only after the CRM writes are done. */
  commitPage(commit: PageCommit): Promise<void>;
  getCommittedPage(runId: string, sourceId: string, pageNo: number): Promise<CommittedPage | null>;

  createRun(run: { runId: string; mode: RunMode; sourceIds: string[]; startedAt: string }): Promise<void>;
  /** Marks one source of a run finished (done or failed); finishes the run when it was the last. */
  finishSource(runId: string, sourceId: string, outcome: { status: 'done' | 'failed'; error?: string; at: string }): Promise<void>;
  getRun(runId: string): Promise<RunReport | null>;
  /** Newest first. */
  listRuns(limit: number): Promise<RunReport[]>;
}

export const emptyCursor = (): Cursor => ({ updatedAt: null, lastId: null });

export const emptyPageResult = (): PageResult => ({
  read: 0, created: 0, updated: 0, unchanged: 0, rejected: 0, skipped: 0, withWarnings: 0, rejections: [], warnings: [],
});

/** A page result as stored; pages committed before warnings existed have none. */
export type StoredPageResult = Omit<PageResult, 'withWarnings' | 'warnings'> & Partial<Pick<PageResult, 'withWarnings' | 'warnings'>>;

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
    total.withWarnings += p.withWarnings ?? 0;
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

/** A source's finish fields, derived from its outcome and the run's start. */
export function finishFields(fin: { error?: string; at: string } | undefined, runStartedAt: string): Pick<SourceReport, 'error' | 'finishedAt' | 'durationMs'> {
  if (!fin) return {};
  return { ...(fin.error ? { error: fin.error } : {}), finishedAt: fin.at, durationMs: Date.parse(fin.at) - Date.parse(runStartedAt) };
}
