/**
 * Streams of a source (Koha: patrons, checkouts). Cursors, last-synced state and page results are
 * kept per *unit*, one source's stream; the patrons unit is named by the source id alone, so state
 * written before streams existed stays valid.
 */
export const PATRONS = 'patrons';
export const CHECKOUTS = 'checkouts';

export const unitOf = (sourceId: string, stream: string): string => (stream === PATRONS ? sourceId : `${sourceId}.${stream}`);

export function parseUnit(unit: string): { sourceId: string; stream: string } {
  const dot = unit.indexOf('.');
  return dot < 0 ? { sourceId: unit, stream: PATRONS } : { sourceId: unit.slice(0, dot), stream: unit.slice(dot + 1) };
}
