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
}

export interface PageJobData {
  runId: string;
  sourceId: string;
  pageNo: number;
  request: PageRequest;
}

export interface PipelineDeps {
  sources: ReadonlyMap<string, SourceBinding>;
  crm: CrmSink;
  state: SyncState;
  clock: () => Date;
  logger: Logger;
  /** Enqueue a page job (idempotent: the same run/source/page is enqueued once). */
  enqueuePage(job: PageJobData): Promise<void>;
}
