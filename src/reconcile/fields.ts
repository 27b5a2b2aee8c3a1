/**
 * One field of one contact: the value the source wants, the value the CRM holds, and what was last
 * synced decide whether to write, keep the CRM's value, or hold it for a person. Pure.
 *
 *   source changed? | CRM changed since our write? | result
 *   no              | no                           | nothing to write
 *   no              | yes                          | nothing to write: the CRM user's edit stays (logged once, decided crm)
 *   yes             | no                           | write
 *   yes             | yes                          | the field's policy: source (write), crm (keep), review (hold)
 *
 * With no record of the last write (a newly linked contact, `--resend`, lost state), a CRM value that
 * is there and differs counts as a CRM user's edit.
 */
import type { Conflict, ConflictPolicy, Resolution } from '../core/conflicts.js';
import type { FieldState, Value } from '../core/types.js';
import { isBlank, sameValue, valueHash, type Comparison } from './values.js';

export interface FieldInput {
  field: string;
  desired: Value;
  /** undefined: the contact does not exist yet (everything is written). */
  crm: Value | undefined;
  last: FieldState | undefined;
  policy: ConflictPolicy;
  how: Comparison;
  /** Every source value counts as changed (`sync --resend`). */
  resend: boolean;
  /** A person's answer to this field's held conflict. */
  resolution?: Resolution;
}

export interface FieldDecision {
  /** Write this value. */
  write: boolean;
  /** The field's state to keep once the contact is written (undefined: keep the old one). */
  next: FieldState | undefined;
  conflict?: Pick<Conflict, 'kind' | 'field' | 'lastWritten' | 'crm' | 'source' | 'decision' | 'reason'>;
}

export function decideField(f: FieldInput): FieldDecision {
  const s = valueHash(f.desired, f.how);
  const written: FieldState = { s, w: f.desired };
  if (f.crm === undefined) return { write: true, next: written };
  if (f.resolution && 'take' in f.resolution) {
    return f.resolution.take === 'source' ? { write: !sameValue(f.crm, f.desired, f.how), next: written } : { write: false, next: { s, w: f.crm } };
  }
  if (sameValue(f.crm, f.desired, f.how)) return { write: false, next: written };
  const sourceChanged = f.resend || f.last === undefined || f.last.s !== s;
  const crmChanged = f.last === undefined ? !isBlank(f.crm) : !sameValue(f.crm, f.last.w, f.how);
  if (!sourceChanged) {
    const seen = valueHash(f.crm, f.how);
    if (!crmChanged || f.last?.c === seen) return { write: false, next: undefined };
    return {
      write: false,
      next: { ...f.last!, c: seen },
      conflict: {
        kind: 'field', field: f.field, lastWritten: f.last!.w, crm: f.crm, source: f.desired, decision: 'crm',
        reason: `${f.field} was changed in the CRM; the source did not change it, so the CRM's value stays`,
      },
    };
  }
  if (!crmChanged) return { write: true, next: written };
  const conflict = {
    kind: 'field' as const,
    field: f.field,
    ...(f.last ? { lastWritten: f.last.w } : {}),
    crm: f.crm,
    source: f.desired,
    decision: f.policy,
  };
  switch (f.policy) {
    case 'source':
      return { write: true, next: written, conflict: { ...conflict, reason: `${f.field} was changed in the CRM and in the source; the source's value was written (policy source)` } };
    case 'crm':
      // The source value is taken as seen, so the same value does not raise the conflict again.
      return { write: false, next: { s, w: f.last?.w ?? f.crm, c: valueHash(f.crm, f.how) }, conflict: { ...conflict, reason: `${f.field} was changed in the CRM and in the source; the CRM's value was kept (policy crm)` } };
    case 'review':
      return { write: false, next: undefined, conflict: { ...conflict, reason: `${f.field} was changed in the CRM and in the source; held for review (policy review)` } };
  }
}
