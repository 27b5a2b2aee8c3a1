/** The per-record transform of a compiled mapping: SourceRecord → contact, skip or reject. Pure. */
import { codePointLength } from '../core/characters.js';
import { addWarning, settleMisfit, type FieldWarning } from '../core/field-policy.js';
import type { DesiredContact, SourceRecord } from '../core/types.js';
import { evaluateField } from './evaluate.js';
import { groupsFor, type GroupPlan } from './groups.js';
import { describeSource, type FieldPlan } from './plan.js';
import { readText } from './source-ref.js';
import type { TransformResult } from './types.js';

const MAX_EXTERNAL_ID = 64; // civicrm_contact.external_identifier varchar(64)

export interface RecordPlan {
  sourceId: string;
  contactType: string;
  externalIdField: string;
  fields: readonly FieldPlan[];
  groups: readonly GroupPlan[];
}

type Problem = { code: 'RECORD_INVALID' | 'VALUE_INVALID'; reason: string };

export function transformRecord(plan: RecordPlan, record: SourceRecord): TransformResult {
  // Koha's own flag is checked too, in case a connector forgot to copy it.
  if (record.anonymised || record.data['anonymized'] === true) return { kind: 'skip', reason: 'anonymised by the library' };
  if (record.sourceId !== plan.sourceId) {
    return { kind: 'reject', code: 'RECORD_INVALID', reason: `record from source "${record.sourceId}" given to the mapping of "${plan.sourceId}"` };
  }
  const key = readText(record.data, { kind: 'field', name: plan.externalIdField });
  if (key === null) return { kind: 'reject', code: 'RECORD_INVALID', reason: `external_id: ${plan.externalIdField} is blank` };
  const externalId = `${plan.sourceId}:${key.trim()}`;
  if (codePointLength(externalId) > MAX_EXTERNAL_ID) {
    return { kind: 'reject', code: 'RECORD_INVALID', reason: `external_id: ${plan.externalIdField} is too long for external_identifier (64)` };
  }

  const values: DesiredContact['values'] = { contact_type: plan.contactType, external_identifier: externalId };
  const problems: Problem[] = [];
  const warnings: FieldWarning[] = [];
  for (const field of plan.fields) {
    const { target, policy } = field;
    const result = evaluateField(field, record.data);
    if (result.kind === 'value') {
      values[target] = result.value;
    } else if (result.kind === 'blank') {
      if (policy.required) problems.push({ code: 'RECORD_INVALID', reason: `${target}: required, but ${describeSource(field.source)} has no value` });
      else if (field.clearWhenEmpty) values[target] = null;
    } else {
      const settled = settleMisfit(policy, result);
      if (settled.kind === 'truncated') {
        values[target] = settled.value;
        addWarning(warnings, target, 'truncated');
      } else if (settled.kind === 'omitted') {
        addWarning(warnings, target, settled.rule);
      } else {
        problems.push({ code: 'VALUE_INVALID', reason: result.reason });
      }
    }
  }
  const first = problems[0];
  if (first !== undefined) return { kind: 'reject', code: first.code, reason: problems.map((p) => p.reason).join('; ') };

  return {
    kind: 'contact',
    contact: {
      externalId,
      sourceId: plan.sourceId,
      sourceRecordId: record.id,
      values,
      groups: groupsFor(plan.groups, record.data),
    },
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}
