/**
 * Koha's pagination headers: `Link` (rel first/prev/next/last, the request's query kept with
 * `_page`/`_per_page` replaced), `X-Total-Count` (after filters), `X-Base-Total-Count` (before).
 */

export interface PageInfo {
  /** Absolute URL of the route without query, e.g. http://127.0.0.1:5555/api/v1/patrons. */
  baseUrl: string;
  params: URLSearchParams;
  page: number;
  perPage: number;
  total: number;
  baseTotal: number;
}

export function paginationHeaders(info: PageInfo): Record<string, string> {
  const { page, perPage, total } = info;
  const lastPage = perPage === -1 ? 1 : Math.max(1, Math.ceil(total / perPage));
  const link = (p: number, rel: string): string => {
    const q = new URLSearchParams(info.params);
    q.set('_page', String(p));
    q.set('_per_page', String(perPage));
    return `<${info.baseUrl}?${q.toString()}>; rel="${rel}"`;
  };
  const links = [link(1, 'first')];
  if (page > 1) links.push(link(Math.min(page - 1, lastPage), 'prev'));
  if (page < lastPage) links.push(link(page + 1, 'next'));
  links.push(link(lastPage, 'last'));
  return {
    Link: links.join(', '),
    'X-Total-Count': String(total),
    'X-Base-Total-Count': String(info.baseTotal),
  };
}
