/**
 * One run's report, like `patron-bridge report`: per source and stream the counts, then the
 * rejections (record id, code, reason), warnings (record id, field, rule) and failures. While the
 * run is running, /static/live.js refreshes the counts from /api/runs/<id>.
 */
import { RULE_TEXT } from '../cli/format-report.js';
import type { RunReport, SourceReport } from '../state/ports.js';
import { html, type SafeHtml } from './html.js';
import { cli, layout, seconds, when, type PageContext } from './layout.js';

export const COUNT_COLUMNS = ['read', 'created', 'linked', 'updated', 'unchanged', 'rejected', 'skipped', 'held', 'deleted', 'retried', 'conflicts', 'withWarnings'] as const;

/** Records listed per stream and kind; the rest are in `patron-bridge report <id> --json`. */
const MAX_LISTED = 200;


/** The cells the live view updates, by name: status, every count, pages and seconds. */
export function liveCells(s: SourceReport): Record<string, string> {
  return {
    status: s.status,
    ...Object.fromEntries(COUNT_COLUMNS.map((c) => [c, String(s[c])])),
    pages: String(s.pages),
    seconds: seconds(s.durationMs),
  };
}

/** What the live view polls: no records, only the counts. */
export function liveRun(r: RunReport) {
  return { runId: r.runId, status: r.interrupted ? 'interrupted' : r.status, sources: r.sources.map((s) => ({ key: `${s.sourceId}/${s.stream}`, cells: liveCells(s) })) };
}

const runStatus = (r: RunReport) =>
  r.interrupted ? 'interrupted: no process is working on it (patron-bridge sync --once continues it)' : r.status;

function more(total: number, runId: string): SafeHtml {
  return total > MAX_LISTED ? html`<p>… and ${total - MAX_LISTED} more: ${cli(`patron-bridge report ${runId} --json`)}</p>` : html``;
}

function details(r: RunReport, s: SourceReport): SafeHtml {
  const label = `${s.sourceId} / ${s.stream}`;
  const parts: SafeHtml[] = [];
  if (s.error) parts.push(html`<p class="bad">failed: <span class="error">${s.error}</span></p>`);
  if (s.rejections.length > 0) {
    parts.push(html`<h4>${s.rejections.length} rejected</h4><table><thead><tr><th>record</th><th>code</th><th>reason</th></tr></thead><tbody>
${s.rejections.slice(0, MAX_LISTED).map((x) => html`<tr><td>${x.recordId}</td><td>${x.code}</td><td>${x.reason}</td></tr>`)}</tbody></table>${more(s.rejections.length, r.runId)}`);
  }
  if (s.withWarnings > 0) {
    parts.push(html`<h4>${s.withWarnings} written with warnings</h4><ul>${s.warningCounts.map((c) => html`<li>${c.field}: ${RULE_TEXT[c.rule]}: ${c.count}</li>`)}</ul>
<table><thead><tr><th>record</th><th>field</th><th>rule</th></tr></thead><tbody>
${s.warnings.slice(0, MAX_LISTED).map((w) => html`<tr><td>${w.recordId}</td><td>${w.field}</td><td>${RULE_TEXT[w.rule]}</td></tr>`)}</tbody></table>${more(s.warnings.length, r.runId)}`);
  }
  if (s.conflicts > 0) parts.push(html`<p>${s.conflicts} conflict(s) logged, ${s.held} record(s) held for a person: <a href="/conflicts">conflicts</a></p>`);
  if (s.failures && s.failures.open + s.failures.parked > 0) {
    parts.push(html`<p>kept for retry: ${s.failures.open}, parked: ${s.failures.parked}: <a href="/failures">failures</a></p>`);
  }
  return parts.length === 0 ? html`` : html`<section class="stream"><h3>${label}</h3>${parts}</section>`;
}

export function runPage(r: RunReport, ctx: PageContext): SafeHtml {
  const live = r.status === 'running' && !r.interrupted;
  return layout(`Run ${r.runId}`, html`<p ${live ? html`data-live-run="${r.runId}"` : ''}>${r.mode} run, started ${when(r.startedAt)}, <span data-run-status>${runStatus(r)}</span>${r.durationMs !== undefined ? html` in ${seconds(r.durationMs)} s` : ''}${live ? ' (updating every 2 s)' : ''}</p>
<table class="counts"><thead><tr><th>source</th><th>stream</th><th>status</th>${COUNT_COLUMNS.map((c) => html`<th>${c}</th>`)}<th>pages</th><th>seconds</th></tr></thead><tbody>
${r.sources.map((s) => {
  const key = `${s.sourceId}/${s.stream}`;
  return html`<tr><td>${s.sourceId}</td><td>${s.stream}</td>${Object.entries(liveCells(s)).map(([name, v]) => html`<td data-cell="${key}/${name}">${v}</td>`)}</tr>`;
})}
</tbody></table>
${r.sources.map((s) => details(r, s))}
<p>The same in a terminal: ${cli(`patron-bridge report ${r.runId}`)}</p>`, ctx);
}
