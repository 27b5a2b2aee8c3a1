/** Where a mapped value comes from in a Koha patron: a patron field or an extended attribute. */
import { asText, isBlank } from './text.js';

export type SourceRef = { kind: 'field'; name: string } | { kind: 'attribute'; code: string };

/** Attribute type codes as Koha allows them (borrower_attribute_types.code, varchar(64)). */
export const ATTRIBUTE_CODE = /^[A-Za-z0-9_.-]{1,64}$/;

/** How a reference is named in reasons and messages (never the value). */
export function describeRef(ref: SourceRef): string {
  return ref.kind === 'field' ? ref.name : `extended_attribute:${ref.code}`;
}

/** The raw value behind a reference; for repeatable attributes, the first non-blank one. */
export function readRef(data: Record<string, unknown>, ref: SourceRef): unknown {
  if (ref.kind === 'field') return data[ref.name];
  const attrs = data['extended_attributes'];
  if (!Array.isArray(attrs)) return undefined;
  for (const attr of attrs) {
    if (attr === null || typeof attr !== 'object') continue;
    const { type, value } = attr as { type?: unknown; value?: unknown };
    if (type === ref.code && !isBlank(value)) return value;
  }
  return undefined;
}

/** Text of a reference, or null when it is blank or not a scalar. */
export function readText(data: Record<string, unknown>, ref: SourceRef): string | null {
  const raw = readRef(data, ref);
  if (isBlank(raw)) return null;
  const text = asText(raw);
  return text === null || text.trim() === '' ? null : text;
}
