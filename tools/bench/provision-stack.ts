/**
 * The throwaway stack of the provisioning benchmark: a fresh PostgreSQL database, a unique
 * Redis prefix, a hostsim fleet, the agent and the API, each undone by `stop()`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { GqlError, type FleetHostEntry } from '@netpin/client';
import type { FleetEntry } from '@netpin/hostsim';
import { canListen, ephemeralLow } from '../stack/services';

export const root = resolve(__dirname, '../..');
export type Log = (msg: string) => void;
export type Mode = 'child' | 'inproc';

export interface StackOptions {
  hosts: number;
  profiles: string[];
  agent: Mode;
  api: Mode;
  logLevel: string;
  /** NETPIN_PLACEMENT_STRATEGY of the API. */
  strategy: 'PACK' | 'SPREAD';
  /** Write V8 CPU profiles of the API, agent and hostsim children into this folder. */
  profileDir?: string;
  /** Extra environment of the agent and of the API (e.g. NETPIN_AGENT_METRICS_PORT). */
  agentEnv?: Record<string, string>;
  apiEnv?: Record<string, string>;
  log: Log;
}

export interface Stack {
  url: string;
  /** The run's own database (dropped by `stop()`). */
  databaseUrl: string;
  /** Bootstrap admin token the API was started with. */
  token: string;
  entries: FleetHostEntry[];
  /** The hostsim hosts as hostsim described them (address, port, user, client key path). */
  sim: FleetEntry[];
  /** Child processes by role, for CPU accounting. */
  pids: Record<string, number>;
  /** The last lines each child wrote (diagnostics after a failure). */
  tails(): string;
  stop(): Promise<void>;
}

export const adminUrl = process.env.NETPIN_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const redisUrl = process.env.NETPIN_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function admin(sql: string): Promise<void> {
  const c = new Client({ connectionString: adminUrl });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** A new database `dbName` with every migration applied, dropped by `undo`; its URL. */
export async function migratedDatabase(dbName: string, undo: (() => Promise<void>)[]): Promise<string> {
  await admin(`CREATE DATABASE "${dbName}"`);
  undo.push(() => admin(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`));
  const u = new URL(adminUrl);
  u.pathname = `/${dbName}`;
  const databaseUrl = u.toString();
  migrateDeploy(databaseUrl);
  return databaseUrl;
}

/** Every migration applied to the (new) database at `databaseUrl`, as `npm start` does. */
export function migrateDeploy(databaseUrl: string): void {
  const m = spawnSync(process.execPath, [resolve(root, 'tools/prisma.cjs'), 'migrate', 'deploy'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    encoding: 'utf8',
    timeout: 180_000,
  });
  if (m.status !== 0) throw new Error(`migrate deploy failed:\n${m.stdout}\n${m.stderr}`);
}

/**
 * A free port for a child to listen on, taken below the kernel's ephemeral range: hostsim's
 * hosts and every outgoing connection get ports from that range, and one of them could take a
 * port chosen there before the child binds it (seen with 1,000 hosts: EADDRINUSE).
 */
export async function freePort(): Promise<number> {
  const top = Math.max(2000, Math.min(ephemeralLow(), 32768));
  for (let tries = 0; tries < 200; tries++) {
    const port = 1024 + Math.floor(Math.random() * (top - 1024));
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port below ${top}`);
}

interface Child {
  role: string;
  proc: ChildProcess;
  tail: string[];
}

/**
 * Start everything; whatever was started before a failure is stopped again before the
 * error propagates, and `stop()` is safe to call at any point (also from a signal handler).
 */
export async function startStack(o: StackOptions): Promise<Stack> {
  const id = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const dbName = `netpin_bench_${id}`;
  const prefix = `npbench-${id.replace('_', '-')}`;
  const stateDir = mkdtempSync(join(tmpdir(), 'netpin-bench-'));
  const children: Child[] = [];
  const undo: (() => Promise<void>)[] = [];
  let stopped = false;
  let expectExit = false;

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    expectExit = true;
    for (const u of undo.reverse()) await u().catch((e: unknown) => o.log(`cleanup step failed: ${String(e)}`));
  };

  function runNode(role: string, script: string, args: string[], env: NodeJS.ProcessEnv, nodeArgs: string[] = []): Child {
    const proc = spawn(process.execPath, [...nodeArgs, '-r', '@swc-node/register', resolve(root, script), ...args], {
      cwd: root,
      env: { ...process.env, SWC_NODE_PROJECT: resolve(root, 'tsconfig.json'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const c: Child = { role, proc, tail: [] };
    const keep = (d: Buffer) => {
      c.tail.push(...d.toString().split('\n').filter(Boolean));
      if (c.tail.length > 40) c.tail.splice(0, c.tail.length - 40);
    };
    // drain both pipes: an unread pipe would block the child once its buffer is full
    proc.stderr?.on('data', keep);
    proc.stdout?.on('data', keep);
    proc.once('exit', (code, signal) => {
      if (!expectExit) o.log(`${role} exited unexpectedly (code ${code}, signal ${signal}); last output:\n  ${c.tail.join('\n  ')}`);
    });
    children.push(c);
    undo.push(() => stopChild(c));
    return c;
  }

  const profArgs = (role: string): string[] => (o.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(o.profileDir, role)}`] : []);
  try {
    // database
    const databaseUrl = await migratedDatabase(dbName, undo);
    o.log(`database ${dbName} migrated`);
    // every statement of the run with its parse/bind/execute times in PostgreSQL's log (its
    // database's sessions only): which statements a run makes, and what each costs
    if (process.env.NETPIN_BENCH_PG_LOG) await admin(`ALTER DATABASE "${dbName}" SET log_min_duration_statement = 0`);

    // redis keys under the run's prefix are deleted at the end
    undo.push(() => deleteKeys(prefix));
    undo.push(async () => rmSync(stateDir, { recursive: true, force: true }));

    // hostsim fleet (child: its SSH servers must not share the driver's event loop)
    const sim = runNode(
      'hostsim',
      'apps/hostsim/src/main.ts',
      ['fleet', '--hosts', String(o.hosts), '--profile', o.profiles.join(','), '--state-dir', stateDir, '--json'],
      {},
      profArgs('hostsim'),
    );
    const simEntries = await readJson<FleetEntry[]>(sim, 120_000);
    const entries = simEntries.map((e) => ({
      name: e.hostname,
      address: e.address,
      port: e.port,
      user: e.user,
      fingerprint: e.hostKeyFingerprint,
      credentialRef: `file:${basename(e.clientKeyPath)}`,
    }));
    o.log(`hostsim: ${entries.length} hosts up`);

    const common = { REDIS_URL: redisUrl, NETPIN_QUEUE_PREFIX: prefix, LOG_LEVEL: o.logLevel };
    const agentEnv = { ...common, NETPIN_AGENT_KEY_DIR: stateDir, ...o.agentEnv };
    if (o.agent === 'child') {
      runNode('agent', 'apps/agent/src/main.ts', [], agentEnv, profArgs('agent'));
    } else {
      // Benchmarks run the real agent and API; apps have no import alias (dynamic: child mode never loads them).
      const { createAgent } = await import('../../apps/agent/src/agent');
      const { loadConfig } = await import('../../apps/agent/src/config');
      const agent = createAgent(loadConfig(agentEnv, 'bench-agent'));
      await agent.start();
      undo.push(() => agent.close());
    }

    const port = await freePort();
    const token = randomBytes(24).toString('hex');
    const apiEnv = {
      ...common,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      NETPIN_BOOTSTRAP_ADMIN_TOKEN: token,
      NETPIN_PLACEMENT_STRATEGY: o.strategy,
      ...o.apiEnv,
    };
    if (o.api === 'child') {
      runNode('api', 'apps/api/src/main.ts', [], apiEnv, profArgs('api'));
    } else {
      await import('reflect-metadata');
      const { buildApp } = await import('../../apps/api/src/bootstrap');
      const { loadApiConfig } = await import('../../apps/api/src/config');
      const { app } = await buildApp({ config: loadApiConfig({ ...process.env, ...apiEnv }), schemaFile: false });
      await app.listen(port, '127.0.0.1');
      undo.push(() => app.close());
    }
    const url = `http://127.0.0.1:${port}`;
    await waitReady(url, 120_000, () => children.find((c) => c.role === 'api' && c.proc.exitCode !== null));
    o.log(`api ready at ${url} (api ${o.api}, agent ${o.agent})`);

    const pids: Record<string, number> = {};
    for (const c of children) if (c.proc.pid) pids[c.role] = c.proc.pid;
    const tails = () => children.map((c) => `--- ${c.role}:\n  ${c.tail.join('\n  ')}`).join('\n');
    return { url, databaseUrl, token, entries, sim: simEntries, pids, tails, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

function stopChild(c: Child): Promise<void> {
  return new Promise<void>((done) => {
    const p = c.proc;
    if (p.exitCode !== null || p.signalCode !== null) return done();
    const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
    p.once('exit', () => {
      clearTimeout(t);
      done();
    });
    p.kill('SIGTERM');
  });
}

function readJson<T>(c: Child, timeoutMs: number): Promise<T> {
  let out = '';
  return new Promise<T>((ok, fail) => {
    const t = setTimeout(() => fail(new Error(`${c.role} did not report within ${timeoutMs} ms`)), timeoutMs);
    c.proc.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      try {
        const parsed = JSON.parse(out) as T;
        clearTimeout(t);
        ok(parsed);
      } catch {
        // not complete yet
      }
    });
    c.proc.once('exit', () => {
      clearTimeout(t);
      fail(new Error(`${c.role} exited before reporting: ${c.tail.join(' | ')}`));
    });
  });
}

export async function waitReady(url: string, timeoutMs: number, dead: () => unknown): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (
    !(await fetch(`${url}/readyz`)
      .then((r) => r.ok)
      .catch(() => false))
  ) {
    if (dead()) throw new Error('the API exited during start-up');
    if (Date.now() > until) throw new Error(`the API was not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function deleteKeys(prefix: string): Promise<void> {
  const r = new Redis(redisUrl, { maxRetriesPerRequest: 2, lazyConnect: true });
  try {
    await r.connect();
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of stat; index 11 and 12 after the comm field
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Busy and total CPU seconds of the whole machine (all cores) so far. */
export function machineCpu(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  const idle = v[3] + (v[4] ?? 0);
  return { busy: (total - idle) / 100, total: total / 100 };
}

/**
 * Runs a benchmark's main: a failure is logged with the API's GraphQL errors and the last
 * output of the child processes, and the stack is cleaned up before the process exits.
 */
export function runBench(main: () => Promise<void>, o: { log: Log; tails: () => string | undefined; cleanup: () => Promise<void> }): void {
  main()
    .catch((e: unknown) => {
      o.log(`failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      if (e instanceof GqlError) o.log(`errors: ${JSON.stringify(e.errors).slice(0, 2000)}`);
      const tails = o.tails();
      if (tails) o.log(`last output of the child processes:\n${tails}`);
      process.exitCode = 1;
    })
    .finally(() =>
      o.cleanup().then(
        () => process.exit(),
        () => process.exit(1),
      ),
    );
}
