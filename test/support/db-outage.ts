import { Client } from 'pg';
import { adminUrl } from './database';

async function admin(sql: string[]): Promise<void> {
  const c = new Client({ connectionString: adminUrl });
  await c.connect();
  try {
    for (const q of sql) await c.query(q);
  } finally {
    await c.end();
  }
}

/** The name of this file's database (test/support/setup-env.ts). */
function database(): string {
  const name = new URL(process.env.DATABASE_URL!).pathname.slice(1);
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unexpected database name ${name}`);
  return name;
}

/**
 * A real database outage for this file's database: every open connection is terminated and
 * new ones are refused (superusers included) until restoreDatabase.
 */
export async function cutDatabase(): Promise<void> {
  const name = database();
  await admin([
    `ALTER DATABASE "${name}" ALLOW_CONNECTIONS false`,
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${name}' AND pid <> pg_backend_pid()`,
  ]);
}

export async function restoreDatabase(): Promise<void> {
  await admin([`ALTER DATABASE "${database()}" ALLOW_CONNECTIONS true`]);
}
