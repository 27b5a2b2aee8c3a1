/** The run report as people read it (the CLI prints it; `--json` prints the RunReport itself). */
import type { RunReport } from '../state/ports.js';

const COLUMNS = ['read', 'created', 'updated', 'unchanged', 'rejected', 'skipped'] as const;

export function formatReport(report: RunReport, opts: { maxRejections?: number } = {}): string {
  const max = opts.maxRejections ?? 20;
  const out: string[] = [];
  const duration = report.durationMs !== undefined ? `${(report.durationMs / 1000).toFixed(1)} s` : 'still running';
  out.push(`Run ${report.runId} (${report.mode}): ${report.status.toUpperCase()} in ${duration}`);
  const header = ['source', 'status', ...COLUMNS, 'pages', 'seconds'];
  const rows = report.sources.map((s) => [s.sourceId, s.status, ...COLUMNS.map((c) => String(s[c])), String(s.pages), s.durationMs === undefined ? '-' : (s.durationMs / 1000).toFixed(1)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  out.push(line(header), ...rows.map(line));
  for (const s of report.sources) {
    if (s.error) out.push(`${s.sourceId}: failed: ${s.error}`);
    if (s.rejections.length === 0) continue;
    out.push(`${s.sourceId}: ${s.rejections.length} rejected record(s):`);
    for (const r of s.rejections.slice(0, max)) out.push(`  record ${r.recordId}: ${r.code}: ${r.reason}`);
    if (s.rejections.length > max) out.push(`  … and ${s.rejections.length - max} more (see --json)`);
  }
  return out.join('\n');
}
