/**
 * Cross-checks a structurally valid mapping document and turns each `fields` entry into a plan
 * the transform runs: one value source, declared custom fields, known placeholders.
 */
import type { FieldPolicy } from '../core/field-policy.js';
import type { CustomFieldDecl, CustomGroupDecl } from './types.js';
import type { MappingIssue } from './issues.js';
import { isKohaPatronField, KOHA_PATRON_FIELDS } from './patron-fields.js';
import type { FieldSpec, MappingDocument } from './schema.js';
import { policyOf } from './policy.js';
import { describeRef, type SourceRef } from './source-ref.js';
import { didYouMean } from '../core/suggest.js';
import { classifyTarget, CORE_DATE_TARGETS, RESERVED_TARGETS } from './targets.js';
import { parseTemplate, type Template } from './template.js';
import type { StringTransform } from './text.js';

export type ValueType = NonNullable<FieldSpec['type']>;

export type FieldSource =
  | { kind: 'refs'; refs: SourceRef[] }
  | { kind: 'template'; template: Template }
  | { kind: 'constant'; value: string | number | boolean };

export interface FieldPlan {
  target: string;
  source: FieldSource;
  transforms: StringTransform[];
  type: ValueType;
  clearWhenEmpty: boolean;
  policy: FieldPolicy;
  /** The mapping's own limit in characters: the field's max_length or the custom field's, the smaller. */
  maxLength?: number;
}

/** Types whose values are text of any length; the others have fixed shapes. */
const TEXT_TYPES: readonly ValueType[] = ['string', 'email'];

const HTML_TYPE: Record<CustomFieldDecl['dataType'], CustomFieldDecl['htmlType']> = {
  String: 'Text', Int: 'Text', Date: 'Select Date', Boolean: 'Radio', Memo: 'TextArea',
};

// A custom field of these CRM types only accepts values of the matching mapping type.
const NEEDS_TYPE: Partial<Record<CustomFieldDecl['dataType'], ValueType>> = { Date: 'date', Int: 'integer', Boolean: 'boolean' };

export function customGroupsOf(doc: MappingDocument): CustomGroupDecl[] {
  return Object.entries(doc.custom_fields).map(([name, g]) => ({
    name,
    title: g.title,
    extends: g.extends,
    fields: Object.entries(g.fields).map(([fieldName, f]) => ({
      group: name,
      name: fieldName,
      label: f.label,
      dataType: f.type,
      htmlType: HTML_TYPE[f.type],
      ...(f.max_length === undefined ? {} : { maxLength: f.max_length }),
    })),
  }));
}

export function checkRefs(refs: readonly SourceRef[], path: (string | number)[], issues: MappingIssue[], where = ''): void {
  for (const ref of refs) {
    if (ref.kind === 'field' && !isKohaPatronField(ref.name)) {
      issues.push({ path, message: `unknown Koha patron field "${ref.name}"${where}${didYouMean(ref.name, KOHA_PATRON_FIELDS)}` });
    }
  }
}

function sourceOf(spec: FieldSpec, path: (string | number)[], issues: MappingIssue[]): FieldSource | null {
  const given = (['from', 'template', 'value'] as const).filter((k) => spec[k] !== undefined);
  if (given.length !== 1) {
    const msg = given.length === 0 ? 'needs one of from, template or value' : `has ${given.join(' and ')}; use only one`;
    issues.push({ path, message: msg });
    return null;
  }
  if (spec.from !== undefined) {
    const list = Array.isArray(spec.from) ? spec.from : [spec.from];
    return {
      kind: 'refs',
      refs: list.map((r) => (typeof r === 'string' ? { kind: 'field', name: r } : { kind: 'attribute', code: r.extended_attribute })),
    };
  }
  if (spec.template !== undefined) {
    const t = parseTemplate(spec.template);
    if (typeof t === 'string') { issues.push({ path: [...path, 'template'], message: t }); return null; }
    if (t.refs.length === 0) {
      issues.push({ path: [...path, 'template'], message: 'template has no {placeholder}; use value: for a constant' });
      return null;
    }
    checkRefs(t.refs, [...path, 'template'], issues, ' in template');
    return { kind: 'template', template: t };
  }
  const v = spec.value as string | number | boolean;
  return { kind: 'constant', value: typeof v === 'string' ? v.normalize('NFC') : v };
}

export function planFields(doc: MappingDocument, issues: MappingIssue[]): FieldPlan[] {
  const groups = customGroupsOf(doc);
  const plans: FieldPlan[] = [];
  for (const [target, spec] of Object.entries(doc.fields)) {
    const path = ['fields', target];
    const type = spec.type ?? 'string';
    const kind = classifyTarget(target);
    let decl: CustomFieldDecl | undefined;
    if (RESERVED_TARGETS.includes(target)) {
      issues.push({ path, message: `"${target}" is set by the mapping itself (see external_id, contact_type)` });
    } else if (kind.kind === 'invalid') {
      issues.push({ path, message: 'expected a CiviCRM Contact field name like first_name, email_primary.email or Group.Field' });
    } else if (kind.kind === 'custom') {
      decl = groups.find((g) => g.name === kind.group)?.fields.find((f) => f.name === kind.field);
      if (decl === undefined) {
        issues.push({ path, message: `custom field "${target}" is not declared under custom_fields.${kind.group}.fields` });
      } else {
        const needed = NEEDS_TYPE[decl.dataType];
        if (needed !== undefined && type !== needed) {
          issues.push({ path: [...path, 'type'], message: `custom field "${target}" is ${decl.dataType}; expected type: ${needed}` });
        }
      }
    } else if (CORE_DATE_TARGETS.includes(target) && type !== 'date') {
      issues.push({ path: [...path, 'type'], message: `"${target}" is a date; expected type: date` });
    }
    if (spec.required && spec.clear_when_empty) {
      issues.push({ path, message: 'required and clear_when_empty contradict each other; use one' });
    }
    for (const key of ['max_length', 'on_too_long'] as const) {
      if (spec[key] !== undefined && !TEXT_TYPES.includes(type)) {
        issues.push({ path: [...path, key], message: `${key} applies to text; this field has type: ${type}` });
      }
    }
    const limits = [spec.max_length, decl?.maxLength].filter((n): n is number => n !== undefined);
    const maxLength = limits.length > 0 ? Math.min(...limits) : undefined;
    // `from` names were checked by the schema's enum; template placeholders are checked here.
    const source = sourceOf(spec, path, issues);
    if (source === null) continue;
    plans.push({
      target,
      source,
      transforms: spec.transform ?? [],
      type,
      clearWhenEmpty: spec.clear_when_empty ?? false,
      policy: policyOf(target, spec, decl),
      ...(maxLength === undefined ? {} : { maxLength }),
    });
  }
  return plans;
}

/** How a field's source is named in reasons: field names only, never values. */
export function describeSource(source: FieldSource): string {
  if (source.kind === 'refs') return source.refs.map(describeRef).join(', ');
  if (source.kind === 'template') return `template (${source.template.refs.map(describeRef).join(', ')})`;
  return 'constant value';
}
