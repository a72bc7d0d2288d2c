/**
 * Scale benchmark (a script, not a test): the API process with a large discovered inventory.
 * A generator writes N hosts straight into a fresh database with set-based SQL (per host:
 * 2 NUMA nodes × 32 cores × 2 threads, two SR-IOV PFs with 64 VFs and 16 IRQs each, a plain
 * NIC; an SR-IOV and a macvtap network on every host), then:
 *   - snapshotLoadMs: one full read of the fleet (SnapshotCache.read, as the API does), in this
 *     process, with the heap it keeps (snapshotHeapMiB);
 *   - the API is started as a child, as deploy/systemd runs it: the bundle of `npm run build`
 *     (built into a temporary folder, or --bundle DIR) with plain node and the unit's
 *     Environment= settings; `--api swc` runs apps/api/src/main.ts through @swc-node/register as
 *     before (the Dockerfile's way, and the figures recorded until 2026-12-05 04:00);
 *   - apiReadyMs: from its spawn to /readyz answering 200; the API builds its placement index
 *     at start (NETPIN_PLACEMENT_WARM, on by default) and is not ready before, so with it this
 *     includes the full read (apiStartCpuS, the API's CPU up to then, too); `--warm off` starts
 *     it without (the figures recorded until 2026-12-05 11:00);
 *   - firstPlacementMs: its first previewPlacement after ready (without warming: loads the fleet and
 *     builds the placement index) with the API's CPU time for it, placementP99Ms over the next
 *     --placements previews; startToFirstPlacementMs = apiReadyMs + firstPlacementMs;
 *   - apiRssMiB: the API's resident memory after them (placement warm); apiPeakRssMiB the most it reached.
 *
 *   npm run bench:scale -- --hosts 10000 --json
 *   options: --hosts 10000 --placements 200 --keep-db (do not drop the database; its name is printed)
 *            --reuse-db NAME (a database kept by an earlier run: no generation, generateMs 0)
 *            --api bundle|swc --bundle DIR (a dist folder with api/main.js: no build) --warm on|off
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { createDb, SnapshotCache } from '@netpin/db';
import { admin, adminUrl, cpuSeconds, deleteKeys, freePort, migrateDeploy, redisUrl, root, waitReady } from './provision-stack';
import { fleetSql } from './scale-fleet';

const argv = process.argv.slice(2);
function intOpt(name: string, dflt: number): number {
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  const v = Number(i < 0 ? dflt : argv[i].includes('=') ? argv[i].slice(argv[i].indexOf('=') + 1) : argv[i + 1]);
  if (!Number.isInteger(v) || v < 1) {
    process.stderr.write(`--${name} must be a positive integer\n`);
    process.exit(2);
  }
  return v;
}
const json = argv.includes('--json');
const HOSTS = intOpt('hosts', 10_000);
const PLACEMENTS = intOpt('placements', 200);
const strOpt = (name: string): string => (argv.includes(`--${name}`) ? (argv[argv.indexOf(`--${name}`) + 1] ?? '') : '');
const REUSE = strOpt('reuse-db');
const API_MODE = strOpt('api') || 'bundle';
const BUNDLE = strOpt('bundle');
const WARM = strOpt('warm') || 'on';
if (WARM !== 'on' && WARM !== 'off') {
  process.stderr.write('--warm must be on or off\n');
  process.exit(2);
}
if (API_MODE !== 'bundle' && API_MODE !== 'swc') {
  process.stderr.write('--api must be bundle or swc\n');
  process.exit(2);
}
const log = (msg: string): void => void process.stderr.write(`[bench:scale] ${msg}\n`);
const load = (): string =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
const mib = (bytes: number): number => Math.round(bytes / 1024 / 1024);

const PREVIEW = `query($i: VmInput!) { previewPlacement(input: $i) { fits plan { hostName interfaces { datapath } } rejection { message } } }`;
const SHAPES = [
  { name: 'bench-shared', vcpus: 4, memoryMiB: 4096, cpuPolicy: 'SHARED', interfaces: [{ network: 'mvt' }] },
  { name: 'bench-sriov', vcpus: 8, memoryMiB: 8192, interfaces: [{ network: 'physnet-a', vlan: 100 }] },
];

function rssMiB(pid: number, field = 'VmRSS'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

/** The API's own memory (anonymous: heap, malloc) and the mapped files (node's binary, native addons). */
function rssSplitMiB(pid: number): { anon: number; file: number } {
  const kb = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return { anon: Math.round(kb('RssAnon') / 1024), file: Math.round(kb('RssFile') / 1024) };
}

/** The command that starts the API: the production bundle (built here unless --bundle) or the TypeScript through SWC. */
function apiCommand(stateDir: string): { args: string[]; env: Record<string, string> } {
  if (API_MODE === 'swc') {
    return {
      args: ['-r', '@swc-node/register', resolve(root, 'apps/api/src/main.ts')],
      env: { SWC_NODE_PROJECT: resolve(root, 'tsconfig.json') },
    };
  }
  let dist = BUNDLE;
  if (!dist) {
    dist = join(stateDir, 'dist');
    log(`building the API bundle into ${dist}`);
    const b = spawnSync(process.execPath, ['-r', '@swc-node/register', resolve(root, 'tools/build/main.ts'), 'api', '--out', dist], {
      cwd: root,
      env: { ...process.env, SWC_NODE_PROJECT: resolve(root, 'tsconfig.json'), NETPIN_SKIP_WEB_BUILD: '1' },
      encoding: 'utf8',
      timeout: 600_000,
    });
    if (b.status !== 0) throw new Error(`the API bundle did not build:\n${b.stdout}\n${b.stderr}`);
  }
  return { args: [resolve(dist, 'api/main.js')], env: unitEnvironment() };
}

/** The Environment= settings of deploy/systemd/netpin-api.service (NODE_ENV, malloc's tuning). */
function unitEnvironment(): Record<string, string> {
  const unit = readFileSync(resolve(root, 'deploy/systemd/netpin-api.service'), 'utf8');
  return Object.fromEntries([...unit.matchAll(/^Environment=([A-Z_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]));
}

async function createAndGenerate(dbName: string, databaseUrl: string, undo: (() => Promise<void>)[]): Promise<number> {
  await admin(`CREATE DATABASE "${dbName}"`);
  if (argv.includes('--keep-db')) log(`keeping database ${dbName}`);
  else undo.push(() => admin(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`));
  migrateDeploy(databaseUrl);
  log(`generating ${HOSTS} hosts into ${dbName} (load ${load()})`);
  return generate(databaseUrl);
}

async function generate(databaseUrl: string): Promise<number> {
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  const t0 = performance.now();
  try {
    await c.query('BEGIN');
    for (const sql of fleetSql(HOSTS)) await c.query(sql);
    await c.query('COMMIT');
    await c.query('ANALYZE');
  } finally {
    await c.end();
  }
  return Math.round(performance.now() - t0);
}

/** A full read of the fleet as the API does it, and the heap the view keeps. */
async function snapshotLoad(databaseUrl: string): Promise<{ ms: number; cpuMs: number; heapMiB: number; cpus: number; vfs: number }> {
  const db = createDb(databaseUrl);
  try {
    // connect and compile once (a tiny read), so the timing is the fleet read itself
    await db.$queryRaw`SELECT 1`;
    global.gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const view = await new SnapshotCache(db).read();
    const ms = Math.round(performance.now() - t0);
    const c = process.cpuUsage(c0);
    const cpuMs = Math.round((c.user + c.system) / 1000);
    global.gc?.();
    const heapMiB = mib(process.memoryUsage().heapUsed - heap0);
    const snap = view.index.toSnapshot();
    const cpus = snap.hosts.reduce((n, h) => n + h.cpus.length, 0);
    const vfs = snap.hosts.reduce((n, h) => n + h.nics.reduce((k, nic) => k + nic.vfs.length, 0), 0);
    return { ms, cpuMs, heapMiB, cpus, vfs };
  } finally {
    await db.$disconnect();
  }
}

async function gql(url: string, token: string, query: string, variables: Record<string, unknown>): Promise<unknown> {
  const r = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await r.json()) as { data?: unknown; errors?: unknown };
  if (!r.ok || body.errors) throw new Error(`GraphQL ${r.status}: ${JSON.stringify(body).slice(0, 2000)}`);
  return body.data;
}

async function placements(
  url: string,
  token: string,
  cpu: () => number,
): Promise<{ firstMs: number; firstCpuS: number; p50Ms: number; p99Ms: number; fits: number }> {
  const timed = async (i: number): Promise<[number, boolean]> => {
    const t0 = performance.now();
    const d = (await gql(url, token, PREVIEW, { i: SHAPES[i % SHAPES.length] })) as { previewPlacement: { fits: boolean } };
    if (i < SHAPES.length) log(`preview ${i}: ${JSON.stringify(d.previewPlacement)}`);
    return [performance.now() - t0, d.previewPlacement.fits];
  };
  const [firstMs, firstFits] = await timed(0);
  const firstCpuS = cpu();
  const times: number[] = [];
  let fits = firstFits ? 1 : 0;
  for (let i = 1; i <= PLACEMENTS; i++) {
    const [ms, ok] = await timed(i);
    times.push(ms);
    if (ok) fits++;
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))] * 100) / 100;
  return { firstMs: Math.round(firstMs), firstCpuS, p50Ms: at(0.5), p99Ms: at(0.99), fits };
}

async function run(): Promise<void> {
  const id = `${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const dbName = `netpin_bench_scale_${id}`;
  const prefix = `npbench-scale-${id.replace('_', '-')}`;
  const stateDir = mkdtempSync(join(tmpdir(), 'netpin-bench-scale-'));
  const undo: (() => Promise<void>)[] = [async () => rmSync(stateDir, { recursive: true, force: true })];
  const stop = async (): Promise<void> => {
    for (const f of undo.splice(0).reverse()) await f().catch((e: unknown) => log(`cleanup step failed: ${String(e)}`));
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  try {
    const u = new URL(adminUrl);
    u.pathname = `/${REUSE || dbName}`;
    const databaseUrl = u.toString();
    const generateMs = REUSE ? 0 : await createAndGenerate(dbName, databaseUrl, undo);
    log(`fleet ready (generated in ${generateMs} ms); reading it once`);
    const snap = await snapshotLoad(databaseUrl);
    log(
      `snapshot: ${snap.ms} ms (${snap.cpuMs} ms CPU), ${snap.heapMiB} MiB heap kept, ${snap.cpus} CPUs, ${snap.vfs} VFs (load ${load()})`,
    );

    undo.push(() => deleteKeys(prefix));
    const port = await freePort();
    const token = randomBytes(24).toString('hex');
    const fd = openSync(join(stateDir, 'api.log'), 'a');
    const cmd = apiCommand(stateDir);
    const spawnedAt = performance.now();
    const api = spawn(process.execPath, cmd.args, {
      cwd: root,
      env: {
        ...process.env,
        ...cmd.env,
        NODE_ENV: 'production',
        DATABASE_URL: databaseUrl,
        REDIS_URL: redisUrl,
        NETPIN_QUEUE_PREFIX: prefix,
        LOG_LEVEL: 'warn',
        PORT: String(port),
        HOST: '127.0.0.1',
        NETPIN_BOOTSTRAP_ADMIN_TOKEN: token,
        NETPIN_RATE_LIMIT_PER_MINUTE: '1000000',
        NETPIN_PLACEMENT_WARM: WARM === 'on' ? 'true' : 'false',
      },
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    undo.push(
      () =>
        new Promise<void>((done) => {
          if (api.exitCode !== null) return done();
          api.once('exit', () => done());
          api.kill('SIGTERM');
        }),
    );
    const url = `http://127.0.0.1:${port}`;
    await waitReady(url, 180_000, () => api.exitCode !== null);
    const apiReadyMs = Math.round(performance.now() - spawnedAt);
    const pid = api.pid ?? 0;
    const rssIdle = rssMiB(pid);
    const cpuIdle = cpuSeconds(pid);
    const p = await placements(url, token, () => cpuSeconds(pid));
    const result = {
      hosts: HOSTS,
      apiMode: API_MODE,
      warm: WARM,
      apiReadyMs,
      apiRssMiB: rssMiB(pid),
      apiRssSplitMiB: rssSplitMiB(pid),
      /** the most the API's RSS reached (VmHWM): with warming, the fleet's read during start */
      apiPeakRssMiB: rssMiB(pid, 'VmHWM'),
      apiRssBeforePlacementMiB: rssIdle,
      apiStartCpuS: cpuIdle,
      firstPlacementCpuS: Math.round((p.firstCpuS - cpuIdle) * 100) / 100,
      snapshotLoadMs: snap.ms,
      snapshotLoadCpuMs: snap.cpuMs,
      snapshotHeapMiB: snap.heapMiB,
      firstPlacementMs: p.firstMs,
      startToFirstPlacementMs: apiReadyMs + p.firstMs,
      placementP50Ms: p.p50Ms,
      placementP99Ms: p.p99Ms,
      placements: PLACEMENTS,
      fits: p.fits,
      cpus: snap.cpus,
      vfs: snap.vfs,
      generateMs,
      loadAvg: load(),
    };
    await stop();
    if (json) process.stdout.write(JSON.stringify(result) + '\n');
    else log(JSON.stringify(result, null, 1));
  } finally {
    await stop();
  }
}

run().catch((e: unknown) => {
  log(`failed: ${(e as Error).stack ?? String(e)}`);
  process.exit(1);
});
