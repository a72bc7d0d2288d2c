import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'pg';
import { describe, it } from 'vitest';

// End-to-end tests of the schema-engine stand-in: the real Prisma CLI (through tools/prisma.cjs)
// or the stand-in itself, each test against its own throwaway database.

const repoRoot = resolve(__dirname, '../..');
const engineBin = resolve(__dirname, 'schema-engine.cjs');
const prismaWrapper = resolve(repoRoot, 'tools/prisma.cjs');
/** A maintenance connection to the server the tests may create databases on. */
const adminUrl = process.env.NETPIN_TEST_PG_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';

// ---- fixtures ---------------------------------------------------------------------------------

const SCHEMA = `generator client {
  provider     = "prisma-client"
  output       = "./generated"
  runtime      = "nodejs"
  moduleFormat = "cjs"
}

datasource db {
  provider = "postgresql"
}

model Host {
  id   Int    @id @default(autoincrement())
  name String @unique
  vms  Vm[]
}

model Vm {
  id     Int    @id @default(autoincrement())
  name   String
  hostId Int
  host   Host   @relation(fields: [hostId], references: [id])
}
`;

const SCHEMA_WITH_EXTRA_MODEL = `${SCHEMA}
model Extra {
  id Int @id
}
`;

/** Exactly what the engine generates for SCHEMA, so "in sync" really is in sync. */
const INIT_SQL = `-- CreateTable
CREATE TABLE "Host" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,

    CONSTRAINT "Host_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Vm" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "hostId" INTEGER NOT NULL,

    CONSTRAINT "Vm_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Host_name_key" ON "Host"("name");

-- AddForeignKey
ALTER TABLE "Vm" ADD CONSTRAINT "Vm_hostId_fkey" FOREIGN KEY ("hostId") REFERENCES "Host"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
`;

/** A CHECK constraint (pg_constraint.contype is a "char") and a plpgsql body full of `;`. */
const CHECK_AND_FUNCTION_SQL = `ALTER TABLE "Vm" ADD CONSTRAINT "Vm_name_not_blank" CHECK (length("name") > 0);

CREATE FUNCTION vm_trim_name() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  separator text := ';';
BEGIN
  NEW."name" := trim(NEW."name");
  IF position(separator IN NEW."name") > 0 THEN
    NEW."name" := replace(NEW."name", separator, '_');
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER vm_trim_name BEFORE INSERT OR UPDATE ON "Vm"
  FOR EACH ROW EXECUTE FUNCTION vm_trim_name();
`;

/** Creates a table, then fails: nothing of it may stay behind. */
const FAILING_SQL = `CREATE TABLE "Partial" ("id" INTEGER PRIMARY KEY);
INSERT INTO "Partial" VALUES (1);
ALTER TABLE "NoSuchTable" ADD COLUMN "x" INTEGER;
`;

// ---- helpers ----------------------------------------------------------------------------------

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code: code ?? -1, stdout, stderr }));
  });
}

function urlFor(database: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${database}`;
  return u.toString();
}

async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A temp directory with a Prisma config, schema and migrations, plus its own database. */
class Workspace {
  private constructor(
    readonly dir: string,
    readonly database: string,
    readonly url: string,
  ) {}

  static async create(migrations: Record<string, string>, schema = SCHEMA): Promise<Workspace> {
    const database = `netpin_pe_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
    await withClient(adminUrl, (c) => c.query(`CREATE DATABASE "${database}"`));
    const ws = new Workspace(mkdtempSync(join(tmpdir(), 'prisma-engine-spec-')), database, urlFor(database));
    ws.write('schema.prisma', schema);
    // A plain object: the temp dir cannot resolve 'prisma/config'.
    ws.write(
      'prisma.config.ts',
      `export default ${JSON.stringify({ schema: 'schema.prisma', migrations: { path: 'migrations' }, datasource: { url: ws.url } })};\n`,
    );
    ws.write('migrations/migration_lock.toml', 'provider = "postgresql"\n');
    for (const [name, sql] of Object.entries(migrations)) ws.write(`migrations/${name}/migration.sql`, sql);
    return ws;
  }

  write(relPath: string, content: string): void {
    const file = join(this.dir, relPath);
    mkdirSync(resolve(file, '..'), { recursive: true });
    writeFileSync(file, content);
  }

  /** `prisma <args>` through the project wrapper, always with the stand-in engine. */
  prisma(...args: string[]): Promise<RunResult> {
    return run(process.execPath, [prismaWrapper, ...args, '--config', 'prisma.config.ts'], this.dir, {
      PRISMA_SCHEMA_ENGINE_BINARY: engineBin,
      NO_COLOR: '1',
    });
  }

  query<R extends object = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<R[]> {
    return withClient(this.url, async (c) => (await c.query<R>(sql, params)).rows);
  }

  async tables(): Promise<string[]> {
    const rows = await this.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    return rows.map((r) => r.table_name);
  }

  async dispose(): Promise<void> {
    rmSync(this.dir, { recursive: true, force: true });
    await withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${this.database}" WITH (FORCE)`));
  }
}

async function inWorkspace(migrations: Record<string, string>, fn: (ws: Workspace) => Promise<void>, schema?: string): Promise<void> {
  const ws = await Workspace.create(migrations, schema);
  try {
    await fn(ws);
  } finally {
    await ws.dispose();
  }
}

/** Stderr lines of a `cli` command, parsed the way the Prisma CLI does: skip the first, all JSON. */
function parseCliStderr(stderr: string): Array<{ level: string; target: string; fields: Record<string, string> }> {
  return stderr
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((line) => JSON.parse(line) as { level: string; target: string; fields: Record<string, string> });
}

// ---- tests ------------------------------------------------------------------------------------

describe.concurrent('schema-engine stand-in under the Prisma CLI', () => {
  it('migrate deploy applies a migrations folder to a fresh database', async ({ expect }) => {
    await inWorkspace({ '20250101000000_init': INIT_SQL }, async (ws) => {
      const r = await ws.prisma('migrate', 'deploy');
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain('All migrations have been successfully applied.');
      expect(await ws.tables()).toEqual(['Host', 'Vm', '_prisma_migrations']);
      const applied = await ws.query<{ migration_name: string; done: boolean }>(
        'SELECT migration_name, finished_at IS NOT NULL AS done FROM _prisma_migrations',
      );
      expect(applied).toEqual([{ migration_name: '20250101000000_init', done: true }]);
    });
  });

  it('migrate diff --from-migrations --exit-code: 0 in sync, 2 with an extra model', async ({ expect }) => {
    await inWorkspace({ '20250101000000_init': INIT_SQL }, async (ws) => {
      const same = await ws.prisma('migrate', 'diff', '--from-migrations', 'migrations', '--to-schema', 'schema.prisma', '--exit-code');
      expect(same.code, same.stdout + same.stderr).toBe(0);
      expect(same.stdout).toContain('No difference detected.');

      ws.write('extra.prisma', SCHEMA_WITH_EXTRA_MODEL);
      const drift = await ws.prisma('migrate', 'diff', '--from-migrations', 'migrations', '--to-schema', 'extra.prisma', '--exit-code');
      expect(drift.code, drift.stdout + drift.stderr).toBe(2);
      expect(drift.stdout).toMatch(/Added tables\s+- Extra/);
    });
  });

  // (`migrate diff --from-empty --script` output is checked at the JSON-RPC level below.)
  it('migrate dev --create-only generates the next migration SQL', async ({ expect }) => {
    await inWorkspace({ '20250101000000_init': INIT_SQL }, async (ws) => {
      // The init migration is still pending: the CLI applies it first, then asks the engine for
      // the next migration (the path that needs the stand-in's migration-schema-cache retry).
      ws.write('schema.prisma', SCHEMA_WITH_EXTRA_MODEL);
      const dev = await ws.prisma('migrate', 'dev', '--create-only', '--name', 'extra');
      expect(dev.code, dev.stdout + dev.stderr).toBe(0);
      const created = readdirSync(join(ws.dir, 'migrations')).filter((d) => d.endsWith('_extra'));
      expect(created).toHaveLength(1);
      const sql = readFileSync(join(ws.dir, 'migrations', created[0], 'migration.sql'), 'utf8');
      expect(sql).toContain('CREATE TABLE "Extra"');
      expect(sql).not.toContain('"Host"');
      expect(await ws.tables()).toEqual(['Host', 'Vm', '_prisma_migrations']); // created, not applied
    });
  });

  it('a failing migration leaves nothing behind and migrate status reports it', async ({ expect }) => {
    await inWorkspace({ '20250101000000_init': INIT_SQL, '20250102000000_broken': FAILING_SQL }, async (ws) => {
      const deploy = await ws.prisma('migrate', 'deploy');
      expect(deploy.code).toBe(1);
      const output = deploy.stdout + deploy.stderr;
      expect(output).toContain('P3018');
      expect(output).toContain('Migration name: 20250102000000_broken');
      expect(output).toContain('Database error code: 42P01');

      expect(await ws.tables()).toEqual(['Host', 'Vm', '_prisma_migrations']); // no "Partial"
      const rows = await ws.query<{ migration_name: string; done: boolean }>(
        'SELECT migration_name, finished_at IS NOT NULL AS done FROM _prisma_migrations ORDER BY started_at',
      );
      expect(rows).toEqual([
        { migration_name: '20250101000000_init', done: true },
        { migration_name: '20250102000000_broken', done: false },
      ]);

      const status = await ws.prisma('migrate', 'status');
      expect(status.code).toBe(1);
      expect(status.stdout + status.stderr).toMatch(/Following migration have failed:\s+20250102000000_broken/);
    });
  });

  it('runs CHECK constraints and plpgsql functions, and can describe them afterwards', async ({ expect }) => {
    await inWorkspace({ '20250101000000_init': INIT_SQL, '20250102000000_check_and_function': CHECK_AND_FUNCTION_SQL }, async (ws) => {
      const deploy = await ws.prisma('migrate', 'deploy');
      expect(deploy.code, deploy.stdout + deploy.stderr).toBe(0);

      await ws.query(`INSERT INTO "Host" ("name") VALUES ('h1')`);
      const [vm] = await ws.query<{ name: string }>(
        `INSERT INTO "Vm" ("name", "hostId") SELECT '  a;b  ', id FROM "Host" RETURNING "name"`,
      );
      expect(vm.name).toBe('a_b'); // trigger function ran
      await expect(ws.query(`INSERT INTO "Vm" ("name", "hostId") SELECT '   ', id FROM "Host"`)).rejects.toThrow(/Vm_name_not_blank/);

      // Describing a database with a CHECK constraint reads pg_constraint.contype ("char"):
      // here the live database, migrated above, against the schema.
      const diff = await ws.prisma('migrate', 'diff', '--from-config-datasource', '--to-schema', 'schema.prisma', '--exit-code');
      expect(diff.code, diff.stdout + diff.stderr).toBe(0);
    });
  });
});

describe.concurrent('schema-engine stand-in, called directly', () => {
  it('cli can-connect-to-database: P1001 and exit 1 on a closed port, exit 0 when reachable', async ({ expect }) => {
    const closed = new URL(adminUrl);
    closed.hostname = '127.0.0.1';
    closed.port = '1';
    const r = await run(
      engineBin,
      ['--datasource', JSON.stringify({ url: closed.toString() }), 'cli', 'can-connect-to-database'],
      __dirname,
    );
    expect(r.code).toBe(1);
    const error = parseCliStderr(r.stderr).find((l) => l.level === 'ERROR' && l.target === 'schema_engine::logger');
    expect(error?.fields.error_code).toBe('P1001');
    expect(error?.fields.message).toContain("Can't reach database server at `127.0.0.1:1`");

    const missing = await run(
      engineBin,
      ['--datasource', JSON.stringify({ url: urlFor('netpin_pe_does_not_exist') }), 'cli', 'can-connect-to-database'],
      __dirname,
    );
    expect(missing.code).toBe(1);
    expect(parseCliStderr(missing.stderr).find((l) => l.level === 'ERROR')?.fields.error_code).toBe('P1003');

    const ok = await run(engineBin, ['--datasource', JSON.stringify({ url: adminUrl }), 'cli', 'can-connect-to-database'], __dirname);
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('JSON-RPC: diff output goes through a print request, a Rust panic becomes an error', async ({ expect }) => {
    await inWorkspace({}, async (ws) => {
      const child = spawn(engineBin, ['--datamodels', join(ws.dir, 'schema.prisma'), '--datasource', JSON.stringify({ url: ws.url })], {
        cwd: ws.dir,
        stdio: ['pipe', 'pipe', 'ignore'],
      });
      const waiting = new Map<number, (msg: Record<string, unknown>) => void>();
      const printed: string[] = [];
      createInterface({ input: child.stdout }).on('line', (line) => {
        const msg = JSON.parse(line) as { id: number; method?: string; params?: { content: string } };
        if (msg.method === 'print') {
          printed.push(msg.params?.content ?? '');
          child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: {} }) + '\n');
        } else {
          waiting.get(msg.id)?.(msg);
        }
      });
      let nextId = 1;
      const call = (method: string, params?: unknown): Promise<Record<string, unknown>> =>
        new Promise((resolveCall) => {
          const id = nextId++;
          waiting.set(id, resolveCall);
          child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
        });
      const exited = new Promise<number | null>((r) => child.on('exit', r));

      const version = await call('getDatabaseVersion');
      expect(String(version.result)).toContain('PostgreSQL');

      const diff = await call('diff', {
        from: { tag: 'empty' },
        to: { tag: 'schemaDatamodel', files: [{ path: 'schema.prisma', content: SCHEMA }] },
        script: true,
        exitCode: null,
        filters: { externalTables: [], externalEnums: [] },
      });
      expect(diff.result).toEqual({ exitCode: 0, stdout: null });
      expect(printed.join('')).toContain('CREATE TABLE "Vm"');
      expect(printed.join('')).toContain('ALTER TABLE "Vm" ADD CONSTRAINT "Vm_hostId_fkey" FOREIGN KEY');

      const panic = (await call('debugPanic')) as { error?: { data?: { is_panic?: boolean; message?: string } } };
      expect(panic.error?.data?.is_panic).toBe(true);
      expect(panic.error?.data?.message).toContain('debugPanic artificial panic');

      child.stdin.end();
      expect(await exited).toBe(0);
    });
  });
});
