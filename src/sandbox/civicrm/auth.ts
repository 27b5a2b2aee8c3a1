/** authx as configured on the recorded install: api keys per principal, guards (site_key, perm), CSRF gate. */
import type { Principal } from './context.js';
import { PRINCIPAL_CONTACT_IDS } from './seed.js';

export type PrincipalName = 'sync' | 'nodebug' | 'synctrash' | 'noguard' | 'admin';

export const DEFAULT_CIVI_KEYS: Record<PrincipalName, string> = {
  sync: 'sandbox-sync-key',
  nodebug: 'sandbox-nodebug-key',
  synctrash: 'sandbox-synctrash-key',
  noguard: 'sandbox-noguard-key',
  admin: 'sandbox-admin-key',
};

export const DEFAULT_SITE_KEY = 'sandbox-site-key';

const SYNC = [
  'access CiviCRM', 'authenticate with api key', 'view all contacts', 'edit all contacts', 'add contacts',
  'view all activities', 'access all custom data', 'edit groups', 'delete activities', 'delete contacts', 'view debug output',
];

/** The permission sets of the recording README table ("*" = every permission). */
export const PERMISSIONS: Record<PrincipalName | 'anonymous', readonly string[]> = {
  sync: SYNC,
  nodebug: SYNC.filter((p) => p !== 'view debug output'),
  synctrash: [...SYNC, 'access deleted contacts'],
  noguard: ['access CiviCRM', 'view all contacts', 'view debug output'],
  admin: ['*'],
  anonymous: [],
};

export type AuthOutcome =
  | { ok: true; principal: Principal }
  | { ok: false; status: number; contentType: string; body: string };

const deny = (reason: string): AuthOutcome => ({ ok: false, status: 401, contentType: 'text/plain;charset=UTF-8', body: `HTTP 401 ${reason}` });
const csrf: AuthOutcome = {
  ok: false, status: 400, contentType: 'application/json',
  body: JSON.stringify({ error_code: 400, error_message: 'SECURITY ALERT: Ajax requests can only be issued by javascript clients, eg. CRM.api4().' }),
};

const header = (headers: Record<string, string | string[] | undefined>, name: string): string | undefined => {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
};

export function authenticate(
  headers: Record<string, string | string[] | undefined>,
  keys: Record<PrincipalName, string>,
  siteKey: string,
): AuthOutcome {
  const xheader = header(headers, 'X-Civi-Auth');
  const authz = header(headers, 'Authorization');
  const ajax = header(headers, 'X-Requested-With') === 'XMLHttpRequest';
  const cred = xheader ?? authz;
  if (cred === undefined) {
    if (!ajax) return csrf;
    return { ok: true, principal: { name: 'anonymous', contactId: null, perms: new Set() } };
  }
  // "Bearer <key>": split on the first space; anything else (bare key, Basic user:key) is not a credential here
  const space = cred.indexOf(' ');
  const scheme = space > 0 ? cred.slice(0, space) : '';
  const value = space > 0 ? cred.slice(space + 1).trim() : '';
  const name = scheme === 'Bearer' ? (Object.keys(keys) as PrincipalName[]).find((p) => keys[p] === value) : undefined;
  if (!name) return deny('Invalid credential');
  const perms = new Set(PERMISSIONS[name]);
  const siteKeyOk = header(headers, 'X-Civi-Key') === siteKey;
  if (!siteKeyOk && !perms.has('*') && !perms.has('authenticate with api key')) {
    return deny('Login not permitted. Must satisfy guard (site_key, perm).');
  }
  // the Authorization flow is not on the CSRF allow-list; X-Civi-Auth is
  if (xheader === undefined && !ajax) return csrf;
  return { ok: true, principal: { name, contactId: PRINCIPAL_CONTACT_IDS[name], perms } };
}
