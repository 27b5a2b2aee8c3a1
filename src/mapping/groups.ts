/** Static groups a contact belongs to, named from patron fields ("Koha_Category_{category_id}"). */
import { createHash } from 'node:crypto';
import type { GroupRef } from '../core/types.js';
import type { MappingIssue } from './issues.js';
import { checkRefs } from './plan.js';
import { readText } from './source-ref.js';
import { parseTemplate, renderStrict, type Template } from './template.js';

export interface GroupPlan {
  name: Template;
  title: Template;
}

const MAX_NAME = 64; // civicrm_group.name varchar(64)
const MAX_TITLE = 255; // civicrm_group.title varchar(255)

/** Group.name safe for CiviCRM: [A-Za-z0-9_], at most 64; a long name keeps a hash of the whole so it stays unique. */
export function sanitiseGroupName(text: string): string {
  const clean = text.normalize('NFD').replace(/\p{M}+/gu, '').replace(/[^A-Za-z0-9_]+/g, '_');
  if (clean.length <= MAX_NAME) return clean;
  const hash = createHash('sha256').update(text.normalize('NFC')).digest('hex').slice(0, 8);
  return `${clean.slice(0, MAX_NAME - 9)}_${hash}`;
}

function groupTitle(text: string): string {
  return [...text.normalize('NFC').replace(/\s+/gu, ' ').trim()].slice(0, MAX_TITLE).join('');
}

export function planGroups(specs: readonly { name: string; title: string }[], issues: MappingIssue[]): GroupPlan[] {
  const plans: GroupPlan[] = [];
  specs.forEach((spec, i) => {
    // Without placeholders a template is a constant: one fixed group for everyone.
    const parsed = (['name', 'title'] as const).map((key) => {
      const t = parseTemplate(spec[key]);
      if (typeof t === 'string') issues.push({ path: ['groups', i, key], message: t });
      else checkRefs(t.refs, ['groups', i, key], issues, ' in template');
      return t;
    });
    const [name, title] = parsed;
    if (typeof name === 'object' && typeof title === 'object') plans.push({ name, title });
  });
  return plans;
}

/** Groups for one record; a group whose name or title needs a blank field is left out. */
export function groupsFor(plans: readonly GroupPlan[], data: Record<string, unknown>): GroupRef[] {
  const out = new Map<string, GroupRef>();
  const valueOf = (ref: Parameters<typeof readText>[1]) => readText(data, ref);
  for (const plan of plans) {
    const name = renderStrict(plan.name, valueOf);
    const title = renderStrict(plan.title, valueOf);
    if (name === null || title === null) continue;
    const safe = sanitiseGroupName(name);
    if (!out.has(safe)) out.set(safe, { name: safe, title: groupTitle(title) });
  }
  return [...out.values()];
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Whether a group name is one the mapping manages (produced by one of its name templates): only
 * memberships of those are added, removed, or read back from the CRM.
 */
export function managedGroupMatcher(plans: readonly GroupPlan[]): (name: string) => boolean {
  const patterns = plans.map((p) => {
    const literal = p.name.literals.map((l) => escape(sanitiseGroupName(l)));
    return new RegExp(`^${literal.join('[A-Za-z0-9_]*')}$`);
  });
  return (name) => patterns.some((re) => re.test(name));
}
