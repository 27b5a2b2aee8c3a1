/** The dashboard: each source's schedule, last run and watchdog; health; the recent runs. */
import type { RunReport } from '../state/ports.js';
import { html, type SafeHtml } from './html.js';
import { age, cli, layout, runLink, seconds, when, type PageContext } from './layout.js';
import type { HealthReport, SourceScheduleStatus } from './providers.js';

export interface DashboardData {
  /** A provider that failed is shown as its error. */
  schedules: SourceScheduleStatus[] | Error;
  health: HealthReport | Error;
  /** The run holding each source's lease (running now), by source id. */
  running: ReadonlyMap<string, string | null> | Error;
  runs: RunReport[] | Error;
}

const failed = (what: string, err: Error) => html`<p class="bad">could not read ${what}: ${err.message}</p>`;

function sourcesTable(schedules: SourceScheduleStatus[], running: ReadonlyMap<string, string | null>, now: number): SafeHtml {
  return html`<table><thead><tr><th>source</th><th>schedule</th><th>full runs</th><th>time zone</th><th>next run</th><th>last run</th><th>last success</th><th>watchdog</th><th>running now</th></tr></thead><tbody>
${schedules.map((s) => {
  const holder = running.get(s.sourceId);
  return html`<tr><td>${s.sourceId}</td><td>${s.cron ?? '-'}</td><td>${s.fullCron ?? '-'}</td><td>${s.timezone}</td><td>${when(s.nextRunAt)}</td>
<td>${s.lastRun ? html`${runLink(s.lastRun.runId)} ${s.lastRun.status}, ${age(s.lastRun.startedAt, now)} ago` : 'never'}</td>
<td>${when(s.lastSuccessAt)}</td><td class="watchdog-${s.watchdog}">${s.watchdog}: ${s.message}</td>
<td>${holder ? html`${runLink(holder)} (live)` : '-'}</td></tr>`;
})}
</tbody></table>`;
}

function healthTable(h: HealthReport): SafeHtml {
  return html`<p class="${h.ok ? 'good' : 'bad'}">${h.ok ? 'all reachable' : 'something is not reachable'}</p>
<table><thead><tr><th>check</th><th>state</th><th>ms</th><th>error</th></tr></thead><tbody>
${h.checks.map((c) => html`<tr><td>${c.name}</td><td class="${c.ok ? 'good' : 'bad'}">${c.ok ? 'ok' : 'failing'}</td><td>${c.ms}</td><td>${c.error ?? ''}</td></tr>`)}
</tbody></table>`;
}

const sum = (r: RunReport, k: 'read' | 'created' | 'updated' | 'rejected' | 'held' | 'conflicts') => r.sources.reduce((n, s) => n + s[k], 0);

function runsTable(runs: RunReport[]): SafeHtml {
  if (runs.length === 0) return html`<p>no runs yet: ${cli('patron-bridge sync --once')}</p>`;
  return html`<table><thead><tr><th>run</th><th>mode</th><th>status</th><th>started</th><th>seconds</th><th>sources</th><th>read</th><th>created</th><th>updated</th><th>rejected</th><th>held</th><th>conflicts</th></tr></thead><tbody>
${runs.map((r) => html`<tr><td>${runLink(r.runId)}</td><td>${r.mode}</td><td class="status-${r.status}">${r.interrupted ? 'interrupted' : r.status}</td><td>${when(r.startedAt)}</td><td>${seconds(r.durationMs)}</td>
<td>${[...new Set(r.sources.map((s) => s.sourceId))].join(', ')}</td><td>${sum(r, 'read')}</td><td>${sum(r, 'created')}</td><td>${sum(r, 'updated')}</td><td>${sum(r, 'rejected')}</td><td>${sum(r, 'held')}</td><td>${sum(r, 'conflicts')}</td></tr>`)}
</tbody></table>`;
}

export function dashboardPage(d: DashboardData, ctx: PageContext): SafeHtml {
  // Each part stands alone: with Redis down, the health still says so.
  return layout('Dashboard', html`<section><h2>Sources</h2>${d.schedules instanceof Error ? failed('the schedules', d.schedules) : sourcesTable(d.schedules, d.running instanceof Error ? new Map() : d.running, ctx.now)}
${d.running instanceof Error ? failed('which runs are running', d.running) : ''}</section>
<section><h2>Health</h2>${d.health instanceof Error ? failed('the health', d.health) : healthTable(d.health)}</section>
<section><h2>Recent runs</h2>${d.runs instanceof Error ? failed('the runs', d.runs) : runsTable(d.runs)}</section>`, ctx);
}
