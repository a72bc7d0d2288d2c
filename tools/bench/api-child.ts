/**
 * The API as a child process for benchmarks (bench:api, bench:cli): a fresh database with
 * migrations and seeded hosts, the API started on it with its output going to a file (as to
 * journald in production), GraphQL calls and an API token made through the API.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from 'pg';
import { deleteKeys, freePort, migratedDatabase, redisUrl, root, waitReady } from './provision-stack';

export type Undo = (() => Promise<void>)[];

export interface Child {
  proc: ChildProcess;
  logFile: string;
}

/** A child whose output goes to a file, not through this process. */
export function runChild(args: string[], env: NodeJS.ProcessEnv, logFile: string, cwd = root): Child {
  const fd = openSync(logFile, 'a');
  const proc = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  return { proc, logFile };
}

export function stopChild(c: Child | undefined): Promise<void> {
  return new Promise<void>((done) => {
    const p = c?.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return done();
    const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
    p.once('exit', () => {
      clearTimeout(t);
      done();
    });
    p.kill('SIGTERM');
  });
}

/** A new database with every migration applied and `hosts` READY hosts; dropped by `undo`. */
export async function benchDatabase(kind: string, hosts: number, undo: Undo): Promise<{ databaseUrl: string; prefix: string }> {
  const id = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const dbName = `netpin_bench_${kind}_${id}`;
  const databaseUrl = await migratedDatabase(dbName, undo);
  await seedHosts(databaseUrl, hosts);
  const prefix = `npbench-${kind}-${id.replace('_', '-')}`;
  undo.push(() => deleteKeys(prefix));
  return { databaseUrl, prefix };
}

async function seedHosts(databaseUrl: string, n: number): Promise<void> {
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    await c.query(
      `INSERT INTO "Host" (id, name, address, "credentialRef", state, "updatedAt")
       SELECT gen_random_uuid(), 'bench-' || lpad(i::text, 5, '0'), '10.0.' || (i / 250) || '.' || (i % 250 + 1), 'file:none', 'READY', now()
       FROM generate_series(1, $1) AS i`,
      [n],
    );
  } finally {
    await c.end();
  }
}

export async function gql(url: string, token: string, query: string, variables?: Record<string, unknown>): Promise<unknown> {
  const r = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await r.json()) as { data?: unknown; errors?: unknown };
  if (!r.ok || body.errors) throw new Error(`GraphQL ${r.status}: ${JSON.stringify(body)}`);
  return body.data;
}

/** A token of `role` made through the API with the bootstrap admin token. */
export async function createToken(url: string, bootstrap: string, role: 'VIEWER' | 'OPERATOR' | 'ADMIN'): Promise<string> {
  const created = (await gql(url, bootstrap, 'mutation($i: CreateApiTokenInput!) { createApiToken(input: $i) { token } }', {
    i: { name: 'bench', role },
  })) as { createApiToken: { token: string } };
  return created.createApiToken.token;
}

export interface ApiChildOptions {
  /** The checkout whose API runs (another one for `--compare`). */
  dir: string;
  env: Record<string, string>;
  nodeArgs: string[];
  logFile: string;
  logLevel: string;
  nodeEnv: string;
}

/** The API of the checkout at `o.dir` as a child process, ready, the rate limit raised. */
export async function startApi(o: ApiChildOptions, undo: Undo): Promise<{ url: string; pid: number }> {
  const port = await freePort();
  const api = runChild(
    [...o.nodeArgs, '-r', '@swc-node/register', resolve(o.dir, 'apps/api/src/main.ts')],
    {
      ...o.env,
      SWC_NODE_PROJECT: resolve(o.dir, 'tsconfig.json'),
      REDIS_URL: redisUrl,
      LOG_LEVEL: o.logLevel,
      NODE_ENV: o.nodeEnv,
      PORT: String(port),
      HOST: '127.0.0.1',
      NETPIN_RATE_LIMIT_PER_MINUTE: String(1_000_000_000),
    },
    o.logFile,
    o.dir,
  );
  undo.push(() => stopChild(api));
  const url = `http://127.0.0.1:${port}`;
  await waitReady(url, 180_000, () => api.proc.exitCode !== null).catch((e: unknown) => {
    throw new Error(`${String(e)}\n${readFileSync(api.logFile, 'utf8').slice(-4000)}`);
  });
  return { url, pid: api.proc.pid ?? 0 };
}
