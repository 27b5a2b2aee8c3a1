/** CiviCRM APIv4 sandbox: an in-process look-alike of a real CiviCRM 6.17.2 for the demo and integration tests. */
export { startCiviSandbox } from './sandbox.js';
export type { CiviSandbox, CiviSandboxOptions, CiviSandboxStats } from './sandbox.js';
export type { CrmUser } from './crm-user.js';
export type { MergeOptions, MergeResult } from './merge.js';
export { DEFAULT_CIVI_KEYS, DEFAULT_SITE_KEY, PERMISSIONS } from './auth.js';
export type { PrincipalName } from './auth.js';
export { requestCost } from './cost.js';
export type { CostModelOptions, PoolReport, PoolStats } from './cost.js';
export { FAULT_KINDS } from './faults.js';
export type { CiviFaultOptions, FaultKind } from './faults.js';
export { ellipsify, coerceValue } from './leniency.js';
export { parseLenientDate, toDateValue, toDateTimeValue } from './dates.js';
export { compileWhere } from './where.js';
