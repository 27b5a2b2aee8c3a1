/**
 * `patron-bridge failures list | replay`: the records a run could not write (kept with their
 * reason, retried by the next runs, parked after sync.park_after_runs), and replaying them now.
 */
import Table from 'cli-table3';
import { createApp } from '../app.js';
import { BridgeError } from '../core/errors.js';
import { byRecordId } from '../core/record-ids.js';
import type { FailureEntry } from '../state/ports.js';
import { runOnce } from './run-once.js';
import { EXIT, selectSources, withConfig, type CommonOptions } from './run-cli.js';
import { withState } from './state-access.js';

export interface FailuresListOptions extends CommonOptions {
  source?: string;
  parked?: boolean;
  json?: boolean;
}

export interface FailuresReplayOptions extends CommonOptions {
  source?: string;
  id?: string[];
  json?: boolean;
  timeout?: number;
}

/** The kept failures as a table for people (ids, codes and reasons: no personal data). */
export function formatFailures(entries: readonly FailureEntry[]): string {
  if (entries.length === 0) return 'no kept failures';
  const table = new Table({ head: ['source', 'stream', 'record', 'status', 'code', 'attempts', 'runs', 'first seen', 'last seen', 'reason'], style: { head: [], border: [] }, wordWrap: true, colWidths: [null, null, null, null, null, null, null, null, null, 60] as unknown as number[] });
  for (const f of entries) {
    table.push([f.sourceId, f.stream, f.recordId, f.parked ? 'parked' : 'will retry', f.code, f.attempts, f.runs, f.firstSeen.slice(0, 19), f.lastSeen.slice(0, 19), f.reason]);
  }
  const parked = entries.filter((f) => f.parked).length;
  return `${table.toString()}\n${entries.length} kept failure(s), ${parked} parked`;
}

export async function failuresListCommand(opts: FailuresListOptions): Promise<number> {
  return withConfig(opts, (loaded) =>
    withState(loaded, async (state) => {
      const ids = selectSources(loaded, opts.source === undefined ? [] : [opts.source]);
      const entries = (await Promise.all(ids.map((id) => state.listFailures(id))))
        .flat()
        .filter((f) => !opts.parked || f.parked)
        .sort((a, b) => a.sourceId.localeCompare(b.sourceId) || byRecordId.compare(a.recordId, b.recordId));
      process.stdout.write(opts.json ? `${JSON.stringify(entries, null, 2)}\n` : `${formatFailures(entries)}\n`);
      return EXIT.ok;
    }),
  );
}

export async function failuresReplayCommand(opts: FailuresReplayOptions): Promise<number> {
  return withConfig(opts, async (loaded, logger) => {
    const ids = selectSources(loaded, opts.source === undefined ? [] : [opts.source]);
    for (const id of opts.id ?? []) {
      if (!/^[A-Za-z0-9._-]{1,64}$/.test(id)) throw new BridgeError('CONFIG_INVALID', `--id ${JSON.stringify(id)}: expected a source record id`);
    }
    const app = await createApp(loaded, logger);
    return runOnce(app, {
      json: opts.json ?? false,
      timeoutMs: (opts.timeout ?? loaded.config.sync.run_timeout_seconds) * 1000,
      logger,
      start: () => app.enqueueRun('replay', ids, opts.id),
    });
  });
}
