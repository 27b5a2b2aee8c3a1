/**
 * The CRM port: what the pipeline needs from a CRM. connectors/civicrm implements it over APIv4.
 */
import type { FieldPolicy, FieldWarning } from '../../src/core/field-policy.js';
import type { ContactWriteResult, CrmOperation, CrmSnapshot, DesiredContact } from '../../src/core/types.js';
import type { ConflictNote } from './activities.js';
import type { ActivityOp, ActivityResult } from './loans.js';
import type { SnapshotRequest } from './snapshot.js';

/** What the CRM says about one writable field, enough to validate values before sending. */
export interface FieldSpec {
  /** APIv4 name as written in values: "first_name", "email_primary.email", "Library_Patron.Card_Number". */
  name: string;
  /** CiviCRM data_type: String, Int, Boolean, Date, Timestamp, Memo, Email, Country, ... */
  dataType: string;
  maxLength?: number;
  /** For fields with options (pseudoconstants): allowed machine names (with `:name` suffix fields). */
  options?: string[];
}

/** A contact fitted to the CRM's fields: the values to compare and send, with warnings; or why it cannot be. */
export type ContactFit =
  | { kind: 'fit'; contact: DesiredContact; warnings: FieldWarning[] }
  /** `reason` names the fields and rules, never the values. */
  | { kind: 'reject'; code: 'VALUE_INVALID'; reason: string };

export interface CrmSink {
  /**
   * Writable Contact fields (core, custom `Group.Field`, and the `email_primary.*`, `phone_primary.*`,
   * `address_primary.*` forms), fetched once with getFields and cached.
   */
  describeContactFields(opts?: { fresh?: boolean }): Promise<Map<string, FieldSpec>>;
  /**
   * Of the given Contact field names, those the CRM does not have as writable fields (asked
   * afresh, not from the cache): a run must not start before `crm bootstrap` created them.
   */
  missingTargets(targets: readonly string[]): Promise<string[]>;
  /**
   * Fit contacts to the CRM's own field types and lengths, as each field's policy says (truncate,
   * omit or reject); one result per input, in input order. Pure but for fetching the field specs.
   * What it returns is what is compared with the last write (fingerprint) and then written.
   */
  fitContacts(contacts: readonly DesiredContact[], policies: ReadonlyMap<string, FieldPolicy>): Promise<ContactFit[]>;
  /**
   * What the CRM holds now for a page's contacts (by key; moved, merged or gone; candidates for the
   * patrons not linked yet; memberships of managed groups), in a few batched reads.
   */
  readContacts(req: SnapshotRequest): Promise<CrmSnapshot>;
  /**
   * Apply contact operations (Contact.save batched: new contacts with match on external_identifier,
   * known ones by id; restores; then group memberships). One result per operation, in order. An
   * operation the CRM refuses, or whose values do not fit the CRM's fields, is `rejected` with a
   * code and reason (CRM_DUPLICATE: a contact hidden in the trash holds the key; CRM_GONE: the
   * contact to restore is not there); the others are still written. Throws a transient BridgeError
   * only when the CRM cannot be reached or keeps failing (the page is retried; writes are idempotent).
   * `onSaved` is told once every Contact.save is done (memberships may still be under way), with the
   * contacts written or to have their memberships written: the next page may then look for them.
   */
  applyContacts(ops: readonly CrmOperation[], opts?: { onSaved?: (contactIds: number[]) => void }): Promise<ContactWriteResult[]>;
  /**
   * Shows new conflicts that wait for a person as "Sync conflict" activities on their contacts, and
   * completes those of settled conflicts (ids). A no-op unless crm.conflict_activities is set.
   */
  noteConflicts(open: readonly ConflictNote[], settled: readonly string[]): Promise<void>;

  /** Why loans cannot be written (activity type, Activity fields or the source contact missing), or null; asked afresh. */
  loanSetupProblem(req: { activityType: string; fields: readonly string[]; sourceContact: string }): Promise<string | null>;
  /**
   * Writes loans as activities (Activity.save + match on `keyField`, batched), from the contact of
   * `sourceContact` (an external identifier) to each op's target. One result per op, in order; a loan
   * the CRM refuses is `rejected`, the others are still written.
   */
  saveActivities(ops: readonly ActivityOp[], opts: { keyField: string; sourceContact: string }): Promise<ActivityResult[]>;
  /** Deletes the activities whose `keyField` holds one of these keys. */
  deleteActivities(keys: readonly string[], keyField: string): Promise<void>;
  /** Keys of the activities of a type on these contacts. */
  activitiesOfContacts(contactIds: readonly number[], opts: { keyField: string; activityType: string }): Promise<string[]>;
}
