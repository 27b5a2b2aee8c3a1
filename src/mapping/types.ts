/** The compiled form of a mapping file: what the pipeline and the CLI use. */
import type { FieldPolicy, FieldWarning } from '../core/field-policy.js';
import type { DesiredContact, SourceRecord } from '../core/types.js';
import type { SyncPolicy } from '../reconcile/index.js';
import type { LoanPlan } from './loans.js';
import type { PrivacyRules, Withheld } from './privacy.js';

export interface LifecyclePlan {
  onGone: 'nothing' | 'flag' | 'clear';
  onExpired: 'nothing' | 'flag' | 'clear';
  group: { name: string; title: string };
  maxGonePercent: number;
}

export interface EngagementPlan {
  lapsedAfterMonths: number;
  newWithinMonths: number;
  groups: { lapsed?: { name: string; title: string }; new?: { name: string; title: string } };
}

export type TransformResult =
  /** `warnings` (only when there are some): fields cut to fit or left out by their policy. */
  | { kind: 'contact'; contact: DesiredContact; warnings?: FieldWarning[] }
  /** The record must not reach the CRM (e.g. anonymised by the library); not an error. `withheld`: by a privacy rule. */
  | { kind: 'skip'; reason: string; withheld?: Withheld }
  /** The record cannot be mapped (e.g. no usable name); `reason` names the field, never its value. */
  | { kind: 'reject'; code: 'RECORD_INVALID' | 'VALUE_INVALID'; reason: string };

/** A custom field the mapping writes, for bootstrapping the CRM (CustomGroup/CustomField save). */
export interface CustomFieldDecl {
  group: string; // CustomGroup.name, e.g. "Library_Patron"
  name: string; // CustomField.name, e.g. "Card_Number"
  label: string;
  dataType: 'String' | 'Date' | 'Int' | 'Boolean' | 'Memo';
  htmlType: 'Text' | 'Select Date' | 'Radio' | 'TextArea';
  maxLength?: number;
}

export interface CustomGroupDecl {
  name: string;
  title: string;
  extends: 'Individual' | 'Contact' | 'Activity';
  fields: CustomFieldDecl[];
}

export interface CompiledMapping {
  /** Path of the mapping file, for messages. */
  readonly file: string;
  readonly sourceType: 'koha';
  /** Every CRM field name the mapping may write (checked against getFields by `mapping validate`). */
  readonly targetFields: readonly string[];
  readonly customGroups: readonly CustomGroupDecl[];
  /** Per target field: where its value comes from, by source field names (`mapping preview` shows it). */
  readonly fieldSources: ReadonlyMap<string, string>;
  /** Per target field: what a value that does not fit (the mapping's or the CRM's field) does. */
  readonly policies: ReadonlyMap<string, FieldPolicy>;
  /** Conflict policies and the match ladder for contacts already in the CRM. */
  readonly sync: SyncPolicy;
  /** Whether a CRM group is one this mapping manages (its memberships are read back and kept true). */
  managedGroup(name: string): boolean;
  /** Pure: same record (and day) in, same result out. `today` (YYYY-MM-DD, default: the clock's) dates ages and card expiry. */
  transform(record: SourceRecord, ctx?: { today?: string }): TransformResult;
  /** The contact key of a record ("<source id>:<external id field>"), or null when it has none. */
  keyOf(record: SourceRecord): string | null;
  readonly privacy: PrivacyRules;
  readonly lifecycle: LifecyclePlan;
  /** Engagement fields and groups (the mapping's `engagement` section), or null. */
  readonly engagement: EngagementPlan | null;
  /** Loans as activities (the mapping's `loans` section), or null when it has none. */
  readonly loans: LoanPlan | null;
}
