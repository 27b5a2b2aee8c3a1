/**
 * Expectations about the generated Koha dataset, written by hand from the shipped mapping's rules
 * (not with the product's code): who is skipped, who is rejected, who looks like another patron.
 */
import type { KohaPatron } from '../../src/sandbox/koha/types.js';

const blank = (v: string | null | undefined): boolean => (v ?? '').trim() === '';
const norm = (v: string | null | undefined): string => (v ?? '').normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();

/** Anonymised patrons are skipped; one without a surname (the one required field) is rejected. */
export const isWritable = (p: KohaPatron): boolean => !p.anonymized && !blank(p.surname);

/**
 * Writable patrons whose e-mail, first name (preferred name, else first name) and surname equal an
 * earlier patron's, in the order a sync reads them (updated_on, patron_id): the CRM links only the
 * first to a contact, the later ones wait for a person (never a silent second contact).
 */
export function lookalikeIds(patrons: readonly KohaPatron[]): string[] {
  return lookalikeGroups(patrons).flatMap((g) => g.slice(1));
}

/** The groups (two or more, in sync order) of writable patrons that look like one person. */
export function lookalikeGroups(patrons: readonly KohaPatron[]): string[][] {
  const ordered = [...patrons].sort((a, b) => Date.parse(a.updated_on) - Date.parse(b.updated_on) || a.patron_id - b.patron_id);
  const groups = new Map<string, string[]>();
  for (const p of ordered) {
    const key = [norm(p.email), norm(blank(p.preferred_name) ? p.firstname : p.preferred_name), norm(p.surname)];
    if (!isWritable(p) || key.some((k) => k === '')) continue;
    groups.set(key.join('|'), [...(groups.get(key.join('|')) ?? []), String(p.patron_id)]);
  }
  return [...groups.values()].filter((g) => g.length > 1);
}
