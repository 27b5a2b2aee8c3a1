/** `patron-bridge worker`: long-lived workers; SIGTERM/SIGINT finish the jobs in hand and exit. */
import { createApp } from '../app.js';
import { EXIT, withConfig, type CommonOptions } from './run-cli.js';

export async function workerCommand(opts: CommonOptions): Promise<number> {
  return withConfig(opts, async (loaded, logger) => {
    const app = await createApp(loaded, logger);
    app.startWorkers();
    logger.info('workers started', { sources: loaded.config.sources.map((s) => s.id), concurrency: loaded.config.sync.concurrency });
    await new Promise<void>((resolve) => {
      process.once('SIGTERM', () => resolve());
      process.once('SIGINT', () => resolve());
    });
    logger.info('stopping workers (finishing jobs in hand)');
    await app.close();
    return EXIT.ok;
  });
}
