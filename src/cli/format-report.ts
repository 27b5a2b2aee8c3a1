/** The run report as people read it (the CLI prints it; `--json` prints the RunReport itself). */
import type { WarningRule } from '../core/field-policy.js';
import type { RecordWarning, RunReport } from '../state/ports.js';

const COLUMNS = ['read', 'created', 'linked', 'updated', 'unchanged', 'rejected', 'skipped', 'held'] as const;

/** How each warning rule reads (the CLI report and the status page). */
export const RULE_TEXT: Record<WarningRule, string> = {
  truncated: 'truncated to fit',
  too_long: 'too long, left out',
  invalid: 'invalid, left out',
};

/** One line per record, in the order they were written: "last_name truncated to fit; …". */
function byRecord(warnings: readonly RecordWarning[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const w of warnings) out.set(w.recordId, [...(out.get(w.recordId) ?? []), `${w.field} ${RULE_TEXT[w.rule]}`]);
  return out;
}

export function formatReport(report: RunReport, opts: { maxRejections?: number } = {}): string {
  const max = opts.maxRejections ?? 20;
  const out: string[] = [];
  const duration = report.durationMs !== undefined ? `${(report.durationMs / 1000).toFixed(1)} s` : 'still running';
  const status = report.interrupted
    ? 'INTERRUPTED (no process is working on it: `patron-bridge sync --once` continues it)'
    : `${report.status.toUpperCase()} in ${duration}`;
  out.push(`Run ${report.runId} (${report.mode}): ${status}`);
  const header = ['source', 'stream', 'status', ...COLUMNS, 'pages', 'seconds'];
  const rows = report.sources.map((s) => [s.sourceId, s.stream, s.status, ...COLUMNS.map((c) => String(s[c])), String(s.pages), s.durationMs === undefined ? '-' : (s.durationMs / 1000).toFixed(1)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  out.push(line(header), ...rows.map(line));
  const more = (n: number) => `  … and ${n} more (see --json)`;
  for (const s of report.sources) {
    const label = s.stream === 'patrons' ? s.sourceId : `${s.sourceId}/${s.stream}`;
    if (s.error) out.push(`${label}: failed: ${s.error}`);
    if (s.deleted > 0) out.push(`${label}: ${s.deleted} deleted from the CRM (anonymised in Koha, or no longer allowed by the privacy rules)`);
    if (s.withWarnings > 0) {
      out.push(`${label}: written with warnings: ${s.withWarnings}`);
      for (const c of s.warningCounts) out.push(`  ${c.field}: ${RULE_TEXT[c.rule]}: ${c.count}`);
      const records = [...byRecord(s.warnings)];
      for (const [id, texts] of records.slice(0, max)) out.push(`  record ${id}: ${texts.join('; ')}`);
      if (records.length > max) out.push(more(records.length - max));
    }
    if (s.rejections.length > 0) {
      out.push(`${label}: ${s.rejections.length} rejected record(s):`);
      for (const r of s.rejections.slice(0, max)) out.push(`  record ${r.recordId}: ${r.code}: ${r.reason}`);
      if (s.rejections.length > max) out.push(more(s.rejections.length - max));
    }
    if (s.conflicts > 0) {
      out.push(`${label}: ${s.conflicts} conflict(s) logged, ${s.held} record(s) held for a person (see \`patron-bridge conflicts list\`)`);
    }
    if (s.failures && s.failures.open + s.failures.parked > 0) {
      out.push(`${label}: kept for retry: ${s.failures.open} record(s), parked: ${s.failures.parked} (see \`patron-bridge failures list\`)`);
    }
  }
  return out.join('\n');
}
