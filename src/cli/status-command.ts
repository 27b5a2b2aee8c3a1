/**
 * `patron-bridge status [--json]`: per source its schedule, next run, last run, last success and the
 * watchdog's verdict. For monitoring scripts: exit 0 when every source is on schedule (or has none),
 * 4 when one is late or has never succeeded past its grace, 1 when Redis cannot be reached.
 */
import Table from 'cli-table3';
import { isAlarm, isoSeconds, scheduleStatus, type SourceScheduleStatus } from '../schedule/index.js';
import { EXIT, withConfig, type CommonOptions } from './run-cli.js';
import { withState } from './state-access.js';

/** A source is late (or never succeeded past its grace). */
export const EXIT_LATE = 4;

export interface StatusOptions extends CommonOptions {
  json?: boolean;
}

const time = (iso: string | null | undefined) => (iso ? isoSeconds(new Date(iso)) : '-');

export function formatStatus(rows: readonly SourceScheduleStatus[]): string {
  const table = new Table({ head: ['source', 'schedule', 'next run', 'last run', 'last success', 'watchdog'], style: { head: [], border: [] } });
  for (const r of rows) {
    const schedule = r.cron ? [`${r.cron} (${r.timezone})`, ...(r.fullCron ? [`full: ${r.fullCron}`] : [])].join('\n') : 'none';
    const last = r.lastRun ? `${r.lastRun.runId}\n${r.lastRun.status}, started ${time(r.lastRun.startedAt)}` : '-';
    table.push([r.sourceId, schedule, time(r.nextRunAt), last, time(r.lastSuccessAt), r.watchdog.toUpperCase()]);
  }
  return [table.toString(), ...rows.map((r) => `${r.sourceId}: ${r.message}`)].join('\n');
}

export async function statusCommand(opts: StatusOptions): Promise<number> {
  return withConfig(opts, (loaded) =>
    withState(loaded, async (state) => {
      const rows = await scheduleStatus({ config: loaded.config, state, now: new Date() });
      process.stdout.write(opts.json ? `${JSON.stringify(rows, null, 2)}\n` : `${formatStatus(rows)}\n`);
      return rows.some((r) => isAlarm(r.watchdog)) ? EXIT_LATE : EXIT.ok;
    }),
  );
}
