export { startKohaSandbox } from './server.js';
export type { KohaSandbox, KohaSandboxOptions } from './server.js';
export type { KohaAuthOptions } from './auth.js';
export type { LendOptions } from './loans.js';
export type {
  KohaBiblio, KohaCategory, KohaCheckout, KohaExtendedAttribute, KohaItem, KohaLibrary, KohaPatron,
} from './types.js';
export { formatRfc3339, formatNaive, parseDateTime, zoneOffsetMinutes } from './zoned-time.js';
export { PATRON_FIELDS, CHECKOUT_FIELDS, ITEM_FIELDS, LIBRARY_FIELDS, CATEGORY_FIELDS } from './fields.js';
export type { FieldKind, FieldMap } from './fields.js';
export { ROUTE_SPECS } from './route-spec.js';
export type { RouteSpec, ParamType } from './route-spec.js';
export { checkSchema, loadDefinition } from './schema-check.js';
export type { SchemaProblem } from './schema-check.js';
