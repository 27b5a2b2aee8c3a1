/**
 * Running a run to its end in this process (`sync --once`, `failures replay`): workers here, a
 * deadline, SIGTERM/SIGINT honoured at once (a second signal exits immediately), and the exit code
 * the report deserves.
 */
import type { App } from '../app.js';
import type { Logger } from '../core/logger.js';
import type { RunReport } from '../state/ports.js';
import { startProgress, type Progress } from '../observe/progress-display.js';
import { formatReport } from './format-report.js';
import { exitIfStuck, onStopSignal } from './process-end.js';
import { EXIT } from './run-cli.js';

/**
 * 0 every record of the run written or deliberately skipped; 3 done, but records of this run need
 * attention (rejected, held for a person, or written with warnings); 1 failed.
 */
export function exitCodeOf(report: RunReport): number {
  if (report.status !== 'done') return EXIT.failed;
  const attention = report.sources.some((s) => s.rejected > 0 || s.held > 0 || s.withWarnings > 0);
  return attention ? EXIT.attention : EXIT.ok;
}

export function printReport(report: RunReport, json: boolean): void {
  process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
}

export interface RunOnceOptions {
  json: boolean;
  timeoutMs: number;
  logger: Logger;
  /** Enqueues the run (or picks the one to resume) once the workers run; returns its id. */
  start(app: App): Promise<string>;
}

/** Jobs in hand get this long to finish when `--once` stops before its run has (signal, Redis lost). */
const STOP_GRACE_MS = 10_000;

export async function runOnce(app: App, opts: RunOnceOptions): Promise<number> {
  const stop = new AbortController();
  let stoppedEarly = false;
  const offSignal = onStopSignal(() => {
    process.stderr.write(`stopping: the jobs in hand get ${STOP_GRACE_MS / 1000} s to finish (send the signal again to exit at once)\n`);
    stop.abort();
  });
  let progress: Progress | undefined;
  try {
    app.startWorkers();
    const runId = await opts.start(app);
    progress = startProgress({
      runId, getRun: (id) => app.state.getRun(id), logger: opts.logger,
      tty: process.stderr.isTTY === true, intervalMs: app.loaded.config.logging.progress_seconds * 1000,
    });
    const outcome = await app.waitForRun(runId, { signal: stop.signal, timeoutMs: opts.timeoutMs });
    await progress.stop();
    if ('failedToStart' in outcome) {
      process.stderr.write(`error: run ${runId} could not start: ${outcome.failedToStart}\n`);
      return EXIT.failed;
    }
    if ('stopped' in outcome) {
      stoppedEarly = true;
      const resumable = outcome.resumable && app.stateLost() === null;
      process.stderr.write(`error: stopped waiting for run ${runId}: ${outcome.stopped}${resumable ? `; the run stays resumable: \`patron-bridge sync --once\` picks it up again` : ''}\n`);
      return EXIT.failed;
    }
    printReport(outcome.report, opts.json);
    return exitCodeOf(outcome.report);
  } finally {
    await progress?.stop();
    await app.close({ graceMs: stoppedEarly ? STOP_GRACE_MS : 30_000 });
    offSignal();
    exitIfStuck();
  }
}
