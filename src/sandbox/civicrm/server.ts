/** HTTP transport: routes, form/query `params`, GET rules, auth, multi-call, stats, latency and injected faults. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiError, FatalError } from './api-error.js';
import type { CallContext, Principal } from './context.js';
import type { PrincipalName } from './auth.js';
import { authenticate } from './auth.js';
import type { EntityDef } from './entity-def.js';
import type { HttpReply } from './envelope.js';
import { HTML_TYPE, errorEnvelope, fatalPage, json } from './envelope.js';
import { executeCall } from './dispatch.js';
import { answerTransportFault, unknownDbError, type Fault, type FaultKind, type FaultPlan } from './faults.js';
import type { Store } from './store.js';

export interface ServerDeps {
  store: Store;
  defs: ReadonlyMap<string, EntityDef>;
  keys: Record<PrincipalName, string>;
  siteKey: string;
  latencyMs: number;
  now: () => Date;
  random: () => number;
  /** the site's time zone (IANA) */
  timezone: string;
  /** maxInFlight: the most requests open at once at the HTTP layer since the last reset (concurrency tests). */
  stats: { requests: number; maxInFlight: number; byAction: Record<string, number>; faults: Record<FaultKind, number> };
  faults?: FaultPlan | undefined;
}

const SINGLE_CALL = /^\/civicrm\/ajax\/api4\/([A-Za-z_]+)\/([A-Za-z]+)$/;

const METHOD_NOT_ALLOWED = json(405, { error_code: 405, error_message: 'SECURITY: All requests that modify the database must be http POST, not GET.' });

const readBody = (req: http.IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

/** JSON in a form field; a malformed string is a PHP TypeError further down (recorded HTML page). */
function decodeField(raw: string | null): unknown {
  if (raw === null) return {};
  try {
    return JSON.parse(raw);
  } catch {
    throw new FatalError('array_diff_key(): Argument #2 must be of type array, null given');
  }
}

function callOne(deps: ServerDeps, ctx: CallContext, entity: string, action: string, params: unknown, index: unknown): { ok: boolean; body: Record<string, unknown>; status: number } {
  deps.stats.byAction[`${entity}.${action}`] = (deps.stats.byAction[`${entity}.${action}`] ?? 0) + 1;
  try {
    return { ok: true, status: 200, body: executeCall(ctx, entity, action, params, index) };
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    const wantDebug = Boolean(params && typeof params === 'object' && (params as Record<string, unknown>)['debug']);
    return { ok: false, status: err.status, body: errorEnvelope(err, ctx.principal, wantDebug, deps.random) };
  }
}

async function handle(deps: ServerDeps, req: http.IncomingMessage, fault: Fault | undefined): Promise<HttpReply> {
  const url = new URL(req.url ?? '/', 'http://sandbox');
  const path = url.pathname.replace(/\/+$/, '');
  if (!path.startsWith('/civicrm/')) return { status: 404, contentType: HTML_TYPE, body: 'Path not found' };
  const single = SINGLE_CALL.exec(path);
  if (!single && path !== '/civicrm/ajax/api4') return { status: 404, contentType: HTML_TYPE, body: 'Path not found' };
  const bodyText = await readBody(req);
  const auth = authenticate(req.headers, deps.keys, deps.siteKey);
  if (!auth.ok) return { status: auth.status, contentType: auth.contentType, body: auth.body };
  const principal: Principal = auth.principal;
  const ctx: CallContext = { store: deps.store, principal, now: deps.now, random: deps.random, defs: deps.defs, timezone: deps.timezone };
  // PHP reads $_GET and $_POST; a JSON body is never read (recorded: params becomes [])
  const form = new URLSearchParams(url.search);
  const isForm = String(req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded');
  if (isForm) for (const [k, v] of new URLSearchParams(bodyText)) form.set(k, v);
  try {
    if (!single) {
      if (req.method !== 'POST') return METHOD_NOT_ALLOWED;
      const calls = decodeField(form.get('calls'));
      const out: Record<string, unknown> = {};
      let anyOk = false;
      for (const [name, call] of Object.entries((calls ?? {}) as Record<string, unknown[]>)) {
        const [entity, action, params, index] = Array.isArray(call) ? call : [];
        const r = callOne(deps, ctx, String(entity), String(action), params ?? {}, index);
        anyOk ||= r.ok;
        out[name] = r.body;
      }
      return json(anyOk ? 200 : 500, out);
    }
    const [, entity, action] = single as unknown as [string, string, string];
    if (req.method !== 'POST' && !(req.method === 'GET' && (action.startsWith('get') || action === 'autocomplete'))) return METHOD_NOT_ALLOWED;
    const params = decodeField(form.get('params'));
    // A 500 fault comes from CiviCRM itself: after auth, with the envelope the caller's permissions allow.
    const dbFailure = (kind: FaultKind) => {
      deps.stats.faults[kind] += 1;
      return json(500, errorEnvelope(unknownDbError(), principal, false, deps.random));
    };
    if (fault?.kind === 'error500BeforeWrite') return dbFailure(fault.kind);
    const r = callOne(deps, ctx, entity, action, params, form.get('index') ?? undefined);
    return fault?.kind === 'error500AfterWrite' ? dbFailure(fault.kind) : json(r.status, r.body);
  } catch (err) {
    if (err instanceof FatalError) return fatalPage(err.message);
    return fatalPage(err instanceof Error ? err.message : String(err));
  }
}

export function startHttpServer(deps: ServerDeps, port: number): Promise<{ server: http.Server; url: string }> {
  let inFlight = 0;
  const server = http.createServer((req, res) => {
    deps.stats.requests++;
    inFlight += 1;
    deps.stats.maxInFlight = Math.max(deps.stats.maxInFlight, inFlight);
    res.once('close', () => (inFlight -= 1));
    const call = SINGLE_CALL.exec(new URL(req.url ?? '/', 'http://sandbox').pathname.replace(/\/+$/, ''));
    const fault = call && deps.faults ? deps.faults.next(`${call[1]}.${call[2]}`) : undefined;
    if (fault && answerTransportFault(fault, res)) {
      deps.stats.faults[fault.kind] += 1;
      req.resume();
      return;
    }
    handle(deps, req, fault)
      .then(async (reply) => {
        if (deps.latencyMs > 0) await new Promise((r) => setTimeout(r, deps.latencyMs));
        res.writeHead(reply.status, { 'Content-Type': reply.contentType });
        res.end(reply.body);
      })
      .catch((err: unknown) => {
        const page = fatalPage(err instanceof Error ? err.message : 'internal error');
        res.writeHead(page.status, { 'Content-Type': page.contentType });
        res.end(page.body);
      });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${bound}` });
    });
  });
}
