/**
 * Seeded fault injection: the outages a real CiviCRM behind a web server gives (503s, 429s with
 * Retry-After, requests that hang or lose their socket, and 500 "DB Error: unknown error" before or
 * after the call was applied). One draw per API call, so a seed gives the same faults for the same calls.
 */
import type { ServerResponse } from 'node:http';
import { createRng } from '../generator/prng.js';
import { ApiError } from './api-error.js';

export const FAULT_KINDS = ['http503', 'http429', 'timeout', 'error500BeforeWrite', 'error500AfterWrite'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface CiviFaultOptions {
  seed: number;
  /** Share of calls (0..1) that get each fault; together at most 1. */
  rates: Partial<Record<FaultKind, number>>;
  /** Calls (single-call endpoint) that may get a fault, as "Entity.action", or a predicate on that name. Default: every call, metadata included. */
  actions?: readonly string[] | ((call: string) => boolean);
  /** How long a `timeout` holds the request before destroying its socket (half of them reset it at once). Default 2000 ms. */
  holdMs?: number;
}

export type Fault =
  | { kind: 'http503' }
  | { kind: 'http429'; retryAfterSeconds: 0 | 1 }
  | { kind: 'timeout'; holdMs: number }
  | { kind: 'error500BeforeWrite' }
  | { kind: 'error500AfterWrite' };

export interface FaultPlan {
  /** The fault for the next call to `call` ("Entity.action"), if any. */
  next(call: string): Fault | undefined;
}

export function createFaultPlan(opts: CiviFaultOptions): FaultPlan {
  const rates = FAULT_KINDS.map((kind) => [kind, opts.rates[kind] ?? 0] as const);
  const total = rates.reduce((sum, [, r]) => sum + r, 0);
  if (rates.some(([, r]) => !(r >= 0)) || total > 1) throw new Error('fault rates must be between 0 and 1 and add up to at most 1');
  const rng = createRng(opts.seed);
  const holdMs = opts.holdMs ?? 2000;
  const actions = opts.actions;
  const applies = actions === undefined ? () => true : typeof actions === 'function' ? actions : (call: string) => actions.includes(call);
  return {
    next(call) {
      if (!applies(call)) return undefined;
      let r = rng.next();
      const kind = rates.find(([, rate]) => (r -= rate) < 0)?.[0];
      switch (kind) {
        case undefined: return undefined;
        case 'http429': return { kind, retryAfterSeconds: rng.chance(0.5) ? 1 : 0 };
        case 'timeout': return { kind, holdMs: rng.chance(0.5) ? holdMs : 0 };
        default: return { kind };
      }
    },
  };
}

/** The generic PEAR DB failure real CiviCRM reports for lost connections and lock errors (HTTP 500 envelope). */
export const unknownDbError = (): ApiError => new ApiError('DB Error: unknown error');

const PROXY_PAGE = (status: string) => `<html><head><title>${status}</title></head><body><h1>${status}</h1></body></html>\n`;

/**
 * Answers a fault the web server gives before CiviCRM runs (503, 429, a hung or reset connection).
 * Returns false for the 500 faults, which CiviCRM itself gives (see server.ts).
 */
export function answerTransportFault(fault: Fault, res: ServerResponse): boolean {
  switch (fault.kind) {
    case 'http503':
      res.writeHead(503, { 'Content-Type': 'text/html' }).end(PROXY_PAGE('503 Service Unavailable'));
      return true;
    case 'http429':
      res.writeHead(429, { 'Content-Type': 'text/html', 'Retry-After': String(fault.retryAfterSeconds) }).end(PROXY_PAGE('429 Too Many Requests'));
      return true;
    case 'timeout': {
      // Never answered and never applied: the client gives up, or sees its connection reset.
      const socket = res.socket;
      if (!socket || fault.holdMs === 0) {
        socket?.destroy();
        return true;
      }
      const timer = setTimeout(() => socket.destroy(), fault.holdMs);
      timer.unref();
      socket.once('close', () => clearTimeout(timer));
      return true;
    }
    default:
      return false;
  }
}
