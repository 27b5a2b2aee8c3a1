/**
 * A redis-server of the test's own on a free loopback port, for tests that stop, restart or lock
 * it (the shared one on 6379 is never touched). No automatic snapshots: data survives a restart
 * only through `restart({ keepData: true })` (SHUTDOWN SAVE, then loading dump.rdb again).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './ports.js';

export interface PrivateRedis {
  port: number;
  /** redis://[:password@]127.0.0.1:port */
  url: string;
  /** A client for the test's own checks (reconnects across restarts). */
  client: Redis;
  /** Stop the server (saving its data first when `keepData`; else dropping dump.rdb) and start it again. */
  restart(opts: { keepData: boolean }): Promise<void>;
  stop(): Promise<void>;
}


async function until(what: () => Promise<boolean>, timeoutMs: number, why: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await what().catch(() => false))) {
    if (Date.now() > end) throw new Error(why);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function startPrivateRedis(opts: { password?: string } = {}): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pb-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--dbfilename', 'dump.rdb'];
  if (opts.password) args.push('--requirepass', opts.password);
  const auth = opts.password ? `:${encodeURIComponent(opts.password)}@` : '';
  const url = `redis://${auth}127.0.0.1:${port}`;
  let server: ChildProcess;
  let exited: Promise<void>;

  async function start(): Promise<void> {
    server = spawn('redis-server', args, { stdio: 'ignore' });
    exited = new Promise((resolve) => server.once('exit', () => resolve()));
    const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    probe.on('error', () => {});
    try {
      await until(async () => {
        if (probe.status !== 'ready') await probe.connect();
        return (await probe.ping()) === 'PONG';
      }, 10_000, `redis-server on port ${port} did not start`);
    } finally {
      probe.disconnect();
    }
  }

  await start();
  const client = new Redis(url, { retryStrategy: () => 100, maxRetriesPerRequest: 1 });
  client.on('error', () => {});
  return {
    port,
    url,
    client,
    async restart({ keepData }) {
      // SHUTDOWN closes the connection without a reply: the command "fails" once the server is gone.
      await client.call('SHUTDOWN', keepData ? 'SAVE' : 'NOSAVE').catch(() => {});
      await exited;
      if (!keepData) await rm(path.join(dir, 'dump.rdb'), { force: true });
      await start();
    },
    async stop() {
      client.disconnect();
      server.kill('SIGKILL');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
