/**
 * `patron-bridge sync`: enqueue a run; with --once, also run the workers here until it is finished.
 * An unfinished run of the same sources (its process died, or another process runs it) is resumed
 * or joined instead of starting a second one.
 */
import { createApp } from '../app.js';
import { dryRunCommand } from './dry-run-command.js';
import { runOnce } from './run-once.js';
import { EXIT, selectSources, withConfig, type CommonOptions } from './run-cli.js';

export { printReport } from './run-once.js';

export interface SyncOptions extends CommonOptions {
  once?: boolean;
  full?: boolean;
  resend?: boolean;
  source?: string[];
  json?: boolean;
  /** Seconds `--once` waits at most (default: sync.run_timeout_seconds). */
  timeout?: number;
  /** Plan the run without writing anything (see dry-run-command.ts). */
  dryRun?: boolean;
  /** With --dry-run: write the whole plan to this file. */
  plan?: string;
  /** With --dry-run: updates shown field by field per stream (default 5). */
  sample?: number;
}

export async function syncCommand(opts: SyncOptions): Promise<number> {
  return withConfig(opts, async (loaded, logger) => {
    const sourceIds = selectSources(loaded, opts.source);
    const mode = opts.resend ? 'resend' : opts.full ? 'full' : 'incremental';
    if (opts.dryRun) return dryRunCommand(loaded, logger, { mode, sourceIds, json: opts.json ?? false, sample: opts.sample ?? 5, ...(opts.plan ? { plan: opts.plan } : {}) });
    const app = await createApp(loaded, logger);
    if (!opts.once) {
      try {
        const runId = await app.enqueueRun(mode, opts.source);
        process.stdout.write(opts.json ? `${JSON.stringify({ runId })}\n` : `enqueued run ${runId}\n`);
        return EXIT.ok;
      } finally {
        await app.close();
      }
    }
    return runOnce(app, {
      json: opts.json ?? false,
      timeoutMs: (opts.timeout ?? loaded.config.sync.run_timeout_seconds) * 1000,
      logger,
      async start() {
        const run = await app.startOrJoin(mode, opts.source);
        if (run.joined) process.stderr.write(`continuing unfinished run ${run.runId} (${run.committedPages} page(s) already committed) instead of starting a new one\n`);
        else logger.info('run enqueued', { runId: run.runId });
        return run.runId;
      },
    });
  });
}
