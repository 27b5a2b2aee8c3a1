/**
 * Re-reading patrons by id (GET /patrons with q = {"patron_id": {"-in": [...]}}), for records an
 * earlier run could not write. Ids Koha no longer returns (deleted patrons) come back as missing.
 */
import type { IdPage } from '../connector.js';
import { BridgeError } from '../../src/core/errors.js';
import type { KohaClient } from './client.js';
import { parsePatronPage } from './patron-page.js';
import { PATRON_EMBED } from './patrons.js';

export async function readPatronsByIds(
  client: KohaClient,
  ids: readonly string[],
  opts: { sourceId: string; timeZone: string },
): Promise<IdPage> {
  const numeric = [...new Set(ids.filter((id) => /^\d{1,15}$/.test(id)))];
  const missing = ids.filter((id) => !numeric.includes(id));
  if (numeric.length === 0) return { records: [], rejected: [], missing };
  const res = await client.get('/patrons', {
    query: { q: JSON.stringify({ patron_id: { '-in': numeric.map(Number) } }), _per_page: numeric.length, _page: 1 },
    headers: { 'x-koha-embed': PATRON_EMBED },
  });
  if (!Array.isArray(res.data)) {
    throw new BridgeError('SOURCE_HTTP', 'Koha returned something other than a JSON array of patrons', {
      context: { system: 'koha', method: 'GET', url: `${client.apiBase}/patrons` },
    });
  }
  const page = parsePatronPage(res.data, { sourceId: opts.sourceId, limit: numeric.length + 1, timeZone: opts.timeZone });
  const seen = new Set([...page.records.map((r) => r.id), ...page.rejected.map((r) => r.id)]);
  return { records: page.records, rejected: page.rejected, missing: [...missing, ...numeric.filter((id) => !seen.has(id))] };
}
