/** What the pipeline handlers are given: ports only, handed in by the composition root. */
import type { Connector, Stream } from '../../connectors/connector.js';
import type { Conflict } from '../core/conflicts.js';
import type { CrmSink } from '../../connectors/civicrm/sink.js';
import type { Logger } from '../core/logger.js';
import type { PageRequest, RunMode, SentState, SourceRecord } from '../core/types.js';
import type { CompiledMapping } from '../mapping/types.js';
import type { PageResult, Rejection, SyncState } from '../state/ports.js';
import type { RecordAction } from './tally.js';

/** What writing a page did, for the page commit. */
export interface WriteOutcome {
  /** Last-synced state of what was written, by key. */
  sent: Map<string, SentState>;
  /** Records written, unchanged or left alone on purpose: their kept failures are cleared. */
  cleared: string[];
  /** Records waiting for something (a person's answer, their patron's contact): kept for retry like failures. */
  held: Rejection[];
  conflicts: Conflict[];
  /** Keys of conflicts now closed. */
  applied: string[];
}

export interface WriteContext {
  runId: string;
  /** The source's stream (src/core/streams.ts unitOf). */
  unit: string;
  /** `sync --resend`: every source value counts as changed. */
  resend: boolean;
  /** Pages that write beside the one before (overlap 'write'): see Beside. */
  beside?: Beside;
}

/**
 * A patron page may begin once the page before has its contacts in the CRM (its memberships and its
 * commit may still be under way). What the two pages share waits: the writer asks before deciding.
 */
export interface Beside {
  /**
   * The page is about to decide on these patrons' keys and these CRM contacts. When the page before
   * touches any of them, waits until it has committed and resolves true: what was read about them
   * must be read again. Else false at once (and always once the page before has committed).
   */
  settle(touch: { keys?: readonly string[]; contacts?: Iterable<number> }): Promise<boolean>;
  /** Every contact of the page is in the CRM: the next page may begin (what this one touches goes with it). */
  written(touch: { keys: readonly string[]; contacts: readonly number[] }): void;
}

/** How one stream's records reach the CRM: mapping, reconcile and writes for its kind of record. */
export interface StreamWriter {
  /** Checked when a run starts, before anything is read: why the stream cannot run (e.g. CRM fields missing), or null. */
  preflight(deps: PipelineDeps): Promise<string | null>;
  /** Writes a page's records; counts and rejections go into `result`. */
  write(deps: PipelineDeps, records: readonly SourceRecord[], result: PageResult, ctx: WriteContext): Promise<WriteOutcome>;
}

export interface StreamBinding {
  name: string;
  stream: Stream;
  writer: StreamWriter;
  /** Full runs note every record id read (the sweep finds what Koha no longer has). */
  trackSeen?: boolean;
  /**
   * How pages overlap. `write` (patrons): the next page is read while this one writes, and a page
   * writes only after the one before committed (it must see in the CRM what they wrote: look-alikes).
   * `commit` (loans: each activity stands on its own key): pages also write side by side and only
   * commit in order, so the cursor never passes an unwritten record. Absent: one page after another
   * (internal streams, whose next page depends on what this one did).
   */
  overlap?: 'write' | 'commit';
}

export interface SourceBinding {
  connector: Connector;
  mapping: CompiledMapping;
  pageSize: number;
  overlapMs: number;
  /** In the order a run reads them (patrons first: loans need their contacts). */
  streams: readonly StreamBinding[];
}

/** Job payloads: cursors and ids only, never personal data. */
export interface RunJobData {
  runId: string;
  mode: RunMode;
  sourceIds: string[];
  /** Replay runs: only these source record ids (default: every kept failure). */
  recordIds?: string[];
}

/** A page of the run's window (keyset on updatedAt, id). */
export interface WindowPageJob {
  runId: string;
  sourceId: string;
  stream: string;
  pageNo: number;
  phase: 'window';
  request: PageRequest;
  /** `sync --resend`: every source value counts as changed (still matched and under field policies). */
  resend?: boolean;
}

/** A page of kept failures, re-read by id (which ones is decided from the state, not the payload). */
export interface RetryPageJob {
  runId: string;
  sourceId: string;
  stream: string;
  pageNo: number;
  phase: 'retry';
  limit: number;
  /** A replay run: parked failures too, and only the run's record ids when it names some. */
  replay: boolean;
}

export type PageJobData = WindowPageJob | RetryPageJob;

export interface RunPolicy {
  /** How long a source's lease lives without renewal (a dead worker's run is free after this). */
  leaseTtlMs: number;
  /** Runs after which a record that keeps failing is parked. */
  parkAfterRuns: number;
}

export interface PipelineDeps {
  sources: ReadonlyMap<string, SourceBinding>;
  crm: CrmSink;
  state: SyncState;
  clock: () => Date;
  logger: Logger;
  policy: RunPolicy;
  /** Enqueue a page job (idempotent: the same run/source/page is enqueued once). */
  enqueuePage(job: PageJobData): Promise<void>;
  /**
   * Whether a page job waits in the queue for a free slot, nobody working on it: e.g. the page before
   * one that waits for its turn, put back after a crash behind the pages that wait for it.
   */
  pageQueued?(job: Pick<PageJobData, 'runId' | 'sourceId' | 'stream' | 'pageNo'>): Promise<boolean>;
  /** The request of a page job already enqueued (whatever its state), or null: a page read again stops where it begins. */
  enqueuedRequest?(job: Pick<PageJobData, 'runId' | 'sourceId' | 'stream' | 'pageNo'>): Promise<PageRequest | null>;
  /** Told what became of each record a page counts (see tally.ts): dry runs list them; real runs leave it out. */
  onRecord?(recordId: string, action: RecordAction): void;
}
