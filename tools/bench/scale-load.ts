/**
 * The API's first placement after a start, taken apart (a script, not a test): on a database
 * that `bench:scale --keep-db` left, one `loadFleet` then one `new PlacementIndex` over it, in
 * this process, each with its wall time, the process's CPU time (user + sys) and the memory
 * after it; with `--profile DIR`, a V8 CPU profile of both (summarised as bench:provision does).
 *
 *   SWC_NODE_PROJECT=tsconfig.json node --expose-gc -r @swc-node/register tools/bench/scale-load.ts --db NAME [--json] [--profile DIR]
 *     [--heap-snapshot FILE] (written with the index kept)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { writeHeapSnapshot } from 'node:v8';
import { createDb, loadFleet } from '@netpin/db';
import { PlacementIndex } from '@netpin/placement';
import { summarizeProfiles } from './cpuprofile';
import { adminUrl } from './provision-stack';

const argv = process.argv.slice(2);
const opt = (name: string): string | undefined => (argv.includes(`--${name}`) ? argv[argv.indexOf(`--${name}`) + 1] : undefined);
const DB = opt('db');
const PROFILE = opt('profile');
const mib = (bytes: number): number => Math.round(bytes / 1024 / 1024);

interface Phase {
  wallMs: number;
  cpuMs: number;
  rssMiB: number;
  heapMiB: number;
  externalMiB: number;
}

async function phase(run: () => Promise<unknown>): Promise<Phase> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await run();
  const wallMs = Math.round(performance.now() - t0);
  const c = process.cpuUsage(c0);
  global.gc?.();
  const m = process.memoryUsage();
  return {
    wallMs,
    cpuMs: Math.round((c.user + c.system) / 1000),
    rssMiB: mib(m.rss),
    heapMiB: mib(m.heapUsed),
    externalMiB: mib(m.external + m.arrayBuffers),
  };
}

function post<T>(s: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => s.post(method, params, (err, res) => (err ? reject(err) : resolve(res as T))));
}

async function main(): Promise<void> {
  if (!DB) throw new Error('--db NAME (a database kept by bench:scale --keep-db) is required');
  const u = new URL(adminUrl);
  u.pathname = `/${DB}`;
  const db = createDb(u.toString());
  await db.$queryRaw`SELECT 1`;
  global.gc?.();
  const start = process.memoryUsage();
  const session = PROFILE ? new Session() : null;
  if (session) {
    session.connect();
    await post(session, 'Profiler.enable');
    await post(session, 'Profiler.setSamplingInterval', { interval: 500 });
    await post(session, 'Profiler.start');
  }
  let fleet: Awaited<ReturnType<typeof loadFleet>> | null = null;
  let index: PlacementIndex | null = null;
  const load = await phase(async () => (fleet = await loadFleet(db)));
  const build = await phase(async () => (index = new PlacementIndex(fleet as NonNullable<typeof fleet>)));
  if (session && PROFILE) {
    const { profile } = await post<{ profile: unknown }>(session, 'Profiler.stop');
    mkdirSync(PROFILE, { recursive: true });
    writeFileSync(join(PROFILE, 'scale-load.cpuprofile'), JSON.stringify(profile));
    session.disconnect();
  }
  fleet = null;
  global.gc?.();
  // the sweeper frees ArrayBuffers' memory after the collection: let it finish before reading RSS
  await new Promise((r) => setTimeout(r, 1000));
  const end = process.memoryUsage();
  if (opt('heap-snapshot')) writeHeapSnapshot(opt('heap-snapshot'));
  const hosts = (index as PlacementIndex | null)?.toSnapshot().hosts.length ?? 0;
  const result = {
    hosts,
    startRssMiB: mib(start.rss),
    startHeapMiB: mib(start.heapUsed),
    load,
    index: build,
    firstPlacementCpuMs: load.cpuMs + build.cpuMs,
    /** with the index kept and nothing else: what an API holding the fleet adds to its start */
    endRssMiB: mib(end.rss),
    endHeapMiB: mib(end.heapUsed),
    endExternalMiB: mib(end.external + end.arrayBuffers),
    loadAvg: loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
  };
  await db.$disconnect();
  process.stdout.write(JSON.stringify(argv.includes('--json') ? result : result, null, argv.includes('--json') ? 0 : 1) + '\n');
  if (PROFILE) process.stderr.write(JSON.stringify(summarizeProfiles(PROFILE, 25), null, 1) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
