/**
 * Country list (civicrm_country) built from the ISO 3166 codes Node's ICU knows, named in English.
 * Ids follow CiviCRM's scheme (1001.. in English-name order); the ids seen in the recording are pinned.
 */
export interface Country {
  id: number;
  iso_code: string;
  name: string;
}

// Codes ICU still names but that are not current countries (or are groupings such as EU, UN).
const NOT_COUNTRIES = new Set('AC AN BU CP CQ CS DD DG DY EA EU EZ FX HV IC NH QO RH SU TA TP UK UN VD XA XB YD YU ZR ZZ'.split(' '));

/** Ids of a stock CiviCRM install (GB, ES, HK are in the recording). */
const PINNED: Record<string, number> = {
  AU: 1013, CA: 1039, FR: 1076, DE: 1082, HK: 1098, ES: 1198, GB: 1226, US: 1228,
};

function build(): Country[] {
  const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  const found: Array<{ iso_code: string; name: string }> = [];
  for (const a of letters) {
    for (const b of letters) {
      const code = a + b;
      const name = names.of(code);
      if (name && name !== code && !NOT_COUNTRIES.has(code)) found.push({ iso_code: code, name });
    }
  }
  found.sort((x, y) => x.name.localeCompare(y.name, 'en'));
  const ids = found.map((_, i) => 1001 + i);
  const byCode = new Map(found.map((c, i) => [c.iso_code, i]));
  for (const [code, id] of Object.entries(PINNED)) {
    const i = byCode.get(code);
    if (i === undefined) continue;
    const holder = ids.indexOf(id);
    if (holder >= 0) ids[holder] = ids[i]!;
    ids[i] = id;
  }
  return found.map((c, i) => ({ id: ids[i]!, ...c }));
}

export const COUNTRIES: readonly Country[] = build();
