/**
 * Domain types shared by connectors, mapping, reconciliation and the pipeline.
 * Everything here is plain data: no behaviour, no I/O.
 */

/** A record read from a library system, already validated by the connector's zod schema. */
export interface SourceRecord {
  /** Configured source id, e.g. "koha". */
  sourceId: string;
  /** Kind of record: a patron, or a loan (Koha checkout). */
  kind: 'patron' | 'checkout';
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
  values: Record<string, Value>;
  /** Names of static groups the contact belongs to (CiviCRM Group.name). */
  groups: GroupRef[];
}

export interface GroupRef {
  /** Machine name (Group.name). */
  name: string;
  /** Human title shown in CiviCRM (Group.title). */
  title: string;
}

export type Value = string | number | boolean | null;

/** One field as last synced: the source value's hash, and the value last written to the CRM. */
export interface FieldState {
  /** Hash of the (fitted) source value last processed, to tell whether the source changed. */
  s: string;
  /** The value last written to the CRM (null: cleared), to tell whether a CRM user changed it. */
  w: Value;
  /** Hash of a CRM user's value already reported as a conflict, so it is logged once. */
  c?: string;
}

/** What was last synced for one contact (kept in the state store, keyed by external id). */
export interface SentState {
  /** Per CRM field: see FieldState. A state from before per-field tracking has none. */
  fields?: Record<string, FieldState>;
  /** Managed groups the contact was last put in, so removals (ours and CRM users') can be told apart. */
  groups: string[];
  /** Managed groups a CRM user took it out of and the policy left it out of. */
  declinedGroups?: string[];
  /** CiviCRM contact id, when known. */
  contactId?: number;
  /** ISO time of the write. */
  at: string;
  /** A CRM user's decision (conflict resolved "crm" after the contact was deleted): never write it again. */
  excluded?: boolean;
  /** Patrons: the Koha privacy preference (0 keep history, 1 default, 2 never), which rules their loans. */
  privacy?: number;
  /** Patrons left out by the privacy rules (category, consent, age, anonymised): why; their loans are not sent either. */
  withheld?: string;
  /** Patrons: what was done to the contact when they left the synced set (clear: library fields and loans erased). */
  departed?: 'nothing' | 'flag' | 'clear';
  /** Loans: hash of the activity last written (values and target). Who owns a loan, and its day, are in the loan index (state/index-state.ts). */
  fp?: string;
  /** Loans: its activity was deleted (anonymised by Koha, or its patron's history withheld). */
  deleted?: boolean;
}

/** What the CRM holds now for one contact: the mapped fields and the memberships of managed groups. */
export interface CrmContact {
  id: number;
  externalId: string | null;
  /** Mapped fields as read from the CRM (`email_primary.email`, `Group.Field`, …). */
  values: Record<string, Value>;
  /** Managed groups the contact is in (GroupContact status Added). */
  groups: string[];
  /** Managed groups a CRM user took it out of (status Removed). */
  removedGroups: string[];
  modifiedDate?: string | null;
}

/** Where the CRM has the contact of one key now. */
export type CrmLookup =
  | { kind: 'found'; contact: CrmContact }
  /** The contact last written was merged into another (Contact.getMergedTo). */
  | { kind: 'merged'; from: number; survivor: CrmContact }
  /** The contact last written is not visible any more: in the trash, or deleted for good. */
  | { kind: 'gone'; contactId: number }
  /** Never written under this key (or the state was lost), and no contact carries it. */
  | { kind: 'absent' };

/** The CRM side of one page, read in a few batched calls before deciding. */
export interface CrmSnapshot {
  byKey: ReadonlyMap<string, CrmLookup>;
  /** Contacts that may be the same person as a patron not yet linked (the match ladder decides). */
  candidates: readonly CrmContact[];
}

/** A write the pipeline asks the CRM sink to perform. Writes are data. */
export type CrmOperation = {
  kind: 'upsertContact';
  /**
   * create: a new contact under the key; update: fields of a linked contact; link: write the key onto
   * an existing contact (matched, or the survivor of a merge) and update it; restore: take it out of
   * the trash, then update it.
   */
  mode: 'create' | 'update' | 'link' | 'restore';
  externalId: string;
  sourceRecordId: string;
  contactId?: number;
  /** Only the fields to write. */
  values: Record<string, Value>;
  addGroups: GroupRef[];
  removeGroups: string[];
  /** restore: when the contact was deleted for good (nothing to restore), create it again. */
  recreateIfDeleted?: boolean;
  /** The contact's modified_date as read before deciding (tells, after an unexplained error, whether the write happened). */
  seen?: string | null;
};

export type RecordOutcome = 'created' | 'updated' | 'linked' | 'unchanged' | 'rejected' | 'skipped' | 'held';

/** The per-record result of applying operations. */
export interface ContactWriteResult {
  externalId: string;
  sourceRecordId: string;
  outcome: 'created' | 'updated' | 'linked' | 'rejected';
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
  /** Which part of a stream read in parts (e.g. Koha checkouts: "current", then "returned"). */
  part?: string;
}

export interface Page {
  records: SourceRecord[];
  rejected: RejectedSourceRecord[];
  /** Keyset position after the last record of this page (valid or rejected), or null when the page is empty. */
  last: { updatedAt: string; id: string } | null;
  /** True when there may be more records after this page. */
  hasMore: boolean;
  /** Records the source counts for this request from its keyset position on, this page's included (Koha's X-Total-Count), when it says. */
  total?: number;
}

/** incremental: from the saved cursor; full: every record; resend: every record, every source value counted as changed (repair); replay: only kept failures or given records. */
export type RunMode = 'incremental' | 'full' | 'resend' | 'replay';
