/**
 * Loads the configuration file: YAML → ${ENV_VAR} interpolation → zod validation.
 * A bad file stops the program with the file, the path inside it (and line) and what was expected.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { BridgeError } from '../core/errors.js';
import { fileError, readFailure, type FilePath, type FileProblem, type LineOf } from '../core/file-problems.js';
import { parseYamlSource } from '../core/yaml-source.js';
import { fromZodIssues } from '../core/zod-problems.js';
import { configSchema, type Config } from './schema.js';

export const DEFAULT_CONFIG_PATH = 'config/patron-bridge.yaml';

export interface LoadedConfig {
  config: Config;
  /** Absolute path of the file, for resolving mapping paths. */
  file: string;
  /** Every secret value in the config, for log redaction. */
  secrets: string[];
  /** Line of a path inside the file (unknown for a configuration built in memory). */
  lineOf?: LineOf;
}

type Env = Record<string, string | undefined>;

export async function loadConfig(file: string, env: Env = process.env): Promise<LoadedConfig> {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (err) {
    throw new BridgeError('CONFIG_INVALID', `${file}: cannot read the configuration file: ${readFailure(err)}`, {
      context: { system: 'config', file },
    });
  }
  return parseConfig(text, abs, env);
}

export function parseConfig(text: string, file: string, env: Env = {}): LoadedConfig {
  const { value, lineOf } = parseYamlSource(text, file, 'CONFIG_INVALID');
  const unset: FileProblem[] = [];
  const raw = interpolate(value ?? {}, env, [], unset);
  if (unset.length > 0) throw fileError('CONFIG_INVALID', file, unset, lineOf);
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw fileError('CONFIG_INVALID', file, fromZodIssues(configSchema, parsed.error.issues, raw), lineOf);
  return { config: parsed.data, file, secrets: collectSecrets(configSchema, parsed.data), lineOf };
}

/** A problem at a place in a loaded configuration that only shows later (a missing mapping file, an unknown --source). */
export function configError(loaded: LoadedConfig, at: FilePath, message: string): BridgeError {
  return fileError('CONFIG_INVALID', loaded.file, [{ path: at, message }], loaded.lineOf);
}

/** Replace ${NAME} (or ${NAME:-default}) in every string; a missing variable is a problem at its path. */
function interpolate(value: unknown, env: Env, at: (string | number)[], unset: FileProblem[]): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, fallback: string | undefined) => {
      const v = env[name] ?? fallback;
      if (v === undefined) unset.push({ path: at, message: `environment variable ${name} is not set; set it, or give a default: \${${name}:-…}` });
      return v ?? '';
    });
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolate(v, env, [...at, i], unset));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env, [...at, k], unset)]));
  }
  return value;
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
