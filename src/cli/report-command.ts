/** `patron-bridge report [runId]`: a kept run report (default: the latest), or the last N runs. */
import { Redis } from 'ioredis';
import { createRedisState } from '../state/index.js';
import { printReport } from './sync-command.js';
import { EXIT, withConfig, type CommonOptions } from './run-cli.js';

export interface ReportOptions extends CommonOptions {
  json?: boolean;
  last?: number;
}

export async function reportCommand(runId: string | undefined, opts: ReportOptions): Promise<number> {
  return withConfig(opts, async (loaded) => {
    const redis = new Redis(loaded.config.redis.url, { maxRetriesPerRequest: 1 });
    try {
      const state = createRedisState(redis, loaded.config.redis.prefix);
      const runs = runId ? [await state.getRun(runId)].filter((r) => r !== null) : await state.listRuns(opts.last ?? 1);
      if (runs.length === 0) {
        process.stderr.write(runId ? `no run "${runId}" is kept\n` : 'no runs yet\n');
        return EXIT.failed;
      }
      if (opts.json) process.stdout.write(`${JSON.stringify(runId ? runs[0] : runs, null, 2)}\n`);
      else for (const r of runs) printReport(r, false);
      return EXIT.ok;
    } finally {
      redis.disconnect();
    }
  });
}
