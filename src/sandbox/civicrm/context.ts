/** What every action handler receives: the store, the caller, the clock and entity definitions. */
import type { Store, Row } from './store.js';
import type { EntityDef } from './entity-def.js';

export interface Principal {
  name: string;
  contactId: number | null;
  perms: ReadonlySet<string>;
}

export interface CallContext {
  store: Store;
  principal: Principal;
  now: () => Date;
  random: () => number;
  /** the site's time zone (IANA): values written with an offset are stored as its wall clock; default 'UTC' */
  timezone?: string;
  defs: ReadonlyMap<string, EntityDef>;
}

export const hasPerm = (p: Principal, perm: string): boolean => p.perms.has('*') || p.perms.has(perm);

export type { Row };
