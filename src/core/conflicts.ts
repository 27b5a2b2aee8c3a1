/**
 * Conflicts: a case where the source and the CRM disagree in a way patron-bridge must not settle
 * silently. Each is decided by policy (and logged) or held for a person. Entries carry values so a
 * person can decide; they are kept in Redis only, never written to log lines.
 */
import type { Value } from './types.js';

/**
 * field: a CRM user changed a field that the source changed too; group: a CRM user took the contact
 * out of a managed group the source still puts it in; match: two or more CRM contacts look like the
 * patron; linked_elsewhere: the one that looks like the patron carries another key; gone: the contact
 * last written is in the trash or deleted for good; trashed: a contact hidden in the trash holds the
 * key; merged_linked: the survivor of a merge carries another key.
 */
export type ConflictKind = 'field' | 'group' | 'match' | 'linked_elsewhere' | 'gone' | 'trashed' | 'merged_linked';

/** Kinds answered by linking the patron to a CRM contact (`--link`); the others by taking a side. */
export const LINK_KINDS: ReadonlySet<ConflictKind> = new Set<ConflictKind>(['match', 'linked_elsewhere', 'merged_linked']);

/** What happened: the source value was written, the CRM's kept, or nothing written until a person decides. */
export type ConflictDecision = 'source' | 'crm' | 'review';

/** Per field (and for group memberships): who wins when both sides changed. */
export type ConflictPolicy = ConflictDecision;

export interface Conflict {
  kind: ConflictKind;
  sourceId: string;
  recordId: string;
  externalId: string;
  contactId?: number;
  /** The CRM field, or the group name (kind group). */
  field?: string;
  lastWritten?: Value;
  crm?: Value;
  source?: Value;
  /** CRM contacts involved (match, linked_elsewhere). */
  candidates?: number[];
  decision: ConflictDecision;
  /** Why, in words: field and group names, ids and rules only, never a value. */
  reason: string;
}

/** A person's answer to a held conflict: take the source's side, keep the CRM's, or link this contact. */
export type Resolution = { take: 'source' } | { take: 'crm' } | { link: number };

export interface ConflictEntry extends Conflict {
  id: string;
  status: 'open' | 'decided' | 'resolved';
  firstSeen: string;
  lastSeen: string;
  runId: string;
  resolution?: Resolution;
  resolvedAt?: string;
}

/** The stable identity of a conflict: the same disagreement seen again updates its entry. */
export const conflictKey = (c: Pick<Conflict, 'kind' | 'externalId' | 'field'>): string => `${c.kind}|${c.externalId}|${c.field ?? ''}`;
