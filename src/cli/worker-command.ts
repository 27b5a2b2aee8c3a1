/** `patron-bridge worker`: long-lived workers; SIGTERM/SIGINT finish the jobs in hand (30 s at most) and exit. */
import { createApp } from '../app.js';
import { exitIfStuck, onStopSignal } from './process-end.js';
import { EXIT, withConfig, type CommonOptions } from './run-cli.js';

export async function workerCommand(opts: CommonOptions): Promise<number> {
  return withConfig(opts, async (loaded, logger) => {
    const app = await createApp(loaded, logger);
    app.startWorkers();
    logger.info('workers started', { sources: loaded.config.sources.map((s) => s.id), concurrency: loaded.config.sync.concurrency });
    await new Promise<void>((resolve) => onStopSignal(resolve));
    logger.info('stopping workers: the jobs in hand get 30 s to finish (send the signal again to exit at once)');
    await app.close({ graceMs: 30_000 });
    exitIfStuck();
    return EXIT.ok;
  });
}
