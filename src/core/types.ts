/**
 * Domain types shared by connectors, mapping, reconciliation and the pipeline.
 * Everything here is plain data: no behaviour, no I/O.
 */

/** A record read from a library system, already validated by the connector's zod schema. */
export interface SourceRecord {
  /** Configured source id, e.g. "koha". */
  sourceId: string;
  /** Kind of record; only "patron" for now ("loan" later). */
  kind: 'patron';
  /** Stable id of the record inside the source (Koha patron_id as a string). */
  id: string;
  /** Last-change timestamp as given by the source (ISO 8601 / RFC 3339). */
  updatedAt: string;
  /** True when the library has anonymised this record: nothing personal may be sent on. */
  anonymised: boolean;
  /** The validated payload (field names as the source API names them). */
  data: Record<string, unknown>;
}

/** A record the connector could not accept; carries no personal data. */
export interface RejectedSourceRecord {
  sourceId: string;
  /** Source id of the record when it could be read, else a position like "page 3 #17". */
  id: string;
  reason: string;
}

/** The contact the mapping wants the CRM to hold for one source record. */
export interface DesiredContact {
  /** Namespaced stable key, written to Contact.external_identifier (≤ 64 chars). */
  externalId: string;
  sourceId: string;
  sourceRecordId: string;
  /** APIv4 field names on Contact, including `email_primary.email`, `address_primary.country_id:name`, `Group.Field`. */
  values: Record<string, string | number | boolean | null>;
  /** Names of static groups the contact belongs to (CiviCRM Group.name). */
  groups: GroupRef[];
}

export interface GroupRef {
  /** Machine name (Group.name). */
  name: string;
  /** Human title shown in CiviCRM (Group.title). */
  title: string;
}

/** What was last written to the CRM for one contact (kept in the state store). */
export interface SentState {
  /** Hash of the values as sent (fitted to the CRM's fields) and the groups. */
  fingerprint: string;
  /** Group names the contact was last put in, so removals can be computed. */
  groups: string[];
  /** CiviCRM contact id, when known. */
  contactId?: number;
  /** ISO time of the write. */
  at: string;
}

/** A write the pipeline asks the CRM sink to perform. Writes are data. */
export type CrmOperation =
  | { kind: 'upsertContact'; contact: DesiredContact; removeFromGroups: string[]; previouslySent: boolean };

export type RecordOutcome = 'created' | 'updated' | 'unchanged' | 'rejected' | 'skipped';

/** The per-record result of applying operations. */
export interface ContactWriteResult {
  externalId: string;
  sourceRecordId: string;
  outcome: 'created' | 'updated' | 'rejected';
  contactId?: number;
  /** Stable error code when rejected (see core/errors.ts). */
  code?: string;
  /** Human reason when rejected; never contains personal data or secrets. */
  reason?: string;
}

/** Per-source incremental cursor (high-water mark of the source's change timestamp). */
export interface Cursor {
  /** Timestamp of the last record fully written, as the source gave it; null = never synced. */
  updatedAt: string | null;
  /** Source id of that record, to break ties between records with the same timestamp. */
  lastId: string | null;
}

/** A position inside one run's read of a source: keyset paging on (updatedAt, id). */
export interface PageRequest {
  /** Lower bound of the window (inclusive), or null for a full read. */
  since: string | null;
  /** Upper bound of the window (inclusive), fixed when the run starts. */
  until: string;
  /** Keyset: continue strictly after this (updatedAt, id); null = from the start of the window. */
  after: { updatedAt: string; id: string } | null;
  /** Records per page. */
  limit: number;
}

export interface Page {
  records: SourceRecord[];
  rejected: RejectedSourceRecord[];
  /** Keyset position after the last record of this page (valid or rejected), or null when the page is empty. */
  last: { updatedAt: string; id: string } | null;
  /** True when there may be more records after this page. */
  hasMore: boolean;
}

/** incremental: from the saved cursor; full: every record; replay: only the kept failures. */
export type RunMode = 'incremental' | 'full' | 'replay';
