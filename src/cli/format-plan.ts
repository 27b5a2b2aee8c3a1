/**
 * A dry run's plan as people read it: a row of counts per source and stream, then per stream the
 * records of each action (ids), the field-level before → after of a sample of updates, the
 * rejections and what would be held, with reasons. `--plan FILE` / `--json` give every record.
 */
import type { Value } from '../core/types.js';
import type { DryRunPlan, PlannedRecord, StreamPlan } from '../pipeline/dry-run.js';

const COLUMNS = ['read', 'created', 'linked', 'updated', 'unchanged', 'held', 'rejected', 'skipped', 'deleted', 'conflicts'] as const;
const ID_ACTIONS = ['created', 'linked', 'updated', 'deleted'] as const;
const MAX_IDS = 20;

const shown = (v: Value | undefined): string => (v === undefined ? '?' : v === null ? '(empty)' : JSON.stringify(v));

function idList(records: readonly PlannedRecord[]): string {
  const ids = records.map((r) => r.recordId);
  return ids.length > MAX_IDS ? `${ids.slice(0, MAX_IDS).join(', ')} … and ${ids.length - MAX_IDS} more` : ids.join(', ');
}

/** One record written: whom, then one line per field and group change. */
function detail(r: PlannedRecord): string[] {
  const whom = r.contactId === null ? 'new contact' : r.contactId !== undefined ? `contact ${r.contactId}` : '';
  const out = [`  record ${r.recordId}${r.key ? ` (loan ${r.key})` : ''}${whom ? ` → ${whom}` : ''}:`];
  for (const c of r.changes ?? []) out.push(`    ${c.field}: ${'before' in c ? `${shown(c.before)} → ` : ''}${shown(c.after)}`);
  if (r.groups?.add.length) out.push(`    groups +${r.groups.add.join(', +')}`);
  if (r.groups?.remove.length) out.push(`    groups -${r.groups.remove.join(', -')}`);
  return out;
}

function streamLines(s: StreamPlan, sample: number): string[] {
  const label = `${s.sourceId}/${s.stream}`;
  const out: string[] = [];
  if (s.error) out.push(`${label}: would fail: ${s.error}`);
  const of = (action: PlannedRecord['action']) => s.records.filter((r) => r.action === action);
  for (const action of ID_ACTIONS) {
    const rs = of(action);
    if (rs.length) out.push(`${label}: ${action}: ${idList(rs)}`);
  }
  const updates = [...of('updated'), ...of('linked')].filter((r) => (r.changes?.length ?? 0) + (r.groups?.add.length ?? 0) + (r.groups?.remove.length ?? 0) > 0);
  if (updates.length && sample > 0) {
    out.push(`${label}: ${Math.min(sample, updates.length)} of ${updates.length} update(s), field by field (before → after):`);
    for (const r of updates.slice(0, sample)) out.push(...detail(r));
  }
  const created = of('created');
  if (created.length && sample > 0 && s.stream === 'patrons') {
    out.push(`${label}: ${Math.min(sample, created.length)} of ${created.length} new contact(s):`);
    for (const r of created.slice(0, sample)) out.push(...detail(r));
  }
  const held = of('held');
  if (held.length) {
    out.push(`${label}: ${held.length} held (kept for retry):`);
    for (const r of held.slice(0, MAX_IDS)) out.push(`  record ${r.recordId}: ${r.code}: ${r.reason}`);
    if (held.length > MAX_IDS) out.push(`  … and ${held.length - MAX_IDS} more (see --plan)`);
  }
  const rejected = of('rejected');
  if (rejected.length) {
    out.push(`${label}: ${rejected.length} rejected:`);
    for (const r of rejected.slice(0, MAX_IDS)) out.push(`  record ${r.recordId}: ${r.code}: ${r.reason}`);
    if (rejected.length > MAX_IDS) out.push(`  … and ${rejected.length - MAX_IDS} more (see --plan)`);
  }
  const decided = s.conflictList.filter((c) => c.decision !== 'review');
  if (decided.length) out.push(`${label}: ${decided.length} conflict(s) decided by policy (logged): ${decided.slice(0, MAX_IDS).map((c) => `${c.recordId} ${c.field ?? c.kind} → ${c.decision}`).join(', ')}`);
  return out;
}

export function formatPlan(plan: DryRunPlan, opts: { sample: number }): string {
  const out = [`DRY RUN (${plan.mode}): nothing was written to the CRM, and no cursor or synced state moved. What the next ${plan.mode} run would do:`];
  const header = ['source', 'stream', ...COLUMNS];
  const rows = plan.streams.map((s) => [s.sourceId, s.stream, ...COLUMNS.map((c) => String(s[c]))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  out.push(line(header), ...rows.map(line));
  for (const s of plan.streams) out.push(...streamLines(s, opts.sample));
  return out.join('\n');
}
