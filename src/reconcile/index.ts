/** Reconcile: desired contacts vs the CRM's current state and what was last synced → writes and conflicts (pure). */
export { reconcile, type ContactPlan, type PlannedOutcome, type ReconcileInput, type SyncPolicy } from './reconcile.js';
export { decideField, type FieldDecision, type FieldInput } from './fields.js';
export { decideGroups, type GroupDecision, type GroupInput } from './groups.js';
export { DEFAULT_MATCH_FIELDS, matchContact, type MatchResult } from './match.js';
export { canonical, comparisonOf, personKey, sameValue, valueHash, type Comparison } from './values.js';
