/**
 * The CrmSink over CiviCRM APIv4: read a page's contacts before deciding (snapshot.ts); apply the
 * decided operations: validate, Contact.save in chunks (new contacts with match on
 * external_identifier, known ones by id; one bad record does not sink its chunk; one refused
 * without a reason is read back), restores, then memberships of static groups.
 */
import type { AxiosInstance } from 'axios';
import { BridgeError } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';
import type { ContactWriteResult, CrmOperation, Value } from '../../src/core/types.js';
import type { CrmConfig } from '../../src/config/schema.js';
import { assertContactId, completeConflictActivities, createContactByKey, saveConflictActivities, SYSTEM_CONTACT_KEY } from './activities.js';
import { createCiviClient, type CiviClient, type RetryTuning } from './client.js';
import { createFieldDescriber } from './fields.js';
import type { CrmLimiter } from './limiter.js';
import { fitContact } from './fit.js';
import { chunked, saveChunk } from './batches.js';
import { createGroupWriter, type MembershipRow } from './groups.js';
import type { CrmSink } from './sink.js';
import { activitiesOfContacts, deleteActivities, loanSetupProblem, saveActivities } from './loans.js';
import { readSnapshot } from './snapshot.js';
import { inParallel } from '../../src/core/parallel.js';
import { DEFAULT_MAX_CONCURRENCY } from './limiter.js';
import { validateContactValues } from './validate.js';

export interface CiviCrmSinkDeps {
  logger: Logger;
  http?: AxiosInstance;
  /** Use this client instead of building one (tests, shared request counting). */
  client?: CiviClient;
  retry?: Partial<RetryTuning>;
  /** Permits for each CiviCRM HTTP request (see limiter.ts); ignored when `client` is given. */
  limiter?: CrmLimiter;
}

export type CiviCrmSink = CrmSink & { requests(): number };

type Values = Record<string, Value>;
type Saved = { id: number; external_identifier?: string | null; modified_date?: string | null };

/** Refusals of Contact.save that say why the record cannot be written: it was not, so no re-read. */
const REFUSALS: ReadonlySet<string> = new Set(['CRM_DUPLICATE', 'CRM_CONSTRAINT', 'CRM_MANDATORY']);

interface Pending {
  index: number;
  op: CrmOperation;
  record: Values;
}

const DUPLICATE_REASON =
  'a CiviCRM contact with this external identifier already exists but the API user cannot see it (usually it is in the trash): ' +
  "restore or permanently delete that contact, or grant the API user 'access deleted contacts'";

function reasonFor(e: BridgeError): string {
  return e.code === 'CRM_DUPLICATE' ? DUPLICATE_REASON : e.message;
}

function rejected(op: CrmOperation, code: string, reason: string): ContactWriteResult {
  return { externalId: op.externalId, sourceRecordId: op.sourceRecordId, outcome: 'rejected', code, reason };
}

const OUTCOME = { create: 'created', update: 'updated', restore: 'updated', link: 'linked' } as const;

function written(op: CrmOperation, contactId: number): ContactWriteResult {
  return { externalId: op.externalId, sourceRecordId: op.sourceRecordId, outcome: OUTCOME[op.mode], contactId };
}

/** What Contact.save is sent: a new contact keyed on its external id, or a known one by id. */
function recordOf(op: CrmOperation): Values {
  if (op.mode === 'create') return { contact_type: 'Individual', ...op.values, external_identifier: op.externalId };
  return { id: op.contactId!, ...op.values };
}

export function createCiviCrmSink(cfg: CrmConfig, deps: CiviCrmSinkDeps): CiviCrmSink {
  const client =
    deps.client ??
    createCiviClient(cfg, {
      logger: deps.logger,
      ...(deps.http ? { http: deps.http } : {}),
      ...(deps.retry ? { retry: deps.retry } : {}),
      ...(deps.limiter ? { limiter: deps.limiter } : {}),
    });
  const describe = createFieldDescriber(client);
  // Batches of one page go out side by side, as many as the CRM may serve at once (the limiter bounds all processes together).
  const width = cfg.max_concurrency ?? DEFAULT_MAX_CONCURRENCY;
  const groups = createGroupWriter(client, cfg.batch_size, deps.logger, width);
  const contactByKey = createContactByKey(client);
  const contactIdOf = async (key: string) => assertContactId(await contactByKey(key), key);

  const save = (records: Values[], byKey: boolean) =>
    client.call<Saved>('Contact', 'save', {
      records,
      ...(byKey ? { match: ['external_identifier'] } : {}),
      reload: ['id', 'external_identifier'],
    });

  const lookup = async (where: unknown[][]): Promise<Saved[]> =>
    (await client.call<Saved>('Contact', 'get', { select: ['id', 'external_identifier', 'modified_date'], where, orderBy: { id: 'ASC' } })).values;

  /** Saves one chunk (all new, or all known); falls back to one record at a time when CiviCRM refuses the chunk. */
  async function writeChunk(chunk: Pending[], byKey: boolean, results: ContactWriteResult[]): Promise<void> {
    const assign = (items: readonly Pending[], saved: Saved[]) => {
      const byExt = new Map(saved.map((v) => [v.external_identifier, v.id]));
      items.forEach((p, i) => {
        // reload returns rows in record order; the external id is the safer key when present.
        const id = byKey ? (byExt.get(p.op.externalId) ?? saved[i]?.id) : p.op.contactId;
        results[p.index] = id === undefined || (byKey && saved.length !== items.length && !byExt.has(p.op.externalId))
          ? rejected(p.op, 'CRM_API', 'Contact.save did not return this contact')
          : written(p.op, id);
      });
    };
    await saveChunk(chunk, async (items) => assign(items, (await save(items.map((p) => p.record), byKey)).values), {
      onFallback: (e) => deps.logger.warn('Contact.save failed for a chunk; writing its records one by one', { code: e.code, records: chunk.length }),
      refused: (p, r) => {
        deps.logger.warn('CiviCRM refused a contact', { code: r.code, recordId: p.op.sourceRecordId });
        results[p.index] = rejected(p.op, r.code, reasonFor(r));
      },
    });
    await recheck(chunk.filter((p) => results[p.index]?.outcome === 'rejected' && !REFUSALS.has(results[p.index]!.code ?? '')), byKey, results);
  }

  /**
   * An error that does not say why (hidden without 'view debug output', unknown, or a missing reload row)
   * may have come after CiviCRM applied the write: re-read those records in one get so the report tells
   * the truth. A new contact that is there now was created; a known one was written if it changed since read.
   */
  async function recheck(unsure: Pending[], byKey: boolean, results: ContactWriteResult[]): Promise<void> {
    if (unsure.length === 0) return;
    const after = byKey
      ? await lookup([['external_identifier', 'IN', unsure.map((p) => p.op.externalId)]])
      : await lookup([['id', 'IN', unsure.map((p) => p.op.contactId!)]]);
    for (const p of unsure) {
      const now = after.find((r) => (byKey ? r.external_identifier === p.op.externalId : r.id === p.op.contactId));
      if (now && (byKey || (p.op.seen !== undefined && now.modified_date !== p.op.seen))) results[p.index] = written(p.op, now.id);
    }
    deps.logger.debug('re-read contacts after unexplained errors', { records: unsure.length, written: unsure.filter((p) => results[p.index]?.outcome !== 'rejected').length });
  }

  /** Takes restores out of the trash; one that is not there is created again when asked, else CRM_GONE. */
  async function restore(ops: Array<{ index: number; op: CrmOperation }>, results: ContactWriteResult[]): Promise<Array<{ index: number; op: CrmOperation }>> {
    const out: Array<{ index: number; op: CrmOperation }> = [];
    for (const r of ops) {
      const res = await client.call<Saved>('Contact', 'update', { where: [['id', '=', r.op.contactId!]], values: { is_deleted: false } });
      if (res.values.length > 0) out.push(r);
      else if (r.op.recreateIfDeleted) out.push({ index: r.index, op: { ...r.op, mode: 'create' } });
      else {
        results[r.index] = rejected(r.op, 'CRM_GONE', `CRM contact ${r.op.contactId} could not be restored: it was deleted for good, or the API user lacks 'access deleted contacts'`);
      }
    }
    return out;
  }

  /** Memberships of the written contacts among `indices` (of `ops`). */
  async function writeGroups(ops: readonly CrmOperation[], results: ContactWriteResult[], indices: readonly number[]): Promise<void> {
    const done = indices.flatMap((index) => {
      const op = ops[index]!;
      const r = results[index];
      return r && r.outcome !== 'rejected' && r.contactId !== undefined && (op.addGroups.length || op.removeGroups.length) ? [{ op, index, contactId: r.contactId }] : [];
    });
    if (done.length === 0) return;
    await groups.ensure(done.flatMap((d) => d.op.addGroups));
    // A group that does not exist cannot hold the contact; sending it would fail the whole chunk.
    const removals = done.flatMap((d) => d.op.removeGroups);
    const removable = removals.length ? await groups.existing(removals) : new Set<string>();
    const rows: MembershipRow[] = done.flatMap((d) => [
      ...d.op.addGroups.map((g) => ({ key: d.index, contactId: d.contactId, group: g.name, status: 'Added' as const })),
      ...d.op.removeGroups.filter((g) => removable.has(g)).map((g) => ({ key: d.index, contactId: d.contactId, group: g, status: 'Removed' as const })),
    ]);
    for (const { row, error } of await groups.write(rows)) {
      const prev = results[row.key];
      if (!prev) continue;
      results[row.key] = { ...prev, outcome: 'rejected', code: error.code, reason: `contact written, but its membership of group ${row.group} could not be saved: ${reasonFor(error)}` };
    }
  }

  return {
    requests: () => client.requests(),
    describeContactFields: describe,
    async missingTargets(targets) {
      const specs = await describe({ fresh: true });
      return targets.filter((t) => !specs.has(t));
    },
    async fitContacts(contacts, policies) {
      const specs = await describe();
      return contacts.map((c) => fitContact(c, specs, policies));
    },
    readContacts: (req) => readSnapshot(client, req),
    async noteConflicts(open, settled) {
      if (!cfg.conflict_activities) return;
      if (open.length > 0) await saveConflictActivities(client, await contactIdOf(SYSTEM_CONTACT_KEY), open);
      if (settled.length > 0) await completeConflictActivities(client, settled);
    },
    loanSetupProblem: (req) => loanSetupProblem(client, { ...req, contactByKey }),
    async saveActivities(ops, opts) {
      if (ops.length === 0) return [];
      return saveActivities(client, ops, { keyField: opts.keyField, sourceContactId: await contactIdOf(opts.sourceContact), batchSize: cfg.batch_size, width, logger: deps.logger });
    },
    deleteActivities: (keys, keyField) => deleteActivities(client, keys, { keyField, batchSize: cfg.batch_size }),
    activitiesOfContacts: (ids, opts) => activitiesOfContacts(client, ids, opts),
    async applyContacts(ops, opts = {}) {
      const specs = await describe();
      const results: ContactWriteResult[] = new Array<ContactWriteResult>(ops.length);
      const valid: Array<{ index: number; op: CrmOperation }> = [];
      ops.forEach((op, index) => {
        if (op.mode !== 'create' && op.contactId === undefined) throw new BridgeError('INTERNAL', `a ${op.mode} operation without a contact id`);
        const problems = validateContactValues(op.values, specs);
        if (problems.length > 0) results[index] = rejected(op, 'VALUE_INVALID', problems.map((p) => p.message).join('; '));
        else valid.push({ index, op });
      });
      const ready = [...valid.filter((v) => v.op.mode !== 'restore'), ...(await restore(valid.filter((v) => v.op.mode === 'restore'), results))];
      const pending = ready.map(({ index, op }) => ({ index, op, record: recordOf(op) }));
      // A known contact with nothing but memberships to change needs no Contact.save.
      const known = pending.filter((p) => p.op.mode !== 'create');
      for (const p of known.filter((k) => Object.keys(k.op.values).length === 0)) results[p.index] = written(p.op, p.op.contactId!);
      const membershipsOnly = known.filter((k) => Object.keys(k.op.values).length === 0).map((p) => p.index);
      const chunks = [
        ...chunked(pending.filter((p) => p.op.mode === 'create'), cfg.batch_size).map((chunk) => ({ chunk, byKey: true })),
        ...chunked(known.filter((k) => Object.keys(k.op.values).length > 0), cfg.batch_size).map((chunk) => ({ chunk, byKey: false })),
      ];
      // Once every Contact.save has succeeded, the contacts are there for the next page to find.
      let saving = chunks.length;
      const allSaved = () => opts.onSaved?.(results.flatMap((r) => (r && r.outcome !== 'rejected' && r.contactId !== undefined ? [r.contactId] : [])));
      if (saving === 0) allSaved();
      // Each batch's memberships follow it at once, so every lane of `width` stays busy until the page is done.
      const lane = (chunk: Pending[], byKey: boolean) => async () => {
        await writeChunk(chunk, byKey, results);
        if (--saving === 0) allSaved();
        await writeGroups(ops, results, chunk.map((p) => p.index));
      };
      await inParallel([
        ...chunks.map(({ chunk, byKey }) => lane(chunk, byKey)),
        ...(membershipsOnly.length ? [() => writeGroups(ops, results, membershipsOnly)] : []),
      ], width);
      deps.logger.debug('contacts written', { operations: ops.length, written: pending.length, requests: client.requests() });
      return results;
    },
  };
}
