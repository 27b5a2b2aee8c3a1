/**
 * The Koha sandbox: an in-process HTTP server speaking the /api/v1 routes a patron sync needs,
 * over in-memory data, with Koha's validation, paging, filtering and authentication behaviour.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SANDBOX_ANONYMOUS_PATRON_ID } from '../generator/circulation.js';
import { SandboxAuth, type KohaAuthOptions } from './auth.js';
import { LoanDesk, type LendOptions } from './loans.js';
import { OpenApiError, parseRequest } from './request.js';
import { ROUTES } from './routes.js';
import { KohaStore, type StoreData } from './store.js';
import type { KohaCheckout, KohaPatron } from './types.js';
import { QueryError } from './values.js';
import { assertTimeZone } from './zoned-time.js';

export interface KohaSandboxOptions extends StoreData {
  auth?: KohaAuthOptions;
  /** IANA zone of the server clock; date-times are rendered with its offset. Default 'UTC'. */
  timezone?: string;
  /** Clock for `updated_on` bumps, overdue counts and token expiry. */
  now?: () => Date;
  /** Koha's AnonymousPatron syspref: who anonymised history belongs to. Default SANDBOX_ANONYMOUS_PATRON_ID. */
  anonymousPatronId?: number | null;
}

export interface KohaSandbox {
  /** Base URL, e.g. http://127.0.0.1:5555 (the API is under /api/v1). */
  url: string;
  stop(): Promise<void>;
  stats: { requests: number; byRoute: Record<string, number> };
  resetStats(): void;
  /** Changes a patron as staff would: merges `changes`, bumps `updated_on` to now(). */
  updatePatron(patronId: number, changes: Partial<KohaPatron>): void;
  addPatron(p: KohaPatron): void;
  /** Makes every token issued so far expired. */
  expireTokens(): void;
  /** The AnonymousPatron's patron_id. */
  anonymousPatronId: number | null;
  /** Check-in at now() (library: the issuing one unless given); a privacy 2 patron's loan goes to the AnonymousPatron. */
  returnLoan(checkoutId: number, opts?: { libraryId?: string }): void;
  /** Renewal at now(): renewals_count + 1, due 21 days on at 23:59 local. */
  renewLoan(checkoutId: number): void;
  /** A new current loan on a free item; returns its checkout_id (max + 1). */
  lend(patronId: number, opts?: LendOptions): number;
  /** Anonymises one returned loan (patron_id → the AnonymousPatron, or NULL), bumping its timestamp. */
  anonymiseLoan(checkoutId: number, to?: 'anonymous' | 'null'): void;
  /** The patron anonymisation cron: personal fields blanked, anonymized, updated_on bumped, history anonymised. Throws with current loans. */
  anonymisePatron(patronId: number): void;
  /** Deletes a patron (throws with current loans): history keeps its rows with patron_id NULL and no timestamp bump. */
  deletePatron(patronId: number): void;
  /** All loans, current and returned, as the API renders them (a copy). */
  checkouts(): KohaCheckout[];
}

const API = '/api/v1';

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8', ...headers });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startKohaSandbox(opts: KohaSandboxOptions & { port?: number }): Promise<KohaSandbox> {
  const timeZone = opts.timezone ?? 'UTC';
  assertTimeZone(timeZone);
  const now = opts.now ?? (() => new Date());
  const store = new KohaStore(opts, timeZone);
  const desk = new LoanDesk(store, opts.anonymousPatronId === undefined ? SANDBOX_ANONYMOUS_PATRON_ID : opts.anonymousPatronId);
  const auth = new SandboxAuth(opts.auth ?? {}, now);
  const stats = { requests: 0, byRoute: {} as Record<string, number> };
  const count = (key: string): void => {
    stats.byRoute[key] = (stats.byRoute[key] ?? 0) + 1;
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    stats.requests += 1;
    const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
    const path = url.pathname.replace(/\/+$/, '');
    const body = await readBody(req);
    if (req.method === 'POST' && path === `${API}/oauth/token`) {
      count('POST /oauth/token');
      const result = auth.issueToken(new URLSearchParams(body));
      return send(res, result.status, result.body);
    }
    const sub = path.startsWith(API) ? path.slice(API.length) : undefined;
    const route = sub === undefined ? undefined : ROUTES.find((r) => r.method === req.method && r.pattern.test(sub));
    if (!route || sub === undefined) {
      return send(res, 404, { errors: [{ message: 'Not Found.', path: '/' }], status: 404 });
    }
    count(route.spec.route);
    if (!auth.allows(req.headers.authorization)) return send(res, 401, { error: 'Authentication failure.' });
    const pathParams = { ...(route.pattern.exec(sub)?.groups ?? {}) };
    try {
      if (pathParams.patron_id !== undefined && !/^\d+$/.test(pathParams.patron_id)) {
        throw new OpenApiError([{ message: 'Expected integer - got string.', path: '/patron_id' }]);
      }
      const embedHeader = req.headers['x-koha-embed'];
      const parsed = parseRequest(route.spec, url.searchParams, Array.isArray(embedHeader) ? embedHeader.join(',') : embedHeader, body);
      const result = route.handle({ store, nowMs: now().getTime(), req: parsed, baseUrl: `${url.origin}${url.pathname}`, pathParams });
      const requestId = req.headers['x-koha-request-id'];
      const echo: Record<string, string> = typeof requestId === 'string' ? { 'x-koha-request-id': requestId } : {};
      return send(res, result.status, result.body, { ...result.headers, ...echo });
    } catch (err) {
      if (err instanceof OpenApiError) return send(res, 400, { errors: err.problems, status: 400 });
      if (err instanceof QueryError) return send(res, 400, { error: err.message, error_code: 'invalid_query' });
      return send(res, 500, {
        error: 'Something went wrong, check Koha logs for details.',
        error_code: 'internal_server_error',
      });
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch(() => send(res, 500, { error: 'Something went wrong', error_code: 'internal_server_error' }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    resetStats() {
      stats.requests = 0;
      for (const k of Object.keys(stats.byRoute)) delete stats.byRoute[k];
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
    updatePatron: (id, changes) => store.updatePatron(id, changes, now().getTime()),
    addPatron: (p) => store.addPatron(p),
    expireTokens: () => auth.expireTokens(),
    anonymousPatronId: desk.anonymousPatronId,
    returnLoan: (id, o) => desk.returnLoan(id, now().getTime(), o),
    renewLoan: (id) => desk.renewLoan(id, now().getTime()),
    lend: (patronId, o) => desk.lend(patronId, now().getTime(), o),
    anonymiseLoan: (id, to) => desk.anonymiseLoan(id, now().getTime(), to),
    anonymisePatron: (id) => desk.anonymisePatron(id, now().getTime()),
    deletePatron: (id) => desk.deletePatron(id),
    checkouts: () => desk.snapshot(),
  };
}
