/**
 * Static group membership: make sure groups exist (once per process), then write GroupContact
 * rows with save + match [group_id, contact_id] so repeats are idempotent ("Removed" keeps history).
 */
import { inParallel } from '../../src/core/parallel.js';
import { chunked, saveChunk } from './batches.js';
import { BridgeError, classifyError } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';
import type { GroupRef } from '../../src/core/types.js';
import type { CiviClient } from './client.js';

export interface MembershipRow {
  /** Caller's tag for the row (index of the contact in the batch). */
  key: number;
  contactId: number;
  group: string;
  status: 'Added' | 'Removed';
}

export interface GroupWriter {
  /** Create or update the groups not yet seen by this process. */
  ensure(refs: readonly GroupRef[]): Promise<void>;
  /** Names among `names` that exist in CiviCRM (cached). */
  existing(names: readonly string[]): Promise<Set<string>>;
  /** Write rows; returns the rows CiviCRM refused, with their error. Transient errors throw. */
  write(rows: readonly MembershipRow[]): Promise<Array<{ row: MembershipRow; error: BridgeError }>>;
}

export function createGroupWriter(client: CiviClient, batchSize: number, logger: Logger, width = 1): GroupWriter {
  const known = new Set<string>();
  const saving = new Map<string, Promise<void>>();

  const saveGroups = async (refs: readonly GroupRef[]) => {
    try {
      await client.call('Group', 'save', { records: refs.map((r) => ({ name: r.name, title: r.title })), match: ['name'] });
    } catch (err) {
      const e = classifyError(err);
      if (e.transient) throw e;
      // Another worker process created the same new group at the same moment (its name is unique): it is there now.
      const there = await client.call<{ name: string }>('Group', 'get', { select: ['name'], where: [['name', 'IN', refs.map((r) => r.name)]], limit: refs.length });
      if (refs.every((r) => there.values.some((g) => g.name === r.name))) {
        for (const r of refs) known.add(r.name);
        return;
      }
      throw new BridgeError(e.code, `cannot create or update the CiviCRM group(s) ${refs.map((r) => r.name).join(', ')}: ${e.message}`, {
        context: e.context,
        cause: e,
      });
    }
    for (const r of refs) known.add(r.name);
  };

  const save = (rows: readonly MembershipRow[]) =>
    client.call('GroupContact', 'save', {
      records: rows.map((r) => ({ 'group_id:name': r.group, contact_id: r.contactId, status: r.status })),
      match: ['group_id', 'contact_id'],
    });

  return {
    async ensure(refs) {
      // Batches of a page run side by side: one Group.save per name at a time, the others wait for it.
      const byName = new Map(refs.filter((r) => !known.has(r.name) && !saving.has(r.name)).map((r) => [r.name, r] as const));
      const waitFor = [...new Set(refs.map((r) => saving.get(r.name)).filter((p) => p !== undefined))];
      if (byName.size > 0) {
        const done = saveGroups([...byName.values()]);
        for (const name of byName.keys()) saving.set(name, done);
        waitFor.push(done.finally(() => { for (const name of byName.keys()) saving.delete(name); }));
      }
      await Promise.all(waitFor);
    },

    async existing(names) {
      const unknown = [...new Set(names)].filter((n) => !known.has(n));
      if (unknown.length > 0) {
        const res = await client.call<{ name: string }>('Group', 'get', {
          select: ['name'],
          where: [['name', 'IN', unknown]],
          orderBy: { id: 'ASC' },
          limit: unknown.length,
        });
        for (const g of res.values) known.add(g.name);
      }
      return new Set(names.filter((n) => known.has(n)));
    },

    async write(rows) {
      const refused: Array<{ row: MembershipRow; error: BridgeError }> = [];
      await inParallel(chunked(rows, batchSize).map((chunk) => () => saveChunk(chunk, async (items) => { await save(items); }, {
        onFallback: (e) => logger.warn('GroupContact.save failed for a chunk; writing its rows one by one', { code: e.code, rows: chunk.length }),
        refused: (row, error) => refused.push({ row, error }),
      })), width);
      return refused;
    },
  };
}
