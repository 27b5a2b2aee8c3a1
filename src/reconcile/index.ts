/** Reconcile: desired contacts vs last-sent state → writes (pure). */
export { fingerprint } from './fingerprint.js';
export { reconcile, type ContactUpsertPlan, type ReconcileResult } from './reconcile.js';
