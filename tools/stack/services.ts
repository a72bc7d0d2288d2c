import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';

/**
 * Embedded defaults: a private PostgreSQL (postgres.ts) and a private redis-server child,
 * with data under the git-ignored state folder, so that `npm start` needs nothing but Node
 * and Debian's redis-server.
 */
export type Log = (msg: string, extra?: Record<string, unknown>, level?: 'info' | 'warn') => void;

export interface RunningService {
  url: string;
  stop(): Promise<void>;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** A port another program holds, with the setting that moves ours elsewhere. */
export class PortTakenError extends Error {
  constructor(
    readonly port: number,
    readonly what: string,
    readonly hint: string,
  ) {
    super(`port ${port} (${what}) is taken by another program: set ${hint}`);
  }
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

/**
 * The lowest port of the kernel's ephemeral range (ip_local_port_range). A port chosen for a
 * server inside that range can be taken by any outgoing connection's local end before the
 * server binds it (EADDRINUSE); below it, only listeners compete.
 */
export function ephemeralLow(): number {
  const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  return Number.isInteger(low) && low > 1024 ? low : 32768;
}

/** Whether a server could bind `port` on 127.0.0.1 now (a listener or a connection's local end holds it otherwise). */
export function canListen(port: number): Promise<boolean> {
  return new Promise((done) => {
    const s = createServer();
    s.once('error', () => done(false));
    s.listen(port, '127.0.0.1', () => s.close(() => done(true)));
  });
}

/** A kill -9 of the launcher leaves its redis-server running: stop it before taking the port again. */
async function stopLeftoverRedis(pidFile: string, log: Log): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  let comm = '';
  try {
    comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return;
  }
  if (!(pid > 0 && comm.startsWith('redis-server'))) return;
  log('stopping a redis-server left over from an earlier run', { pid });
  process.kill(pid, 'SIGTERM');
  await waitFor(() => !pidAlive(pid), 15000, 'the old redis-server to stop');
}

export async function startPrivateRedis(
  stateDir: string,
  port: number,
  log: Log,
  portHint = 'NETPIN_REDIS_PORT, or REDIS_URL for a server of your own',
): Promise<RunningService> {
  const dir = join(stateDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const pidFile = join(dir, 'redis.pid');
  await stopLeftoverRedis(pidFile, log);
  if (await portOpen(port)) throw new PortTakenError(port, 'the private Redis', portHint);
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--pidfile', pidFile];
  args.push('--appendonly', 'yes', '--save', '', '--daemonize', 'no', '--loglevel', 'warning');
  // own process group, like postgres: a Ctrl-C reaches the apps first, the launcher stops redis last
  const child: ChildProcess = spawn('redis-server', args, { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  child.stderr?.on('data', (d: Buffer) => log('redis', { message: d.toString().trim().slice(0, 500) }, 'warn'));
  let exited = false;
  child.once('exit', () => (exited = true));
  child.once('error', (e) => {
    exited = true;
    log('redis', { message: e.message });
  });
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
