/**
 * Host-drain benchmark (a script, not a test): a fresh stack (provision-stack.ts) with three
 * hostsim hosts, 20 VMs of mixed datapaths on the first (bridge, macvtap, OVS, SR-IOV with its
 * virtio failover partner: LIVE; SR-IOV without one: COLD under LIVE_MIGRATE_IF_POSSIBLE), then
 * drainHost(LIVE_MIGRATE_IF_POSSIBLE, maxParallel 4), timed from the call until the drain
 * operation is seen SUCCEEDED. Same-run baseline: as many twin domains (netpin's definitions
 * under other names) migrated one after another with the same `virsh migrate` straight over
 * SSH, without netpin.
 *
 *   npm run bench:drain                  (human-readable)
 *   npm run bench:drain -- --json        (exactly one JSON object on stdout)
 *   options: --vms 20 --max-parallel 4 --baseline 1 (0: none) --log-level warn
 */
import { setupFleet } from '@netpin/client';
import { drainResultSchema } from '@netpin/contracts';
import {
  createVm,
  DirectShell,
  dist,
  fetchOp,
  hostCommands,
  intOpt,
  json,
  loadAvg,
  migrationUri,
  now,
  round,
  settled,
  startBenchStack,
  type BenchStack,
} from './migration-common';
import { runBench } from './provision-stack';
import { Watcher } from './provision-watch';

const VMS = intOpt('vms', 20, 1);
const MAX_PARALLEL = intOpt('max-parallel', 4, 1);
const BASELINE = intOpt('baseline', 1, 0);
const GOAL_MS = 30_000;
const log = (msg: string): void => void process.stderr.write(`[bench:drain] ${msg}\n`);

/** The datapath mix, by VM index: what each interface asks for. */
const MIX: { kind: string; iface: Record<string, unknown> }[] = [
  { kind: 'bridge', iface: { network: 'tenant-br' } },
  { kind: 'macvtap', iface: { network: 'direct' } },
  { kind: 'ovs', iface: { network: 'tenant-ovs' } },
  { kind: 'sriov-failover', iface: { network: 'physnet0', liveMigratable: true } },
  { kind: 'sriov-cold', iface: { network: 'physnet0', vlan: 100 } },
];

async function populate(s: BenchStack, w: Watcher, host: string): Promise<{ names: string[]; kinds: Record<string, number> }> {
  const wait = (id: string) => settled(w, id, 120_000);
  const names: string[] = [];
  const kinds: Record<string, number> = {};
  for (let i = 0; i < VMS; i++) {
    const m = MIX[i % MIX.length];
    const name = `dr-${m.kind}-${i}`;
    await createVm(s.client, wait, { name, vcpus: 1, memoryMiB: 1024, pinHost: host, interfaces: [m.iface] });
    names.push(name);
    kinds[m.kind] = (kinds[m.kind] ?? 0) + 1;
  }
  return { names, kinds };
}

/**
 * The baseline: twins of the VMs without their VFs (a hostdev would need a VF netpin holds),
 * defined and started on the source, then each `virsh migrate`d to the next host in turn,
 * one at a time, straight over SSH.
 */
async function directDrain(s: BenchStack, names: string[]): Promise<number[]> {
  const shells = await Promise.all(s.sim.map((e) => DirectShell.connect(e)));
  const out: number[] = [];
  try {
    const files: { twin: string; file: string }[] = [];
    for (const [i, name] of names.entries()) {
      const xml = await shells[0].run(['virsh', 'dumpxml', '--inactive', name]);
      const twin = `tw-${i}`;
      const def = xml
        .replace(/<name>[^<]*<\/name>/, `<name>${twin}</name>`)
        .replace(/<uuid>[^<]*<\/uuid>/, '')
        .replace(/<interface type='hostdev'[\s\S]*?<\/interface>/g, '')
        .replace(/<mac address='[^']*'/g, `<mac address='52:54:00:bf:00:${i.toString(16).padStart(2, '0')}'`);
      await shells[0].run(['virsh', 'define', '/dev/stdin'], def);
      await shells[0].run(['virsh', 'start', twin]);
      const file = `/tmp/${twin}.xml`;
      const defined = await shells[0].run(['virsh', 'dumpxml', '--inactive', twin]);
      for (const sh of shells) await sh.run(['tee', file], defined);
      files.push({ twin, file });
    }
    for (const [i, f] of files.entries()) {
      const to = 1 + (i % (s.sim.length - 1));
      const t0 = now();
      const target = s.sim[to];
      await shells[0].run([
        ...['virsh', 'migrate', '--live', '--persistent', '--undefinesource', '--xml', f.file, '--persistent-xml', f.file],
        ...[f.twin, migrationUri(target), '--migrateuri', `tcp://${target.address}`],
      ]);
      out.push(now() - t0);
    }
  } finally {
    shells.forEach((sh) => sh.close());
  }
  return out;
}

interface DrainRun {
  drainMs: number;
  state: string;
  outcomes: Record<string, number>;
  actions: Record<string, number>;
  perVmMs: number[];
  hostCommands: number;
}

async function drain(s: BenchStack, w: Watcher, host: string): Promise<DrainRun> {
  const { id: hostId } = await s.client.typed.getHost({ name: host });
  const c0 = await hostCommands(s.metricsUrl);
  const t0 = now();
  const r = await s.client.request<{ drainHost: { id: string } }>(
    `mutation ($id: ID!, $input: DrainHostInput) { drainHost(id: $id, input: $input) { id } }`,
    { id: hostId, input: { strategy: 'LIVE_MIGRATE_IF_POSSIBLE', maxParallel: MAX_PARALLEL } },
  );
  const d = await settled(w, r.drainHost.id, 600_000);
  const drainMs = d.at - t0;
  const c1 = await hostCommands(s.metricsUrl);
  const op = await fetchOp(s.client, r.drainHost.id);
  const result = drainResultSchema.parse(JSON.parse(op.resultJson ?? 'null'));
  const outcomes: Record<string, number> = {};
  const actions: Record<string, number> = {};
  const perVmMs: number[] = [];
  for (const it of result.items) {
    outcomes[it.outcome] = (outcomes[it.outcome] ?? 0) + 1;
    if (it.action) actions[it.action] = (actions[it.action] ?? 0) + 1;
    if (!it.operationId) continue;
    const m = await fetchOp(s.client, it.operationId);
    if (m.finishedAt) perVmMs.push(Date.parse(m.finishedAt) - Date.parse(m.createdAt));
  }
  return { drainMs, state: d.state, outcomes, actions, perVmMs, hostCommands: c1.total - c0.total };
}

let stack: BenchStack | undefined;
let watcher: Watcher | undefined;
async function cleanup(): Promise<void> {
  await watcher?.close().catch(() => undefined);
  await stack?.stop();
}
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.once(sig, () => void cleanup().finally(() => process.exit(130)));

async function main(): Promise<void> {
  stack = await startBenchStack(3, ['dual-socket-sriov'], log);
  watcher = new Watcher(stack.url, stack.token, log);
  watcher.start();
  await setupFleet(stack.client, stack.entries, { log });
  const source = stack.sim[0].hostname;
  const { names, kinds } = await populate(stack, watcher, source);
  log(`${names.length} VMs running on ${source}: ${JSON.stringify(kinds)}`);
  const before = loadAvg();
  const base = BASELINE > 0 ? await directDrain(stack, names) : [];
  const d = await drain(stack, watcher, source);
  const after = loadAvg();
  const baseTotal = base.reduce((a, b) => a + b, 0);
  const r = {
    vms: names.length,
    datapaths: kinds,
    maxParallel: MAX_PARALLEL,
    strategy: 'LIVE_MIGRATE_IF_POSSIBLE',
    state: d.state,
    drainMs: round(d.drainMs),
    outcomes: d.outcomes,
    actions: d.actions,
    perVmMigrationMs: dist(d.perVmMs),
    hostCommandsPerVm: round(d.hostCommands / names.length),
    baseline: base.length
      ? {
          sequentialDirectVirshMigrateMs: round(baseTotal),
          perMigrationMs: dist(base),
          drainRatio: round(d.drainMs / baseTotal, 2),
        }
      : null,
    loadAverage: { before, after },
    goal: { drainMsMax: GOAL_MS, met: d.state === 'SUCCEEDED' && d.drainMs <= GOAL_MS },
  };
  if (json) return void process.stdout.write(JSON.stringify(r) + '\n');
  console.log(
    `drain of ${r.vms} VMs ${JSON.stringify(kinds)}, maxParallel ${MAX_PARALLEL}, load ${before.join(' ')} -> ${after.join(' ')}`,
  );
  console.log(`drain: ${r.state} in ${r.drainMs} ms; outcomes ${JSON.stringify(r.outcomes)}, actions ${JSON.stringify(r.actions)}`);
  console.log(`per-VM migration (operation created -> finished): p50 ${r.perVmMigrationMs.p50Ms} ms, p99 ${r.perVmMigrationMs.p99Ms} ms`);
  console.log(`host commands per VM: ${r.hostCommandsPerVm}`);
  if (r.baseline)
    console.log(
      `baseline: ${base.length} direct virsh migrates one after another: ${r.baseline.sequentialDirectVirshMigrateMs} ms (p50 ${r.baseline.perMigrationMs.p50Ms} ms each); drain/baseline x${r.baseline.drainRatio}`,
    );
  console.log(`goal (drain <= ${GOAL_MS} ms, all moved): ${r.goal.met ? 'met' : 'MISSED'}`);
}

runBench(main, { log, tails: () => stack?.tails(), cleanup });
