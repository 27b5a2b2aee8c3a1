/**
 * The match ladder for a patron the CRM does not know under its key yet: is there exactly one
 * contact that is the same person? Same person means every match field equal after normalisation
 * (default: e-mail, first and last name), never the e-mail alone, so family members sharing an
 * e-mail stay separate contacts. Pure.
 */
import type { Conflict } from '../core/conflicts.js';
import type { CrmContact, DesiredContact } from '../core/types.js';
import { personKey } from './values.js';

export const DEFAULT_MATCH_FIELDS = ['email_primary.email', 'first_name', 'last_name'] as const;

export type MatchResult =
  | { kind: 'none' }
  | { kind: 'one'; contact: CrmContact }
  | { kind: 'conflict'; conflict: Pick<Conflict, 'kind' | 'candidates' | 'decision' | 'reason'> };

/**
 * `claimed`: contacts already linked to another patron of this page (one contact is never linked
 * to two patrons).
 */
export function matchContact(desired: DesiredContact, candidates: readonly CrmContact[], fields: readonly string[], claimed: ReadonlySet<number>): MatchResult {
  const wanted = fields.map((f) => personKey(desired.values[f]));
  if (wanted.length === 0 || wanted.some((k) => k === '')) return { kind: 'none' }; // no matching, or cannot be compared: a new contact
  const same = candidates.filter((c) => fields.every((f, i) => personKey(c.values[f]) === wanted[i]));
  if (same.length === 0) return { kind: 'none' };
  const ids = same.map((c) => c.id).sort((a, b) => a - b);
  const fieldList = fields.join(', ');
  if (same.length > 1) {
    return { kind: 'conflict', conflict: { kind: 'match', candidates: ids, decision: 'review', reason: `${same.length} CRM contacts have the same ${fieldList}; nothing written until one is chosen` } };
  }
  const one = same[0]!;
  if (one.externalId !== null && one.externalId !== desired.externalId) {
    return { kind: 'conflict', conflict: { kind: 'linked_elsewhere', candidates: ids, decision: 'review', reason: `CRM contact ${one.id} has the same ${fieldList} but carries another external identifier; it is never overwritten` } };
  }
  if (claimed.has(one.id)) {
    return { kind: 'conflict', conflict: { kind: 'match', candidates: ids, decision: 'review', reason: `CRM contact ${one.id} has the same ${fieldList} as another patron of this page; nothing written until one is chosen` } };
  }
  return { kind: 'one', contact: one };
}
