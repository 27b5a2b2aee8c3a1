/** The CiviCRM connector: APIv4 client, field specs, validation, the CrmSink and custom-field bootstrap. */
export { createCiviClient, DEFAULT_RETRY } from './client.js';
export type { ApiParams, ApiResult, CallOptions, CiviClient, ClientDeps, RetryTuning } from './client.js';
export { translateResponse, scrubMessage } from './errors.js';
export type { CallSite, CiviResponse } from './errors.js';
export { buildFieldSpecs, fetchContactFields, createFieldDescriber } from './fields.js';
export type { RawField } from './fields.js';
export { SCHEMA_MAXLENGTH, CUSTOM_STRING_DEFAULT_MAXLENGTH } from './limits.js';
export { validateContactValues, codePointLength, isCalendarDate, isTimestamp } from './validate.js';
export type { Problem, Rule } from './validate.js';
export { fitContact } from './fit.js';
export { createCiviCrmSink } from './civicrm-sink.js';
export type { CiviCrmSink, CiviCrmSinkDeps } from './civicrm-sink.js';
export { createGroupWriter } from './groups.js';
export type { GroupWriter, MembershipRow } from './groups.js';
export { bootstrapCustomFields } from './bootstrap.js';
export type { BootstrapSummary } from './bootstrap.js';
export type { CrmSink, FieldSpec, ContactFit } from './sink.js';
export type { SnapshotRequest } from './snapshot.js';
