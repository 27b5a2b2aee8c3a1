/** The served routes: each turns a validated request into a status, headers and a JSON body. */
import {
  BIBLIO_FIELDS, CATEGORY_FIELDS, CHECKOUT_FIELDS, EXTENDED_ATTRIBUTE_FIELDS, ITEM_FIELDS, LIBRARY_FIELDS,
  PATRON_FIELDS,
} from './fields.js';
import { runList, type ListSource, type Relation } from './list.js';
import { paginationHeaders } from './pagination.js';
import { renderCheckout, renderItem, renderPatron } from './render.js';
import type { ParsedRequest } from './request.js';
import {
  GET_PATRON, LIST_CATEGORIES, LIST_CHECKOUTS, LIST_ITEMS, LIST_LIBRARIES, LIST_PATRON_CHECKOUTS, LIST_PATRONS,
  type RouteSpec,
} from './route-spec.js';
import type { KohaStore, Row } from './store.js';

export interface HandlerContext {
  store: KohaStore;
  nowMs: number;
  req: ParsedRequest;
  /** Absolute URL of the requested path, without query (for Link headers). */
  baseUrl: string;
  pathParams: Record<string, string>;
}

export interface HandlerResult {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  spec: RouteSpec;
  handle(ctx: HandlerContext): HandlerResult;
}

const INTERNAL_ERROR: HandlerResult = {
  status: 500,
  body: { error: 'Something went wrong, check Koha logs for details.', error_code: 'internal_server_error' },
};

const notFound = (what: string): HandlerResult => ({ status: 404, body: { error: `${what} not found` } });

function list(ctx: HandlerContext, src: Omit<ListSource, 'timeZone'>, render: (r: Row) => unknown): HandlerResult {
  const result = runList(ctx.req, { ...src, timeZone: ctx.store.timeZone });
  const headers = paginationHeaders({
    baseUrl: ctx.baseUrl,
    params: ctx.req.params,
    page: ctx.req.page,
    perPage: ctx.req.perPage,
    total: result.total,
    baseTotal: result.baseTotal,
  });
  return { status: 200, body: result.rows.map(render), headers };
}

const attributesRelation: Relation = {
  fields: EXTENDED_ATTRIBUTE_FIELDS,
  rowsOf: (row) => (Array.isArray(row.extended_attributes) ? (row.extended_attributes as Row[]) : []),
};

const listPatrons: Route = {
  method: 'GET',
  pattern: /^\/patrons$/,
  spec: LIST_PATRONS,
  handle(ctx) {
    const relations: Record<string, Relation> = {};
    if (ctx.req.embeds.has('extended_attributes')) relations.extended_attributes = attributesRelation;
    const searchable = new Set(Object.keys(LIST_PATRONS.query));
    const rows = [...ctx.store.patrons.values()];
    return list(ctx, { rows, fields: PATRON_FIELDS, idField: 'patron_id', relations, searchable }, (r) =>
      renderPatron(ctx.store, r, ctx.req.embeds, ctx.nowMs));
  },
};

const getPatron: Route = {
  method: 'GET',
  pattern: /^\/patrons\/(?<patron_id>[^/]+)$/,
  spec: GET_PATRON,
  handle(ctx) {
    const row = ctx.store.patrons.get(Number(ctx.pathParams.patron_id));
    if (!row) return notFound('Patron');
    return { status: 200, body: renderPatron(ctx.store, row, ctx.req.embeds, ctx.nowMs) };
  },
};

const listCheckouts: Route = {
  method: 'GET',
  pattern: /^\/checkouts$/,
  spec: LIST_CHECKOUTS,
  handle(ctx) {
    // `checked_in=true` reads the history table (old_issues) instead of the current loans.
    const checkedIn = /^(true|1)$/i.test(ctx.req.params.get('checked_in') ?? 'false');
    const patronParam = ctx.req.params.get('patron_id');
    const patronId = patronParam === null ? undefined : Number(patronParam);
    if (patronId !== undefined && !ctx.store.patrons.has(patronId)) return notFound('Patron');
    const rows = ctx.store.checkouts.filter(
      (c) => (c.checkin_date !== null) === checkedIn && (patronId === undefined || c.patron_id === patronId),
    );
    const result = list(ctx, { rows, fields: CHECKOUT_FIELDS, idField: 'checkout_id', searchable: new Set() }, (r) =>
      renderCheckout(ctx.store, r, ctx.req.embeds, ctx.nowMs));
    // History of a deleted patron has patron_id NULL, which checkout.yaml declares non-nullable: Koha's
    // response validation fails the whole page. A client narrows q ({"patron_id":{"!=":null}}) to avoid it.
    if ((result.body as Array<Record<string, unknown>>).some((c) => c.patron_id === null)) return INTERNAL_ERROR;
    return result;
  },
};

const listPatronCheckouts: Route = {
  method: 'GET',
  pattern: /^\/patrons\/(?<patron_id>[^/]+)\/checkouts$/,
  spec: LIST_PATRON_CHECKOUTS,
  handle(ctx) {
    const patronId = Number(ctx.pathParams.patron_id);
    if (!ctx.store.patrons.has(patronId)) return notFound('Patron');
    const rows = ctx.store.checkouts.filter((c) => c.patron_id === patronId && c.checkin_date === null);
    return list(ctx, { rows, fields: CHECKOUT_FIELDS, idField: 'checkout_id', searchable: new Set() }, (r) =>
      renderCheckout(ctx.store, r, ctx.req.embeds, ctx.nowMs));
  },
};

const listItems: Route = {
  method: 'GET',
  pattern: /^\/items$/,
  spec: LIST_ITEMS,
  handle(ctx) {
    const biblio: Relation = {
      fields: BIBLIO_FIELDS,
      rowsOf: (row) => {
        const b = ctx.store.biblios.get(row.biblio_id as number);
        return b ? [{ ...b }] : [];
      },
    };
    const relations: Record<string, Relation> = ctx.req.embeds.has('biblio') ? { biblio } : {};
    const rows = [...ctx.store.items.values()];
    return list(ctx, { rows, fields: ITEM_FIELDS, idField: 'item_id', relations, searchable: new Set(['external_id']) },
      (r) => renderItem(ctx.store, r, ctx.req.embeds));
  },
};

const listLibraries: Route = {
  method: 'GET',
  pattern: /^\/libraries$/,
  spec: LIST_LIBRARIES,
  handle(ctx) {
    const rows = [...ctx.store.libraries.values()] as unknown as Row[];
    // Spec parameters the sandbox's library shape lacks (ip, reply_to_email…) are accepted and ignored.
    const searchable = new Set(Object.keys(LIBRARY_FIELDS));
    return list(ctx, { rows, fields: LIBRARY_FIELDS, idField: 'library_id', searchable }, (r) => r);
  },
};

const listCategories: Route = {
  method: 'GET',
  pattern: /^\/patron_categories$/,
  spec: LIST_CATEGORIES,
  handle(ctx) {
    const rows = [...ctx.store.categories.values()] as unknown as Row[];
    return list(ctx, { rows, fields: CATEGORY_FIELDS, idField: 'patron_category_id', searchable: new Set() }, (r) => r);
  },
};

export const ROUTES: readonly Route[] = [
  listPatrons, getPatron, listPatronCheckouts, listCheckouts, listItems, listLibraries, listCategories,
];
