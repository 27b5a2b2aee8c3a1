/**
 * The real `patron-bridge` command in child processes, as library IT staff run it: built from the
 * sources when dist/ is older than them, run with a config file, output captured.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Config } from '../../src/config/schema.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'patron-bridge.js');
const MAIN = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** Compiles dist/ when a source is newer than it (npm ci builds it; an edit since then would not be in it). */
export function ensureBuilt(): void {
  const built = (() => {
    try {
      return statSync(MAIN).mtimeMs;
    } catch {
      return 0;
    }
  })();
  const newest = Math.max(...['src', 'connectors', 'queues'].map((d) => newestSource(path.join(ROOT, d))));
  if (built < newest) execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
}

export interface CliRun {
  child: ChildProcess;
  /** Everything written so far to stdout and stderr. */
  output(): string;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

export function spawnCli(args: string[], env: Record<string, string> = {}): CliRun {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, NODE_OPTIONS: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, output: () => stdout + stderr, done };
}

/** Runs the command to its end; a run that outlives `timeoutMs` is killed and reported as a hang. */
export async function runCli(args: string[], opts: { env?: Record<string, string>; timeoutMs?: number } = {}) {
  const run = spawnCli(args, opts.env);
  let hung = false;
  const timer = setTimeout(() => {
    hung = true;
    run.child.kill('SIGKILL');
  }, opts.timeoutMs ?? 30_000);
  const result = await run.done;
  clearTimeout(timer);
  return { ...result, hung, output: result.stdout + result.stderr };
}

/** A configuration file for the command (JSON is YAML). */
export async function writeConfig(file: string, config: Config | Record<string, unknown>): Promise<string> {
  await writeFile(file, JSON.stringify(config, null, 2));
  return file;
}
