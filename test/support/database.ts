import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { Client } from 'pg';

/** Admin connection for creating per-run databases (a machine Postgres, or the one with-services started). */
export const adminUrl = process.env.NETPIN_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const redisUrl = process.env.NETPIN_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const repoRoot = resolve(__dirname, '../..');

export function databaseUrl(name: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: adminUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A fresh, uniquely named database; the name says which run made it. */
export async function createTestDatabase(prefix = 'netpin_test'): Promise<{ name: string; url: string }> {
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  return { name, url: databaseUrl(name) };
}

export async function dropTestDatabase(name: string): Promise<void> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`refusing to drop ${name}`);
  await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/** Drop a run's template database and every per-file clone of it (`<name>_f...`). */
export async function dropTestDatabases(template: string): Promise<void> {
  const rows = await admin((c) =>
    c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2`, [template, `${template}\\_f%`]),
  );
  for (const r of rows.rows) await dropTestDatabase(r.datname);
}

/** Run the project's Prisma CLI wrapper (WASM schema engine) against a database. */
export function prismaCli(args: string[], url: string): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [resolve(repoRoot, 'tools/prisma.cjs'), ...args], {
    cwd: repoRoot,
    env: { ...process.env, DATABASE_URL: url },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

export function migrateDeploy(url: string): void {
  const r = prismaCli(['migrate', 'deploy'], url);
  if (r.status !== 0) throw new Error(`migrate deploy failed:\n${r.stdout}\n${r.stderr}`);
}
