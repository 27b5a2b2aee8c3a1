/** String transforms a mapping field may list under `transform`, applied in order. */

export const STRING_TRANSFORMS = ['trim', 'lower', 'upper', 'collapse_spaces'] as const;
export type StringTransform = (typeof STRING_TRANSFORMS)[number];

const OPS: Record<StringTransform, (s: string) => string> = {
  trim: (s) => s.trim(),
  // Locale-independent on purpose: a server locale must not change what is sent.
  lower: (s) => s.toLowerCase(),
  upper: (s) => s.toUpperCase(),
  collapse_spaces: (s) => s.replace(/\s+/gu, ' ').trim(),
};

export function applyStringTransforms(value: string, transforms: readonly StringTransform[]): string {
  return transforms.reduce((acc, t) => OPS[t](acc), value);
}

/** null, undefined and whitespace-only strings count as blank: a blank never overwrites CRM data. */
export function isBlank(value: unknown): boolean {
  return value === null || value === undefined || (typeof value === 'string' && value.trim() === '');
}

/** Scalar source value as text (NFC, so composed and decomposed accents compare equal); null for objects. */
export function asText(value: unknown): string | null {
  if (typeof value === 'string') return value.normalize('NFC');
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return null;
}
