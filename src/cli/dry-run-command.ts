/**
 * `patron-bridge sync --dry-run`: the run a `sync --once` would do now, planned without writing the
 * CRM or Redis (src/pipeline/dry-run.ts); prints the plan, and writes every record's action to
 * `--plan FILE` (with values: for the IT person, not to be passed around).
 */
import { writeFile } from 'node:fs/promises';
import { addInternalStreams, createReadPorts } from '../app.js';
import type { LoadedConfig } from '../config/load.js';
import type { Logger } from '../core/logger.js';
import { dryRun, type DryRunPlan } from '../pipeline/dry-run.js';
import { formatPlan } from './format-plan.js';
import { EXIT } from './run-cli.js';

export interface DryRunOptions {
  mode: 'incremental' | 'full' | 'resend';
  sourceIds: string[];
  json: boolean;
  plan?: string;
  sample: number;
}

/** As `sync --once` would end: 0 every record written or skipped; 3 some rejected, held or written with warnings; 1 a stream would fail. */
export function planExitCode(plan: DryRunPlan): number {
  if (plan.status !== 'done') return EXIT.failed;
  return plan.streams.some((s) => s.rejected > 0 || s.held > 0 || s.withWarnings > 0) ? EXIT.attention : EXIT.ok;
}

/** Plans a run of these sources now, reading Koha, the CRM and Redis, writing none of them. */
export async function planRun(loaded: LoadedConfig, logger: Logger, job: Pick<DryRunOptions, 'mode' | 'sourceIds'>): Promise<DryRunPlan> {
  const { sync } = loaded.config;
  const ports = await createReadPorts(loaded, logger);
  try {
    return await dryRun({
      state: ports.state,
      crm: ports.crm,
      sources: (state) => {
        addInternalStreams(loaded, ports.sources, state);
        return ports.sources;
      },
      clock: () => new Date(),
      logger,
      policy: { leaseTtlMs: sync.lease_seconds * 1000, parkAfterRuns: sync.park_after_runs },
      attempts: sync.attempts,
      backoffMs: sync.backoff_ms,
    }, job);
  } finally {
    await ports.close();
  }
}

export async function dryRunCommand(loaded: LoadedConfig, logger: Logger, opts: DryRunOptions): Promise<number> {
  const plan = await planRun(loaded, logger, opts);
  // The plan holds CRM and Koha values: readable by its owner only.
  if (opts.plan) await writeFile(opts.plan, `${JSON.stringify(plan, null, 2)}\n`, { mode: 0o600 });
  process.stdout.write(opts.json ? `${JSON.stringify(plan, null, 2)}\n` : `${formatPlan(plan, { sample: opts.sample })}\n${opts.plan ? `the full plan (every record, with values) is in ${opts.plan}\n` : ''}`);
  return planExitCode(plan);
}
