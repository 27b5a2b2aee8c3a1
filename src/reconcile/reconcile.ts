/**
 * Desired contacts vs what we last sent → the writes worth doing. Pure.
 * (CRM-side conflict detection will join here once the current CRM values are read.)
 */
import type { DesiredContact, SentState } from '../core/types.js';
import { fingerprint } from './fingerprint.js';

export interface ContactUpsertPlan {
  contact: DesiredContact;
  /** Groups the contact was last put in and no longer belongs to. */
  removeFromGroups: string[];
  /** True when this contact was written before (by external id). */
  previouslySent: boolean;
  /** Store this in SentState once the write is durable. */
  fingerprint: string;
}

export interface ReconcileResult {
  upserts: ContactUpsertPlan[];
  unchanged: DesiredContact[];
}

/**
 * `sent` is keyed by DesiredContact.externalId. A contact whose fingerprint equals the last one
 * sent needs no write. When one external id appears twice, the later record wins (one write per
 * contact and batch, so a save cannot race itself).
 */
export function reconcile(desired: readonly DesiredContact[], sent: ReadonlyMap<string, SentState>): ReconcileResult {
  const latest = new Map<string, DesiredContact>();
  for (const contact of desired) {
    latest.delete(contact.externalId); // keep the position of the last occurrence
    latest.set(contact.externalId, contact);
  }
  const upserts: ContactUpsertPlan[] = [];
  const unchanged: DesiredContact[] = [];
  for (const contact of latest.values()) {
    const fp = fingerprint(contact);
    const last = sent.get(contact.externalId);
    if (last !== undefined && last.fingerprint === fp) {
      unchanged.push(contact);
      continue;
    }
    const current = new Set(contact.groups.map((g) => g.name));
    upserts.push({
      contact,
      removeFromGroups: (last?.groups ?? []).filter((g) => !current.has(g)),
      previouslySent: last !== undefined,
      fingerprint: fp,
    });
  }
  return { upserts, unchanged };
}
