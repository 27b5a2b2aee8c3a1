/** The Koha source connector. */
export { createKohaConnector, type KohaConnector, type KohaConnectorDeps } from './connector.js';
export { KohaClient, apiBaseUrl, encodeQuery, type KohaClientDeps, type KohaResponse, type Query } from './client.js';
export { basicAuth, oauth2Auth, createAuth, type AuthProvider } from './auth.js';
export { defaultRetryOptions, withRetry, type RetryOptions } from './retry.js';
export { httpError, networkError, permissionFor, serverText } from './errors.js';
export { patronSchema, extendedAttributeSchema, describeIssues, type KohaPatron } from './schemas.js';
export { toNaiveLocal, naiveToInstant, parseKohaDateTime, compareOffset, type OffsetComparison } from './time.js';
export { findOffsetMismatch, assertZoneOffsets, KEYSET_TIME_FIELDS, type OffsetMismatch } from './zone-check.js';
export { buildPatronQuery, patronListQuery, createPatronStream, PATRON_ORDER, PATRON_EMBED } from './patrons.js';
export { parsePatronPage, keyOf, type PageContext } from './patron-page.js';
export { nextLink } from './link.js';
