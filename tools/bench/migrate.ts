/**
 * Live-migration benchmark (a script, not a test): a fresh stack (provision-stack.ts) with two
 * hostsim hosts, one small VM (2 vCPUs, 1 GiB, one bridge NIC), then N sequential LIVE
 * migrations back and forth, each timed from the migrateVm call until the operationUpdated
 * subscription reports it SUCCEEDED. netpin's overhead = that total less libvirt's own copy
 * (transferMs, which the agent measures around `virsh migrate`). Same-run baseline: a twin
 * domain migrated back and forth with the same `virsh migrate` straight over SSH (no netpin),
 * interleaved with the netpin migrations so both see the same load.
 *
 *   npm run bench:migrate                  (human-readable)
 *   npm run bench:migrate -- --json        (exactly one JSON object on stdout)
 *   options: --migrations 20 --baseline 20 (0: none) --log-level warn
 *            --profile DIR (V8 CPU profiles of the API and agent children, summarised on stderr)
 */
import { setupFleet } from '@netpin/client';
import {
  createVm,
  diffCounts,
  DirectShell,
  dist,
  fetchOp,
  hostCommands,
  intOpt,
  opt,
  json,
  loadAvg,
  migrationUri,
  now,
  round,
  settled,
  startBenchStack,
  stepSplit,
  type BenchStack,
  type Dist,
} from './migration-common';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { summarizeProfiles } from './cpuprofile';
import { runBench } from './provision-stack';
import { Watcher } from './provision-watch';

const MIGRATIONS = intOpt('migrations', 20, 1);
const BASELINE = intOpt('baseline', 20, 0);
const GOAL_OVERHEAD_MS = 500;
const log = (msg: string): void => void process.stderr.write(`[bench:migrate] ${msg}\n`);

const MIGRATE = `mutation ($id: ID!, $input: MigrateVmInput) { migrateVm(id: $id, input: $input) { id } }`;

interface Sample {
  totalMs: number;
  transferMs: number;
  hostCommands: number;
  byCommand: Record<string, number>;
  split: Record<string, number>;
}

/** One netpin LIVE migration to `target`, timed from the call until SUCCEEDED is seen. */
async function netpinMigration(s: BenchStack, w: Watcher, vmId: string, target: string): Promise<Sample> {
  const c0 = await hostCommands(s.metricsUrl);
  const t0 = now();
  const r = await s.client.request<{ migrateVm: { id: string } }>(MIGRATE, { id: vmId, input: { strategy: 'LIVE', targetHost: target } });
  const t1 = now();
  const d = await settled(w, r.migrateVm.id, 120_000);
  if (d.state !== 'SUCCEEDED') throw new Error(`migration to ${target} ${d.state}: ${d.error}`);
  const op = await fetchOp(s.client, r.migrateVm.id);
  const c1 = await hostCommands(s.metricsUrl);
  const result = JSON.parse(op.resultJson ?? '{}') as { transferMs?: number };
  return {
    totalMs: d.at - t0,
    transferMs: result.transferMs ?? NaN,
    hostCommands: c1.total - c0.total,
    byCommand: diffCounts(c0.byCommand, c1.byCommand),
    split: { api: t1 - t0, ...stepSplit(op, t1, d.at) },
  };
}

interface Twin {
  shells: [DirectShell, DirectShell];
  uris: [string, string];
  addresses: [string, string];
  file: string;
}

const TWIN = 'bench-twin';

/**
 * The baseline's domain: netpin's VM definition under another name, uuid and MAC, defined and
 * started on host 0 without netpin; its definition (with the uuid libvirt gave it) is written
 * where `virsh migrate --xml/--persistent-xml` reads it, on both hosts (not timed).
 */
async function makeTwin(s: BenchStack, vmName: string): Promise<Twin> {
  const shells = (await Promise.all(s.sim.slice(0, 2).map((e) => DirectShell.connect(e)))) as [DirectShell, DirectShell];
  const xml = await shells[0].run(['virsh', 'dumpxml', '--inactive', vmName]);
  const twin = xml
    .replace(/<name>[^<]*<\/name>/, `<name>${TWIN}</name>`)
    .replace(/<uuid>[^<]*<\/uuid>/, '')
    .replace(/<mac address='[^']*'/g, (_m, i: number) => `<mac address='52:54:00:be:00:${(i % 256).toString(16).padStart(2, '0')}'`);
  await shells[0].run(['virsh', 'define', '/dev/stdin'], twin);
  await shells[0].run(['virsh', 'start', TWIN]);
  const defined = await shells[0].run(['virsh', 'dumpxml', '--inactive', TWIN]);
  const file = '/tmp/bench-twin.xml';
  for (const sh of shells) await sh.run(['tee', file], defined);
  return { shells, uris: [migrationUri(s.sim[0]), migrationUri(s.sim[1])], addresses: [s.sim[0].address, s.sim[1].address], file };
}

/** The same `virsh migrate` netpin's agent runs, straight over SSH from host `from` to the other. */
async function directMigration(t: Twin, from: 0 | 1): Promise<number> {
  const to = from === 0 ? 1 : 0;
  const t0 = now();
  await t.shells[from].run([
    'virsh',
    'migrate',
    '--live',
    '--persistent',
    '--undefinesource',
    '--xml',
    t.file,
    '--persistent-xml',
    t.file,
    TWIN,
    t.uris[to],
    '--migrateuri',
    `tcp://${t.addresses[to]}`,
  ]);
  return now() - t0;
}

function perStep(samples: Sample[]): Record<string, Dist> {
  const keys = [...new Set(samples.flatMap((x) => Object.keys(x.split)))];
  return Object.fromEntries(keys.map((k) => [k, dist(samples.map((x) => x.split[k]).filter((v) => Number.isFinite(v)))]));
}

function meanCounts(samples: Sample[]): Record<string, number> {
  const sum: Record<string, number> = {};
  for (const x of samples) for (const [k, v] of Object.entries(x.byCommand)) sum[k] = (sum[k] ?? 0) + v;
  return Object.fromEntries(Object.entries(sum).map(([k, v]) => [k, round(v / samples.length)]));
}

async function run(s: BenchStack, w: Watcher): Promise<{ samples: Sample[]; base: number[] }> {
  const names = s.sim.slice(0, 2).map((e) => e.hostname);
  const vmName = 'mb-vm';
  const wait = (id: string) => settled(w, id, 120_000);
  const vmId = await createVm(s.client, wait, {
    name: vmName,
    vcpus: 2,
    memoryMiB: 1024,
    pinHost: names[0],
    interfaces: [{ network: 'tenant-br' }],
  });
  const twin = BASELINE > 0 ? await makeTwin(s, vmName) : undefined;
  const samples: Sample[] = [];
  const base: number[] = [];
  try {
    for (let i = 0; i < Math.max(MIGRATIONS, BASELINE); i++) {
      if (i < MIGRATIONS) samples.push(await netpinMigration(s, w, vmId, names[(i + 1) % 2]));
      if (twin && i < BASELINE) base.push(await directMigration(twin, (i % 2) as 0 | 1));
      if (!json && (i + 1) % 5 === 0) log(`${i + 1} rounds done`);
    }
  } finally {
    twin?.shells.forEach((sh) => sh.close());
  }
  return { samples, base };
}

function report(samples: Sample[], base: number[], load: { before: number[]; after: number[] }) {
  const total = dist(samples.map((x) => x.totalMs));
  const transfer = dist(samples.map((x) => x.transferMs));
  const overhead = dist(samples.map((x) => x.totalMs - x.transferMs));
  const baseline = base.length ? dist(base) : null;
  return {
    migrations: samples.length,
    vm: { vcpus: 2, memoryMiB: 1024, interfaces: ['tenant-br (bridge)'] },
    totalMs: total,
    transferMs: transfer,
    overheadMs: overhead,
    hostCommandsPerMigration: dist(samples.map((x) => x.hostCommands)).meanMs,
    hostCommandsByCommand: meanCounts(samples),
    stepsMs: perStep(samples),
    baseline: baseline && {
      migrations: base.length,
      directVirshMigrateMs: baseline,
      totalP50Ratio: round(total.p50Ms / baseline.p50Ms, 2),
      overheadVsDirectP50Ms: round(total.p50Ms - baseline.p50Ms),
    },
    loadAverage: load,
    goal: { overheadP50MsMax: GOAL_OVERHEAD_MS, met: overhead.p50Ms <= GOAL_OVERHEAD_MS },
  };
}

/** With --profile DIR: stop the stack (the children write their CPU profiles as they exit) and summarise them on stderr. */
async function printProfiles(dir: string): Promise<void> {
  await cleanup();
  for (const role of ['api', 'agent', 'hostsim']) {
    if (!existsSync(resolve(dir, role))) continue;
    const p = summarizeProfiles(resolve(dir, role), 15, { from: role === 'agent' ? 'run' : undefined });
    log(`${role} CPU profile (${p.totalMs} ms sampled), self time by package/folder:`);
    for (const [k, ms] of p.byPackage) log(`    ${String(ms).padStart(8)} ms  ${k}`);
    for (const [k, ms] of p.byFunction) log(`    ${String(ms).padStart(8)} ms  ${k}`);
  }
}

let stack: BenchStack | undefined;
let watcher: Watcher | undefined;
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await watcher?.close().catch(() => undefined);
    await stack?.stop();
  })();
  return cleaning;
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void cleanup().finally(() => process.exit(130)));

async function main(): Promise<void> {
  stack = await startBenchStack(2, ['dual-socket-sriov'], log);
  watcher = new Watcher(stack.url, stack.token, log);
  watcher.start();
  await setupFleet(stack.client, stack.entries, { log });
  const before = loadAvg();
  const { samples, base } = await run(stack, watcher);
  const r = report(samples, base, { before, after: loadAvg() });
  if (opt('profile', '')) await printProfiles(resolve(opt('profile', '')));
  if (json) return void process.stdout.write(JSON.stringify(r) + '\n');
  const line = (what: string, d: Dist) =>
    `${what.padEnd(26)} p50 ${String(d.p50Ms).padStart(8)} ms   p99 ${String(d.p99Ms).padStart(8)} ms`;
  console.log(`${r.migrations} LIVE migrations (2 vCPUs, 1 GiB, bridge NIC), load ${before.join(' ')} -> ${r.loadAverage.after.join(' ')}`);
  console.log(line('total (call -> SUCCEEDED)', r.totalMs));
  console.log(line('libvirt transfer', r.transferMs));
  console.log(line('netpin overhead', r.overheadMs));
  if (r.baseline)
    console.log(line('baseline: direct virsh', r.baseline.directVirshMigrateMs), `(total/baseline p50 x${r.baseline.totalP50Ratio})`);
  console.log(`host commands per migration: ${r.hostCommandsPerMigration} ${JSON.stringify(r.hostCommandsByCommand)}`);
  for (const [k, d] of Object.entries(r.stepsMs)) console.log(line(`  step ${k}`, d));
  console.log(`goal (overhead p50 <= ${GOAL_OVERHEAD_MS} ms): ${r.goal.met ? 'met' : 'MISSED'}`);
}

runBench(main, { log, tails: () => stack?.tails(), cleanup });
