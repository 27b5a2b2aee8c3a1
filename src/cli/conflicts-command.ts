/**
 * `patron-bridge conflicts list | show | resolve`: the cases where the source and the CRM disagree
 * and a person decides. `resolve` records the answer and applies it at once (a replay of that record).
 */
import Table from 'cli-table3';
import { createApp } from '../app.js';
import { LINK_KINDS, type ConflictEntry, type Resolution } from '../core/conflicts.js';
import { BridgeError } from '../core/errors.js';
import { runOnce } from './run-once.js';
import { EXIT, withConfig, type CommonOptions } from './run-cli.js';
import { withState } from './state-access.js';

export interface ConflictsListOptions extends CommonOptions {
  source?: string;
  all?: boolean;
  json?: boolean;
}

export interface ConflictsResolveOptions extends CommonOptions {
  source?: string;
  take?: string;
  link?: number;
  json?: boolean;
  timeout?: number;
}

function sourcesOf(known: string[], file: string, wanted?: string): string[] {
  if (wanted === undefined) return known;
  if (!known.includes(wanted)) throw new BridgeError('CONFIG_INVALID', `${file}: no source "${wanted}" (configured: ${known.join(', ')})`);
  return [wanted];
}

/** The list for people: ids, kinds, records, fields and decisions; no values (those are for `show`). */
export function formatConflicts(entries: readonly ConflictEntry[]): string {
  if (entries.length === 0) return 'no conflicts';
  const table = new Table({ head: ['id', 'status', 'kind', 'record', 'contact', 'field', 'decision', 'last seen', 'reason'], style: { head: [], border: [] }, wordWrap: true, colWidths: [null, null, null, null, null, null, null, null, 50] as unknown as number[] });
  for (const c of entries) {
    table.push([c.id, c.status, c.kind, `${c.sourceId}:${c.recordId}`, c.contactId ?? (c.candidates ?? []).join(' '), c.field ?? '', c.decision, c.lastSeen.slice(0, 19), c.reason]);
  }
  return `${table.toString()}\n${entries.length} conflict(s), ${entries.filter((c) => c.status === 'open').length} open`;
}

const show = (v: unknown) => (v === undefined ? '(not known)' : JSON.stringify(v));

/** One conflict with its values, for the person deciding. */
export function formatConflict(c: ConflictEntry): string {
  const lines = [
    `conflict ${c.id} (${c.status}): ${c.kind} on ${c.sourceId} record ${c.recordId} (${c.externalId})`,
    `  ${c.reason}`,
    ...(c.contactId !== undefined ? [`  CRM contact: ${c.contactId}`] : []),
    ...(c.candidates?.length ? [`  candidate contacts: ${c.candidates.join(', ')}`] : []),
    ...(c.field !== undefined ? [`  field: ${c.field}`, `  last written: ${show(c.lastWritten)}`, `  in the CRM:   ${show(c.crm)}`, `  from source:  ${show(c.source)}`] : []),
    `  decision: ${c.decision}; first seen ${c.firstSeen}, last seen ${c.lastSeen} (run ${c.runId})`,
    ...(c.resolution ? [`  answered ${c.resolvedAt ?? ''}: ${JSON.stringify(c.resolution)}`] : []),
  ];
  if (c.status === 'open') {
    const choices = LINK_KINDS.has(c.kind)
      ? '--link CONTACT_ID (link to this contact) or --take source (a contact of its own)'
      : c.kind === 'gone' || c.kind === 'trashed'
        ? '--take source (bring it back: restore or create) or --take crm (leave it; never write this patron again)'
        : '--take source (write the source value) or --take crm (keep the CRM value)';
    lines.push(`  answer with: patron-bridge conflicts resolve ${c.id} ${choices}`);
  }
  return lines.join('\n');
}

export async function conflictsListCommand(opts: ConflictsListOptions): Promise<number> {
  return withConfig(opts, (loaded) =>
    withState(loaded, async (state) => {
      const ids = sourcesOf(loaded.config.sources.map((s) => s.id), loaded.file, opts.source);
      const entries = (await Promise.all(ids.map((id) => state.listConflicts(id, opts.all ? {} : { status: 'open' })))).flat();
      process.stdout.write(opts.json ? `${JSON.stringify(entries, null, 2)}\n` : `${formatConflicts(entries)}\n`);
      return EXIT.ok;
    }),
  );
}

async function find(state: Parameters<Parameters<typeof withState>[1]>[0], ids: string[], id: string): Promise<ConflictEntry | null> {
  for (const s of ids) {
    const c = await state.getConflict(s, id);
    if (c) return c;
  }
  return null;
}

export async function conflictsShowCommand(id: string, opts: ConflictsListOptions): Promise<number> {
  return withConfig(opts, (loaded) =>
    withState(loaded, async (state) => {
      const c = await find(state, sourcesOf(loaded.config.sources.map((s) => s.id), loaded.file, opts.source), id);
      if (!c) {
        process.stderr.write(`no conflict "${id}" is kept\n`);
        return EXIT.failed;
      }
      process.stdout.write(opts.json ? `${JSON.stringify(c, null, 2)}\n` : `${formatConflict(c)}\n`);
      return EXIT.ok;
    }),
  );
}

export async function conflictsResolveCommand(id: string, opts: ConflictsResolveOptions): Promise<number> {
  return withConfig(opts, async (loaded, logger) => {
    if ((opts.take === undefined) === (opts.link === undefined)) throw new BridgeError('CONFIG_INVALID', 'conflicts resolve: give exactly one of --take source|crm or --link CONTACT_ID');
    if (opts.take !== undefined && opts.take !== 'source' && opts.take !== 'crm') throw new BridgeError('CONFIG_INVALID', `conflicts resolve: --take ${JSON.stringify(opts.take)}; expected source or crm`);
    const resolution: Resolution = opts.link !== undefined ? { link: opts.link } : { take: opts.take as 'source' | 'crm' };
    const ids = sourcesOf(loaded.config.sources.map((s) => s.id), loaded.file, opts.source);
    const app = await createApp(loaded, logger);
    const entry = await find(app.state, ids, id);
    if (!entry) {
      await app.close();
      process.stderr.write(`no conflict "${id}" is kept\n`);
      return EXIT.failed;
    }
    if ('link' in resolution && !LINK_KINDS.has(entry.kind)) {
      await app.close();
      throw new BridgeError('CONFIG_INVALID', `conflict ${id} is a ${entry.kind} conflict: answer it with --take source or --take crm`);
    }
    await app.state.resolveConflict(entry.sourceId, id, resolution, new Date().toISOString());
    process.stderr.write(`conflict ${id} answered (${JSON.stringify(resolution)}); applying it now\n`);
    return runOnce(app, {
      json: opts.json ?? false,
      timeoutMs: (opts.timeout ?? loaded.config.sync.run_timeout_seconds) * 1000,
      logger,
      start: () => app.enqueueRun('replay', [entry.sourceId], [entry.recordId]),
    });
  });
}
