/**
 * The Koha patron stream: keyset paging over [since, until] in (updated_on, patron_id) order.
 * Every page asks for `_page=1` with a `q` that starts strictly after the previous page's last
 * row, so rows changing during a long run cannot shift pages as offset paging would.
 */
import { advancesKeyset, type Stream } from '../connector.js';
import { BridgeError } from '../../src/core/errors.js';
import type { Logger } from '../../src/core/logger.js';
import type { Page, PageRequest } from '../../src/core/types.js';
import { totalOf, type KohaClient, type Query } from './client.js';
import { parsePatronPage } from './patron-page.js';
import { toNaiveLocal } from './time.js';
import { assertZoneOffsets } from './zone-check.js';

export const PATRON_ORDER = '+me.updated_on,+me.patron_id';
export const PATRON_EMBED = 'extended_attributes';

/** The keyset `q` filter of a window page over (timeField, idField) (pure). Timestamps are naive local times in `timeZone`. */
export function buildKeysetQuery(
  request: Pick<PageRequest, 'since' | 'until' | 'after'>, timeZone: string, timeField: string, idField: string,
): { '-and': unknown[] } {
  const window: Record<string, string> = {};
  if (request.since !== null) window['>='] = toNaiveLocal(request.since, timeZone);
  window['<='] = toNaiveLocal(request.until, timeZone);
  const and: unknown[] = [{ [timeField]: window }];
  if (request.after !== null) {
    const afterId = Number(request.after.id);
    if (!Number.isSafeInteger(afterId)) {
      throw new BridgeError('INTERNAL', `keyset position has a non-integer ${idField}`, { context: { system: 'koha', path: 'after.id' } });
    }
    const ts = toNaiveLocal(request.after.updatedAt, timeZone);
    and.push({ '-or': [{ [timeField]: { '>': ts } }, { [timeField]: ts, [idField]: { '>': afterId } }] });
  }
  return { '-and': and };
}

/** The `q` filter for one page of patrons (pure). */
export function buildPatronQuery(request: Pick<PageRequest, 'since' | 'until' | 'after'>, timeZone: string): Record<string, unknown> {
  return buildKeysetQuery(request, timeZone, 'updated_on', 'patron_id');
}

/** Query parameters of GET /patrons for one page (pure). */
export function patronListQuery(request: PageRequest, timeZone: string): Query {
  return {
    q: JSON.stringify(buildPatronQuery(request, timeZone)),
    _order_by: PATRON_ORDER,
    _per_page: request.limit,
    _page: 1,
  };
}

export function createPatronStream(client: KohaClient, opts: { sourceId: string; timeZone: string; logger: Logger }): Pick<Stream, 'read'> {
  return {
    async read(request: PageRequest): Promise<Page> {
      if (!Number.isInteger(request.limit) || request.limit < 1) {
        throw new BridgeError('INTERNAL', 'page limit must be a positive integer', { context: { system: 'koha', path: 'limit' } });
      }
      const res = await client.get('/patrons', {
        query: patronListQuery(request, opts.timeZone),
        headers: { 'x-koha-embed': PATRON_EMBED },
      });
      const context = { system: 'koha', method: 'GET', url: `${client.apiBase}/patrons` };
      if (!Array.isArray(res.data)) {
        throw new BridgeError('SOURCE_HTTP', 'Koha returned something other than a JSON array of patrons', { context });
      }
      // Before anything of the page is used: a wrong zone would shift every bound we send.
      assertZoneOffsets(res.data, { sourceId: opts.sourceId, timeZone: opts.timeZone, url: context.url });
      const page = { ...parsePatronPage(res.data, { sourceId: opts.sourceId, limit: request.limit, timeZone: opts.timeZone }), ...totalOf(res) };
      if (page.hasMore && page.last === null) {
        // Without a position the next page would repeat this one forever.
        throw new BridgeError('SOURCE_HTTP', 'a full page of patrons without one usable (updated_on, patron_id)', { context });
      }
      if (!advancesKeyset(request, page)) {
        throw new BridgeError(
          'SOURCE_HTTP',
          `source "${opts.sourceId}": Koha answered a keyset page whose last row (patron_id ${page.last?.id}) is not after ` +
            `the requested position (patron_id ${request.after?.id}); the server ignores the q filter, or sources[].timezone ` +
            'is not its zone. Stopping instead of reading the same rows again',
          { context },
        );
      }
      if (page.rejected.length) {
        opts.logger.warn('koha patrons rejected', {
          system: 'koha',
          sourceId: opts.sourceId,
          count: page.rejected.length,
          ids: page.rejected.map((r) => r.id),
        });
      }
      return page;
    },
  };
}
