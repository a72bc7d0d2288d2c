import { Client } from 'pg';
import { startEmbeddedPostgres } from '../postgres';

/**
 * `pg-probe <stateDir> <port>`: start the stack's embedded PostgreSQL, report who runs it and
 * where its data is as one JSON line, stop it. The specs run it as a normal user.
 */
async function main(): Promise<void> {
  const [stateDir, port] = process.argv.slice(2);
  const pg = await startEmbeddedPostgres({ stateDir, port: Number(port), log: () => undefined });
  try {
    const client = new Client({ connectionString: pg.url });
    await client.connect();
    const { rows } = await client.query<{ user: string }>('SELECT current_user AS user');
    await client.end();
    process.stdout.write(
      JSON.stringify({ dataDir: pg.dataDir, pid: pg.pid, sqlUser: rows[0].user, launcherUid: process.getuid?.() }) + '\n',
    );
  } finally {
    await pg.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`pg-probe: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
