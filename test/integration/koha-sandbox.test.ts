import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { generateKohaDataset } from '../../src/sandbox/generator/index.js';
import { ROUTE_SPECS, checkSchema, loadDefinition, startKohaSandbox, type KohaSandbox } from '../../src/sandbox/koha/index.js';
import { KOHA_DEFINITIONS } from '../contracts/koha/definitions.js';
import { KOHA_GET_ROUTES } from '../contracts/koha/routes.js';

const TZ = 'Europe/Paris';
let clock = new Date('2026-11-23T09:00:00Z');
const data = generateKohaDataset({ patrons: 600, seed: 5, now: clock, timezone: TZ });
const AUTH = { basic: { username: 'sync', password: 's3cret' }, oauth2: { client_id: 'cid', client_secret: 'csecret', token_ttl_seconds: 60 } };
const BASIC = `Basic ${Buffer.from('sync:s3cret').toString('base64')}`;
let sandbox: KohaSandbox;

beforeAll(async () => {
  sandbox = await startKohaSandbox({ ...data, auth: AUTH, timezone: TZ, now: () => clock });
});
afterAll(async () => sandbox.stop());

type Res = { status: number; body: any; headers: Headers };
async function get(path: string, headers: Record<string, string> = {}): Promise<Res> {
  const res = await fetch(`${sandbox.url}/api/v1${path}`, { headers: { Authorization: BASIC, ...headers } });
  return { status: res.status, body: await res.json(), headers: res.headers };
}
const q = (doc: unknown): string => encodeURIComponent(JSON.stringify(doc));
const links = (h: Headers): Record<string, string> =>
  Object.fromEntries([...(h.get('link') ?? '').matchAll(/<([^>]+)>; rel="(\w+)"/g)].map((m) => [m[2]!, m[1]!]));

describe('Koha sandbox: paging', () => {
  it('pages 20 by default with Link, X-Total-Count and X-Base-Total-Count', async () => {
    const r = await get('/patrons?_page=2&_order_by=%2Bme.patron_id&surname=a');
    expect(r.status).toBe(200);
    expect(r.body).toHaveLength(20);
    const total = Number(r.headers.get('x-total-count'));
    expect(total).toBeLessThan(600);
    // the 600 generated patrons and the AnonymousPatron
    expect(r.headers.get('x-base-total-count')).toBe('601');
    const l = links(r.headers);
    expect(Object.keys(l).sort()).toEqual(['first', 'last', 'next', 'prev']);
    const next = new URL(l.next!);
    expect([next.searchParams.get('_page'), next.searchParams.get('surname'), next.searchParams.get('_order_by')]).toEqual(['3', 'a', '+me.patron_id']);
    expect(new URL(l.last!).searchParams.get('_page')).toBe(String(Math.ceil(total / 20)));
  });

  it('returns everything with _per_page=-1 and no next link', async () => {
    const r = await get('/patrons?_per_page=-1');
    expect(r.body).toHaveLength(601);
    expect(links(r.headers).next).toBeUndefined();
  });

  it('walks the sync client keyset query page by page without gaps or repeats', async () => {
    const from = '2025-01-01 00:00:00';
    const all = (await get(`/patrons?_per_page=-1&q=${q({ updated_on: { '>=': from } })}`)).body as any[];
    const seen: number[] = [];
    let cursor: { t: string; id: number } | undefined;
    for (let guard = 0; guard < 50; guard++) {
      const window = { updated_on: { '>=': from, '<=': '2026-11-23 10:00:00' } };
      const doc = cursor
        ? { '-and': [window, { '-or': [{ updated_on: { '>': cursor.t } }, { updated_on: cursor.t, patron_id: { '>': cursor.id } }] }] }
        : window;
      // `+` deliberately unencoded: it arrives as a space and must still mean ascending.
      const r = await get(`/patrons?q=${q(doc)}&_order_by=+me.updated_on,+me.patron_id&_per_page=50&_page=1`, { 'x-koha-embed': 'extended_attributes' });
      expect(r.status).toBe(200);
      if (r.body.length === 0) break;
      seen.push(...r.body.map((p: any) => p.patron_id));
      const last = r.body.at(-1);
      const local = last.updated_on.slice(0, 19).replace('T', ' ');
      cursor = { t: local, id: last.patron_id };
    }
    expect(seen).toHaveLength(all.length);
    expect(new Set(seen).size).toBe(all.length);
  });

  it('orders by several keys, descending with -, ties broken by patron_id', async () => {
    const r = await get('/patrons?_per_page=-1&_order_by=-library_id,%2Bme.updated_on');
    const rows = r.body as any[];
    for (let i = 1; i < rows.length; i++) {
      const [a, b] = [rows[i - 1], rows[i]];
      const ok = a.library_id > b.library_id || (a.library_id === b.library_id &&
        (Date.parse(a.updated_on) < Date.parse(b.updated_on) || (a.updated_on === b.updated_on && a.patron_id < b.patron_id)));
      expect(ok).toBe(true);
    }
  });
});

describe('Koha sandbox: validation errors', () => {
  it.each([
    ['/patrons?foo=1', '/query/foo'],
    ['/patrons?_page=abc', '/query/_page'],
    ['/checkouts?checked_in=maybe', '/query/checked_in'],
    ['/patrons?_match=fuzzy', '/query/_match'],
  ])('%s → 400 in the OpenAPI plugin shape', async (path, at) => {
    const r = await get(path);
    expect(r.status).toBe(400);
    expect(r.body.status).toBe(400);
    expect(r.body.errors[0].path).toBe(at);
  });

  it('rejects an embed outside the route enum', async () => {
    const r = await get('/patrons', { 'x-koha-embed': 'extended_attributes,item' });
    expect(r.status).toBe(400);
    expect(r.body.errors).toHaveLength(1);
  });

  it.each([
    ['unknown field', { shoe_size: 42 }],
    ['unknown operator', { patron_id: { '-fuzzy': 1 } }],
  ])('answers a q with an %s with 400 invalid_query', async (_n, doc) => {
    const r = await get(`/patrons?q=${q(doc)}`);
    expect(r.status).toBe(400);
    expect(r.body.error_code).toBe('invalid_query');
  });

  it('ANDs several q parameters and filters on an embedded relation', async () => {
    const student = data.patrons.find((p) => p.extended_attributes?.some((a) => a.type === 'STUDENTID'))!;
    const value = student.extended_attributes!.find((a) => a.type === 'STUDENTID')!.value;
    const doc = { 'extended_attributes.type': 'STUDENTID', 'extended_attributes.value': value };
    const r = await get(`/patrons?q=${q(doc)}&q=${q({ patron_id: student.patron_id })}`, { 'x-koha-embed': 'extended_attributes' });
    expect(r.body.map((p: any) => p.patron_id)).toEqual([student.patron_id]);
    expect((await get(`/patrons?q=${q(doc)}`)).status).toBe(400);
  });
});

describe('Koha sandbox: authentication', () => {
  const bare = async (headers: Record<string, string>): Promise<number> =>
    (await fetch(`${sandbox.url}/api/v1/patrons?_per_page=1`, { headers })).status;
  const token = async (secret: string): Promise<Response> =>
    fetch(`${sandbox.url}/api/v1/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'cid', client_secret: secret }),
    });

  it('refuses missing and wrong credentials with 401', async () => {
    expect(await bare({})).toBe(401);
    expect(await bare({ Authorization: `Basic ${Buffer.from('sync:nope').toString('base64')}` })).toBe(401);
    const r = await fetch(`${sandbox.url}/api/v1/patrons`);
    expect(await r.json()).toEqual({ error: 'Authentication failure.' });
  });

  it('issues bearer tokens that work until they expire', async () => {
    expect((await token('wrong')).status).toBe(403);
    const body = (await (await token('csecret')).json()) as any;
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 60 });
    const auth = { Authorization: `Bearer ${body.access_token}` };
    expect(await bare(auth)).toBe(200);
    clock = new Date(clock.getTime() + 61000);
    expect(await bare(auth)).toBe(401);
    const fresh = (await (await token('csecret')).json()) as any;
    expect(await bare({ Authorization: `Bearer ${fresh.access_token}` })).toBe(200);
    sandbox.expireTokens();
    expect(await bare({ Authorization: `Bearer ${fresh.access_token}` })).toBe(401);
  });
});

describe('Koha sandbox: objects and contract', () => {
  it('serves patrons that validate against definitions/patron.yaml, with embeds', async () => {
    const { schema, resolve: ref } = loadDefinition(KOHA_DEFINITIONS, 'patron');
    const r = await get('/patrons?_per_page=-1', { 'x-koha-embed': 'extended_attributes,checkouts+count,library' });
    const problems = (r.body as any[]).flatMap((p) => checkSchema(schema, p, ref));
    expect(problems).toEqual([]);
    expect(r.body[0].updated_on).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[12]:00$/);
    expect(r.body.every((p: any) => Array.isArray(p.extended_attributes))).toBe(true);
  });

  it('updatePatron bumps updated_on to the server clock, visible to an incremental query', async () => {
    clock = new Date('2026-11-23T09:30:00Z');
    sandbox.updatePatron(1001, { email: 'changed@example.org' });
    const r = await get(`/patrons?q=${q({ updated_on: { '>=': '2026-11-23 10:30:00' } })}`);
    expect(r.body.map((p: any) => [p.patron_id, p.email, p.updated_on])).toEqual([[1001, 'changed@example.org', '2026-11-23T10:30:00+01:00']]);
    expect((await get('/patrons/999999')).status).toBe(404);
  });

  it('serves current and returned checkouts and items with their biblio', async () => {
    const current = await get('/checkouts?_per_page=-1');
    // narrowed: the ownerless history of deleted patrons would fail the response validation (500)
    const returned = await get(`/checkouts?checked_in=true&_per_page=-1&q=${q({ patron_id: { '!=': null } })}`);
    const ownerless = data.checkouts.filter((c) => c.patron_id === null).length;
    expect(ownerless).toBeGreaterThan(0);
    expect(current.body.length + returned.body.length + ownerless).toBe(data.checkouts.length);
    expect(current.body.every((c: any) => c.checkin_date === null)).toBe(true);
    const { schema, resolve: ref } = loadDefinition(KOHA_DEFINITIONS, 'checkout');
    expect([...current.body, ...returned.body].flatMap((c: any) => checkSchema(schema, c, ref))).toEqual([]);
    const loan = current.body[0];
    const mine = await get(`/patrons/${loan.patron_id}/checkouts`, { 'x-koha-embed': 'item.biblio' });
    expect(mine.body.some((c: any) => c.checkout_id === loan.checkout_id && typeof c.item.biblio.title === 'string')).toBe(true);
    const items = await get(`/items?q=${q({ item_id: { '-in': [loan.item_id] } })}`, { 'x-koha-embed': 'biblio' });
    expect(items.body[0].biblio.biblio_id).toBe(items.body[0].biblio_id);
    expect((await get('/libraries')).body).toHaveLength(5);
    expect((await get('/patron_categories')).body).toHaveLength(5);
  });

  it('counts requests per route', async () => {
    sandbox.resetStats();
    await get('/patrons?_per_page=1');
    await get('/libraries');
    expect(sandbox.stats.requests).toBe(2);
    expect(sandbox.stats.byRoute).toEqual({ 'GET /patrons': 1, 'GET /libraries': 1 });
  });

  it('accepts exactly the query parameters and embeds the spec declares', () => {
    const files: Record<string, string> = {
      'GET /patrons': 'paths/patrons.yaml', 'GET /patrons/{patron_id}': 'paths/patrons.yaml',
      'GET /checkouts': 'paths/checkouts.yaml', 'GET /patrons/{patron_id}/checkouts': 'paths/patrons_checkouts.yaml',
      'GET /items': 'paths/items.yaml', 'GET /libraries': 'paths/libraries.yaml', 'GET /patron_categories': 'paths/patron_categories.yaml',
    };
    for (const spec of ROUTE_SPECS) {
      const declared = KOHA_GET_ROUTES[spec.route];
      expect([spec.route, declared?.file]).toEqual([spec.route, files[spec.route]]);
      const params = declared!.parameters;
      const query = Object.fromEntries(params.filter((p) => p.in === 'query').map((p) => [p.name, p.type]));
      const embeds = params.find((p) => p.name === 'x-koha-embed')?.items?.enum ?? [];
      expect([spec.route, spec.query]).toEqual([spec.route, query]);
      expect([spec.route, spec.embeds]).toEqual([spec.route, embeds]);
    }
  });
});
