/**
 * What child-process tests of the CLI share: sandboxes with the CRM's custom fields in place, a
 * configuration file for them, kept run reports read through the CLI, and the CRM's contacts.
 */
import type { Redis } from 'ioredis';
import { bootstrapCrm, createCiviClient } from '../../connectors/civicrm/index.js';
import { crmNeedsOf } from '../../src/cli/crm-setup.js';
import { patronsOnlyMapping } from './patrons-only.js';
import type { Config } from '../../src/config/schema.js';
import { bundledMapping } from '../../src/core/paths.js';
import { nullLogger } from '../../src/core/logger.js';
import { loadMapping } from '../../src/mapping/index.js';
import { startSandboxes, type SandboxEnvironment } from '../../src/sandbox/environment.js';
import { sandboxConfig, type SandboxConfigOptions } from '../../src/sandbox/sandbox-config.js';
import type { RunReport } from '../../src/state/ports.js';
import { runCli, writeConfig, type CliRun } from './cli-process.js';

/** Sandboxes (see startSandboxes) whose CRM has what the bundled mapping needs (custom fields, the loan activity type, the Library system contact). */
export async function startBootstrapped(opts: Parameters<typeof startSandboxes>[0]): Promise<SandboxEnvironment> {
  const env = await startSandboxes(opts);
  const crm = sandboxConfig(env, { redisUrl: 'redis://127.0.0.1', prefix: 'unused' }).config.crm;
  const admin = createCiviClient({ ...crm, api_key: env.civi.keys.admin }, { logger: nullLogger });
  await bootstrapCrm(admin, crmNeedsOf([await loadMapping(bundledMapping(), 'koha')], {}));
  return env;
}

/** A configuration file for the sandboxes (patrons only unless `mapping` says otherwise); `sync` and `logging` override the sandbox defaults. */
export async function configFile(
  file: string,
  env: SandboxEnvironment,
  opts: SandboxConfigOptions & { sync?: Partial<Config['sync']>; logging?: Partial<Config['logging']> },
): Promise<string> {
  const { config } = sandboxConfig(env, { mapping: patronsOnlyMapping(), ...opts });
  return writeConfig(file, { ...config, sync: { ...config.sync, ...opts.sync }, logging: { ...config.logging, ...opts.logging } });
}

/** The last runs kept, newest first, as `report --last 10 --json` gives them. */
export async function keptRuns(file: string): Promise<RunReport[]> {
  const r = await runCli(['report', '--last', '10', '--json', '--config', file]);
  if (r.code !== 0) throw new Error(`report failed: ${r.output}`);
  return JSON.parse(r.stdout) as RunReport[];
}

/** How many CRM contacts carry each Koha external id. */
export function contactsByExternalId(env: SandboxEnvironment): Map<string, number> {
  const count = new Map<string, number>();
  for (const c of env.civi.rows('Contact')) {
    const ext = String(c.external_identifier ?? '');
    if (ext.startsWith('koha:')) count.set(ext, (count.get(ext) ?? 0) + 1);
  }
  return count;
}

/** Pages committed so far by the (one) run under `prefix`, read from Redis directly. */
export async function committedPages(redis: Redis, prefix: string): Promise<number> {
  const keys = await redis.keys(`${prefix}:state:run:*:pages:koha`);
  return keys.length ? redis.hlen(keys[0]!) : 0;
}

/** Waits for a spawned command to end; one still running after `timeoutMs` is killed and reported as hung. */
export async function endWithin(run: CliRun, timeoutMs: number) {
  let hung = false;
  const timer = setTimeout(() => {
    hung = true;
    run.child.kill('SIGKILL');
  }, timeoutMs);
  const result = await run.done;
  clearTimeout(timer);
  return { ...result, hung, output: result.stdout + result.stderr };
}

export async function until(what: () => Promise<boolean> | boolean, timeoutMs: number, why = 'condition not reached in time'): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await what())) {
    if (Date.now() > end) throw new Error(why);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Raw error objects (stack frames, ioredis/Node error fields) have no place in what users see. */
export const RAW_ERROR = /^\s+at |^\s*(errno|syscall|command|args): |\[ioredis\]|Error: connect /m;
