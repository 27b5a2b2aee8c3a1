/**
 * RFC 8288 `Link` header handling for Koha list routes (pure).
 */

/**
 * The `rel="next"` target of a Link header as a path relative to /api/v1, or null when absent.
 * The host is ignored on purpose: requests always go to our configured base, so credentials
 * never follow a link elsewhere.
 */
export function nextLink(header: string | undefined, apiBase: string): string | null {
  if (!header) return null;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (!m) continue;
    const params = m[2] ?? '';
    if (!/;\s*rel\s*=\s*"?([^";]*\s)?next(\s[^";]*)?"?\s*(;|$)/i.test(params)) continue;
    let target: URL;
    try {
      target = new URL(m[1] ?? '', `${apiBase}/`);
    } catch {
      return null;
    }
    // Behind a proxy Koha may print another scheme/host; only the part after /api/v1 is used.
    const at = target.pathname.indexOf('/api/v1/');
    return at < 0 ? null : `${target.pathname.slice(at + '/api/v1'.length)}${target.search}`;
  }
  return null;
}
