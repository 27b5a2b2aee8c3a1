/** `patron-bridge runs [--last N] [--json]`: the kept runs, newest first, one line each (`report <run>` prints one whole). */
import Table from 'cli-table3';
import type { RunReport } from '../state/ports.js';
import { EXIT, withConfig, type CommonOptions } from './run-cli.js';
import { withState } from './state-access.js';

export interface RunsOptions extends CommonOptions {
  last?: number;
  json?: boolean;
}

const COUNTS = ['read', 'created', 'linked', 'updated', 'unchanged', 'rejected', 'skipped', 'held', 'deleted'] as const;
type Counts = Record<(typeof COUNTS)[number], number>;

export interface RunSummary {
  runId: string;
  mode: RunReport['mode'];
  status: RunReport['status'];
  interrupted?: true;
  startedAt: string;
  finishedAt?: string;
  durationMs?: number;
  sources: string[];
  /** Summed over the run's sources and streams. */
  totals: Counts;
}

export function summarizeRun(r: RunReport): RunSummary {
  const totals = Object.fromEntries(COUNTS.map((c) => [c, r.sources.reduce((n, s) => n + s[c], 0)])) as Counts;
  return {
    runId: r.runId, mode: r.mode, status: r.status, ...(r.interrupted ? { interrupted: true as const } : {}), startedAt: r.startedAt,
    ...(r.finishedAt ? { finishedAt: r.finishedAt } : {}), ...(r.durationMs !== undefined ? { durationMs: r.durationMs } : {}),
    sources: [...new Set(r.sources.map((s) => s.sourceId))], totals,
  };
}

export function formatRuns(runs: readonly RunSummary[]): string {
  if (runs.length === 0) return 'no runs kept';
  const table = new Table({ head: ['run', 'mode', 'status', 'sources', 'started', 'duration', ...COUNTS], style: { head: [], border: [] } });
  for (const r of runs) {
    const status = r.interrupted ? 'interrupted' : r.status;
    const duration = r.durationMs === undefined ? '-' : `${(r.durationMs / 1000).toFixed(1)} s`;
    table.push([r.runId, r.mode, status, r.sources.join(', '), r.startedAt.slice(0, 19).replace('T', ' '), duration, ...COUNTS.map((c) => r.totals[c])]);
  }
  return `${table.toString()}\n${runs.length} run(s); \`patron-bridge report <run>\` prints one`;
}

export async function runsCommand(opts: RunsOptions): Promise<number> {
  return withConfig(opts, (loaded) =>
    withState(loaded, async (state) => {
      const runs = (await state.listRuns(opts.last ?? 20)).map(summarizeRun);
      process.stdout.write(opts.json ? `${JSON.stringify(runs, null, 2)}\n` : `${formatRuns(runs)}\n`);
      return EXIT.ok;
    }),
  );
}
