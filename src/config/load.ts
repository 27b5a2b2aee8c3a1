/**
 * Loads the configuration file: YAML → ${ENV_VAR} interpolation → zod validation.
 * A bad file stops the program with the file, the path inside it (and line) and what was expected.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { z } from 'zod';
import { BridgeError } from '../core/errors.js';
import { configSchema, type Config } from './schema.js';

export const DEFAULT_CONFIG_PATH = 'config/patron-bridge.yaml';

export interface LoadedConfig {
  config: Config;
  /** Absolute path of the file, for resolving mapping paths. */
  file: string;
  /** Every secret value in the config, for log redaction. */
  secrets: string[];
}

type Env = Record<string, string | undefined>;

export async function loadConfig(file: string, env: Env = process.env): Promise<LoadedConfig> {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (err) {
    throw new BridgeError('CONFIG_INVALID', `${file}: cannot read the configuration file (${(err as NodeJS.ErrnoException).code ?? 'error'})`, {
      context: { system: 'config', file },
    });
  }
  return parseConfig(text, abs, env);
}

export function parseConfig(text: string, file: string, env: Env = {}): LoadedConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: true, lineCounter });
  const where = (p: readonly PropertyKey[]) => lineOf(doc, lineCounter, p);
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0]?.line;
    throw new BridgeError('CONFIG_INVALID', `${file}${line ? `:${line}` : ''}: YAML syntax error: ${e.message.split('\n')[0]}`, {
      context: { system: 'config', file },
    });
  }
  const raw = interpolate(doc.toJS() ?? {}, env, [], file, where);
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.slice(0, 10).map((i) => `  - ${formatPath(i.path)}${where(i.path)}: ${i.message}`);
    throw new BridgeError('CONFIG_INVALID', `${file}: invalid configuration\n${lines.join('\n')}`, {
      context: { system: 'config', file, path: formatPath(parsed.error.issues[0]?.path ?? []) },
    });
  }
  return { config: parsed.data, file, secrets: collectSecrets(configSchema, parsed.data) };
}

/** Replace ${NAME} (or ${NAME:-default}) in every string; a missing variable is an error naming the path and the variable. */
type Where = (p: readonly PropertyKey[]) => string;

function interpolate(value: unknown, env: Env, at: PropertyKey[], file: string, where: Where): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, fallback: string | undefined) => {
      const v = env[name] ?? fallback;
      if (v === undefined) {
        throw new BridgeError('CONFIG_INVALID', `${file}: ${formatPath(at)}${where(at)}: environment variable ${name} is not set`, {
          context: { system: 'config', file, path: formatPath(at) },
        });
      }
      return v;
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, [...at, i], file, where));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env, [...at, k], file, where)]));
  }
  return value;
}

export function formatPath(p: readonly PropertyKey[]): string {
  if (p.length === 0) return '(top level)';
  return p.map((k, i) => (typeof k === 'number' ? `[${k}]` : `${i ? '.' : ''}${String(k)}`)).join('');
}

/** " (line N)" for the deepest existing node on the path, or "". */
export function lineOf(doc: Document, lines: LineCounter, p: readonly PropertyKey[]): string {
  let node: unknown = doc.contents;
  let found: YamlNode | undefined;
  for (const key of p) {
    if (isMap(node)) node = node.get(key as string, true);
    else if (isSeq(node)) node = node.get(key as number, true);
    else break;
    if (node && (isMap(node) || isSeq(node) || isScalar(node))) found = node as YamlNode;
  }
  const target = found ?? (doc.contents as YamlNode | null);
  const offset = target?.range?.[0];
  return offset === undefined ? '' : ` (line ${lines.linePos(offset).line})`;
}

/** Walk the schema next to the value and collect strings whose schema carries `meta({ secret: true })`. */
export function collectSecrets(schema: z.ZodType, value: unknown): string[] {
  const out: string[] = [];
  const walk = (s: z.ZodType, v: unknown): void => {
    if (v === undefined || v === null) return;
    if (z.globalRegistry.get(s)?.secret === true && typeof v === 'string') out.push(v);
    const def = (s as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
    switch (def.type) {
      case 'object':
        for (const [k, sub] of Object.entries(def.shape as Record<string, z.ZodType>)) walk(sub, (v as Record<string, unknown>)[k]);
        break;
      case 'array':
        if (Array.isArray(v)) for (const item of v) walk(def.element as z.ZodType, item);
        break;
      case 'optional': case 'default': case 'nullable': case 'prefault':
        walk(def.innerType as z.ZodType, v);
        break;
      case 'pipe':
        walk(def.in as z.ZodType, v);
        break;
      case 'union':
        for (const o of def.options as z.ZodType[]) walk(o, v);
        break;
    }
  };
  walk(schema, value);
  if (typeof value === 'object' && value) {
    const url = (value as { redis?: { url?: string } }).redis?.url;
    const pw = url ? safeUrlPassword(url) : undefined;
    if (pw) out.push(pw);
  }
  return [...new Set(out)];
}

function safeUrlPassword(url: string): string | undefined {
  try {
    const p = new URL(url).password;
    return p ? decodeURIComponent(p) : undefined;
  } catch {
    return undefined;
  }
}
