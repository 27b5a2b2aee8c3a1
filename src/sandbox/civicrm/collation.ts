/**
 * String comparison as CiviCRM's tables compare it: utf8mb4_unicode_ci on MariaDB. Case- and
 * accent-insensitive ("Zoë" = "zoe" = "Zoe\u0308", "ß" = "ss") and PAD SPACE ("a " = "a" for `=`,
 * not for LIKE). Approximated by folding: the Latin/Greek/Cyrillic combining accents (U+0300-U+036F)
 * are ignorable in that collation; other scripts' marks are kept, since they carry weight there.
 */

/** Case and accent folding (what LIKE and CONTAINS compare). */
export function fold(s: string): string {
  if (/^[\x00-\x7f]*$/.test(s)) return s.toLowerCase(); // the common case, and the hot path of every index key
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/ß/g, 'ss').normalize('NFC');
}

/** The key two strings share when `=` (and a unique index) says they are equal. */
export function collate(s: string): string {
  return fold(s).replace(/ +$/, '');
}
