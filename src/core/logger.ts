/**
 * Logging port and a winston implementation that redacts secrets from every line and adds the
 * context of the job in hand (run, source, stream, job id) to every line logged while it runs.
 * Library code receives a Logger; only the composition root creates one.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import winston from 'winston';

export interface Logger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

/** Replace every occurrence of each secret (and its URL/base64 encodings) with "***". */
export function makeRedactor(secrets: Iterable<string>): (text: string) => string {
  const needles = new Set<string>();
  for (const s of secrets) {
    if (!s || s.length < 4) continue;
    needles.add(s);
    needles.add(encodeURIComponent(s));
    needles.add(Buffer.from(s).toString('base64'));
  }
  const list = [...needles].sort((a, b) => b.length - a.length);
  return (text: string) => {
    let out = text;
    for (const n of list) if (out.includes(n)) out = out.split(n).join('***');
    return out;
  };
}

/** Ids of the job in hand; never personal data. */
export interface LogContext {
  runId?: string;
  sourceId?: string;
  stream?: string;
  jobId?: string;
}

const contextStore = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with `ctx` added to every line logged inside it (its awaits and callbacks too). */
export function withLogContext<T>(ctx: LogContext, fn: () => T): T {
  return contextStore.run({ ...contextStore.getStore(), ...ctx }, fn);
}

/** `[run=… source/stream job=…]`: the context of a text line, compactly. */
export function formatContext(ctx: LogContext): string {
  const parts: string[] = [];
  if (ctx.runId) parts.push(`run=${ctx.runId}`);
  if (ctx.sourceId) parts.push(ctx.stream ? `${ctx.sourceId}/${ctx.stream}` : ctx.sourceId);
  else if (ctx.stream) parts.push(ctx.stream);
  if (ctx.jobId) parts.push(`job=${ctx.jobId}`);
  return parts.length ? `[${parts.join(' ')}]` : '';
}

const CONTEXT_KEYS = ['runId', 'sourceId', 'stream', 'jobId'] as const;

export interface LoggerOptions {
  level?: string;
  format?: 'text' | 'json';
  secrets?: Iterable<string>;
  /** Write to stderr (default) so stdout stays for reports and --json output. */
  stream?: NodeJS.WritableStream;
  silent?: boolean;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const redact = makeRedactor(opts.secrets ?? []);
  const redactFormat = winston.format((info) => {
    const safe = JSON.parse(redact(JSON.stringify(info))) as typeof info;
    return Object.assign(info, safe);
  });
  // The job's context fills in what a line does not say itself.
  const contextFormat = winston.format((info) => {
    const ctx = contextStore.getStore();
    if (ctx) for (const k of CONTEXT_KEYS) if (ctx[k] !== undefined && info[k] === undefined) info[k] = ctx[k];
    return info;
  });
  const line =
    opts.format === 'json'
      ? winston.format.json()
      : winston.format.printf(({ level, message, timestamp, ...meta }) => {
          const ctx: LogContext = {};
          for (const k of CONTEXT_KEYS) {
            const v = meta[k];
            if (typeof v !== 'string') continue;
            ctx[k] = v;
            delete meta[k];
          }
          const shown = formatContext(ctx);
          const rest = Object.keys(meta).length ? ` ${JSON.stringify(meta)}` : '';
          return `${String(timestamp)} ${level} ${String(message)}${shown ? ` ${shown}` : ''}${rest}`;
        });
  return winston.createLogger({
    level: opts.level ?? 'info',
    silent: opts.silent ?? false,
    format: winston.format.combine(contextFormat(), redactFormat(), winston.format.timestamp(), line),
    transports: [new winston.transports.Stream({ stream: opts.stream ?? process.stderr })],
  });
}

/** A logger that drops everything (tests, quiet commands). */
export const nullLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
