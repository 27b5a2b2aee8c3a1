/**
 * Country names and codes as patrons' records hold them → ISO 3166-1 alpha-2, which is what
 * CiviCRM's `country_id:name` expects. Lookups ignore case, accents and punctuation.
 */
import { ISO_3166_PAIRS } from './iso3166.js';

// Common names ICU does not produce (older, informal or English variants).
const ALIASES: Record<string, string> = {
  'UK': 'GB', 'U.K.': 'GB', 'Great Britain': 'GB', 'Britain': 'GB', 'England': 'GB', 'Scotland': 'GB',
  'Wales': 'GB', 'Northern Ireland': 'GB', 'United Kingdom of Great Britain and Northern Ireland': 'GB',
  'USA': 'US', 'U.S.A.': 'US', 'U.S.': 'US', 'United States of America': 'US', 'America': 'US',
  'Holland': 'NL', 'The Netherlands': 'NL', 'Czech Republic': 'CZ', 'Ivory Coast': 'CI', 'Macedonia': 'MK',
  'Swaziland': 'SZ', 'Burma': 'MM', 'Myanmar': 'MM', 'Vatican': 'VA', 'Holy See': 'VA', 'Turkey': 'TR',
  'Korea': 'KR', 'Republic of Korea': 'KR', 'Hong Kong': 'HK', 'Macau': 'MO', 'Palestine': 'PS',
  'DR Congo': 'CD', 'Democratic Republic of the Congo': 'CD', 'Republic of the Congo': 'CG', 'Congo': 'CG',
  'East Timor': 'TL', 'Cape Verde': 'CV', 'Russian Federation': 'RU', 'Bosnia': 'BA',
  'Viet Nam': 'VN', 'Lao PDR': 'LA', 'Iran, Islamic Republic of': 'IR', 'Syrian Arab Republic': 'SY',
};

// Languages whose country names libraries in Europe and the Americas commonly type.
const EXTRA_LANGUAGES = ['fr', 'de', 'es', 'it', 'nl', 'pt'];

/** Comparison key: no accents, no case, no punctuation; "&" = "and", "St." = "Saint". */
export function countryKey(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .split(' ')
    .map((w) => (w === 'st' ? 'saint' : w))
    .filter((w, i) => !(i === 0 && w === 'the'))
    .join(' ');
}

function namesIn(lang: string, style: 'long' | 'short'): Intl.DisplayNames | null {
  try {
    return new Intl.DisplayNames([lang], { type: 'region', style, fallback: 'none' });
  } catch {
    return null; // an ICU build without this language: fewer names, same behaviour otherwise
  }
}

function buildTable(): Map<string, string> {
  const table = new Map<string, string>();
  const add = (name: string | undefined, code: string): void => {
    const key = name === undefined ? '' : countryKey(name);
    if (key && !table.has(key)) table.set(key, code);
  };
  const codes = ISO_3166_PAIRS.map((p) => ({ a2: p.slice(0, 2), a3: p.slice(2) }));
  // Earlier entries win on a clash: codes, then English names, then aliases, then other languages.
  for (const { a2, a3 } of codes) { add(a2, a2); add(a3, a2); }
  for (const style of ['long', 'short'] as const) {
    const en = namesIn('en', style);
    for (const { a2 } of codes) add(en?.of(a2), a2);
  }
  for (const [name, code] of Object.entries(ALIASES)) add(name, code);
  for (const { a2 } of codes) {
    const lang = new Intl.Locale(`und-${a2}`).maximize().language;
    add(namesIn(lang, 'long')?.of(a2), a2);
  }
  for (const lang of EXTRA_LANGUAGES) {
    const names = namesIn(lang, 'long');
    for (const { a2 } of codes) add(names?.of(a2), a2);
  }
  return table;
}

let table: Map<string, string> | undefined;

/** ISO 3166-1 alpha-2 code for a code (alpha-2/alpha-3) or a country name, else null. */
export function toCountryCode(input: string): string | null {
  table ??= buildTable();
  return table.get(countryKey(input)) ?? null;
}
