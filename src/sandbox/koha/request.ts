/**
 * Validates a request against its route spec the way Mojolicious::Plugin::OpenAPI and Koha do:
 * unknown query parameters, wrong types and unknown embeds are a 400 with an `errors` array.
 */
import type { RouteSpec } from './route-spec.js';
import { QueryError } from './values.js';

export interface OpenApiProblem {
  message: string;
  path: string;
}

/** A 400 in the plugin's shape: `{"errors":[{"message","path"}],"status":400}`. */
export class OpenApiError extends Error {
  constructor(readonly problems: OpenApiProblem[]) {
    super(problems.map((p) => `${p.path}: ${p.message}`).join('; '));
    this.name = 'OpenApiError';
  }
}

export type Match = 'contains' | 'exact' | 'starts_with' | 'ends_with';

export interface ParsedRequest {
  params: URLSearchParams;
  embeds: Set<string>;
  /** `_page` (1-based). */
  page: number;
  /** `_per_page`; -1 means everything on one page. */
  perPage: number;
  /** Raw `_order_by` tokens, csv already split. */
  orderBy: string[];
  match: Match;
  /** Parsed `q` documents (query parameters and GET body), to be ANDed. */
  queries: unknown[];
  /** Simple per-field search parameters (everything in the spec that is not reserved). */
  filters: Array<{ name: string; value: string }>;
}

const MATCHES: readonly Match[] = ['contains', 'exact', 'starts_with', 'ends_with'];
const RESERVED = new Set(['_match', '_order_by', '_page', '_per_page', 'q']);
export const DEFAULT_PER_PAGE = 20;

export function parseRequest(
  spec: RouteSpec,
  params: URLSearchParams,
  embedHeader: string | undefined,
  body: string,
): ParsedRequest {
  const problems: OpenApiProblem[] = [];
  for (const name of new Set(params.keys())) {
    const type = spec.query[name];
    if (!type) {
      problems.push({ message: 'Malformed query string', path: `/query/${name}` });
      continue;
    }
    const value = params.getAll(name).at(-1) ?? '';
    if (type === 'integer' && !/^-?\d+$/.test(value.trim())) {
      problems.push({ message: 'Expected integer - got string.', path: `/query/${name}` });
    }
    if (type === 'boolean' && !/^(true|false|1|0)$/i.test(value)) {
      problems.push({ message: 'Expected boolean - got string.', path: `/query/${name}` });
    }
  }
  const match = (params.get('_match') ?? 'contains') as Match;
  if (!MATCHES.includes(match)) {
    problems.push({ message: `Not in enum list: ${MATCHES.join(', ')}.`, path: '/query/_match' });
  }
  const embeds = new Set<string>();
  const requested = (embedHeader ?? '').split(',').map((e) => e.trim()).filter((e) => e !== '');
  requested.forEach((e, i) => {
    if (spec.embeds.includes(e)) embeds.add(e);
    else {
      const list = spec.embeds.length > 0 ? spec.embeds.join(', ') : '(none)';
      problems.push({ message: `Not in enum list: ${list}.`, path: `/x-koha-embed/${i}` });
    }
  });
  if (problems.length > 0) throw new OpenApiError(problems);

  return {
    params,
    embeds,
    page: Math.max(1, intParam(params, '_page') ?? 1),
    perPage: perPage(intParam(params, '_per_page')),
    orderBy: params.getAll('_order_by').flatMap((v) => v.split(',')).filter((t) => t.trim() !== ''),
    match,
    queries: [...params.getAll('q'), ...(body.trim() === '' ? [] : [body])].map(parseQ),
    filters: [...params.entries()]
      .filter(([n]) => !RESERVED.has(n))
      .map(([name, value]) => ({ name, value })),
  };
}

function intParam(params: URLSearchParams, name: string): number | undefined {
  const v = params.getAll(name).at(-1);
  return v === undefined ? undefined : Number.parseInt(v, 10);
}

function perPage(n: number | undefined): number {
  if (n === -1) return -1;
  return n === undefined || n < 1 ? DEFAULT_PER_PAGE : n;
}

function parseQ(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new QueryError('Invalid query: q is not valid JSON');
  }
}
