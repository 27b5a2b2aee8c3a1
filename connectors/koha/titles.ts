/**
 * Item titles for loan subjects, only when the mapping asks for them: one GET /items per batch of
 * item ids with the biblio embed (never once per loan), cached for the run. One reader per Koha
 * source: item ids of two libraries are not the same items.
 */
import type { KohaClient } from './client.js';

const BATCH = 100;

export type TitleReader = (itemIds: readonly number[], runId: string) => Promise<Map<number, string>>;

export function createTitleReader(client: KohaClient): TitleReader {
  const cached = { runId: '', titles: new Map<number, string>() };
  return async (itemIds, runId) => {
    if (cached.runId !== runId) {
      cached.runId = runId;
      cached.titles.clear();
    }
    const cache = cached.titles;
    const out = new Map<number, string>();
    const wanted = itemIds.filter((id) => {
      const known = cache.get(id);
      if (known !== undefined) out.set(id, known);
      return known === undefined;
    });
    for (let i = 0; i < wanted.length; i += BATCH) {
      const batch = wanted.slice(i, i + BATCH);
      const res = await client.get('/items', {
        query: { q: JSON.stringify({ item_id: { '-in': batch } }), _per_page: batch.length, _page: 1 },
        headers: { 'x-koha-embed': 'biblio' },
      });
      for (const row of Array.isArray(res.data) ? (res.data as Array<Record<string, unknown>>) : []) {
        const biblio = row.biblio as { title?: unknown } | undefined;
        if (typeof row.item_id === 'number' && typeof biblio?.title === 'string') {
          cache.set(row.item_id, biblio.title);
          out.set(row.item_id, biblio.title);
        }
      }
    }
    return out;
  };
}
