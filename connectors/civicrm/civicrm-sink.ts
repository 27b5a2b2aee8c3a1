/**
 * The CrmSink over CiviCRM APIv4: validate, then Contact.save + match on external_identifier in
 * chunks (one bad record does not sink its chunk; one refused without a reason is read back), then
 * static group memberships.
 */
import type { AxiosInstance } from 'axios';
import { classifyError, type BridgeError } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';
import type { ContactWriteResult, DesiredContact } from '../../src/core/types.js';
import type { CrmConfig } from '../../src/config/schema.js';
import { createCiviClient, type CiviClient, type RetryTuning } from './client.js';
import { createFieldDescriber } from './fields.js';
import { fitContact } from './fit.js';
import { chunked, createGroupWriter, WHOLE_CALL_CODES, type MembershipRow } from './groups.js';
import type { ContactUpsert, CrmSink } from './sink.js';
import { validateContactValues } from './validate.js';

export interface CiviCrmSinkDeps {
  logger: Logger;
  http?: AxiosInstance;
  /** Use this client instead of building one (tests, shared request counting). */
  client?: CiviClient;
  retry?: Partial<RetryTuning>;
}

export type CiviCrmSink = CrmSink & { requests(): number };

type Values = DesiredContact['values'];

interface Found {
  id: number;
  external_identifier: string;
  modified_date?: string | null;
}

/** Refusals of Contact.save that say why the record cannot be written: it was not, so no re-read. */
const REFUSALS: ReadonlySet<string> = new Set(['CRM_DUPLICATE', 'CRM_CONSTRAINT', 'CRM_MANDATORY']);

interface Pending {
  index: number;
  upsert: ContactUpsert;
  record: Values;
}

const DUPLICATE_REASON =
  'a CiviCRM contact with this external identifier already exists but the API user cannot see it (usually it is in the trash): ' +
  "restore or permanently delete that contact, or grant the API user 'access deleted contacts'";

function reasonFor(e: BridgeError): string {
  return e.code === 'CRM_DUPLICATE' ? DUPLICATE_REASON : e.message;
}

function rejected(u: ContactUpsert, code: string, reason: string): ContactWriteResult {
  return { externalId: u.contact.externalId, sourceRecordId: u.contact.sourceRecordId, outcome: 'rejected', code, reason };
}

/** A written contact: created unless the pre-read found it. */
function writtenResult(u: ContactUpsert, before: ReadonlyMap<string, Found>, contactId: number): ContactWriteResult {
  const ext = u.contact.externalId;
  return { externalId: ext, sourceRecordId: u.contact.sourceRecordId, outcome: before.has(ext) ? 'updated' : 'created', contactId };
}

/** The values sent to Contact.save: the mapping's values, keyed on the external id. */
function recordOf(c: DesiredContact): Values {
  return { contact_type: 'Individual', ...c.values, external_identifier: c.externalId };
}

export function createCiviCrmSink(cfg: CrmConfig, deps: CiviCrmSinkDeps): CiviCrmSink {
  const client =
    deps.client ?? createCiviClient(cfg, { logger: deps.logger, ...(deps.http ? { http: deps.http } : {}), ...(deps.retry ? { retry: deps.retry } : {}) });
  const describe = createFieldDescriber(client);
  const groups = createGroupWriter(client, cfg.batch_size, deps.logger);

  const save = (records: Values[]) =>
    client.call<{ id: number; external_identifier: string }>('Contact', 'save', {
      records,
      match: ['external_identifier'],
      reload: ['id', 'external_identifier'],
    });

  const lookup = async (ids: string[]): Promise<Map<string, Found>> => {
    const res = await client.call<Found>('Contact', 'get', {
      select: ['id', 'external_identifier', 'modified_date'],
      where: [['external_identifier', 'IN', ids]],
      orderBy: { id: 'ASC' },
      limit: ids.length,
    });
    return new Map(res.values.map((v) => [v.external_identifier, v]));
  };

  async function writeChunk(chunk: Pending[], results: ContactWriteResult[]): Promise<void> {
    const before = await lookup(chunk.map((p) => p.upsert.contact.externalId));
    const assign = (items: Pending[], saved: Array<{ id: number; external_identifier: string }>) => {
      const byExt = new Map(saved.map((v) => [v.external_identifier, v.id]));
      items.forEach((p, i) => {
        // reload returns rows in record order; the external id is the safer key when present.
        const id = byExt.get(p.upsert.contact.externalId) ?? (saved.length === items.length && saved[i]?.external_identifier === undefined ? saved[i]?.id : undefined);
        results[p.index] = id === undefined ? rejected(p.upsert, 'CRM_API', 'Contact.save did not return this contact') : writtenResult(p.upsert, before, id);
      });
    };
    try {
      assign(chunk, (await save(chunk.map((p) => p.record))).values);
    } catch (err) {
      const e = classifyError(err);
      if (e.transient || WHOLE_CALL_CODES.has(e.code)) throw e;
      deps.logger.warn('Contact.save failed for a chunk; writing its records one by one', { code: e.code, records: chunk.length });
      // save + match is idempotent, so records the failed chunk already wrote are simply matched again.
      for (const p of chunk) {
        try {
          assign([p], (await save([p.record])).values);
        } catch (recordErr) {
          const r = classifyError(recordErr);
          if (r.transient || WHOLE_CALL_CODES.has(r.code)) throw r;
          deps.logger.warn('CiviCRM refused a contact', { code: r.code, recordId: p.upsert.contact.sourceRecordId });
          results[p.index] = rejected(p.upsert, r.code, reasonFor(r));
        }
      }
    }
    await recheck(chunk.filter((p) => results[p.index]?.outcome === 'rejected' && !REFUSALS.has(results[p.index]!.code ?? '')), before, results);
  }

  /**
   * An error that does not say why (hidden without 'view debug output', unknown, or a missing reload row)
   * may have come after CiviCRM applied the write: re-read those records in one get so the report tells
   * the truth. A new contact that is there now was created; an existing one was updated only if it changed.
   */
  async function recheck(unsure: Pending[], before: Map<string, Found>, results: ContactWriteResult[]): Promise<void> {
    if (unsure.length === 0) return;
    const after = await lookup(unsure.map((p) => p.upsert.contact.externalId));
    for (const p of unsure) {
      const now = after.get(p.upsert.contact.externalId);
      const was = before.get(p.upsert.contact.externalId);
      if (now && (!was || now.modified_date !== was.modified_date)) results[p.index] = writtenResult(p.upsert, before, now.id);
    }
    deps.logger.debug('re-read contacts after unexplained errors', { records: unsure.length, written: unsure.filter((p) => results[p.index]?.outcome !== 'rejected').length });
  }

  async function writeGroups(batch: readonly ContactUpsert[], results: ContactWriteResult[]): Promise<void> {
    const rows: MembershipRow[] = [];
    const written = batch.flatMap((u, index) => {
      const r = results[index];
      return r && r.outcome !== 'rejected' && r.contactId !== undefined ? [{ u, index, contactId: r.contactId }] : [];
    });
    await groups.ensure(written.flatMap((w) => w.u.contact.groups));
    const removals = written.flatMap((w) => w.u.removeFromGroups.filter((g) => !w.u.contact.groups.some((ref) => ref.name === g)));
    // A group that does not exist cannot hold the contact; sending it would fail the whole chunk.
    const removable = removals.length ? await groups.existing(removals) : new Set<string>();
    for (const w of written) {
      for (const ref of w.u.contact.groups) rows.push({ key: w.index, contactId: w.contactId, group: ref.name, status: 'Added' });
      for (const g of w.u.removeFromGroups) {
        if (removable.has(g) && !w.u.contact.groups.some((ref) => ref.name === g)) rows.push({ key: w.index, contactId: w.contactId, group: g, status: 'Removed' });
      }
    }
    if (rows.length === 0) return;
    for (const { row, error } of await groups.write(rows)) {
      const prev = results[row.key];
      if (!prev) continue;
      results[row.key] = {
        ...prev,
        outcome: 'rejected',
        code: error.code,
        reason: `contact written, but its membership of group ${row.group} could not be saved: ${reasonFor(error)}`,
      };
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
    async upsertContacts(batch) {
      const specs = await describe();
      const results: ContactWriteResult[] = new Array<ContactWriteResult>(batch.length);
      const pending: Pending[] = [];
      batch.forEach((upsert, index) => {
        const record = recordOf(upsert.contact);
        const problems = validateContactValues(record, specs);
        if (problems.length > 0) results[index] = rejected(upsert, 'VALUE_INVALID', problems.map((p) => p.message).join('; '));
        else pending.push({ index, upsert, record });
      });
      for (const chunk of chunked(pending, cfg.batch_size)) await writeChunk(chunk, results);
      await writeGroups(batch, results);
      deps.logger.debug('contacts upserted', { records: batch.length, written: pending.length, requests: client.requests() });
      return results;
    },
  };
}
