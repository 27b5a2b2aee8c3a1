/** `patron-bridge report [runId]`: a kept run report (default: the latest), or the last N runs. */
import { printReport } from './run-once.js';
import { EXIT, withConfig, type CommonOptions } from './run-cli.js';
import { withState } from './state-access.js';

export interface ReportOptions extends CommonOptions {
  json?: boolean;
  last?: number;
}

export async function reportCommand(runId: string | undefined, opts: ReportOptions): Promise<number> {
  return withConfig(opts, (loaded) =>
    withState(loaded, async (state) => {
      const runs = runId ? [await state.getRun(runId)].filter((r) => r !== null) : await state.listRuns(opts.last ?? 1);
      if (runs.length === 0) {
        process.stderr.write(runId ? `no run "${runId}" is kept\n` : 'no runs yet\n');
        return EXIT.failed;
      }
      if (opts.json) process.stdout.write(`${JSON.stringify(runId ? runs[0] : runs, null, 2)}\n`);
      else for (const r of runs) printReport(r, false);
      return EXIT.ok;
    }),
  );
}
