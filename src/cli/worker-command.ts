/**
 * `patron-bridge worker`: long-lived workers, the configured schedules and their watchdog;
 * SIGTERM/SIGINT finish the jobs in hand (30 s at most) and exit.
 */
import { createApp, type App } from '../app.js';
import { createMetrics } from '../observe/metrics.js';
import { serveObservability } from '../observe/serve.js';
import { startSchedules, watchdogStates } from '../schedule/index.js';
import { exitIfStuck, onStopSignal } from './process-end.js';
import { EXIT, withConfig, type CommonOptions } from './run-cli.js';

export interface WorkerOptions extends CommonOptions {
  /** Serve /healthz and /metrics on this port (default: http.port). */
  httpPort?: number;
}

export async function workerCommand(opts: WorkerOptions): Promise<number> {
  return withConfig(opts, async (loaded, logger) => {
    let app: App | undefined;
    // The watchdog gauge is read at scrape time, from the same state `status` reads.
    const metrics = createMetrics({
      watchdog: async () => (app ? watchdogStates({ config: loaded.config, state: app.state, now: new Date() }) : []),
    });
    app = await createApp(loaded, logger, { observe: metrics.observe });
    const http = await serveObservability(app, metrics, logger, opts.httpPort ?? loaded.config.http.port).catch(async (err: unknown) => {
      await app.close();
      throw err;
    });
    app.startWorkers();
    const schedules = await startSchedules(app, logger).catch(async (err: unknown) => {
      await http?.close();
      await app.close();
      throw err;
    });
    logger.info('workers started', { sources: loaded.config.sources.map((s) => s.id), concurrency: loaded.config.sync.concurrency });
    await new Promise<void>((resolve) => onStopSignal(resolve));
    logger.info('stopping workers: the jobs in hand get 30 s to finish (send the signal again to exit at once)');
    // The schedules first (they use the app's connections), then the app, within the 30 s the line above promises.
    const deadline = Date.now() + 30_000;
    await schedules.close(30_000);
    await http?.close();
    await app.close({ graceMs: Math.max(1000, deadline - Date.now()) });
    exitIfStuck();
    return EXIT.ok;
  });
}
