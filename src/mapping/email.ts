/** A deliberately loose e-mail check: catches typos like missing "@" or spaces, allows Unicode (EAI/IDN). */

const MAX_EMAIL = 254; // civicrm_email.email is varchar(254)

export function isPlausibleEmail(text: string): boolean {
  if (text.length > MAX_EMAIL || /\s/u.test(text)) return false;
  const at = text.lastIndexOf('@');
  if (at < 1 || at > 64 || text.indexOf('@') !== at) return false;
  const domain = text.slice(at + 1);
  const labels = domain.split('.');
  return labels.length >= 2 && labels.every((l) => l.length > 0 && !l.startsWith('-') && !l.endsWith('-'));
}
