/** Contact.getDuplicates with the stock rules: Unsupervised = email; Supervised = first 5 + last 7 + email 10 >= 20. */
import { ApiError } from './api-error.js';
import type { CallContext, Row } from './context.js';
import type { EntityDef } from './entity-def.js';
import { sqlEquals } from './where.js';

const RULES: Record<string, { type: string; threshold: number; weights: Record<string, number> }> = {
  'Individual.Unsupervised': { type: 'Individual', threshold: 10, weights: { email: 10 } },
  'Individual.Supervised': { type: 'Individual', threshold: 20, weights: { first_name: 5, last_name: 7, email: 10 } },
  'Organization.Unsupervised': { type: 'Organization', threshold: 10, weights: { organization_name: 10, email: 10 } },
  'Organization.Supervised': { type: 'Organization', threshold: 10, weights: { organization_name: 10, email: 10 } },
};

export function runGetDuplicates(ctx: CallContext, def: EntityDef, params: Row): Row[] {
  const ruleName = String(params['dedupeRule'] ?? 'Individual.Unsupervised');
  const rule = RULES[ruleName];
  if (!rule) throw new ApiError(`Dedupe rule not found: ${ruleName}`);
  const values = (params['values'] ?? {}) as Row;
  if (values['contact_type'] !== undefined && values['contact_type'] !== rule.type) throw new ApiError('Mismatched contact type.');
  const email = values['email_primary.email'];
  const emails = ctx.store.table('Email');
  const scores = new Map<number, number>();
  for (const c of ctx.store.table(def.name).all()) {
    if (c['is_deleted'] === true || c['contact_type'] !== rule.type) continue;
    let score = 0;
    for (const [field, weight] of Object.entries(rule.weights)) {
      if (field === 'email') {
        const own = (emails.lookup('contact_id', c['id']) ?? []).map((id) => emails.get(id)!['email']);
        if (email && own.some((e) => sqlEquals(e, email))) score += weight;
      } else if (values[field] && sqlEquals(c[field], values[field])) score += weight;
    }
    if (score >= rule.threshold) scores.set(c['id'] as number, score);
  }
  return [...scores.keys()].map((id) => ({ id }));
}
