/**
 * Contact.getDuplicates with the stock rule groups of the recorded install (DedupeRuleGroup/DedupeRule.get):
 * Individual Unsupervised = email; Supervised = first 5 + last 7 + email 10 >= 20; General = first 5 + last 5 +
 * street 5 >= 15; Organization/Household = name or email. Named as `<Type>.<used>`, by rule group name or id.
 */
import { ApiError } from './api-error.js';
import type { CallContext, Row } from './context.js';
import type { EntityDef } from './entity-def.js';
import { sqlEquals } from './where.js';

interface Rule {
  id: number;
  name: string;
  used: string;
  type: string;
  threshold: number;
  weights: Record<string, number>;
}

const RULES: Rule[] = [
  { id: 1, name: 'IndividualSupervised', used: 'Supervised', type: 'Individual', threshold: 20, weights: { first_name: 5, last_name: 7, email: 10 } },
  { id: 2, name: 'OrganizationSupervised', used: 'Supervised', type: 'Organization', threshold: 10, weights: { organization_name: 10, email: 10 } },
  { id: 3, name: 'HouseholdSupervised', used: 'Supervised', type: 'Household', threshold: 10, weights: { household_name: 10, email: 10 } },
  { id: 4, name: 'IndividualUnsupervised', used: 'Unsupervised', type: 'Individual', threshold: 10, weights: { email: 10 } },
  { id: 5, name: 'OrganizationUnsupervised', used: 'Unsupervised', type: 'Organization', threshold: 10, weights: { organization_name: 10, email: 10 } },
  { id: 6, name: 'HouseholdUnsupervised', used: 'Unsupervised', type: 'Household', threshold: 10, weights: { household_name: 10, email: 10 } },
  { id: 7, name: 'IndividualGeneral', used: 'General', type: 'Individual', threshold: 15, weights: { first_name: 5, last_name: 5, street_address: 5 } },
];

const findRule = (ref: string): Rule | undefined =>
  RULES.find((r) => `${r.type}.${r.used}` === ref || r.name === ref || String(r.id) === ref);

/** The contact's own values a rule field compares: its emails or addresses (any, not only primary), or a column. */
function ownValues(ctx: CallContext, contact: Row, field: string): unknown[] {
  const child = field === 'email' ? 'Email' : field === 'street_address' ? 'Address' : undefined;
  if (!child) return [contact[field]];
  const t = ctx.store.table(child);
  return t.lookup('contact_id', contact['id']).map((id) => t.get(id)![field]);
}

const sentValue = (values: Row, field: string): unknown =>
  field === 'email' ? values['email_primary.email'] : field === 'street_address' ? values['address_primary.street_address'] : values[field];

export function runGetDuplicates(ctx: CallContext, def: EntityDef, params: Row): Row[] {
  const ruleName = String(params['dedupeRule'] ?? 'Individual.Unsupervised');
  const rule = findRule(ruleName);
  if (!rule) throw new ApiError(`Dedupe rule not found: ${ruleName}`);
  const values = (params['values'] ?? {}) as Row;
  if (values['contact_type'] !== undefined && values['contact_type'] !== rule.type) throw new ApiError('Mismatched contact type.');
  const scores = new Map<number, number>();
  for (const c of ctx.store.table(def.name).all()) {
    if (c['is_deleted'] === true || c['contact_type'] !== rule.type) continue;
    let score = 0;
    for (const [field, weight] of Object.entries(rule.weights)) {
      const sent = sentValue(values, field);
      if (sent && ownValues(ctx, c, field).some((v) => sqlEquals(v, sent))) score += weight;
    }
    if (score >= rule.threshold) scores.set(c['id'] as number, score);
  }
  return [...scores.keys()].map((id) => ({ id }));
}
