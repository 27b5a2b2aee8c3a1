/** Shared plumbing of CLI commands: load config, make a logger, turn errors into exit codes. */
import { configError, loadConfig, type LoadedConfig } from '../config/load.js';
import { BridgeError, describeError } from '../core/errors.js';
import { createLogger, makeRedactor, type Logger } from '../core/logger.js';

/** Exit codes: 0 all written or deliberately skipped; 1 failed; 2 bad configuration or mapping; 3 done, with records that need attention. */
export const EXIT = { ok: 0, failed: 1, usage: 2, attention: 3 } as const;

export interface CommonOptions {
  config: string;
  logLevel?: string;
}

export async function withConfig<T>(opts: CommonOptions, fn: (loaded: LoadedConfig, logger: Logger) => Promise<T>): Promise<T> {
  const loaded = await loadConfig(opts.config);
  const logger = createLogger({
    level: opts.logLevel ?? loaded.config.logging.level,
    format: loaded.config.logging.format,
    secrets: loaded.secrets,
  });
  try {
    return await fn(loaded, logger);
  } catch (err) {
    // Redact once more: an error may quote a URL or header that carried a secret.
    throw redactError(err, loaded.secrets);
  }
}

/** The source ids a command was asked for (`--source`), each checked against the configuration; none asked: all. */
export function selectSources(loaded: LoadedConfig, wanted: readonly string[] = []): string[] {
  const known = loaded.config.sources.map((s) => s.id);
  for (const id of wanted) {
    if (!known.includes(id)) throw configError(loaded, ['sources'], `no source with id "${id}" (from --source); expected one of ${known.join(', ')}`);
  }
  return wanted.length > 0 ? [...wanted] : known;
}

function redactError(err: unknown, secrets: string[]): unknown {
  if (!(err instanceof Error)) return err;
  const redact = makeRedactor(secrets);
  err.message = redact(err.message);
  return err;
}

/** Print an error the way users should see it and pick the exit code. */
export function reportFatal(err: unknown): number {
  if (err instanceof BridgeError && (err.code === 'CONFIG_INVALID' || err.code === 'MAPPING_INVALID')) {
    process.stderr.write(`error: ${err.message}\n`);
    return EXIT.usage;
  }
  process.stderr.write(`error: ${describeError(err)}\n`);
  return EXIT.failed;
}
