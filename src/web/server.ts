/**
 * The status page's HTTP server (node:http). Every page and API route needs a session: pages send
 * a browser without one to /login, API routes answer 401. Every response carries a strict
 * Content-Security-Policy (scripts and styles only from /static), no framing, nosniff and no-store.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { LINK_KINDS, type ConflictEntry, type Resolution } from '../core/conflicts.js';
import { describeError } from '../core/errors.js';
import { byRecordId } from '../core/record-ids.js';
import { nullLogger, type Logger } from '../core/logger.js';
import type { SyncState } from '../state/ports.js';
import { ASSETS } from './assets.js';
import { dashboardPage } from './dashboard-page.js';
import { html, type SafeHtml } from './html.js';
import { layout, loginPage, type PageContext } from './layout.js';
import type { HealthProvider, SchedulesProvider } from './providers.js';
import { conflictsPage, failuresPage } from './records-pages.js';
import { liveRun, runPage } from './run-page.js';
import { createSessionStore, type Session } from './sessions.js';

export interface WebServerOptions {
  /** The configured sources, in their order. */
  sourceIds: readonly string[];
  state: SyncState;
  schedules: SchedulesProvider;
  health: HealthProvider;
  credentials: { username: string; password: string; sessionMinutes: number };
  /**
   * What the page's buttons do, the same as the CLI: answer a conflict and replay its record, replay
   * kept failures. Each gives the replay run's id. Without it the page only shows the commands.
   */
  actions?: WebActions;
  /** Asked first for every request (e.g. /metrics and /healthz, which monitoring reads without a login); true: handled. */
  extra?: (req: IncomingMessage, res: ServerResponse) => boolean;
  logger?: Logger;
  now?: () => number;
}

export interface WebActions {
  /** Keeps the answer and replays the conflict's record. */
  resolveConflict(conflict: ConflictEntry, resolution: Resolution): Promise<{ runId: string }>;
  replayFailures(sourceId: string, recordIds: string[]): Promise<{ runId: string }>;
}

const COOKIE = 'pb_session';
const RECENT_RUNS = 20;
/** Conflicts and failures listed per source (one more is read to know there are more); the CLI lists them all. */
const MAX_ENTRIES = 500;
const MAX_FORM_BYTES = 8192;

const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) throw new HttpError(415, 'expected a form');
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > MAX_FORM_BYTES) throw new HttpError(413, 'form too large');
  }
  return new URLSearchParams(body);
}

function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string | string[]> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, ...headers });
  res.end(body);
}
const sendHtml = (res: ServerResponse, status: number, page: SafeHtml, headers: Record<string, string | string[]> = {}) => send(res, status, 'text/html; charset=utf-8', page.text, headers);
const sendJson = (res: ServerResponse, status: number, value: unknown) => send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
const redirect = (res: ServerResponse, to: string, headers: Record<string, string | string[]> = {}) => send(res, 303, 'text/plain; charset=utf-8', '', { Location: to, ...headers });

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, 'malformed address');
  }
}

const settle = <T>(p: Promise<T>): Promise<T | Error> => p.catch((err: unknown) => new Error(describeError(err)));

export function createWebServer(opts: WebServerOptions): Server {
  const now = opts.now ?? Date.now;
  const logger = opts.logger ?? nullLogger;
  const sessions = createSessionStore({ ...opts.credentials, now });
  const { state } = opts;

  // A browser-session cookie: the server ends the session after serve.session_minutes without a request.
  const cookie = (req: IncomingMessage, value: string, expire = false) => {
    const secure = req.headers['x-forwarded-proto'] === 'https' ? '; Secure' : '';
    return `${COOKIE}=${value}; HttpOnly; SameSite=Strict; Path=/${expire ? '; Max-Age=0' : ''}${secure}`;
  };

  async function login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = await readForm(req);
    const result = sessions.login(req.socket.remoteAddress ?? 'unknown', form.get('username') ?? '', form.get('password') ?? '');
    if (result.ok) {
      logger.info('status page: logged in', { client: req.socket.remoteAddress });
      return redirect(res, '/', { 'Set-Cookie': cookie(req, result.token) });
    }
    logger.warn('status page: failed login', { client: req.socket.remoteAddress });
    const ctx = { now: now() };
    if (result.retryAfterSeconds !== undefined) {
      return sendHtml(res, 429, loginPage(`Too many failed logins: try again in ${result.retryAfterSeconds} s.`, ctx), { 'Retry-After': String(result.retryAfterSeconds) });
    }
    sendHtml(res, 401, loginPage('Wrong username or password.', ctx));
  }

  async function page(path: string, query: URLSearchParams, ctx: PageContext): Promise<SafeHtml | null> {
    if (path === '/') {
      const [schedules, health, runs, holders] = await Promise.all([
        settle(opts.schedules()),
        settle(opts.health()),
        settle(state.listRuns(RECENT_RUNS)),
        settle(Promise.all(opts.sourceIds.map(async (id) => [id, await state.leaseHolder(id)] as const)).then((pairs) => new Map(pairs))),
      ]);
      return dashboardPage({ schedules, health, runs, running: holders }, ctx);
    }
    const run = /^\/runs\/([^/]+)$/.exec(path);
    if (run) {
      const runId = decoded(run[1]!);
      const report = await state.getRun(runId);
      if (report) return runPage(report, ctx);
      // Just enqueued (a button's replay): a worker starts it.
      return opts.actions ? layout(`Run ${runId}`, html`<p>run ${runId} is queued: a running <code>patron-bridge worker</code> starts it; reload to follow it.</p>`, ctx) : null;
    }
    if (path === '/conflicts') {
      const all = query.get('all') === '1';
      const sources = await Promise.all(opts.sourceIds.map(async (sourceId) => ({ sourceId, entries: await state.listConflicts(sourceId, { ...(all ? {} : { status: 'open' as const }), limit: MAX_ENTRIES + 1 }) })));
      return conflictsPage(sources, all, MAX_ENTRIES, ctx);
    }
    if (path === '/failures') {
      const sources = await Promise.all(opts.sourceIds.map(async (sourceId) => ({
        sourceId,
        entries: (await state.listFailures(sourceId)).sort((a, b) => byRecordId.compare(a.recordId, b.recordId)),
      })));
      return failuresPage(sources, MAX_ENTRIES, ctx);
    }
    return null;
  }

  /** A button's form, checked as the CLI checks its arguments; the replay run's id. */
  async function act(path: string, form: URLSearchParams, actions: WebActions): Promise<string> {
    const sourceId = form.get('source') ?? '';
    if (!opts.sourceIds.includes(sourceId)) throw new HttpError(400, `no source ${JSON.stringify(sourceId)}`);
    if (path === '/failures/replay') {
      const id = form.get('id');
      if (id !== null && !/^[A-Za-z0-9._-]{1,64}$/.test(id)) throw new HttpError(400, 'expected a record id');
      const { runId } = await actions.replayFailures(sourceId, id ? [id] : []);
      logger.info('status page: failures replay enqueued', { sourceId, runId });
      return runId;
    }
    const conflict = await state.getConflict(sourceId, form.get('id') ?? '');
    if (!conflict) throw new HttpError(404, 'no such conflict is kept');
    if (conflict.status !== 'open') throw new HttpError(409, `conflict ${conflict.id} is ${conflict.status} already`);
    const take = form.get('take');
    const link = Number(form.get('link'));
    let resolution: Resolution;
    if (take === 'source' || take === 'crm') resolution = { take };
    else if (LINK_KINDS.has(conflict.kind) && Number.isSafeInteger(link) && link >= 1) resolution = { link };
    else throw new HttpError(400, LINK_KINDS.has(conflict.kind) ? 'answer with take source, or a contact id to link' : 'answer with take source or take crm');
    const { runId } = await actions.resolveConflict(conflict, resolution);
    logger.info('status page: conflict answered', { sourceId, conflictId: conflict.id, runId });
    return runId;
  }

  async function api(path: string): Promise<unknown> {
    const run = /^\/api\/runs\/([^/]+)$/.exec(path);
    if (run) {
      const report = await state.getRun(decoded(run[1]!));
      return report ? liveRun(report) : null;
    }
    if (path === '/api/runs') return (await state.listRuns(RECENT_RUNS)).map(liveRun);
    return null;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (opts.extra?.(req, res)) return;
    const url = new URL(req.url ?? '/', 'http://status.invalid');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const asset = ASSETS.get(path);
    if (asset && method === 'GET') return send(res, 200, asset.type, asset.body);
    if (path === '/login') {
      if (method === 'POST') return login(req, res);
      return sendHtml(res, 200, loginPage(null, { now: now() }));
    }
    const token = cookieOf(req, COOKIE);
    const session: Session | null = sessions.touch(token);
    if (!session) {
      if (path.startsWith('/api/')) return sendJson(res, 401, { error: 'log in first (POST /login)' });
      return redirect(res, '/login');
    }
    const ctx: PageContext = { csrf: session.csrf, now: now(), ...(opts.actions ? { actions: true } : {}) };
    if (method === 'POST') {
      const form = await readForm(req);
      if (!sessions.csrfOk(session, form.get('csrf') ?? undefined)) throw new HttpError(403, 'the form is out of date: reload the page and try again');
      if (path === '/logout') {
        sessions.logout(token!);
        return redirect(res, '/login', { 'Set-Cookie': cookie(req, '', true) });
      }
      if (opts.actions && (path === '/conflicts/resolve' || path === '/failures/replay')) {
        const runId = await act(path, form, opts.actions);
        return redirect(res, `/runs/${encodeURIComponent(runId)}`);
      }
      throw new HttpError(404, `no such action: ${path}`);
    }
    if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, `${method} is not allowed here`);
    if (path.startsWith('/api/')) {
      const value = await api(path);
      return value === null ? sendJson(res, 404, { error: `nothing at ${path}` }) : sendJson(res, 200, value);
    }
    const found = await page(path, url.searchParams, ctx);
    if (found) return sendHtml(res, 200, found);
    sendHtml(res, 404, layout('Not found', html`<p>nothing at ${path}: <a href="/">back to the dashboard</a></p>`, ctx));
  }

  return createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof HttpError ? err.status : 500;
      if (status === 500) logger.error('status page: request failed', { path: req.url?.split('?')[0], error: describeError(err) });
      if (res.headersSent) return void res.end();
      send(res, status, 'text/plain; charset=utf-8', err instanceof HttpError ? err.message : 'the status page could not read its data; see the log');
    });
  });
}
