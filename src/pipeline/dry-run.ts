/**
 * `sync --dry-run`: a whole run through the same handlers as a real one (startRun, processPage: the
 * same reads, mapping, matching and reconciliation), in this process and without queues, over a CRM
 * and a state that keep every write in memory (dry-run-crm.ts, dry-run-state.ts). Its report and its
 * list of what would become of each record are the plan: what the next real run would do.
 */
import type { CrmSink } from '../../connectors/civicrm/sink.js';
import type { Conflict } from '../core/conflicts.js';
import { describeError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { unitOf } from '../core/streams.js';
import type { RunMode } from '../core/types.js';
import { checkoutIdOf } from '../mapping/loans.js';
import type { PageCommit, SourceReport, SyncState } from '../state/ports.js';
import { createDryRunCrm, type FieldChange, type PlannedWrite } from './dry-run-crm.js';
import { createDryRunState } from './dry-run-state.js';
import { failSource, processPage } from './page-handler.js';
import { startRun } from './run-handler.js';
import type { RecordAction } from './tally.js';
import type { PageJobData, PipelineDeps, RunPolicy, SourceBinding } from './types.js';

export type { FieldChange } from './dry-run-crm.js';

/** What would become of one record (a record both written and held for a person is listed twice). */
export interface PlannedRecord {
  recordId: string;
  action: RecordAction | 'rejected';
  externalId?: string;
  /** The CRM contact it would write; null for one it would create. */
  contactId?: number | null;
  /** Loans: the loan's key (`Library_Loan.Loan_ID`). */
  key?: string;
  /** Fields written, with what the CRM holds now where known. */
  changes?: FieldChange[];
  groups?: { add: string[]; remove: string[] };
  code?: string;
  reason?: string;
}

export interface StreamPlan extends SourceReport {
  records: PlannedRecord[];
  /** Conflicts the run would log (decided by policy, or held for a person); values left out. */
  conflictList: Array<Pick<Conflict, 'recordId' | 'kind' | 'decision' | 'reason'> & { field?: string }>;
}

export interface DryRunPlan {
  dryRun: true;
  mode: RunMode;
  startedAt: string;
  finishedAt: string;
  status: 'done' | 'failed';
  streams: StreamPlan[];
}

export interface DryRunPorts {
  /** The real state and CRM, read through. */
  state: SyncState;
  crm: CrmSink;
  /** The sources bound to the dry run's state (internal streams read it). */
  sources(state: SyncState): Map<string, SourceBinding>;
  clock: () => Date;
  logger: Logger;
  policy: RunPolicy;
  /** Attempts per page, as sync.attempts gives a real run, with sync.backoff_ms between them (doubling). */
  attempts: number;
  backoffMs: number;
}

const WRITTEN: ReadonlySet<string> = new Set(['created', 'updated', 'linked', 'deleted']);

export async function dryRun(ports: DryRunPorts, job: { mode: Exclude<RunMode, 'replay'>; sourceIds: string[] }): Promise<DryRunPlan> {
  const records = new Map<string, PlannedRecord[]>();
  const conflicts = new Map<string, StreamPlan['conflictList']>();
  let acted: Array<{ recordId: string; action: RecordAction }> = [];
  let writes: PlannedWrite[] = [];

  /** The page's records, with what the CRM was asked to write for each, once it commits. */
  function onCommit(c: PageCommit): void {
    const list = records.get(c.unit) ?? records.set(c.unit, []).get(c.unit)!;
    const writesOf = new Map<string, PlannedWrite>();
    for (const w of writes) if (w.kind !== 'activity-delete') writesOf.set(w.recordId, w);
    const deleted = new Map(writes.flatMap((w) => (w.kind === 'activity-delete' ? w.keys.map((k) => [checkoutIdOf(k), k] as const) : [])));
    const rejected = new Set(c.result.rejections.map((r) => r.recordId));
    const held = new Map(c.failed.filter((f) => !rejected.has(f.recordId)).map((f) => [f.recordId, f]));
    for (const { recordId, action } of acted) {
      const w = WRITTEN.has(action) ? writesOf.get(recordId) : undefined;
      const why = action === 'held' ? held.get(recordId) : undefined;
      list.push({
        recordId, action,
        ...(w?.kind === 'contact' ? { externalId: w.externalId, contactId: w.contactId, changes: w.changes, groups: { add: w.addGroups, remove: w.removeGroups } } : {}),
        ...(w?.kind === 'activity' ? { key: w.key, contactId: w.contactId, changes: w.changes } : {}),
        ...(action === 'deleted' && !w && deleted.has(recordId) ? { key: deleted.get(recordId)! } : {}),
        ...(why ? { code: why.code, reason: why.reason } : {}),
      });
    }
    for (const r of c.result.rejections) list.push({ recordId: r.recordId, action: 'rejected', code: r.code, reason: r.reason });
    const logged = conflicts.get(c.unit) ?? conflicts.set(c.unit, []).get(c.unit)!;
    for (const x of c.conflicts) logged.push({ recordId: x.recordId, kind: x.kind, decision: x.decision, reason: x.reason, ...(x.field !== undefined ? { field: x.field } : {}) });
  }

  const state = createDryRunState(ports.state, { onCommit });
  const queue: PageJobData[] = [];
  const enqueued = new Set<string>();
  const deps: PipelineDeps = {
    sources: ports.sources(state),
    crm: createDryRunCrm(ports.crm, (w) => writes.push(w)),
    state,
    clock: ports.clock,
    logger: ports.logger,
    policy: ports.policy,
    async enqueuePage(p) {
      // Job ids are deterministic in a real run: the same page is enqueued once.
      const id = `${p.sourceId}/${p.stream}/${p.phase}/${p.pageNo}`;
      if (enqueued.has(id)) return;
      enqueued.add(id);
      queue.push(p);
    },
    onRecord: (recordId, action) => acted.push({ recordId, action }),
  };
  const runId = `dry-run-${ports.clock().toISOString().replace(/[^0-9]/g, '').slice(0, 14)}`;
  const startedAt = ports.clock().toISOString();
  await startRun(deps, { runId, mode: job.mode, sourceIds: job.sourceIds });
  // Pages one after another, in the order a real run writes them (each sees what the ones before wrote).
  for (let page = queue.shift(); page; page = queue.shift()) {
    for (let attempt = 1; ; attempt++) {
      acted = [];
      writes = [];
      try {
        await processPage(deps, page);
        break;
      } catch (err) {
        if ((err as { transient?: boolean }).transient && attempt < ports.attempts) {
          await new Promise((r) => setTimeout(r, ports.backoffMs * 2 ** (attempt - 1)));
          continue;
        }
        await failSource(deps, page, describeError(err));
        break;
      }
    }
  }
  const report = (await state.getRun(runId))!;
  return {
    dryRun: true,
    mode: job.mode,
    startedAt,
    finishedAt: ports.clock().toISOString(),
    status: report.sources.some((s) => s.status !== 'done') ? 'failed' : 'done',
    streams: report.sources.map((s) => {
      const unit = unitOf(s.sourceId, s.stream);
      return { ...s, records: records.get(unit) ?? [], conflictList: conflicts.get(unit) ?? [] };
    }),
  };
}
