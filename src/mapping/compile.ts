/** Mapping document (already parsed from YAML) → CompiledMapping, or one MAPPING_INVALID error listing every problem. */
import { fromZodIssues } from '../core/zod-problems.js';
import { evaluateField } from './evaluate.js';
import { managedGroupMatcher, planGroups } from './groups.js';
import { formatPath, mappingError, type LineOf, type MappingIssue } from './issues.js';
import { ENGAGEMENT_CUSTOM_GROUP, ENGAGEMENT_TARGETS } from './engagement.js';
import { compileLoans, LOAN_CUSTOM_GROUP } from './loans.js';
import { isMinor, privacyRulesOf, protectMinor, withheldReason } from './privacy.js';
import { readText } from './source-ref.js';
import { customGroupsOf, describeSource, planFields } from './plan.js';
import { syncPolicyOf } from './policy.js';
import { transformRecord, type RecordPlan } from './record.js';
import { mappingSchema } from './schema.js';
import { crmFieldOf } from './targets.js';
import type { CompiledMapping, EngagementPlan, LifecyclePlan } from './types.js';

export interface CompileContext {
  /** Koha's AnonymousPatron (sources[].anonymous_patron_id): never a contact. */
  anonymousPatronId?: number;
  /** Path of the mapping file, for messages. */
  file: string;
  /** Configured source id: the external id prefix ("<sourceId>:<patron_id>"). */
  sourceId: string;
  /** Line numbers for paths, when the document came from a file (see loadMapping). */
  lineOf?: LineOf;
}

export function compileMapping(doc: unknown, ctx: CompileContext): CompiledMapping {
  const parsed = mappingSchema.safeParse(doc);
  if (!parsed.success) throw mappingError(ctx.file, fromZodIssues(mappingSchema, parsed.error.issues, doc), ctx.lineOf);
  const m = parsed.data;

  const issues: MappingIssue[] = [];
  const fields = planFields(m, issues);
  const groups = planGroups(m.groups, issues);
  issues.push(...sameFieldTwice(Object.keys(m.fields), ctx.lineOf));
  for (const f of fields) {
    // A constant that fails its own type or length would be wrong on every record: refuse it now.
    const checked = f.source.kind === 'constant' ? evaluateField(f, {}) : undefined;
    if (checked?.kind === 'invalid' || checked?.kind === 'too_long') issues.push({ path: ['fields', f.target, 'value'], message: `constant ${checked.reason.replace(/^.*?: constant value /, '')}` });
  }
  (m.match.fields ?? []).forEach((f, i) => {
    if (!(f in m.fields)) issues.push({ path: ['match', 'fields', i], message: `"${f}" is not a field of this mapping; match fields must be mapped (under fields:)` });
  });
  if (m.match.fields?.every((f) => /^(email|phone)_/.test(f))) {
    issues.push({ path: ['match', 'fields'], message: 'match fields are all e-mail or phone: add a name field, so people sharing an e-mail (families) are never taken for one' });
  }
  const loans = m.loans ? compileLoans(m.loans, { sourceId: ctx.sourceId, externalIdField: m.external_id.from }, issues) : null;
  if (issues.length > 0) throw mappingError(ctx.file, issues, ctx.lineOf);

  const plan: RecordPlan = { sourceId: ctx.sourceId, contactType: m.contact_type, externalIdField: m.external_id.from, fields, groups };
  const privacy = privacyRulesOf(m.privacy, ctx.anonymousPatronId);
  const lifecycle: LifecyclePlan = { onGone: m.lifecycle.on_gone, onExpired: m.lifecycle.on_expired, group: m.lifecycle.group, maxGonePercent: m.lifecycle.max_gone_percent };
  const engagement: EngagementPlan | null = m.engagement
    ? { lapsedAfterMonths: m.engagement.lapsed_after_months, newWithinMonths: m.engagement.new_within_months, groups: m.engagement.groups }
    : null;
  const minorFields = privacy.minorAction === 'flag' ? ['do_not_email', 'do_not_mail'] : [];
  const targetFields = ['contact_type', 'external_identifier', ...fields.map((f) => f.target), ...minorFields, ...(engagement ? ENGAGEMENT_TARGETS : [])];
  const managed = managedGroupMatcher(groups);
  const customGroups = [...customGroupsOf(m), ...(loans ? [LOAN_CUSTOM_GROUP] : []), ...(engagement ? [ENGAGEMENT_CUSTOM_GROUP] : [])];
  return {
    file: ctx.file,
    sourceType: m.source,
    targetFields,
    customGroups,
    fieldSources: new Map([['contact_type', 'constant value'], ['external_identifier', `${ctx.sourceId}:${m.external_id.from}`], ...fields.map((f) => [f.target, describeSource(f.source)] as const)]),
    policies: new Map(fields.map((f) => [f.target, f.policy])),
    sync: syncPolicyOf(m),
    // The lifecycle group is kept true by the patron writer; engagement groups by the engagement writer alone.
    managedGroup: (name) => managed(name) || name === lifecycle.group.name,
    transform(record, tctx) {
      const today = tctx?.today ?? new Date().toISOString().slice(0, 10);
      const expiry = record.data.expiry_date;
      const expired = typeof expiry === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(expiry) && expiry < today;
      const withheld = withheldReason(privacy, record, today) ?? (expired && lifecycle.onExpired === 'clear' ? 'expired' : null);
      if (withheld !== null) return { kind: 'skip', reason: `withheld by the privacy rules (${withheld})`, withheld };
      const t = transformRecord(plan, record);
      if (t.kind !== 'contact') return t;
      let contact = isMinor(privacy, record, today) ? protectMinor(t.contact) : t.contact;
      if (expired && lifecycle.onExpired === 'flag') contact = { ...contact, groups: [...contact.groups, lifecycle.group] };
      return { ...t, contact };
    },
    keyOf(record) {
      const key = readText(record.data, { kind: 'field', name: m.external_id.from });
      return key === null ? null : `${ctx.sourceId}:${key.trim()}`;
    },
    privacy,
    lifecycle,
    engagement,
    loans,
  };
}

/** Two entries writing one CRM field (`gender_id` and `gender_id:label`): which value CiviCRM keeps would be a matter of luck. */
function sameFieldTwice(targets: readonly string[], lineOf?: LineOf): MappingIssue[] {
  const firstWriter = new Map<string, string>();
  const issues: MappingIssue[] = [];
  for (const target of targets) {
    const field = crmFieldOf(target);
    const earlier = firstWriter.get(field);
    if (earlier === undefined) {
      firstWriter.set(field, target);
      continue;
    }
    const line = lineOf?.(['fields', earlier]);
    issues.push({
      path: ['fields', target],
      message: `also writes CiviCRM field "${field}", like ${formatPath(['fields', earlier])}${line === undefined ? '' : ` (line ${line})`}; expected one entry per CRM field: keep one of them`,
    });
  }
  return issues;
}
