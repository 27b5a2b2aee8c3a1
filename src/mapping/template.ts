/**
 * Templates such as "{street_number} {address}" or "Koha_Category_{category_id}".
 * A blank placeholder is dropped together with the separator before it (or after it, when it
 * comes first), so "{street_number} {address}" without a number gives "Main Street", not " Main Street".
 */
import { ATTRIBUTE_CODE, type SourceRef } from './source-ref.js';

export interface Template {
  /** literals[0] + value(refs[0]) + literals[1] + … + value(refs[n-1]) + literals[n] */
  literals: string[];
  refs: SourceRef[];
}

const ATTR_PREFIX = 'extended_attribute:';

/** Parses a template; returns an error message (no value in it: templates are configuration) on bad syntax. */
export function parseTemplate(text: string): Template | string {
  const literals: string[] = [];
  const refs: SourceRef[] = [];
  let rest = text;
  for (;;) {
    const open = rest.indexOf('{');
    const close = rest.indexOf('}');
    if (open < 0) {
      if (close >= 0) return 'unmatched "}" in template';
      literals.push(rest);
      break;
    }
    if (close >= 0 && close < open) return 'unmatched "}" in template';
    const end = rest.indexOf('}', open);
    if (end < 0) return 'unclosed "{" in template';
    const inner = rest.slice(open + 1, end).trim();
    if (inner.includes('{')) return 'nested "{" in template';
    literals.push(rest.slice(0, open));
    if (inner.startsWith(ATTR_PREFIX)) {
      const code = inner.slice(ATTR_PREFIX.length).trim();
      if (!ATTRIBUTE_CODE.test(code)) return `bad extended attribute code in placeholder "{${inner}}"`;
      refs.push({ kind: 'attribute', code });
    } else {
      if (inner === '') return 'empty placeholder "{}" in template';
      refs.push({ kind: 'field', name: inner });
    }
    rest = rest.slice(end + 1);
  }
  return { literals, refs };
}

/** Renders with blanks collapsed; null when every placeholder is blank. */
export function renderTemplate(t: Template, valueOf: (ref: SourceRef) => string | null): string | null {
  let body = '';
  let kept = 0;
  t.refs.forEach((ref, i) => {
    const v = valueOf(ref);
    if (v === null) return;
    body += (kept > 0 ? (t.literals[i] ?? '') : '') + v;
    kept += 1;
  });
  if (kept === 0) return null;
  return (t.literals[0] ?? '') + body + (t.literals[t.refs.length] ?? '');
}

/** Renders only when every placeholder has a value (group names must not lose a part); no placeholders = constant. */
export function renderStrict(t: Template, valueOf: (ref: SourceRef) => string | null): string | null {
  let out = t.literals[0] ?? '';
  for (let i = 0; i < t.refs.length; i++) {
    const v = valueOf(t.refs[i] as SourceRef);
    if (v === null) return null;
    out += v + (t.literals[i + 1] ?? '');
  }
  return out;
}
