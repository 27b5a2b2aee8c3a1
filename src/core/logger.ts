/**
 * Logging port and a winston implementation that redacts secrets from every line.
 * Library code receives a Logger; only the composition root creates one.
 */
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
  const line =
    opts.format === 'json'
      ? winston.format.json()
      : winston.format.printf(({ level, message, timestamp, ...meta }) => {
          const rest = Object.keys(meta).length ? ` ${JSON.stringify(meta)}` : '';
          return `${String(timestamp)} ${level} ${String(message)}${rest}`;
        });
  return winston.createLogger({
    level: opts.level ?? 'info',
    silent: opts.silent ?? false,
    format: winston.format.combine(redactFormat(), winston.format.timestamp(), line),
    transports: [new winston.transports.Stream({ stream: opts.stream ?? process.stderr })],
  });
}

/** A logger that drops everything (tests, quiet commands). */
export const nullLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
