/** `patron-bridge sync`: enqueue a run; with --once, also run the workers here until it is finished. */
import { createApp } from '../app.js';
import { BridgeError } from '../core/errors.js';
import type { RunReport } from '../state/ports.js';
import { formatReport } from './format-report.js';
import { EXIT, withConfig, type CommonOptions } from './run-cli.js';

export interface SyncOptions extends CommonOptions {
  once?: boolean;
  full?: boolean;
  source?: string[];
  json?: boolean;
}

export async function syncCommand(opts: SyncOptions): Promise<number> {
  return withConfig(opts, async (loaded, logger) => {
    const known = loaded.config.sources.map((s) => s.id);
    for (const id of opts.source ?? []) {
      if (!known.includes(id)) throw new BridgeError('CONFIG_INVALID', `${loaded.file}: no source "${id}" (configured: ${known.join(', ')})`);
    }
    const app = await createApp(loaded, logger);
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
    try {
      if (opts.once) app.startWorkers();
      const runId = await app.enqueueRun(opts.full ? 'full' : 'incremental', opts.source);
      if (!opts.once) {
        process.stdout.write(opts.json ? `${JSON.stringify({ runId })}\n` : `enqueued run ${runId}\n`);
        return EXIT.ok;
      }
      logger.info('run enqueued', { runId });
      const outcome = await app.waitForRun(runId, stop.signal);
      if ('failedToStart' in outcome) {
        process.stderr.write(`error: run ${runId} could not start: ${outcome.failedToStart}\n`);
        return EXIT.failed;
      }
      printReport(outcome.report, opts.json ?? false);
      return outcome.report.status === 'done' ? EXIT.ok : EXIT.failed;
    } finally {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      await app.close();
    }
  });
}

export function printReport(report: RunReport, json: boolean): void {
  process.stdout.write(json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
}
