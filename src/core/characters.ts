/**
 * Text length as CiviCRM's columns count it, and cutting text to such a length. MySQL utf8mb4
 * varchar(N) holds N code points (an emoji is 1, not its 2 UTF-16 units); a cut is made between
 * graphemes (Intl.Segmenter), so a letter keeps its combining accents and an emoji sequence
 * (👩🏽‍🔬, a flag) is kept whole or dropped whole.
 */

export function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n += 1;
  return n;
}

// Grapheme rules do not depend on the locale; 'und' keeps the server's locale out of it.
const graphemes = new Intl.Segmenter('und', { granularity: 'grapheme' });

/**
 * The longest run of whole graphemes from the start of `s` with at most `max` code points, without
 * the spaces the cut leaves at its end (CiviCRM trims them too). `s` itself when it already fits.
 */
export function truncateToLength(s: string, max: number): string {
  if (codePointLength(s) <= max) return s;
  let out = '';
  let length = 0;
  for (const { segment } of graphemes.segment(s)) {
    const n = codePointLength(segment);
    if (length + n > max) break;
    out += segment;
    length += n;
  }
  return out.trimEnd();
}
