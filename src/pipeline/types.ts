/** What the pipeline handlers are given: ports only, handed in by the composition root. */
import type { Connector } from '../../connectors/connector.js';
import type { CrmSink } from '../../connectors/civicrm/sink.js';
import type { Logger } from '../core/logger.js';
import type { PageRequest, RunMode } from '../core/types.js';
import type { CompiledMapping } from '../mapping/types.js';
import type { SyncState } from '../state/ports.js';

export interface SourceBinding {
  connector: Connector;
  mapping: CompiledMapping;
  pageSize: number;
  overlapMs: number;
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
}

/** The stream every Koha source reads today (cursors, fingerprints and failures are per stream). */
export const PATRON_STREAM = 'patrons';
