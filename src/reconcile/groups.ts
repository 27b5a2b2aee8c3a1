/**
 * Group memberships of one contact, in the groups the mapping manages: from the contact's real
 * memberships in the CRM, what the source wants, and what patron-bridge put it in last. Pure.
 *
 *   source wants | CRM has it | we put it there | result
 *   yes          | yes        | any             | nothing
 *   yes          | no         | no, and no CRM user took it out | add
 *   yes          | no         | yes, or a CRM user took it out  | the group policy: source (add again), crm (leave out), review (hold)
 *   no           | yes        | yes             | remove (the patron left it)
 *   no           | yes        | no              | nothing (a CRM user put it there)
 */
import type { Conflict, ConflictPolicy, Resolution } from '../core/conflicts.js';
import type { GroupRef } from '../core/types.js';

export interface GroupInput {
  desired: readonly GroupRef[];
  /** undefined: a new contact. */
  crm: { groups: readonly string[]; removedGroups: readonly string[] } | undefined;
  /** Managed groups patron-bridge last put the contact in; undefined when unknown. */
  last: readonly string[] | undefined;
  /** Groups left out before under policy crm: left out again without a new conflict. */
  declined: readonly string[];
  policy: ConflictPolicy;
  /** Answers to held group conflicts, by group name. */
  resolutions: ReadonlyMap<string, Resolution>;
}

export interface GroupDecision {
  add: GroupRef[];
  remove: string[];
  /** The groups to remember as put there by patron-bridge once written. */
  next: string[];
  /** The groups to remember as left out for a CRM user (policy crm). */
  declined: string[];
  conflicts: Array<Pick<Conflict, 'kind' | 'field' | 'decision' | 'reason' | 'source' | 'crm'>>;
}

export function decideGroups(g: GroupInput): GroupDecision {
  const wanted = new Set(g.desired.map((r) => r.name));
  if (!g.crm) return { add: [...g.desired], remove: [], next: [...wanted], declined: [], conflicts: [] };
  const inCrm = new Set(g.crm.groups);
  const removedByUser = new Set(g.crm.removedGroups);
  const last = new Set(g.last ?? []);
  const declined = new Set(g.declined);
  const out: GroupDecision = { add: [], remove: [], next: [], declined: [], conflicts: [] };
  for (const ref of g.desired) {
    if (inCrm.has(ref.name)) {
      out.next.push(ref.name);
      continue;
    }
    const taken = last.has(ref.name) || removedByUser.has(ref.name);
    const answer = g.resolutions.get(ref.name);
    const decision: ConflictPolicy = answer && 'take' in answer ? answer.take : g.policy;
    if (declined.has(ref.name) && !answer) {
      out.declined.push(ref.name);
      continue;
    }
    if (!taken || decision === 'source') {
      out.add.push(ref);
      out.next.push(ref.name);
    } else if (decision === 'crm') out.declined.push(ref.name);
    if (!taken || answer) continue;
    const what = `a CRM user took the contact out of group ${ref.name}, which the source still puts it in`;
    const reason = { source: `${what}; added again (policy source)`, crm: `${what}; left out (policy crm)`, review: `${what}; held for review (policy review)` }[decision];
    out.conflicts.push({ kind: 'group', field: ref.name, decision, reason, source: 'member', crm: 'removed' });
  }
  for (const name of inCrm) {
    if (!wanted.has(name) && last.has(name)) out.remove.push(name);
  }
  return out;
}
