/** A stable hash of what we would write for a contact, to skip writes that change nothing. */
import { createHash } from 'node:crypto';
import type { DesiredContact } from '../core/types.js';

/**
 * sha256 (hex) of canonical JSON: values sorted by field name, group names sorted and deduplicated.
 * Key order in `values` and group order do not change it; any value or membership change does.
 */
export function fingerprint(contact: DesiredContact): string {
  const values = Object.keys(contact.values)
    .sort()
    .map((k) => [k, contact.values[k]] as const);
  const groups = [...new Set(contact.groups.map((g) => g.name))].sort();
  return createHash('sha256').update(JSON.stringify({ values, groups })).digest('hex');
}
